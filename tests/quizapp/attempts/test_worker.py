"""A real Celery worker, a real Redis broker and the real PostgreSQL test database.

The worker runs as a subprocess with the production settings path (broker configured, so tasks
are not eager) and grades an answer the web side saved and enqueued on commit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection, transaction

from quizapp.attempts import services
from quizapp.celery import app
from quizapp.models import Response

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
QUEUE = settings.CELERY_TASK_DEFAULT_QUEUE


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{connection.settings_dict['NAME']}"


@pytest.fixture
def broker():
    """Point this process's Celery app at the real Redis; start from an empty queue."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    _switch_broker(broker_url=url, task_always_eager=False)
    with app.connection_for_write() as conn:
        # Start clean: no queued tasks and no unacknowledged ones left by an earlier run.
        conn.default_channel.client.delete(QUEUE, "unacked", "unacked_index", "unacked_mutex")
    yield url
    _switch_broker(**saved)


def _switch_broker(**conf):
    # The app caches its connection and producer pools for the broker it first saw.
    app.conf.update(conf)
    app._pool = None
    app.amqp._producer_pool = None


def _start_worker(broker: str, **env) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "DB_CONN_MAX_AGE": "0",
        **env,
    }
    command = [sys.executable, "-m", "celery", "-A", "quizapp", "worker", "--pool", "solo"]
    command += ["--queues", QUEUE, "--without-heartbeat", "--without-gossip", "--without-mingle"]
    command += ["--loglevel", "INFO", "--hostname", f"test-{uuid.uuid4().hex[:8]}@localhost"]
    log = tempfile.NamedTemporaryFile("w+", prefix="worker-", suffix=".log", delete=False)
    process = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT
    )
    process.log_path = log.name
    return process


def _log(process) -> str:
    with open(process.log_path, encoding="utf-8", errors="replace") as handle:
        return handle.read()[-5000:]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def worker(broker):
    process = _start_worker(broker)
    yield process
    _stop(process)


def _wait_graded(response_id: int, worker, timeout: float = 60.0) -> Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = Response.objects.get(pk=response_id)
        if response.status != Response.Status.PENDING:
            return response
        if worker.poll() is not None:
            pytest.fail("worker exited:\n" + _log(worker))
        time.sleep(0.2)
    pytest.fail("not graded in time; worker log:\n" + _log(worker))


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
    """acks_late: a task whose worker dies is redelivered to another worker and graded."""
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = attempt.items.get(version__question__slug="lstm-gates")
    response = services.response_submit(item=item, raw="1")
    fast_restore = {
        "CELERY_VISIBILITY_TIMEOUT": "2",
        "CELERY_RESTORE_INTERVAL": "1",
        "CELERY_RESTORE_THROTTLE": "1",
    }
    first = _start_worker(broker, **fast_restore)
    try:
        # Hold the response's row lock so the first worker is stuck inside the task, unacked.
        with transaction.atomic():
            Response.objects.select_for_update().get(pk=response.pk)
            _wait_for_lock_waiter(first)
            first.kill()  # SIGKILL: no chance to acknowledge or to requeue politely
            first.wait(timeout=20)
        assert Response.objects.get(pk=response.pk).status == Response.Status.PENDING
        second = _start_worker(broker, **fast_restore)
        try:
            graded = _wait_graded(response.pk, second, timeout=90)
        finally:
            _stop(second)
    finally:
        _stop(first)
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
                pytest.fail("worker exited:\n" + _log(process))
            time.sleep(0.1)
    pytest.fail("the worker never reached the locked response:\n" + _log(process))
