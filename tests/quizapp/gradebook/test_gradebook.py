"""Gradebook: selectors, overrides and their audit log, exports, and every page × every visitor.

The named people: ``owner`` teaches the course and owns the quiz, ``other_instructor`` teaches
elsewhere, ``student`` is enrolled in the course, ``admin`` sees everything, ``anonymous`` is
logged out.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizapp.attempts import services
from quizapp.core.errors import ServiceError
from quizapp.gradebook import exports, selectors
from quizapp.gradebook import services as gradebook
from quizapp.models import (
    Attempt,
    Course,
    CourseQuiz,
    Enrollment,
    RegradeRun,
    ScoreOverride,
)

pytestmark = pytest.mark.django_db

PEOPLE = ["owner", "other_instructor", "student", "anonymous", "admin"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def quiz(demo_quiz, owner):
    demo_quiz.owner = owner
    demo_quiz.save(update_fields=["owner"])
    return demo_quiz


@pytest.fixture
def course(quiz, owner, student):
    course = Course.objects.create(owner=owner, title="Глубокое обучение", code="dl-2026")
    CourseQuiz.objects.create(course=course, quiz=quiz, added_by=owner)
    Enrollment.objects.create(course=course, user=student)
    return course


def take(user, quiz, answers: dict[str, str] | None = None, default: str = "1") -> Attempt:
    """A finished attempt: every item answered (``answers`` by question slug) and graded."""
    answers = answers or {}
    attempt = services.attempt_start(user=user, quiz=quiz)
    for item in attempt.items.select_related("version__question"):
        raw = answers.get(item.version.question.slug, default)
        if raw is None:
            continue
        response = services.response_submit(item=item, raw=raw)
        services.response_grade(response_id=response.pk)
    services.attempt_finish(attempt=attempt)
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def attempt(quiz, student, course):
    return take(student, quiz, {"lstm-gates": "1"})  # one right answer (see the demo bank)


def _login(client, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    return client


# --- Selectors and services ------------------------------------------------------------------


def test_course_gradebook_best_attempt_and_total(course, quiz, student, attempt):
    second = take(student, quiz, {"lstm-gates": "1", "dropout-name": "dropout"})
    book = selectors.gradebook(course=course)
    assert [q.pk for q in book.quizzes] == [quiz.pk]
    [row] = book.rows
    assert row.student == student
    cell = row.cells[0]
    assert cell.attempts == 2
    assert cell.best.uuid == second.uuid
    assert cell.score == second.score == Decimal("2.00")
    assert row.total == Decimal("2.00")
    assert book.quizzes[0].max_score == Decimal("9.00")


def test_quiz_gradebook_lists_who_attempted(quiz, student, outsider, attempt):
    take(outsider, quiz)
    book = selectors.gradebook(quiz=quiz)
    assert {r.student.username for r in book.rows} == {"student", "outsider"}


def test_override_is_shown_logged_and_survives_rescore(attempt, owner):
    assert attempt.score == Decimal("1.00")
    override = gradebook.score_override(
        attempt=attempt, new_score=Decimal("7.5"), reason="апелляция: верно по смыслу", by=owner
    )
    assert (override.old_score, override.new_score, override.by) == (
        Decimal("1.00"),
        Decimal("7.50"),
        owner,
    )
    attempt.refresh_from_db()
    assert attempt.score == Decimal("1.00"), "the computed score is kept apart"
    services.attempt_rescore(attempt)  # a late grading or a regrade recomputes the score…
    assert selectors.shown_score(Attempt.objects.get(pk=attempt.pk)) == Decimal("7.50")  # …not this

    back = gradebook.score_override(attempt=attempt, new_score=None, reason="отмена", by=owner)
    assert (back.old_score, back.new_score) == (Decimal("7.50"), None)
    assert selectors.shown_score(Attempt.objects.get(pk=attempt.pk)) == Decimal("1.00")
    # History is only ever added to.
    assert list(
        ScoreOverride.objects.filter(attempt=attempt).values_list("new_score", flat=True)
    ) == [
        None,
        Decimal("7.50"),
    ]


@pytest.mark.parametrize(
    ("score", "reason", "code"),
    [
        (Decimal("5"), "  ", "reason_required"),
        (Decimal("10"), "слишком много", "score_out_of_range"),
        (Decimal("-1"), "отрицательная", "score_out_of_range"),
        (None, "нечего отменять", "no_override"),
    ],
)
def test_override_refusals(attempt, owner, score, reason, code):
    with pytest.raises(ServiceError) as exc:
        gradebook.score_override(attempt=attempt, new_score=score, reason=reason, by=owner)
    assert exc.value.code == code
    assert not ScoreOverride.objects.exists()


def test_override_refused_for_attempt_in_progress(quiz, student, owner):
    attempt = services.attempt_start(user=student, quiz=quiz)
    with pytest.raises(ServiceError) as exc:
        gradebook.score_override(attempt=attempt, new_score=Decimal(1), reason="r", by=owner)
    assert exc.value.code == "attempt_not_finished"


def test_attempt_detail_has_every_answer(attempt):
    detail = selectors.attempt_detail(attempt=attempt)
    assert len(detail.answers) == 9
    lstm = next(a for a in detail.answers if a.question.slug == "lstm-gates")
    assert lstm.response.raw == "1"
    assert lstm.result["correct"] is True
    assert lstm.earned == Decimal("1.00")
    dense = next(a for a in detail.answers if a.question.slug == "dense-params")
    assert dense.result["expected_display"] and dense.result["parsed_display"] == "1"
    assert dense.result["feedback"]


# --- Exports ---------------------------------------------------------------------------------


def test_csv_export_parses_back_with_cyrillic(course, attempt, owner, student):
    student.last_name, student.first_name = "Иванова", "Мария"
    student.save()
    gradebook.score_override(attempt=attempt, new_score=Decimal("2.5"), reason="r", by=owner)
    data = exports.gradebook_csv(selectors.gradebook(course=course))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Логин", "Фамилия", "Имя"]
    assert rows[0][3].startswith("Демо-тест")
    assert rows[1] == ["student", "Иванова", "Мария", "2,50", "2,50", ""]

    plain = exports.gradebook_csv(selectors.gradebook(course=course), sep=",")
    rows = list(csv.reader(io.StringIO(plain.decode("utf-8-sig"))))
    assert rows[1][3:] == ["2.50", "2.50", ""]


def test_xlsx_export_parses_back(course, attempt):
    from openpyxl import load_workbook

    data = exports.gradebook_xlsx(selectors.gradebook(course=course))
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Логин"
    assert rows[1][0] == "student"
    assert rows[1][3] == pytest.approx(1.0)


def test_export_view_sends_attachment(client, owner, course, attempt):
    client.force_login(owner)
    response = client.get(reverse("gradebook-course-export", args=[course.pk, "csv"]))
    assert response.status_code == 200
    assert 'filename="gradebook-dl-2026.csv"' in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").splitlines()[1].startswith("student;")
    bad = client.get(reverse("gradebook-course-export", args=[course.pk, "pdf"]))
    assert bad.status_code == 404


def test_csv_export_follows_the_course_decimal_mark(client, owner, course, attempt, quiz):
    """Comma mark: «;»-separated with decimal commas; point mark: «,»-separated with points; the
    other separator on request; the header's maximum takes the mark too (issue 12 §3)."""
    gradebook.score_override(attempt=attempt, new_score=Decimal("2.5"), reason="r", by=owner)
    client.force_login(owner)
    url = reverse("gradebook-course-export", args=[course.pk, "csv"])

    def rows(response, delimiter):
        text = response.content.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))

    comma = rows(client.get(url), ";")
    assert comma[1][3:] == ["2,50", "2,50", ""]
    course.decimal_mark = "."
    course.save()
    point = rows(client.get(url), ",")
    assert point[1][3:] == ["2.50", "2.50", ""]
    assert "." in point[0][3] and "," not in point[0][3].split("из")[-1]
    asked = rows(client.get(url, {"sep": "semicolon"}), ";")
    assert asked[1][3:] == ["2,50", "2,50", ""]
    page = client.get(reverse("gradebook-course", args=[course.pk])).content.decode()
    assert ">2.50</a>" in page
    # the page's «CSV для Excel» (said to be «;» with commas) stays that whatever the mark
    assert '?sep=semicolon">CSV для Excel' in page
    detail = reverse("gradebook-attempt", args=[attempt.uuid])
    assert "<strong>2.50</strong>" in client.get(detail).content.decode()
    course.decimal_mark = ","
    course.save()
    page = client.get(reverse("gradebook-course", args=[course.pk])).content.decode()
    assert ">2,50</a>" in page
    assert "<strong>2,50</strong>" in client.get(detail).content.decode()


