"""Grading in batches: one transaction claims many waiting answers (skipping those another
worker holds), grades them, writes them with one UPDATE and rescores each finished attempt once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from quizapp.attempts import grading, services
from quizapp.attempts.grading import claim_pending
from quizapp.core.signals import attempt_graded
from quizapp.models import Attempt, Response

PENDING = Response.Status.PENDING


def _waiting(attempt, raws):
    """Saved answers whose grading task was never sent (the callbacks of the test's transaction
    never run): what the broker lost."""
    items = list(attempt.items.order_by("position"))
    return [
        services.response_submit(item=items[n % len(items)], raw=raw) for n, raw in enumerate(raws)
    ]


def _statuses(responses):
    by_pk = dict(Response.objects.values_list("pk", "status"))
    return [by_pk[r.pk] for r in responses]


def test_a_batch_starts_with_its_answer_then_takes_the_oldest(student, demo_quiz):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    rows = _waiting(attempt, ["1", "2", "3", "4", "5"])
    assert services.responses_grade_batch(first_id=rows[3].pk, limit=3) == 3
    assert _statuses(rows)[2] == _statuses(rows)[4] == PENDING
    assert PENDING not in [_statuses(rows)[n] for n in (0, 1, 3)]


def test_a_task_for_an_answer_graded_already_does_nothing(student, demo_quiz):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    rows = _waiting(attempt, ["1", "2"])
    assert services.responses_grade_batch(first_id=rows[0].pk, limit=1) == 1
    graded_at = Response.objects.get(pk=rows[0].pk).graded_at
    # A redelivered task: nothing graded, not even the other waiting answer.
    assert services.responses_grade_batch(first_id=rows[0].pk) == 0
    assert Response.objects.get(pk=rows[0].pk).graded_at == graded_at
    assert _statuses(rows)[1] == PENDING
    # The sweeper's drain takes whatever waits.
    assert services.responses_grade_batch() == 1
    assert services.responses_grade_batch() == 0


def test_a_finished_attempt_is_rescored_once_per_batch(student, demo_quiz, monkeypatch):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = attempt.items.get(version__question__slug="lstm-gates")
    for raw in ["0", "2", "1"]:  # the latest answer is the one that counts
        services.response_submit(item=item, raw=raw)
    Attempt.objects.filter(pk=attempt.pk).update(status=Attempt.Status.FINISHED)
    announced = []

    def receiver(sender, attempt_id, **kwargs):
        announced.append(attempt_id)

    attempt_graded.connect(receiver)
    rescored = []
    original = services.attempt_rescore
    monkeypatch.setattr(services, "attempt_rescore", lambda a: (rescored.append(a.pk), original(a)))
    try:
        assert services.responses_grade_batch() == 3
    finally:
        attempt_graded.disconnect(receiver)
    assert rescored == [attempt.pk]
    attempt.refresh_from_db()
    latest = Response.objects.filter(item=item).order_by("-created_at", "-id").first()
    assert attempt.score == pytest.approx(float(item.points) * latest.score)


def test_an_answer_that_crashes_the_grader_does_not_hold_up_its_batch(
    student, demo_quiz, monkeypatch
):
    import grader

    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    rows = _waiting(attempt, ["1", "boom", "3"])
    real = grader.grade_many

    def grade_many(items):
        results = real(items)
        crash = {"code": "internal_error", "message": "RuntimeError: a bug in an engine"}
        return [
            {"status": "error", "error": crash} if raw == "boom" else result
            for (_, _, raw), result in zip(items, results, strict=True)
        ]

    monkeypatch.setattr(grading.grader, "grade_many", grade_many)
    assert services.responses_grade_batch() == 3
    crashed = Response.objects.get(pk=rows[1].pk)
    assert crashed.status == Response.Status.FAILED
    assert crashed.result["error"]["code"] == "internal_error"
    assert "будет проверен повторно" in crashed.result["feedback"]
    assert PENDING not in _statuses(rows)


def test_an_answer_over_its_budget_is_invalid_and_its_batch_goes_on(student, demo_quiz):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = attempt.items.get(version__question__slug="sigmoid-derivative")
    rows = [
        services.response_submit(item=item, raw=raw)
        for raw in ["f(t)*(1-f(t))", "(2*t)^(10^300)", "f(t) - f(t)^2"]
    ]
    assert services.responses_grade_batch() == 3
    right, hostile, also_right = Response.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk")
    assert hostile.status == Response.Status.INVALID and hostile.result["error"]["code"]
    assert right.score == also_right.score == 1.0


def test_practice_answers_are_graded_in_batches(student, demo_quiz):
    from question_bank.models import Topic
    from quizapp.models import PracticeAnswer
    from quizapp.practice import services as practice

    topic = Topic.objects.filter(questions__isnull=False).first()
    version = topic.questions.first().versions.first()
    answers = [
        PracticeAnswer.objects.create(user=student, topic=topic, version=version, seed=n, raw="1")
        for n in range(4)
    ]
    assert practice.practice_grade_batch(first_id=answers[2].pk, limit=2) == 2
    assert practice.practice_grade_batch() == 2
    assert not PracticeAnswer.objects.filter(status=PENDING).exists()
    assert practice.practice_grade(answer_id=answers[0].pk).status != PENDING


def _claim(*, limit: int, first_id: int | None = None) -> set[int]:
    return {row.pk for row in claim_pending(Response.objects, first_id=first_id, limit=limit)}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_claim_the_same_answer(student, demo_quiz):
    """SKIP LOCKED: a second batch takes the answers the first does not hold, without waiting."""
    assert connection.vendor == "postgresql"
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    items = list(attempt.items.all())
    with transaction.atomic():  # no callbacks run: nothing is graded behind the test's back
        for n in range(10):
            Response.objects.create(item=items[n % len(items)], raw=str(n))
    held, release, claimed = threading.Event(), threading.Event(), {}

    def first_worker():
        try:
            with transaction.atomic():
                claimed["first"] = {
                    r.pk for r in claim_pending(Response.objects, first_id=None, limit=4)
                }
                held.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=first_worker)
    thread.start()
    try:
        assert held.wait(timeout=30)
        with transaction.atomic():
            claimed["second"] = {
                r.pk for r in claim_pending(Response.objects, first_id=None, limit=100)
            }
            held_pk = next(iter(claimed["first"]))
            assert _claim(first_id=held_pk, limit=5) == set()
    finally:
        release.set()
        thread.join(timeout=30)
    assert len(claimed["first"]) == 4 and len(claimed["second"]) == 6
    assert not claimed["first"] & claimed["second"]
