"""What the Celery tasks of every domain share: the options of a durable task, how a service
enqueues one, and the register of work that waits in a table for a task (see waiting.py).

A service names the task it enqueues by the task's registered name, a string that stays the same
across releases because messages already waiting in the broker carry it. So services never import
task modules, and a task module imports its services one way only. ``QuizappConfig.ready()``
imports the task modules, so the registry knows them in every process, eager mode included.

The broker is a convenience, not the record: every task is enqueued for a row that already says
what is to be done (an answer ``pending``, an upload ``queued``…). A message that could not be
sent, or that the broker lost, is sent again by the sweeper (``quizapp.core.waiting``), and the
services make a second delivery a no-op. So a broker outage delays work and never loses it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from celery import current_app
from django.db import InterfaceError, OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import RedisError

__all__ = [
    "BROKER_ERRORS",
    "DURABLE_TASK",
    "TRANSIENT_DB_ERRORS",
    "Dispatch",
    "enqueue_drain_on_commit",
    "enqueue_on_commit",
    "nudges",
    "send_task",
]

logger = logging.getLogger(__name__)

TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
# What publishing raises when the broker is unreachable (kombu wraps the transport's errors in
# its OperationalError; a refused or reset socket may still surface as an OSError; the nudge
# flags below talk to Redis directly).
BROKER_ERRORS = (BrokerOperationalError, ConnectionError, OSError, TimeoutError, RedisError)

# Late acknowledgement + reject on worker loss: a task whose worker dies is delivered again,
# and the services make a second delivery a no-op.
DURABLE_TASK = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_DB_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 8,
}

# After a failed publish, web requests stop trying the broker for this long: during an outage
# each submit would otherwise wait out the connection attempts. The sweeper sends what waits.
BROKER_PAUSE_SECONDS = 5.0


class _BrokerState:
    """When this process last failed to reach the broker (shared by the request threads)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._down_until = 0.0

    def is_paused(self) -> bool:
        with self._lock:
            return time.monotonic() < self._down_until

    def failed(self) -> None:
        with self._lock:
            self._down_until = time.monotonic() + BROKER_PAUSE_SECONDS

    def reset(self) -> None:
        with self._lock:
            self._down_until = 0.0


broker_state = _BrokerState()


class _Nudges:
    """One flag per kind of waiting work, in the broker's Redis: set while a drain task for that
    kind is on its way or running.

    Answers are graded in batches, so one message per answer is waste: each costs the worker a
    delivery, a pool hand-off and an acknowledgement to find, most of the time, that an earlier
    batch took its answer. Instead the first answer saved sets the flag and sends one drain
    task; the answers saved while the flag is set are left to that drain, which grades until
    nothing waits, clears the flag and looks once more (so an answer saved just before the flag
    was cleared is never left behind). The flag expires after ``TTL`` seconds, so a drain lost
    with a dead worker is replaced by the next answer's (and the sweeper covers the rest).
    Without a Redis broker there are no flags and every answer sends its own task.
    """

    TTL = 2
    PREFIX = "nz:nudge:"

    def __init__(self):
        self._lock = threading.Lock()
        self._clients = {}

    def _client(self):
        url = current_app.conf.broker_url or ""
        if not url.startswith(("redis://", "rediss://", "unix://")):
            return None
        with self._lock:
            client = self._clients.get(url)
            if client is None:
                import redis

                client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
                self._clients[url] = client
            return client

    def claim(self, key: str, *, ttl: float | None = None) -> bool:
        """True when the flag was free and is now set (the caller sends the drain)."""
        client = self._client()
        if client is None:
            return True
        return bool(client.set(self.PREFIX + key, 1, nx=True, px=int((ttl or self.TTL) * 1000)))

    def touch(self, key: str) -> None:
        """Set the flag for another ``TTL`` (a drain at work keeps it)."""
        client = self._client()
        if client is not None:
            client.set(self.PREFIX + key, 1, px=int(self.TTL * 1000))

    def clear(self, key: str) -> None:
        client = self._client()
        if client is not None:
            client.delete(self.PREFIX + key)


nudges = _Nudges()


@dataclass
class Dispatch:
    """A task to send once the transaction commits, and whether it was sent.

    ``sent`` is None until the commit, then True, or False when the broker could not take it
    (the row waits for the sweeper; the caller may tell the user that the check is delayed).
    With ``coalesce`` (a nudge key), the task is sent only if no drain of that kind is already
    on its way (see :class:`_Nudges`).
    """

    task_name: str
    args: tuple = ()
    coalesce: str | None = None
    sent: bool | None = field(default=None)

    def send(self) -> None:
        if self.coalesce:
            if broker_state.is_paused():
                self.sent = False
                return
            try:
                if not nudges.claim(self.coalesce):
                    self.sent = True  # a drain is on its way and will take this row
                    return
            except BROKER_ERRORS as exc:
                broker_state.failed()
                logger.warning(
                    "broker unreachable, %s left for the sweeper: %s", self.task_name, exc
                )
                self.sent = False
                return
        self.sent = send_task(self.task_name, *self.args)
        if not self.sent and self.coalesce:
            try:
                nudges.clear(self.coalesce)
            except BROKER_ERRORS:
                pass


def send_task(task_name: str, *args) -> bool:
    """Publish the task now; False (logged, never raised) when the broker is unreachable.

    In the embedded mode (no broker) the task runs here, eagerly, and its own errors propagate
    as before.
    """
    app = current_app
    if app.conf.task_always_eager:
        app.signature(task_name, args=args).apply_async()
        return True
    if broker_state.is_paused():
        return False
    try:
        app.signature(task_name, args=args).apply_async()
    except BROKER_ERRORS as exc:
        broker_state.failed()
        logger.warning("broker unreachable, %s%r left for the sweeper: %s", task_name, args, exc)
        return False
    return True


def enqueue_on_commit(task_name: str, *args) -> Dispatch:
    """Send the task registered as ``task_name`` once the current transaction commits.

    Nothing is queued for rows that were rolled back, and a worker never looks for a row that
    is not committed yet. An unreachable broker does not fail the caller: see :class:`Dispatch`.
    """
    dispatch = Dispatch(task_name, args)
    transaction.on_commit(dispatch.send)
    return dispatch


def enqueue_drain_on_commit(key: str, drain_task: str, *, eager_task: str, row_id: int) -> Dispatch:
    """After commit, make sure a drain task of kind ``key`` will grade the row ``row_id``.

    With a broker: one ``drain_task()`` for all the rows saved while it is on its way (see
    :class:`_Nudges`). In the embedded mode (tasks run eagerly, in this request):
    ``eager_task(row_id)``, which grades this row at once.
    """
    if current_app.conf.task_always_eager:
        return enqueue_on_commit(eager_task, row_id)
    dispatch = Dispatch(drain_task, (), coalesce=key)
    transaction.on_commit(dispatch.send)
    return dispatch
