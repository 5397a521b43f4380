"""A real Celery worker, a real Redis broker and the real PostgreSQL test database.

The worker runs as a subprocess with the production settings path (broker configured, so tasks
are not eager) and grades an answer the web side saved and enqueued on commit.
"""

from __future__ import annotations

import time

import pytest
from django.db import connection, transaction

from quizapp.attempts import services
from quizapp.models import Response
from tests.quizapp.attempts.stack import (
    kill,
    log,
    start_worker,
    stop,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker(shared_redis):
    return shared_redis


@pytest.fixture
def worker(broker):
    process = start_worker(broker)
    yield process
    stop(process)


def _wait_graded(response_id: int, worker, timeout: float = 60.0) -> Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = Response.objects.get(pk=response_id)
        if response.status != Response.Status.PENDING:
            return response
        if worker.poll() is not None:
            pytest.fail("worker exited:\n" + log(worker))
        time.sleep(0.2)
    pytest.fail("not graded in time; worker log:\n" + log(worker))


def test_worker_grades_a_submitted_answer(worker, student, demo_quiz):
    import grader

    assert connection.vendor == "postgresql"
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = attempt.items.get(version__question__slug="dense-params")
    expected = grader.grade(item.version.spec, item.seed, "0").expected

    right = services.response_submit(item=item, raw=str(expected))
    wrong = services.response_submit(item=item, raw=str(expected + 1))
    garbage = services.response_submit(item=item, raw="9**9**9**9")

    assert _wait_graded(right.pk, worker).score == 1.0
    assert _wait_graded(wrong.pk, worker).score == 0.0
    assert _wait_graded(garbage.pk, worker).status == Response.Status.INVALID


def test_a_task_delivered_twice_grades_once(worker, student, demo_quiz):
    from quizapp.attempts.tasks import grade_response

    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = attempt.items.get(version__question__slug="lstm-gates")
    response = services.response_submit(item=item, raw="1")
    first = _wait_graded(response.pk, worker)
    # A redelivery (late ack after a lost worker) must not change the stored grade.
    grade_response.delay(response.pk)
    probe = services.response_submit(item=item, raw="0")
    _wait_graded(probe.pk, worker)  # the queue is FIFO with one solo worker: the redelivery ran
    again = Response.objects.get(pk=response.pk)
    assert (again.status, again.score, again.graded_at) == (
        first.status,
        first.score,
        first.graded_at,
    )


def test_a_worker_killed_mid_task_loses_nothing(broker, student, demo_quiz):
    """The dying worker's transaction rolls back; the sweeper sends the answer again at once."""
    from quizapp.models import Attempt

    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = attempt.items.get(version__question__slug="lstm-gates")
    response = services.response_submit(item=item, raw="1")
    first = start_worker(broker)
    try:
        # Hold the attempt's row lock: the worker claims and grades the answer, then waits for
        # the attempt (to rescore it) inside its transaction, uncommitted.
        with transaction.atomic():
            Attempt.objects.select_for_update().get(pk=attempt.pk)
            _wait_for_lock_waiter(first)
            kill(first)
        assert Response.objects.get(pk=response.pk).status == Response.Status.PENDING
        sweeping = {"GRADING_SWEEP_AFTER": "1", "GRADING_SWEEP_INTERVAL": "1"}
        second = start_worker(broker, beat=True, **sweeping)
        try:
            graded = _wait_graded(response.pk, second, timeout=60)
        finally:
            stop(second)
    finally:
        stop(first)
    assert graded.status == Response.Status.GRADED and graded.score == 1.0


def _wait_for_lock_waiter(process, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Inside a transaction PostgreSQL caches the activity snapshot: refresh it.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            if process.poll() is not None:
                pytest.fail("worker exited:\n" + log(process))
            time.sleep(0.1)
    pytest.fail("the worker never reached the locked response:\n" + log(process))


def test_answers_saved_together_send_one_drain(broker, student, demo_quiz):
    """One message for a burst of answers (a nudge flag in Redis), and that one grades them all."""
    import redis

    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    items = list(attempt.items.all())
    saved = [services.response_submit(item=items[n % len(items)], raw=str(n)) for n in range(30)]
    assert all(response.dispatch.sent for response in saved)
    assert redis.Redis.from_url(broker).llen("grading") == 1
    process = start_worker(broker)
    try:
        for response in saved:
            _wait_graded(response.pk, process)
    finally:
        stop(process)


def test_grading_status_counts_what_waits_and_the_queue(broker, student, demo_quiz):
    import io
    import json

    from django.core.management import call_command

    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    services.response_submit(item=attempt.items.first(), raw="1")
    out = io.StringIO()
    call_command("grading", "status", "--json", stdout=out)
    status = json.loads(out.getvalue())
    assert {k["key"]: k["waiting"] for k in status["kinds"]}["responses"] == 1
    assert status["queues"]["grading"] == 1  # the one drain message for the answer
    assert isinstance(status["queues"]["banks"], int)  # an empty queue is 0, not "unreachable"
