"""A real Celery worker, a real Redis broker and the real PostgreSQL test database.

The worker runs as a subprocess with the production settings path (broker configured, so tasks
are not eager) and grades an answer the web side saved and enqueued on commit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from quizapp import services
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
        conn.default_channel.client.delete(QUEUE)
    yield url
    _switch_broker(**saved)


def _switch_broker(**conf):
    # The app caches its connection and producer pools for the broker it first saw.
    app.conf.update(conf)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def worker(broker):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "DB_CONN_MAX_AGE": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "quizapp",
            "worker",
            "--pool",
            "solo",
            "--queues",
            QUEUE,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
            "--hostname",
            f"test-{uuid.uuid4().hex[:8]}@localhost",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _wait_graded(response_id: int, worker, timeout: float = 60.0) -> Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = Response.objects.get(pk=response_id)
        if response.status != Response.Status.PENDING:
            return response
        if worker.poll() is not None:
            pytest.fail("worker exited:\n" + worker.stdout.read())
        time.sleep(0.2)
    worker.terminate()
    pytest.fail("not graded in time; worker log:\n" + worker.communicate(timeout=20)[0])


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
    from grader.tasks import grade_response

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
