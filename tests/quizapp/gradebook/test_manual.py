"""Essays graded by the instructor (issue 13 item 4, issue 16 item 5): the pipeline leaves them
``manual``, the score is provisional until the instructor grades them, a grade rescoring the
attempt and announcing it once fully graded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quizapp.attempts import selectors, services
from quizapp.attempts.grading import MAX_RAW_LENGTH
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.gradebook import manual
from quizapp.gradebook import selectors as gradebook_selectors
from quizapp.models import Attempt, ManualGrade, Response
from quizapp.models.api import WebhookDelivery, WebhookEndpoint
from tests.quizapp.gradebook.essays import (
    ESSAY_POINTS,
    essay_item,
    essay_response,
    finish_with_essay,
)

pytestmark = pytest.mark.django_db


def test_the_pipeline_leaves_an_essay_manual_and_the_score_provisional(
    student, essay_quiz, django_capture_on_commit_callbacks
):
    attempt = finish_with_essay(student, essay_quiz, django_capture_on_commit_callbacks)
    response = essay_response(attempt)
    assert response.status == Response.Status.MANUAL and response.score is None
    assert response.result["status"] == "manual" and response.graded_at is not None
    assert attempt.score == Decimal("0.00") and attempt.manual_count == 1
    assert attempt.awaits_manual and attempt.awaits_review
    assert attempt.unreadable_count == 0
    # never claimed again: the grading queue has nothing left, however often it runs
    assert services.responses_grade_batch() == 0
    assert services.response_grade(response_id=response.pk).status == Response.Status.MANUAL
    view = selectors.attempt_view(attempt=attempt)
    assert view.awaiting_manual == 1 and not view.provisional  # provisional: unreadable ones
    assert not selectors.attempt_fully_graded(attempt) and selectors.attempt_scored(attempt)
    book = gradebook_selectors.gradebook(quiz=essay_quiz)
    [cell] = [r.cells[0] for r in book.rows if r.student == student]
    assert cell.best.awaits_manual and not cell.best.awaits_review


def test_a_blank_essay_is_unanswered_not_waiting(
    student, essay_quiz, django_capture_on_commit_callbacks
):
    attempt = finish_with_essay(student, essay_quiz, django_capture_on_commit_callbacks, " \n ")
    response = essay_response(attempt)
    assert response.status == Response.Status.GRADED and response.score == 0.0
    assert attempt.manual_count == 0 and not attempt.awaits_manual


def test_an_essay_may_be_longer_than_other_answers_but_not_than_its_own_limit(
    student, essay_quiz, django_capture_on_commit_callbacks
):
    attempt = services.attempt_start(user=student, quiz=essay_quiz)
    long_text = "а" * (MAX_RAW_LENGTH + 500)
    with django_capture_on_commit_callbacks(execute=True):
        stored = services.response_submit(item=essay_item(attempt), raw=long_text)
    assert stored.raw == long_text
    with pytest.raises(ServiceError) as refused:
        services.response_submit(item=essay_item(attempt), raw="а" * 5001)
    assert refused.value.code == ErrorCode.TOO_LONG
    other = attempt.items.exclude(pk=essay_item(attempt).pk).first()
    with pytest.raises(ServiceError) as refused:
        services.response_submit(item=other, raw="1" * (MAX_RAW_LENGTH + 1))
    assert refused.value.code == ErrorCode.TOO_LONG


def test_a_grade_scores_the_answer_and_rescores_the_attempt(
    student, owner, essay_quiz, django_capture_on_commit_callbacks
):
    attempt = finish_with_essay(student, essay_quiz, django_capture_on_commit_callbacks)
    response = essay_response(attempt)
    with django_capture_on_commit_callbacks(execute=True):
        grade = manual.manual_grade_save(
            response=response, points=Decimal("3"), comment="  Нет формулы.  ", by=owner
        )
    assert (grade.score, grade.comment, grade.by) == (0.75, "Нет формулы.", owner)
    response.refresh_from_db()
    assert response.status == Response.Status.GRADED and response.score == 0.75
    assert response.result["manual"] == {
        "points": "3.00",
        "max_points": "4.00",
        "comment": "Нет формулы.",
        "criteria": [],
    }
    assert response.result["feedback"] == "Нет формулы."
    attempt.refresh_from_db()
    assert attempt.score == Decimal("3.00") and attempt.manual_count == 0
    assert not attempt.awaits_manual and selectors.attempt_fully_graded(attempt)


def test_saving_again_changes_the_one_grade(
    student, owner, essay_quiz, django_capture_on_commit_callbacks
):
    attempt = finish_with_essay(student, essay_quiz, django_capture_on_commit_callbacks)
    response = essay_response(attempt)
    with django_capture_on_commit_callbacks(execute=True):
        manual.manual_grade_save(response=response, points=Decimal("1"), comment="a", by=owner)
        manual.manual_grade_save(response=response, points=Decimal("4"), comment="b", by=owner)
    assert ManualGrade.objects.count() == 1
    grade = ManualGrade.objects.get()
    assert (grade.score, grade.comment) == (1.0, "b")
    attempt.refresh_from_db()
    assert attempt.score == ESSAY_POINTS


@pytest.mark.parametrize("who", ["student", "other_instructor"])
def test_only_the_quizs_owner_or_an_admin_grades(
    who, request, student, owner, admin, essay_quiz, django_capture_on_commit_callbacks
):
    attempt = finish_with_essay(student, essay_quiz, django_capture_on_commit_callbacks)
    response = essay_response(attempt)
    with pytest.raises(ServiceError) as refused:
        manual.manual_grade_save(
            response=response, points=Decimal("4"), comment="", by=request.getfixturevalue(who)
        )
    assert refused.value.code == ErrorCode.QUIZ_OWNER_ONLY
    assert not ManualGrade.objects.exists()
    response.refresh_from_db()
    assert response.status == Response.Status.MANUAL
    with django_capture_on_commit_callbacks(execute=True):
        manual.manual_grade_save(response=response, points=Decimal("2"), comment="", by=admin)
    assert ManualGrade.objects.get().by == admin


@pytest.mark.parametrize("points", ["-0.5", "4.01"])
def test_points_outside_the_items_range_are_refused(
    points, student, owner, essay_quiz, django_capture_on_commit_callbacks
):
    attempt = finish_with_essay(student, essay_quiz, django_capture_on_commit_callbacks)
    with pytest.raises(ServiceError) as refused:
        manual.manual_grade_save(
            response=essay_response(attempt), points=Decimal(points), comment="", by=owner
        )
    assert refused.value.code == ErrorCode.POINTS_OUT_OF_RANGE
    assert "от 0 до 4" in refused.value.message and not ManualGrade.objects.exists()


def test_only_essay_answers_of_finished_attempts_are_graded_by_hand(
    student, owner, essay_quiz, django_capture_on_commit_callbacks
):
    attempt = services.attempt_start(user=student, quiz=essay_quiz)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = services.response_submit(item=essay_item(attempt), raw="текст")
        other = attempt.items.get(version__question__slug="cafe-network")
        numeric = services.response_submit(item=other, raw="1")
    for response in (waiting, numeric):  # not finished yet; then a numeric answer
        with pytest.raises(ServiceError) as refused:
            manual.manual_grade_save(response=response, points=Decimal(1), comment="", by=owner)
        assert refused.value.code == ErrorCode.NOT_AN_ESSAY
    with django_capture_on_commit_callbacks(execute=True):
        services.attempt_finish(attempt=attempt)
    with pytest.raises(ServiceError) as refused:
        manual.manual_grade_save(response=numeric, points=Decimal(1), comment="", by=owner)
    assert refused.value.code == ErrorCode.NOT_AN_ESSAY


def test_the_webhook_fires_once_when_the_last_essay_is_graded(
    student, owner, essay_quiz, django_capture_on_commit_callbacks, settings
):
    WebhookEndpoint.objects.create(
        owner=owner, url="https://lms.example.org/hook", secret="s", events=["attempt.graded"]
    )
    attempt = finish_with_essay(student, essay_quiz, django_capture_on_commit_callbacks)
    assert not WebhookDelivery.objects.exists()  # the essay still waits: not graded yet
    response = essay_response(attempt)
    with django_capture_on_commit_callbacks(execute=True):
        manual.manual_grade_save(response=response, points=Decimal(2), comment="", by=owner)
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.payload["data"]["score"] == "2.00"
    with django_capture_on_commit_callbacks(execute=True):
        manual.manual_grade_save(response=response, points=Decimal(3), comment="", by=owner)
    assert WebhookDelivery.objects.count() == 1


def test_queue_and_answers_count_waiting_and_graded(
    student, outsider, owner, essay_quiz, django_capture_on_commit_callbacks
):
    first = finish_with_essay(student, essay_quiz, django_capture_on_commit_callbacks, "Первый")
    second = finish_with_essay(outsider, essay_quiz, django_capture_on_commit_callbacks, "Второй")
    [row] = manual.manual_queue(quiz=essay_quiz)
    assert (row.question.slug, row.waiting, row.graded) == ("dropout-essay", 2, 0)
    with django_capture_on_commit_callbacks(execute=True):
        manual.manual_grade_save(
            response=essay_response(first), points=Decimal(4), comment="Отлично", by=owner
        )
    [row] = manual.manual_queue(quiz=essay_quiz)
    assert (row.waiting, row.graded) == (1, 1)
    qa = manual.manual_answers(quiz=essay_quiz, question_id=row.question.pk)
    assert [a.response.raw for a in qa.answers] == ["Второй", "Первый"]  # waiting first
    assert qa.rubric.startswith("2 балла") and qa.comments == ["Отлично"]
    assert qa.answers[1].points == Decimal("4.00")
    following = manual.next_waiting(quiz=essay_quiz, question_id=row.question.pk)
    assert following == essay_response(second)
    assert (
        manual.next_waiting(quiz=essay_quiz, question_id=row.question.pk, after=following.pk)
        is None
    )


def test_a_regrade_keeps_the_instructors_grade(
    student, owner, essay_quiz, django_capture_on_commit_callbacks
):
    from question_bank.models import QuestionVersion
    from quizapp.gradebook import regrade

    attempt = finish_with_essay(student, essay_quiz, django_capture_on_commit_callbacks)
    response = essay_response(attempt)
    with django_capture_on_commit_callbacks(execute=True):
        manual.manual_grade_save(response=response, points=Decimal(3), comment="ok", by=owner)
    item = essay_item(attempt)
    question = item.version.question
    fixed = QuestionVersion.objects.create(
        question=question, number=2, spec={**item.version.spec, "text": "Зачем нужен Dropout?"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        regrade.regrade_start(question=question, to_version=fixed, by=owner, quiz=essay_quiz)
    assert essay_item(attempt).version == fixed  # the regrade ran and graded it again
    response.refresh_from_db()
    assert response.status == Response.Status.GRADED and response.score == 0.75
    assert response.result["manual"]["comment"] == "ok"
    assert Attempt.objects.get(pk=attempt.pk).score == Decimal("3.00")


def test_the_api_result_is_not_graded_while_an_essay_waits(
    client, student, owner, essay_quiz, django_capture_on_commit_callbacks
):
    attempt = finish_with_essay(student, essay_quiz, django_capture_on_commit_callbacks)
    client.force_login(student)
    url = f"/api/v1/attempts/{attempt.uuid}/"
    body = client.get(url).json()
    assert body["graded"] is False and body["awaits_review"] is True
    with django_capture_on_commit_callbacks(execute=True):
        manual.manual_grade_save(
            response=essay_response(attempt), points=Decimal(4), comment="", by=owner
        )
    body = client.get(url).json()
    assert body["graded"] is True and body["awaits_review"] is False and body["score"] == "4.00"


def test_the_api_grades_an_essay_for_the_quizs_owner_only(
    client, student, owner, other_instructor, essay_quiz, django_capture_on_commit_callbacks
):
    attempt = finish_with_essay(student, essay_quiz, django_capture_on_commit_callbacks)
    response = essay_response(attempt)
    url = f"/api/v1/responses/{response.pk}/grade/"
    grade = {"points": "2.50", "comment": "Нет формулы."}
    client.force_login(student)
    assert client.post(url, grade, content_type="application/json").status_code == 403
    client.force_login(other_instructor)
    assert client.post(url, grade, content_type="application/json").status_code in (403, 404)
    client.force_login(owner)
    for bad, status, code in [
        ({"points": "4.50"}, 422, "points_out_of_range"),
        ({"points": 2}, 400, "invalid"),
    ]:
        refused = client.post(url, bad, content_type="application/json")
        assert refused.status_code == status and refused.json()["error"]["code"] == code
    assert not ManualGrade.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, grade, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "graded" and answer.json()["score"] == 0.625
    assert ManualGrade.objects.get().comment == "Нет формулы."
    assert Attempt.objects.get(pk=attempt.pk).score == Decimal("2.50")
