"""Attempts and responses through the services, with tasks run eagerly (the embedded mode)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from quizapp.attempts import services
from quizapp.core.errors import ServiceError
from quizapp.models import Attempt, AttemptItem, Response, item_seed

pytestmark = pytest.mark.django_db


def _item(attempt, slug):
    return attempt.items.get(version__question__slug=slug)


def _submit(item, raw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = services.response_submit(item=item, raw=raw)
    assert len(callbacks) == 1, "grading must be enqueued exactly once, after commit"
    response.refresh_from_db()
    return response


def test_attempt_start_fixes_version_and_deterministic_seed(student, demo_quiz):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    items = list(attempt.items.order_by("position"))
    assert len(items) == demo_quiz.items.count() == 9
    for item in items:
        assert item.seed == item_seed(attempt.uuid, item.position)
        assert item.version == item.version.question.versions.order_by("-number").first()
    assert len({i.seed for i in items}) == len(items)
    assert attempt.max_score == 9


def test_submit_saves_pending_before_grading(student, demo_quiz):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt, "dropout-vector")
    # Without running on-commit callbacks the answer is stored and waits for a worker.
    response = services.response_submit(item=item, raw="[0; 2; 0]")
    assert Response.objects.get(pk=response.pk).status == Response.Status.PENDING


def test_decimal_comma_answer_is_graded_with_own_numbers(
    student, demo_quiz, django_capture_on_commit_callbacks
):
    import grader

    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt, "dropout-vector")
    expected = grader.grade(item.version.spec, item.seed, "0").expected
    raw = "[" + "; ".join(f"{x:.4f}".replace(".", ",") for x in expected) + "]"
    response = _submit(item, raw, django_capture_on_commit_callbacks)
    assert response.status == Response.Status.GRADED
    assert response.score == 1.0
    assert response.result["params"] == grader.variant(item.version.spec, item.seed).params
    assert response.graded_at is not None


def test_typical_mistake_feedback_is_stored(student, demo_quiz, django_capture_on_commit_callbacks):
    import grader
    from grader.engines import compute

    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt, "dense-params")
    params = grader.variant(item.version.spec, item.seed).params
    no_bias = compute(
        "dense_params", sizes=[params[k] for k in ("n_in", "h1", "h2", "h3")] + [1], bias=False
    )
    response = _submit(item, str(no_bias), django_capture_on_commit_callbacks)
    assert response.score == 0.0
    assert response.result["mistake"]["id"] == "no_bias"
    assert "смещения" in response.result["feedback"]


def test_garbage_answer_is_invalid_not_wrong(
    student, demo_quiz, django_capture_on_commit_callbacks
):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    response = _submit(
        _item(attempt, "dense-params"), "__import__('os')", django_capture_on_commit_callbacks
    )
    assert response.status == Response.Status.INVALID
    assert response.score is None
    assert response.result["error"]["code"]
    assert response.raw == "__import__('os')"  # the raw answer is kept as typed


def test_grading_twice_is_a_no_op(student, demo_quiz, django_capture_on_commit_callbacks):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    response = _submit(_item(attempt, "lstm-gates"), "1", django_capture_on_commit_callbacks)
    first = (response.status, response.score, response.graded_at)
    services.response_grade(response_id=response.pk)
    response.refresh_from_db()
    assert (response.status, response.score, response.graded_at) == first
    assert services.response_grade(response_id=10**9) is None


def test_broken_spec_keeps_the_answer_as_failed(
    student, demo_quiz, django_capture_on_commit_callbacks
):
    from question_bank.models import QuestionVersion

    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt, "dense-params")
    broken = dict(item.version.spec, answer={"engine": "no_such_engine"})
    version = QuestionVersion.objects.create(question=item.version.question, number=99, spec=broken)
    AttemptItem.objects.filter(pk=item.pk).update(version=version)
    item.refresh_from_db()
    response = _submit(item, "42", django_capture_on_commit_callbacks)
    assert response.status == Response.Status.FAILED
    assert response.result["error"]["code"] == "unknown_engine"
    assert response.raw == "42"


def test_finish_scores_latest_answers_and_is_idempotent(
    student, demo_quiz, django_capture_on_commit_callbacks
):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    lstm = _item(attempt, "lstm-gates")
    _submit(lstm, "0", django_capture_on_commit_callbacks)  # wrong first
    _submit(lstm, "1", django_capture_on_commit_callbacks)  # then right: the latest counts
    _submit(_item(attempt, "bounded-activations"), "0", django_capture_on_commit_callbacks)  # half
    finished = services.attempt_finish(attempt=attempt)
    assert finished.status == Attempt.Status.FINISHED
    finished.refresh_from_db()
    assert float(finished.score) == 1.5
    again = services.attempt_finish(attempt=attempt)
    assert again.finished_at == finished.finished_at
    with pytest.raises(ServiceError) as err:
        services.response_submit(item=lstm, raw="1")
    assert err.value.code == "attempt_finished"


def test_time_limit_refuses_late_answers(student, demo_quiz):
    demo_quiz.time_limit_minutes = 10
    demo_quiz.save()
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    assert attempt.deadline == attempt.started_at + timedelta(minutes=10)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ServiceError) as err:
        services.response_submit(item=attempt.items.first(), raw="1")
    assert err.value.code == "time_over"
    assert not Response.objects.exists()


def test_attempt_limit(student, demo_quiz):
    demo_quiz.max_attempts = 1
    demo_quiz.save()
    first = services.attempt_start(user=student, quiz=demo_quiz)
    # Starting again while the attempt is open continues it rather than spending an attempt.
    assert services.attempt_start(user=student, quiz=demo_quiz) == first
    services.attempt_finish(attempt=first)
    with pytest.raises(ServiceError) as err:
        services.attempt_start(user=student, quiz=demo_quiz)
    assert err.value.code == "no_attempts_left"
    assert Attempt.objects.count() == 1


def test_too_long_answer_is_refused_before_saving(student, demo_quiz):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    with pytest.raises(ServiceError) as err:
        services.response_submit(item=attempt.items.first(), raw="1" * 100_000)
    assert err.value.code == "too_long"
    assert not Response.objects.exists()


def test_reimporting_unchanged_bank_creates_no_versions(demo_quiz, demo_data):
    from question_bank.models import QuestionVersion
    from question_bank.services import bank_import

    before = QuestionVersion.objects.count()
    bank_import(data=demo_data)
    assert QuestionVersion.objects.count() == before
    demo_data["questions"][0]["params"]["n_in"]["max"] = 50
    bank_import(data=demo_data)
    assert QuestionVersion.objects.count() == before + 1
