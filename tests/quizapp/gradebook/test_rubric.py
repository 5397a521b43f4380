"""Reusable rubric criteria of an essay question: kept on the bank's question, edited from the
grading page, ticked per answer (points from their sum, clamped; the comment from their texts)
and copied into the grade so a later edit never changes it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.gradebook import manual
from quizapp.models import ManualGrade, Response, RubricCriterion
from tests.quizapp.gradebook.essays import essay_response, finish_with_essay

pytestmark = pytest.mark.django_db


def _question(quiz):
    return quiz.items.get(question__slug="dropout-essay").question


@pytest.fixture
def waiting(student, essay_quiz, django_capture_on_commit_callbacks):
    return finish_with_essay(student, essay_quiz, django_capture_on_commit_callbacks, "Ответ")


@pytest.fixture
def rubric(owner, essay_quiz, waiting):
    """Two criteria: +3 for the formula, −1 for a missing derivation."""
    question = _question(essay_quiz)
    add = manual.rubric_criterion_add
    return (
        add(quiz=essay_quiz, question_id=question.pk, points="3", text="Верно", by=owner),
        add(quiz=essay_quiz, question_id=question.pk, points="-1", text="Нет вывода", by=owner),
    )


def _code(call) -> str:
    with pytest.raises(ServiceError) as refused:
        call()
    return refused.value.code


# --- criteria: add, bounds, order, owners ------------------------------------------------------


def test_criteria_are_added_in_order_on_the_question(owner, essay_quiz, rubric):
    first, second = rubric
    assert (first.position, second.position) == (1, 2)
    assert first.question == _question(essay_quiz) and first.created_by == owner
    assert [c.text for c in manual.rubric_criteria(question_id=first.question_id)] == [
        "Верно",
        "Нет вывода",
    ]
    assert second.points == Decimal("-1.00")


@pytest.mark.parametrize(
    ("points", "text"),
    [("", "Текст"), ("abc", "Текст"), ("100.01", "Текст"), ("-101", "Текст"), ("nan", "Т"),
     ("1", "   "), ("1", "я" * 301)],
)  # fmt: skip
def test_a_criterion_out_of_bounds_is_refused(owner, essay_quiz, waiting, points, text):
    question = _question(essay_quiz)
    code = _code(
        lambda: manual.rubric_criterion_add(
            quiz=essay_quiz, question_id=question.pk, points=points, text=text, by=owner
        )
    )
    assert code == ErrorCode.RUBRIC_CRITERION_INVALID
    assert not RubricCriterion.objects.exists()


def test_at_most_twenty_criteria(owner, essay_quiz, waiting):
    question = _question(essay_quiz)
    for n in range(manual.MAX_CRITERIA):
        manual.rubric_criterion_add(
            quiz=essay_quiz, question_id=question.pk, points="1", text=f"К{n}", by=owner
        )
    code = _code(
        lambda: manual.rubric_criterion_add(
            quiz=essay_quiz, question_id=question.pk, points="1", text="Лишний", by=owner
        )
    )
    assert code == ErrorCode.RUBRIC_TOO_LONG
    assert RubricCriterion.objects.count() == manual.MAX_CRITERIA


def test_only_the_quizs_owner_adds_and_only_to_its_own_essays(
    owner, other_instructor, essay_quiz, waiting
):
    question = _question(essay_quiz)
    code = _code(
        lambda: manual.rubric_criterion_add(
            quiz=essay_quiz, question_id=question.pk, points="1", text="Т", by=other_instructor
        )
    )
    assert code == ErrorCode.QUIZ_OWNER_ONLY
    other = essay_quiz.items.exclude(question=question).first().question
    code = _code(
        lambda: manual.rubric_criterion_add(
            quiz=essay_quiz, question_id=other.pk, points="1", text="Т", by=owner
        )
    )
    assert code == ErrorCode.QUESTION_NOT_IN_QUIZ
    assert not RubricCriterion.objects.exists()


def test_only_the_author_or_an_admin_edits_or_removes(owner, other_instructor, admin, rubric):
    first, second = rubric
    code = _code(
        lambda: manual.rubric_criterion_update(
            criterion=first, points="5", text="Чужая правка", by=other_instructor
        )
    )
    assert code == ErrorCode.RUBRIC_CRITERION_NOT_YOURS
    code = _code(lambda: manual.rubric_criterion_delete(criterion=first, by=other_instructor))
    assert code == ErrorCode.RUBRIC_CRITERION_NOT_YOURS
    code = _code(lambda: manual.rubric_criterion_move_up(criterion=second, by=other_instructor))
    assert code == ErrorCode.RUBRIC_CRITERION_NOT_YOURS
    second.refresh_from_db()
    assert second.position == 2
    first.refresh_from_db()
    assert (first.points, first.text) == (Decimal("3.00"), "Верно")
    manual.rubric_criterion_update(criterion=first, points="2.5", text=" Формула ", by=admin)
    first.refresh_from_db()
    assert (first.points, first.text) == (Decimal("2.50"), "Формула")
    manual.rubric_criterion_delete(criterion=second, by=owner)
    assert list(RubricCriterion.objects.all()) == [first]


# --- grading with criteria ---------------------------------------------------------------------


def test_points_are_the_criteria_sum_clamped_and_the_comment_their_texts(
    owner, essay_quiz, waiting, rubric, django_capture_on_commit_callbacks
):
    first, second = rubric
    response = essay_response(waiting)
    with django_capture_on_commit_callbacks(execute=True):
        grade = manual.manual_grade_save(
            response=response, points=None, comment="Молодец", criteria=[second.pk, first.pk],
            by=owner,
        )  # fmt: skip
    assert grade.score == 0.5  # 3 − 1 = 2 of 4
    assert grade.criteria == [
        {"id": first.pk, "text": "Верно", "points": "3.00"},
        {"id": second.pk, "text": "Нет вывода", "points": "-1.00"},
    ]
    response.refresh_from_db()
    assert response.result["feedback"] == "Верно (+3); Нет вывода (−1) — Молодец"
    assert response.result["manual"]["criteria"] == [
        {"text": "Верно", "points": "3.00"},
        {"text": "Нет вывода", "points": "-1.00"},
    ]
    # Only the minus: below zero is clamped to 0.
    with django_capture_on_commit_callbacks(execute=True):
        grade = manual.manual_grade_save(
            response=response, points=None, comment="", criteria=[second.pk], by=owner
        )
    assert grade.score == 0.0
    # Above the item's points (3 + 3 > 4 is impossible with these; make one worth 10).
    big = manual.rubric_criterion_add(
        quiz=essay_quiz, question_id=first.question_id, points="10", text="Блестяще", by=owner
    )
    with django_capture_on_commit_callbacks(execute=True):
        grade = manual.manual_grade_save(
            response=response, points=None, comment="", criteria=[big.pk, first.pk], by=owner
        )
    assert grade.score == 1.0
    waiting.refresh_from_db()
    assert waiting.score == Decimal("4.00")  # rescored: only the essay was answered
    assert not waiting.awaits_manual


def test_typed_points_win_over_the_criteria_sum(owner, waiting, rubric):
    first, _second = rubric
    grade = manual.manual_grade_save(
        response=essay_response(waiting), points=Decimal("2.5"), comment="", criteria=[first.pk],
        by=owner,
    )  # fmt: skip
    assert grade.score == 0.625 and [c["id"] for c in grade.criteria] == [first.pk]


def test_no_points_and_no_criteria_or_anothers_criterion_is_refused(
    owner, essay_quiz, waiting, rubric
):
    response = essay_response(waiting)
    code = _code(
        lambda: manual.manual_grade_save(
            response=response, points=None, comment="", criteria=[], by=owner
        )
    )
    assert code == ErrorCode.POINTS_REQUIRED
    foreign_question = essay_quiz.items.exclude(question__slug="dropout-essay").first().question
    foreign = RubricCriterion.objects.create(question=foreign_question, points=1, text="Чужой")
    for ids in ([foreign.pk], [rubric[0].pk, 10**9]):
        code = _code(
            lambda ids=ids: manual.manual_grade_save(
                response=response, points=None, comment="", criteria=ids, by=owner
            )
        )
        assert code == ErrorCode.RUBRIC_CRITERION_UNKNOWN
    assert not ManualGrade.objects.exists()
    assert Response.objects.get(pk=response.pk).status == Response.Status.MANUAL


def test_a_grade_keeps_its_snapshot_after_the_criterion_changes_or_goes(
    owner, waiting, rubric, django_capture_on_commit_callbacks
):
    first, second = rubric
    response = essay_response(waiting)
    with django_capture_on_commit_callbacks(execute=True):
        manual.manual_grade_save(
            response=response, points=None, comment="", criteria=[first.pk, second.pk], by=owner
        )
    manual.rubric_criterion_update(criterion=first, points="1", text="Иначе", by=owner)
    manual.rubric_criterion_delete(criterion=second, by=owner)
    grade = ManualGrade.objects.get()
    assert grade.score == 0.5
    assert [(c["text"], c["points"]) for c in grade.criteria] == [
        ("Верно", "3.00"),
        ("Нет вывода", "-1.00"),
    ]
    response.refresh_from_db()
    assert response.score == 0.5 and response.result["feedback"] == "Верно (+3); Нет вывода (−1)"


# --- pages -------------------------------------------------------------------------------------


def _url(quiz, name="manual-question"):
    return reverse(name, args=[quiz.pk, _question(quiz).pk])


def test_the_page_edits_the_rubric(client, owner, essay_quiz, waiting):
    client.force_login(owner)
    url = _url(essay_quiz, "manual-criteria")
    page = client.post(url, {"action": "add", "points": "+2", "text": "Формула"}, follow=True)
    assert "Критерий добавлен." in page.content.decode()
    criterion = RubricCriterion.objects.get()
    assert criterion.points == Decimal("2.00")
    page = client.post(
        url, {"action": "add", "points": "много", "text": "Т"}, follow=True
    ).content.decode()
    assert "баллы от −100 до 100" in page and RubricCriterion.objects.count() == 1
    client.post(url, {"action": "save", "criterion": criterion.pk, "points": "−0,5", "text": "Ф"})
    criterion.refresh_from_db()
    assert (criterion.points, criterion.text) == (Decimal("-0.50"), "Ф")
    page = client.get(_url(essay_quiz)).content.decode()
    assert "Клавиши:" in page and 'name="criteria"' in page and "−0,5" in page
    client.post(url, {"action": "add", "points": "1", "text": "Вывод"})
    last = RubricCriterion.objects.latest("id")
    client.post(url, {"action": "up", "criterion": last.pk})
    assert [c.text for c in manual.rubric_criteria(question_id=last.question_id)] == ["Вывод", "Ф"]
    client.post(url, {"action": "up", "criterion": last.pk})  # already first: nothing moves
    assert manual.rubric_criteria(question_id=last.question_id)[0] == last
    client.post(url, {"action": "delete", "criterion": criterion.pk})
    assert list(RubricCriterion.objects.all()) == [last]


def test_others_cannot_edit_the_rubric(client, student, other_instructor, essay_quiz, rubric):
    url = _url(essay_quiz, "manual-criteria")
    first = rubric[0]
    client.force_login(other_instructor)
    assert client.post(url, {"action": "add", "points": "1", "text": "Т"}).status_code == 404
    assert client.post(url, {"action": "delete", "criterion": first.pk}).status_code == 404
    client.force_login(student)
    assert client.post(url, {"action": "delete", "criterion": first.pk}).status_code == 403
    assert client.get(url).status_code in (403, 405)
    assert RubricCriterion.objects.count() == 2


def test_the_form_without_js_sums_the_ticked_criteria(
    client, owner, student, essay_quiz, waiting, rubric, django_capture_on_commit_callbacks
):
    first, second = rubric
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            _url(essay_quiz),
            {
                "response": essay_response(waiting).pk,
                "points": "",
                "criteria": [first.pk, second.pk],
                "comment": "См. лекцию 3",
            },
        )
    assert answer.status_code == 302
    grade = ManualGrade.objects.get()
    assert grade.score == 0.5 and grade.comment == "См. лекцию 3"
    page = client.get(_url(essay_quiz)).content.decode()
    assert "Применено при оценке:" in page and f'value="{first.pk}" data-points' in page
    assert page.count(" checked") == 2
    # the drill-down shows the criteria and the remark, and so does the student's result
    drill = client.get(reverse("gradebook-attempt", args=[waiting.uuid])).content.decode()
    assert "Верно (+3); Нет вывода (−1) — См. лекцию 3" in drill
    client.force_login(student)
    result = client.get(reverse("attempt", args=[waiting.uuid])).content.decode()
    assert "Оценка преподавателя: 2 из 4" in result
    assert 'Верно <span class="criterion-points">(+3)</span>' in result
    assert "Нет вывода" in result and "См. лекцию 3" in result


def test_no_points_and_nothing_ticked_is_a_clear_message(client, owner, essay_quiz, waiting):
    client.force_login(owner)
    page = client.post(
        _url(essay_quiz), {"response": essay_response(waiting).pk, "points": ""}, follow=True
    )
    assert "Укажите баллы или отметьте критерии оценки." in page.content.decode()
    assert not ManualGrade.objects.exists()


def test_the_variants_open_only_when_the_students_saw_different_texts():
    def answers(*texts):
        return manual.QuestionAnswers(
            question=None,
            rubric="",
            solution="",
            answers=[manual.EssayAnswer(item=None, response=None, text=t) for t in texts],
        )

    assert not answers("Объясните Dropout.", "Объясните Dropout.").variants_differ
    assert answers("При p = 0,1…", "При p = 0,5…").variants_differ
