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

__all__ = [
    "BROKER_ERRORS",
    "DURABLE_TASK",
    "TRANSIENT_DB_ERRORS",
    "Dispatch",
    "enqueue_on_commit",
    "send_task",
]

logger = logging.getLogger(__name__)

TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
# What publishing raises when the broker is unreachable (kombu wraps the transport's errors in
# its OperationalError; a refused or reset socket may still surface as an OSError).
BROKER_ERRORS = (BrokerOperationalError, ConnectionError, OSError, TimeoutError)

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


@dataclass
class Dispatch:
    """A task to send once the transaction commits, and whether it was sent.

    ``sent`` is None until the commit, then True, or False when the broker could not take it
    (the row waits for the sweeper; the caller may tell the user that the check is delayed).
    """

    task_name: str
    args: tuple = ()
    sent: bool | None = field(default=None)

    def send(self) -> None:
        self.sent = send_task(self.task_name, *self.args)


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
