"""Exam day with things breaking: the broker down at submit time, a worker SIGKILLed under load,
PostgreSQL restarted while students submit. Real Celery workers (subprocesses, production
settings path), real Redis, the real PostgreSQL test database. Each test ends by counting, with
a trigger that records every grade written: answers saved = answers graded exactly once, none
pending. Slow (tens of seconds each), and run in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest
from django.db import connection
from django.urls import reverse

from quizapp.attempts import services
from quizapp.models import Response
from tests.quizapp.attempts.stack import (
    GradingAudit,
    RedisServer,
    kill,
    pending_count,
    start_worker,
    stop,
    switch_broker,
    use_broker,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

# The sweeper as an operator would tune it for a test: every second, for anything older than 2 s.
SWEEPING = {"GRADING_SWEEP_AFTER": "2", "GRADING_SWEEP_INTERVAL": "1"}


@pytest.fixture
def audit():
    trail = GradingAudit()
    trail.install()
    yield trail
    connection.close()  # a test may have left it broken (database restart)
    trail.remove()


@pytest.fixture
def private_redis():
    server = RedisServer()
    server.start()
    saved = use_broker(server.url)
    yield server
    switch_broker(**saved)
    server.stop()


@pytest.fixture
def workers():
    started = []
    yield started
    for process in started:
        stop(process)


def _submit(client, attempt, position: int, raw: str):
    url = reverse("response-submit", args=[attempt.uuid, position])
    return client.post(url, {"answer": raw}, follow=True)


def test_broker_down_at_submit_then_back(client, student, demo_quiz, private_redis, audit, workers):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    positions = list(attempt.items.values_list("position", flat=True))
    client.force_login(student)

    # The broker is up but no worker runs: these wait in Redis…
    for n in range(20):
        assert _submit(client, attempt, positions[n % len(positions)], str(n)).status_code == 200
    # …and are lost with everything Redis held when it stops (it keeps nothing on disk).
    private_redis.stop()
    delayed = 0
    for n in range(20):
        started = time.monotonic()
        page = _submit(client, attempt, positions[n % len(positions)], f"{n} + 1")
        assert page.status_code == 200, page.status_code  # never a 500
        assert time.monotonic() - started < 5
        delayed += "проверка задерживается" in page.content.decode()
    assert delayed == 20
    assert Response.objects.count() == 40 and pending_count() == 40

    # The broker comes back empty; a worker (with beat, so the sweeper) starts: no manual step.
    private_redis.start()
    workers.append(start_worker(private_redis.url, beat=True, **SWEEPING))
    wait_until(lambda: pending_count() == 0, timeout=90, workers=workers, what="all graded")

    # A worker already running rides out a second outage and grades what came meanwhile.
    private_redis.stop()
    for n in range(5):
        assert _submit(client, attempt, positions[n % len(positions)], "7").status_code == 200
    time.sleep(2)
    private_redis.start()
    wait_until(lambda: pending_count() == 0, timeout=90, workers=workers, what="all graded")
    assert audit.assert_each_graded_once() == 45


def test_worker_killed_under_load(student, demo_quiz, shared_redis, audit, workers):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    items = list(attempt.items.all())
    first = start_worker(shared_redis, concurrency=2, GRADING_BATCH_SIZE="10")
    workers.append(first)
    for n in range(400):
        services.response_submit(item=items[n % len(items)], raw=str(n % 7))
    # Kill it (and its pool children) while it is busy grading.
    wait_until(
        lambda: Response.objects.exclude(status=Response.Status.PENDING).count() >= 50,
        timeout=90,
        workers=workers,
        what="grading under way",
    )
    kill(first)
    workers.remove(first)
    left = pending_count()
    assert left > 0, "the worker finished before it was killed; nothing was tested"

    # A new worker: what the dead one held (locked rows rolled back, messages unacknowledged)
    # is graded within seconds, by its queued messages or by the sweeper.
    workers.append(start_worker(shared_redis, beat=True, **SWEEPING))
    took = wait_until(lambda: pending_count() == 0, timeout=60, workers=workers, what="drained")
    assert took < 45, took
    assert audit.assert_each_graded_once() == 400


def _restart_postgresql() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
        check=True,
        timeout=60,
        capture_output=True,
    )


def _browser(live_server, client, student, attempt):
    """A requests session logged in as the student, with the page's CSRF token."""
    import re

    import requests

    client.force_login(student)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    page = session.get(f"{live_server.url}{attempt.get_absolute_url()}", timeout=10)
    page.raise_for_status()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session, token


@pytest.mark.skipif(
    not (shutil.which("pg_ctlcluster") and os.path.isdir("/etc/postgresql") and os.geteuid() == 0),
    reason="restarting PostgreSQL needs pg_ctlcluster and root",
)
@pytest.mark.serial
def test_postgresql_restarted_while_students_submit(
    live_server, client, student, demo_quiz, shared_redis, audit, workers
):
    """Students submit over HTTP to a real server thread (which, unlike the test client, checks
    its connections at every request as production does) while PostgreSQL restarts."""
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    positions = list(attempt.items.values_list("position", flat=True))
    session, token = _browser(live_server, client, student, attempt)
    workers.append(start_worker(shared_redis, beat=True, **SWEEPING))

    def submit_for(seconds: float) -> tuple[int, int]:
        ok = failed = 0
        end = time.monotonic() + seconds
        n = 0
        while time.monotonic() < end:
            n += 1
            url = reverse("response-submit", args=[attempt.uuid, positions[n % len(positions)]])
            page = session.post(
                f"{live_server.url}{url}",
                {"answer": str(n % 5), "csrfmiddlewaretoken": token},
                allow_redirects=False,
                timeout=10,
            )
            if page.status_code == 302:
                ok += 1
            else:
                failed += 1  # the database was away for this request: nothing saved, it says so
                time.sleep(0.2)
        return ok, failed

    before, _ = submit_for(3)
    _restart_postgresql()
    # The app recovers by itself: the next requests reconnect (health-checked connections).
    after, failed = submit_for(6)
    assert before > 0 and after > 0, (before, after, failed)

    connection.close()  # the test's own connection died with the restart
    wait_until(lambda: pending_count() == 0, timeout=90, workers=workers, what="all graded")
    saved = audit.assert_each_graded_once()
    assert saved >= before + after