# --- Pages × people --------------------------------------------------------------------------


def _pages(course, quiz, attempt, run):
    return {
        "course": reverse("gradebook-course", args=[course.pk]),
        "course-csv": reverse("gradebook-course-export", args=[course.pk, "csv"]),
        "course-xlsx": reverse("gradebook-course-export", args=[course.pk, "xlsx"]),
        "quiz": reverse("gradebook-quiz", args=[quiz.pk]),
        "quiz-csv": reverse("gradebook-quiz-export", args=[quiz.pk, "csv"]),
        "quiz-xlsx": reverse("gradebook-quiz-export", args=[quiz.pk, "xlsx"]),
        "attempt": reverse("gradebook-attempt", args=[attempt.uuid]),
        "analysis": reverse("analysis-quiz", args=[quiz.pk]),
        "regrade": reverse("regrade", args=[quiz.pk]),
        "regrade-run": reverse("regrade-run", args=[run.pk]),
        "regrade-status": reverse("regrade-status", args=[run.pk]),
    }


@pytest.fixture
def run(quiz, owner):
    item = quiz.items.get(position=1)
    version = item.question.versions.first()
    return RegradeRun.objects.create(
        question=item.question,
        quiz=quiz,
        to_version=version,
        created_by=owner,
        status=RegradeRun.Status.DONE,
    )


