"""Accommodations and course dates: a student's terms, the attempt's deadline, the beat task that
closes attempts, the pages and the gradebook's marks.

The demo exam: 15 minutes, 3 attempts, assigned to the course of ``member`` and ``peer``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from quizapp.attempts import services as attempts
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.courses import accommodations as acc
from quizapp.courses import services as courses
from quizapp.courses.accommodations import quiz_terms
from quizapp.gradebook.selectors import gradebook
from quizapp.models import Accommodation, Attempt, CourseQuiz, Quiz

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def exam(db, owner):
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    quiz = Quiz.objects.get(slug="demo-exam")
    Quiz.objects.filter(pk=quiz.pk).update(is_open=False, owner=owner)
    quiz.refresh_from_db()
    return quiz


@pytest.fixture
def course(owner, member, peer, exam):
    course = courses.course_create(owner=owner, title="Глубокое обучение", code="dl-2026")
    courses.course_join(user=member, code=course.join_code)
    courses.course_join(user=peer, code=course.join_code)
    courses.course_quiz_assign(course=course, quiz=exam, by=owner)
    return course


def grant(course, owner, students, **values):
    values.setdefault("label", "ОВЗ")
    return acc.accommodation_save(
        course=course, by=owner, student_ids=[s.pk for s in students], **values
    )


def test_without_accommodations_the_terms_are_the_quizs(course, member, exam):
    terms = quiz_terms(user=member, quiz=exam)
    assert (terms.time_limit_minutes, terms.max_attempts) == (15, 3)
    assert not terms.special and terms.summary() == ""


def test_extra_time_is_factor_then_minutes_and_sets_the_deadline(course, owner, member, peer, exam):
    grant(course, owner, [member], time_factor=Decimal("1.5"), extra_minutes=10)
    assert (
        quiz_terms(user=member, quiz=exam).time_limit_minutes == 15 * 3 // 2 + 1 + 10
    )  # ⌈22,5⌉+10
    attempt = attempts.attempt_start(user=member, quiz=exam)
    assert attempt.deadline == attempt.started_at + timedelta(minutes=33)
    other = attempts.attempt_start(user=peer, quiz=exam)
    assert other.deadline == other.started_at + timedelta(minutes=15)


def test_several_accommodations_give_the_most_generous_of_each(course, owner, member, exam):
    later = timezone.now() + timedelta(days=10)
    Quiz.objects.filter(pk=exam.pk).update(closes_at=timezone.now() + timedelta(days=1))
    exam.refresh_from_db()
    grant(course, owner, [member], label="ОВЗ", time_factor=Decimal("2"))
    grant(course, owner, [member], label="Болел", quiz=exam, closes_at=later, extra_attempts=2)
    grant(course, owner, [member], label="Слабее", time_factor=Decimal("1.25"), extra_minutes=5)
    terms = quiz_terms(user=member, quiz=exam)
    assert terms.time_limit_minutes == 30 + 5
    assert terms.closes_at == later and terms.max_attempts == 5
    assert [a.label for a in terms.accommodations] == ["ОВЗ", "Болел", "Слабее"]


def test_an_extension_lets_one_student_start_after_the_close(course, owner, member, peer, exam):
    now = timezone.now()
    Quiz.objects.filter(pk=exam.pk).update(closes_at=now - timedelta(hours=1))
    exam.refresh_from_db()
    grant(course, owner, [member], quiz=exam, closes_at=now + timedelta(minutes=10))
    with pytest.raises(ServiceError) as refused:
        attempts.attempt_start(user=peer, quiz=exam)
    assert refused.value.code == ErrorCode.QUIZ_CLOSED
    attempt = attempts.attempt_start(user=member, quiz=exam)
    # 15 minutes of the exam, cut by the extension's end in 10.
    assert attempt.deadline == now + timedelta(minutes=10)


def test_extra_attempts_raise_the_limit(course, owner, member, peer, exam):
    grant(course, owner, [member], extra_attempts=1)
    for _ in range(4):
        attempts.attempt_finish(attempt=attempts.attempt_start(user=member, quiz=exam))
    with pytest.raises(ServiceError) as refused:
        attempts.attempt_start(user=member, quiz=exam)
    assert refused.value.code == ErrorCode.NO_ATTEMPTS_LEFT
    for _ in range(3):
        attempts.attempt_finish(attempt=attempts.attempt_start(user=peer, quiz=exam))
    with pytest.raises(ServiceError):
        attempts.attempt_start(user=peer, quiz=exam)


def test_an_accommodation_of_another_course_does_not_apply(owner, member, exam, course):
    other = courses.course_create(owner=owner, title="Другой курс", code="other")
    courses.course_join(user=member, code=other.join_code)
    # The quiz is not assigned to «other»: its accommodations are about its own quizzes.
    grant(other, owner, [member], time_factor=Decimal("2"))
    assert quiz_terms(user=member, quiz=exam).time_limit_minutes == 15


def test_granting_and_withdrawing_move_the_deadline_of_an_attempt_in_progress(
    course, owner, member, peer, exam
):
    attempt = attempts.attempt_start(user=member, quiz=exam)
    untouched = attempts.attempt_start(user=peer, quiz=exam)
    granted = grant(course, owner, [member], extra_minutes=20)
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=35)
    untouched.refresh_from_db()
    assert untouched.deadline == untouched.started_at + timedelta(minutes=15)
    # Changing who has it: the student taken off is back at 15 minutes, the one added at 35.
    acc.accommodation_save(
        course=course,
        by=owner,
        accommodation=granted,
        label="ОВЗ",
        student_ids=[peer.pk],
        extra_minutes=20,
    )
    attempt.refresh_from_db()
    untouched.refresh_from_db()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=15)
    assert untouched.deadline == untouched.started_at + timedelta(minutes=35)
    acc.accommodation_delete(accommodation=Accommodation.objects.get())
    untouched.refresh_from_db()
    assert untouched.deadline == untouched.started_at + timedelta(minutes=15)


def test_the_beat_task_closes_at_the_extended_deadline(course, owner, member, peer, exam):
    grant(course, owner, [member], time_factor=Decimal("2"))
    mine = attempts.attempt_start(user=member, quiz=exam)
    theirs = attempts.attempt_start(user=peer, quiz=exam)
    after_15 = mine.started_at + timedelta(minutes=16)
    assert attempts.attempts_close_expired(now=after_15) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("in_progress", "finished")
    assert attempts.attempts_close_expired(now=mine.started_at + timedelta(minutes=31)) == 1
    mine.refresh_from_db()
    assert mine.status == "finished"
    assert mine.finished_at == mine.started_at + timedelta(minutes=30)


def test_course_dates_override_the_quizs_and_two_courses_give_the_wider_window(
    course, owner, member, exam
):
    now = timezone.now()
    link = CourseQuiz.objects.get(course=course, quiz=exam)
    acc.course_quiz_dates_set(
        course_quiz=link, opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2)
    )
    with pytest.raises(ServiceError) as refused:
        attempts.attempt_start(user=member, quiz=exam)
    assert refused.value.code == ErrorCode.QUIZ_NOT_OPEN
    terms = quiz_terms(user=member, quiz=exam)
    assert terms.course_dates and terms.opens_at == now + timedelta(days=1)
    second = courses.course_create(owner=owner, title="Вечерняя группа", code="evening")
    courses.course_join(user=member, code=second.join_code)
    courses.course_quiz_assign(course=second, quiz=exam, by=owner)
    acc.course_quiz_dates_set(
        course_quiz=CourseQuiz.objects.get(course=second, quiz=exam),
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=3),
    )
    terms = quiz_terms(user=member, quiz=exam)
    assert (terms.opens_at, terms.closes_at) == (now - timedelta(hours=1), now + timedelta(days=3))
    assert attempts.attempt_start(user=member, quiz=exam).deadline is not None


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"time_factor": Decimal("6")}, "time_factor", ErrorCode.INVALID),
        ({"time_factor": Decimal("1")}, "time_factor", ErrorCode.ACCOMMODATION_CHANGES_NOTHING),
        ({"extra_minutes": 24 * 60 + 1}, "extra_minutes", ErrorCode.INVALID),
        ({"extra_attempts": 51}, "extra_attempts", ErrorCode.INVALID),
        ({"label": "  ", "extra_minutes": 5}, "label", ErrorCode.INVALID),
    ],
)
def test_bad_values_are_refused_with_a_field(course, owner, member, values, field, code):
    with pytest.raises(ServiceError) as refused:
        grant(course, owner, [member], **values)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert not Accommodation.objects.exists()


def test_only_the_courses_students_and_quizzes_and_a_later_close(
    course, owner, member, exam, outsider
):
    with pytest.raises(ServiceError) as refused:
        grant(course, owner, [outsider], extra_minutes=5)
    assert refused.value.code == ErrorCode.NOT_COURSE_STUDENT
    other_quiz = Quiz.objects.create(slug="other", title="Другой", owner=owner, is_published=True)
    with pytest.raises(ServiceError) as refused:
        grant(course, owner, [member], quiz=other_quiz, extra_minutes=5)
    assert refused.value.code == ErrorCode.QUIZ_NOT_IN_COURSE
    closes = timezone.now() + timedelta(days=1)
    Quiz.objects.filter(pk=exam.pk).update(closes_at=closes)
    exam.refresh_from_db()
    with pytest.raises(ServiceError) as refused:
        grant(course, owner, [member], quiz=exam, closes_at=closes - timedelta(hours=1))
    assert (refused.value.code, refused.value.field) == (ErrorCode.EXTENSION_TOO_EARLY, "closes_at")


def test_the_page_grants_edits_and_withdraws(client, course, owner, member, peer, exam):
    client.force_login(owner)
    url = reverse("course-accommodations", args=[course.pk])
    page = client.get(url).content.decode()
    assert "Назначить особые условия" in page and "member" in page and "peer" in page
    answer = client.post(
        url,
        {
            "label": "ОВЗ",
            "students": [member.pk],
            "quiz": "",
            "time_factor": "1,5",
            "extra_minutes": "0",
            "extra_attempts": "1",
        },
    )
    assert answer.status_code == 302
    granted = Accommodation.objects.get()
    assert granted.time_factor == Decimal("1.5") and granted.quiz is None
    assert list(granted.students.all()) == [member]
    page = client.get(url).content.decode()
    assert "время ×1,5" in page and "+1 попыт." in page
    # A refused form keeps what was typed and says why, in Russian.
    page = client.post(
        url,
        {
            "label": "Пусто",
            "students": [member.pk],
            "time_factor": "1",
            "extra_minutes": "0",
            "extra_attempts": "0",
        },
    ).content.decode()
    assert "Укажите, что меняется" in page
    edit = reverse("course-accommodation-edit", args=[course.pk, granted.pk])
    assert (
        client.post(
            edit,
            {
                "label": "ОВЗ",
                "students": [member.pk, peer.pk],
                "time_factor": "2",
                "extra_minutes": "0",
                "extra_attempts": "0",
            },
        ).status_code
        == 302
    )
    assert set(granted.students.all()) == {member, peer}
    delete = reverse("course-accommodation-delete", args=[course.pk, granted.pk])
    assert client.post(delete).status_code == 302
    assert not Accommodation.objects.exists()


def test_the_page_is_the_courses_owners_only(client, course, member, other_instructor):
    url = reverse("course-accommodations", args=[course.pk])
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(other_instructor)
    assert client.get(url).status_code == 404


def test_the_student_sees_their_terms_on_the_quiz_page(client, course, owner, member, peer, exam):
    grant(course, owner, [member], label="ОВЗ: +50 %", time_factor=Decimal("1.5"))
    client.force_login(member)
    page = client.get(reverse("quiz", args=[exam.slug])).content.decode()
    assert "23 мин" in page and "для всех — 15 мин" in page and "ОВЗ: +50 %" in page
    client.force_login(peer)
    page = client.get(reverse("quiz", args=[exam.slug])).content.decode()
    assert "15 мин" in page and "особые условия" not in page


def test_the_gradebook_marks_who_had_what(course, owner, member, peer, exam):
    grant(course, owner, [member], label="ОВЗ", time_factor=Decimal("1.5"), extra_attempts=1)
    book = gradebook(course=course)
    cells = {row.student.username: row.cells[0] for row in book.rows}
    assert cells["member"].terms_text == "ОВЗ; время 23 мин, попыток: 4"
    assert cells["peer"].terms is None


def test_dates_form_on_the_page_sets_the_course_dates(client, course, owner, exam):
    client.force_login(owner)
    url = reverse("course-quiz-dates", args=[course.pk, exam.pk])
    answer = client.post(
        url,
        {f"q{exam.pk}-opens_at": "2030-01-10T09:00", f"q{exam.pk}-closes_at": "2030-01-10T11:00"},
    )
    assert answer.status_code == 302
    link = CourseQuiz.objects.get(course=course, quiz=exam)
    assert timezone.localtime(link.closes_at).strftime("%d.%m.%Y %H:%M") == "10.01.2030 11:00"
    answer = client.post(
        url,
        {f"q{exam.pk}-opens_at": "2030-01-10T09:00", f"q{exam.pk}-closes_at": "2030-01-10T08:00"},
    )
    link.refresh_from_db()
    assert timezone.localtime(link.closes_at).strftime("%H:%M") == "11:00"  # refused, kept


def test_in_progress_attempts_only_are_recomputed(course, owner, member, exam):
    done = attempts.attempt_start(user=member, quiz=exam)
    attempts.attempt_finish(attempt=done)
    before = Attempt.objects.get(pk=done.pk).deadline
    grant(course, owner, [member], extra_minutes=30)
    assert Attempt.objects.get(pk=done.pk).deadline == before


def test_the_gradebook_export_names_the_accommodations(course, owner, member, exam):
    import csv
    import io

    from quizapp.gradebook.exports import gradebook_csv

    grant(course, owner, [member], label="ОВЗ", extra_minutes=10)
    text = gradebook_csv(gradebook(course=course)).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert header[-2:] == ["Итого", "Особые условия"]
    by_login = {row[0]: row[-1] for row in rows}
    assert by_login == {"member": "ОВЗ; время 25 мин", "peer": ""}


def test_a_course_closing_early_does_not_shorten_another_course_of_the_student(
    course, owner, member, exam
):
    """The quiz closes in ten days; one course of the student closes it in five, another keeps
    the quiz's date: the student has the ten (the later close of their courses)."""
    now = timezone.now()
    Quiz.objects.filter(pk=exam.pk).update(closes_at=now + timedelta(days=10))
    exam.refresh_from_db()
    early = courses.course_create(owner=owner, title="Ранняя группа", code="early")
    courses.course_join(user=member, code=early.join_code)
    courses.course_quiz_assign(course=early, quiz=exam, by=owner)
    acc.course_quiz_dates_set(
        course_quiz=CourseQuiz.objects.get(course=early, quiz=exam),
        opens_at=None,
        closes_at=now + timedelta(days=5),
    )
    assert quiz_terms(user=member, quiz=exam).closes_at == now + timedelta(days=10)
