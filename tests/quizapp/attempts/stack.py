"""The real production stack for the worker and fault tests: Celery workers as subprocesses
with the production settings path, the PostgreSQL test database, Redis (the shared test
instance, or a private server a test may stop and start), and an audit of every grading."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from quizapp.celery import app
from quizapp.core.tasks import _Nudges, broker_state
from quizapp.models import Response

QUEUE = settings.CELERY_TASK_DEFAULT_QUEUE


def database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{connection.settings_dict['NAME']}"


def switch_broker(**conf) -> None:
    # The app caches its connection and producer pools for the broker it first saw.
    app.conf.update(conf)
    app._pool = None
    app.amqp._producer_pool = None
    broker_state.reset()


def use_broker(url: str) -> dict:
    """Point this process's Celery app at ``url`` (not eager); returns what to restore."""
    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    switch_broker(broker_url=url, task_always_eager=False)
    return saved


def clear_queue(url: str) -> None:
    """Start clean: no queued tasks, no unacknowledged ones and no nudge flags left by an
    earlier run."""
    import redis

    client = redis.Redis.from_url(url)
    client.delete(QUEUE, "unacked", "unacked_index", "unacked_mutex")
    nudges = list(client.scan_iter(f"{_Nudges.PREFIX}*"))
    if nudges:
        client.delete(*nudges)  # a drain "on its way" from an earlier test is not


def start_worker(broker: str, *, beat: bool = False, concurrency: int = 0, **env):
    """A worker subprocess (solo pool, or prefork with ``concurrency``), with beat if asked."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        # Connections closed after each task: pytest-django must drop the test database at the
        # end, which PostgreSQL refuses while a connection is open.
        "DB_CONN_MAX_AGE": "0",
        **env,
    }
    command = [sys.executable, "-m", "celery", "-A", "quizapp", "worker"]
    if concurrency:
        command += ["--pool", "prefork", "--concurrency", str(concurrency)]
    else:
        command += ["--pool", "solo"]
    command += ["--queues", QUEUE, "--without-heartbeat", "--without-gossip", "--without-mingle"]
    command += ["--loglevel", "INFO", "--hostname", f"test-{uuid.uuid4().hex[:8]}@localhost"]
    if beat:
        # The in-memory scheduler: the default one keeps its schedule in a shelve, which on
        # Python 3.13 is an SQLite file, and a loaded CI machine once failed its sync with
        # «locking protocol» — the embedded beat died and the sweeper never ran. A test's beat
        # starts afresh anyway; nothing needs its schedule on disk.
        command += ["--beat", "--scheduler", "celery.beat:Scheduler"]
    log = tempfile.NamedTemporaryFile("w+", prefix="worker-", suffix=".log", delete=False)
    process = subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: a test can kill it with its children
    )
    process.log_path = log.name
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kill(process)


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool children: no chance to acknowledge or requeue."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=20)


def log(process) -> str:
    with open(process.log_path, encoding="utf-8", errors="replace") as handle:
        return handle.read()[-5000:]


def wait_until(predicate, *, timeout: float, workers=(), what: str = "") -> float:
    """Poll ``predicate`` until true; seconds it took. Fails early when a worker exits."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        for worker in workers:
            if worker.poll() is not None:
                pytest.fail(f"worker exited:\n{log(worker)}")
        time.sleep(0.2)
    logs = "\n".join(log(worker) for worker in workers)
    pytest.fail(f"{what or 'condition'} not reached in {timeout} s; worker logs:\n{logs}")


def pending_count() -> int:
    return Response.objects.filter(status=Response.Status.PENDING).count()


class RedisServer:
    """A private redis-server (keeps nothing on disk) that a test may stop and start again."""

    def __init__(self):
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.dir = tempfile.mkdtemp(prefix="redis-")
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()  # as in an outage: whatever it held is gone
            self.process.wait(timeout=10)


class GradingAudit:
    """A PostgreSQL trigger that records every write of a grade, so a test can count that each
    answer was graded exactly once (an overwrite by a second grading shows as two rows)."""

    TABLE = Response._meta.db_table

    def install(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS grading_audit (response_id bigint NOT NULL, "
                "status text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())"
            )
            cursor.execute(
                """CREATE OR REPLACE FUNCTION grading_audit_row() RETURNS trigger AS $$
                BEGIN
                  IF NEW.status <> 'pending' AND NEW.graded_at IS DISTINCT FROM OLD.graded_at
                  THEN INSERT INTO grading_audit (response_id, status)
                       VALUES (NEW.id, NEW.status);
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql"""
            )
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER grading_audit AFTER UPDATE ON {self.TABLE} "
                "FOR EACH ROW EXECUTE FUNCTION grading_audit_row()"
            )

    def remove(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS grading_audit ON {self.TABLE}")
            cursor.execute("DROP FUNCTION IF EXISTS grading_audit_row()")
            cursor.execute("DROP TABLE IF EXISTS grading_audit")

    def gradings(self) -> dict[int, int]:
        """How many times each response was graded."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT response_id, count(*) FROM grading_audit GROUP BY response_id")
            return dict(cursor.fetchall())

    def assert_each_graded_once(self) -> int:
        """Answers saved = answers with exactly one final grade, none pending; how many."""
        saved = set(Response.objects.values_list("pk", flat=True))
        gradings = self.gradings()
        assert pending_count() == 0
        assert set(gradings) == saved, (len(saved), len(gradings))
        twice = {pk: n for pk, n in gradings.items() if n != 1}
        assert not twice, f"graded more than once: {twice}"
        return len(saved)