EXPECTED = {"owner": 200, "admin": 200, "other_instructor": 404, "student": 403, "anonymous": 302}


@pytest.mark.parametrize("who", PEOPLE)
def test_every_page_for_every_visitor(client, request, who, course, quiz, attempt, run):
    _login(client, request, who)
    for name, url in _pages(course, quiz, attempt, run).items():
        response = client.get(url)
        assert response.status_code == EXPECTED[who], (name, who)
        if who == "anonymous":
            assert response["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize("who", PEOPLE)
def test_index_lists_only_own(client, request, who, course, quiz, other_instructor):
    _login(client, request, who)
    response = client.get(reverse("gradebook-index"))
    if who in ("student", "anonymous"):
        assert response.status_code == EXPECTED[who]
        return
    assert response.status_code == 200
    listed = quiz.title in response.content.decode()
    assert listed == (who in ("owner", "admin"))


def test_course_owner_sees_attempt_of_enrolled_student_of_another_owners_quiz(
    client, course, quiz, attempt, other_instructor, admin
):
    # An admin assigns someone else's quiz to the other instructor's course.
    course.owner = other_instructor
    course.save()
    client.force_login(other_instructor)
    assert client.get(reverse("gradebook-attempt", args=[attempt.uuid])).status_code == 200
    assert client.get(reverse("gradebook-course", args=[course.pk])).status_code == 200
    assert client.get(reverse("gradebook-quiz", args=[quiz.pk])).status_code == 404


@pytest.mark.parametrize("who", PEOPLE)
def test_override_form_for_every_visitor(client, request, who, attempt):
    _login(client, request, who)
    url = reverse("gradebook-override", args=[attempt.uuid])
    response = client.post(url, {"new_score": "3,5", "reason": "пересчитал вручную"})
    allowed = who in ("owner", "admin")
    assert response.status_code == (302 if allowed or who == "anonymous" else EXPECTED[who])
    override = ScoreOverride.objects.filter(attempt=attempt).first()
    if allowed:
        assert response["Location"] == reverse("gradebook-attempt", args=[attempt.uuid])
        assert override.new_score == Decimal("3.50")
        assert override.by.username == who
        page = client.get(response["Location"]).content.decode()
        assert "пересчитал вручную" in page
    else:
        assert override is None


def test_override_form_without_reason_changes_nothing(client, owner, attempt):
    client.force_login(owner)
    response = client.post(
        reverse("gradebook-override", args=[attempt.uuid]), {"new_score": "3"}, follow=True
    )
    assert "Укажите причину" in response.content.decode()
    assert not ScoreOverride.objects.exists()


def test_gradebook_page_shows_scores_and_links(client, owner, course, attempt):
    client.force_login(owner)
    page = client.get(reverse("gradebook-course", args=[course.pk])).content.decode()
    assert reverse("gradebook-attempt", args=[attempt.uuid]) in page
    assert "student" in page


def test_course_gradebook_query_count_does_not_grow(
    client, django_user_model, owner, course, quiz, attempt
):
    client.force_login(owner)
    url = reverse("gradebook-course", args=[course.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    count()  # warm: the owner's roles are cached after their first page
    few = count()
    for k in range(3):
        user = django_user_model.objects.create_user(f"s{k}")
        Enrollment.objects.create(course=course, user=user)
        take(user, quiz)
        take(user, quiz)
    more = count()
    assert more == few
    assert more <= 12


def test_course_gradebook_pages_students(
    client, owner, course, quiz, student, django_user_model, monkeypatch
):
    """A course of any size: the page shows STUDENTS_PER_PAGE rows and links the next page;
    the export still has every student."""
    from quizapp.gradebook import views

    names = ["Аксенов", "Борисова", "Волков", "Горина", "Дьяков"]
    for k, last in enumerate(names):
        user = django_user_model.objects.create_user(f"p{k}", last_name=last)
        Enrollment.objects.create(course=course, user=user)
    client.force_login(owner)
    url = reverse("gradebook-course", args=[course.pk])
    monkeypatch.setattr(views, "STUDENTS_PER_PAGE", 2)
    pages = [client.get(url, {"page": n}) for n in (1, 2, 3)]
    beyond = client.get(url, {"page": 99})
    shown = [[row.student.username for row in p.context["book"].rows] for p in pages]
    # The enrolled student of the fixture has no last name: sorted first.
    assert shown == [[student.username, "p0"], ["p1", "p2"], ["p3", "p4"]]
    assert 'rel="next"' in pages[0].content.decode()
    assert "Страница 1 из 3" in pages[0].content.decode()
    assert 'rel="next"' not in pages[2].content.decode()
    assert [r.student.username for r in beyond.context["book"].rows] == ["p3", "p4"]
    export = client.get(reverse("gradebook-course-export", args=[course.pk, "csv"]))
    assert export.content.decode("utf-8-sig").count("\n") == 1 + 6
