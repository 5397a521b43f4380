"""What the Celery tasks of every domain share: the options of a durable task, and how a service
enqueues one.

A service names the task it enqueues by the task's registered name, a string that stays the same
across releases because messages already waiting in the broker carry it. So services never import
task modules, and a task module imports its services one way only. ``QuizappConfig.ready()``
imports the task modules, so the registry knows them in every process, eager mode included.
"""

from __future__ import annotations

from celery import current_app
from django.db import InterfaceError, OperationalError, transaction

__all__ = ["DURABLE_TASK", "TRANSIENT_DB_ERRORS", "enqueue_on_commit"]

TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)

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


def enqueue_on_commit(task_name: str, *args) -> None:
    """Send the task registered as ``task_name`` once the current transaction commits.

    Nothing is queued for rows that were rolled back, and a worker never looks for a row that
    is not committed yet.
    """
    transaction.on_commit(lambda: current_app.signature(task_name, args=args).delay())
