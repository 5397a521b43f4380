"""Work that waits in a table for a task, and the sweeper that sends such tasks again.

Every task of the app is sent for a row that already records what is to be done: an answer
``pending``, an upload ``queued``, a score passback ``pending``… The message in the broker is only
a nudge. When it is lost — the broker was down when the row was saved, Redis restarted empty, a
worker died holding it — the row still says so, and :func:`sweep` (run every few seconds by beat,
or by ``manage.py grading sweep``) sends the task again for rows that have waited too long.
The services make every task idempotent, so a message sent twice does its work once.

Each domain declares its waiting work with :func:`register` when its task module is imported.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q
from django.utils import timezone

from quizapp.core.tasks import BROKER_ERRORS, nudges, send_task

logger = logging.getLogger(__name__)

__all__ = [
    "WaitingWork",
    "drain",
    "register",
    "register_answers",
    "register_retried",
    "registered",
    "resend_drain",
    "resend_rows",
    "status",
    "sweep",
]


@dataclass(frozen=True)
class WaitingWork:
    """One kind of row that waits for a task.

    ``sweep(now)`` sends again what has waited too long and returns how many messages it sent;
    ``waiting`` are the states of a row a task still has to move on; ``since`` is the field whose
    age tells how long it has waited.
    """

    key: str
    label: str
    model: type
    waiting: tuple[str, ...]
    since: str
    queue: str
    sweep: Callable = field(compare=False)
    state_field: str = "status"


_REGISTRY: dict[str, WaitingWork] = {}
# The waiting state of answers, LTI passbacks and webhook deliveries alike.
PENDING = "pending"


def register(work: WaitingWork) -> WaitingWork:
    _REGISTRY[work.key] = work
    return work


def registered() -> list[WaitingWork]:
    return list(_REGISTRY.values())


def status(now=None) -> list[dict]:
    """Per kind: rows by state, how many wait, and the age in seconds of the oldest one."""
    now = now or timezone.now()
    out = []
    for work in registered():
        by_state = dict(
            work.model.objects.values_list(work.state_field)
            .annotate(n=Count("pk"))
            .order_by()
            .values_list(work.state_field, "n")
        )
        waiting = work.model.objects.filter(**{f"{work.state_field}__in": work.waiting})
        oldest = waiting.aggregate(oldest=Min(work.since))["oldest"]
        out.append(
            {
                "key": work.key,
                "label": str(work.label),
                "queue": work.queue,
                "states": by_state,
                "waiting": sum(by_state.get(state, 0) for state in work.waiting),
                "oldest_waiting_seconds": (
                    None if oldest is None else max(0.0, (now - oldest).total_seconds())
                ),
            }
        )
    return out


def sweep(now=None, *, keys=None) -> dict[str, int]:
    """Send again the tasks of rows that waited too long; how many messages per kind.

    Safe to run at any time and as often as wanted: tasks are idempotent, and a row sent again
    is not sent again within its hold time (see :func:`resend_rows`).
    """
    now = now or timezone.now()
    sent = {}
    for work in registered():
        if keys and work.key not in keys:
            continue
        try:
            sent[work.key] = work.sweep(now)
        except Exception:
            # One kind failing (its table locked, a bug) must not stop the sweep of the others.
            logger.exception("sweep of %s failed", work.key)
            sent[work.key] = 0
    return sent


def resend_rows(
    key: str, rows, task_name: str, *, hold: timedelta, limit: int = 1000, only_old: Q | None = None
) -> int:
    """Send ``task_name(pk)`` for each row of ``rows`` not sent by a sweep within ``hold``.

    The hold (a key in the shared cache) keeps a sweep every few seconds from piling messages
    on a row whose task is merely slow. Stops at the first failure to reach the broker.
    """
    if only_old is not None:
        rows = rows.filter(only_old)
    sent = 0
    for pk in rows.order_by("pk").values_list("pk", flat=True)[:limit]:
        mark = f"sweep:{key}:{pk}"
        if not cache.add(mark, 1, timeout=max(1, int(hold.total_seconds()))):
            continue
        if not send_task(task_name, pk):
            cache.delete(mark)
            break
        sent += 1
    return sent


def resend_drain(key: str, rows, task_name: str, *, hold: timedelta) -> int:
    """Send one ``task_name()`` (a task that drains every waiting row) if any row waits.

    For answers, which are graded in batches: one message then grades them all, however many
    thousands were left when the broker came back.
    """
    if not rows.exists():
        return 0
    if not cache.add(f"sweep:{key}", 1, timeout=max(1, int(hold.total_seconds()))):
        return 0
    if send_task(task_name):
        return 1
    cache.delete(f"sweep:{key}")
    return 0


def _register_pending(*, key: str, label, model, sweep) -> WaitingWork:
    """Rows that wait in the state ``pending`` since their ``created_at``, on the grading queue."""
    return register(
        WaitingWork(
            key=key,
            label=label,
            model=model,
            waiting=(PENDING,),
            since="created_at",
            queue=settings.CELERY_TASK_DEFAULT_QUEUE,
            sweep=sweep,
        )
    )


def register_answers(*, key: str, label, model, drain_task: str) -> WaitingWork:
    """Register answers graded in batches (``status`` ``pending`` until graded): the sweep sends
    one ``drain_task`` when any has waited longer than ``GRADING_SWEEP_AFTER`` seconds."""

    def sweep_answers(now) -> int:
        after = timedelta(seconds=settings.GRADING_SWEEP_AFTER)
        stale = model.objects.filter(status=PENDING, created_at__lt=now - after)
        return resend_drain(key, stale, drain_task, hold=after)

    return _register_pending(key=key, label=label, model=model, sweep=sweep_answers)


def register_retried(*, key: str, label, model, task: str, backoff_max_seconds: int) -> WaitingWork:
    """Register deliveries whose task retries itself with backoff (``pending`` until sent or
    given up, ``last_tried_at`` set by each try). A row is lost when it was never tried within a
    minute (its first message was lost) or silent for longer than the longest backoff plus ten
    minutes (its retry was lost); the sweep sends ``task(pk)`` for it, once per ten minutes."""

    def sweep_deliveries(now) -> int:
        lost = Q(last_tried_at__isnull=True, created_at__lt=now - timedelta(minutes=1)) | Q(
            last_tried_at__lt=now - timedelta(seconds=backoff_max_seconds + 600)
        )
        stale = model.objects.filter(lost, status=PENDING)
        return resend_rows(key, stale, task, hold=timedelta(minutes=10))

    return _register_pending(key=key, label=label, model=model, sweep=sweep_deliveries)


# A drain gives the worker back after this long and sends itself again if rows remain, so a
# huge backlog never holds one task up to its time limit.
DRAIN_SECONDS = 20


# An idle drain keeps looking this long (every POLL_SECONDS) before it lets go: under a steady
# stream of answers one drain grades them in small batches as they come, instead of a task (and
# its delivery, hand-off and acknowledgement) per answer.
LINGER_SECONDS = 0.5
POLL_SECONDS = 0.05


def drain(
    grade_batch: Callable[[], int],
    task_name: str,
    *,
    key: str,
    batch_size: int,
    seconds: float = DRAIN_SECONDS,
    linger: float = LINGER_SECONDS,
) -> int:
    """Call ``grade_batch()`` until it finds nothing for ``linger`` seconds; how many rows were
    done.

    ``key`` is the kind's nudge flag (quizapp.core.tasks._Nudges): kept set while this drain
    works, so the answers saved meanwhile send no task; cleared when it lets go, then one more
    look, so a row saved while the flag was still set is never left behind. While batches come
    back full, one more drain is sent (at most one a second) so that the other worker processes
    help with a backlog. Past ``seconds``, the drain sends itself again and gives the worker back.
    """
    done, started = 0, time.monotonic()
    idle_since = None
    while time.monotonic() - started < seconds:
        batch = grade_batch()
        done += batch
        if batch >= batch_size and _claim_quietly(f"{key}:helper", ttl=1):
            send_task(task_name)
        if batch:
            idle_since = None
            _touch_quietly(key)
            continue
        now = time.monotonic()
        idle_since = idle_since or now
        if now - idle_since < linger:
            time.sleep(POLL_SECONDS)
            continue
        _clear_quietly(key)
        if not grade_batch():
            return done
        idle_since = None
    send_task(task_name)
    return done


def _touch_quietly(key: str) -> None:
    try:
        nudges.touch(key)
    except BROKER_ERRORS:
        pass


def _claim_quietly(key: str, *, ttl: float) -> bool:
    try:
        return nudges.claim(key, ttl=ttl)
    except BROKER_ERRORS:
        return False


def _clear_quietly(key: str) -> None:
    try:
        nudges.clear(key)
    except BROKER_ERRORS:
        pass  # the flag expires by itself


SWEEP_TASK = "quizapp.core.waiting.sweep_waiting"


@shared_task(name=SWEEP_TASK, ignore_result=True)
def sweep_waiting() -> dict[str, int]:
    """Periodic (celery beat, every GRADING_SWEEP_INTERVAL seconds): :func:`sweep`."""
    sent = sweep()
    if any(sent.values()):
        logger.info("sweeper sent again: %s", sent)
    return sent
