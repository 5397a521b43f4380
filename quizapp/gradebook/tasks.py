"""Celery task of regrades: one batch of a RegradeRun at a time."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from quizapp.core import waiting
from quizapp.core.tasks import DURABLE_TASK, TRANSIENT_DB_ERRORS
from quizapp.gradebook import regrade, rejected
from quizapp.models import RegradeRun


@shared_task(name=regrade.REGRADE_TASK, **DURABLE_TASK)
def regrade_responses(self, run_id: int) -> bool:
    """Regrade a batch of a RegradeRun; enqueue the next batch while any remain.

    Resumable: every attempt is moved in its own transaction, so a redelivery skips what is done.
    """
    try:
        more = regrade.regrade_execute(run_id=run_id)
    except TRANSIENT_DB_ERRORS:
        raise
    except Exception as exc:
        regrade.regrade_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise
    if more:
        regrade_responses.delay(run_id)
    return more


@shared_task(name=rejected.PRACTICE_TASK, **DURABLE_TASK)
def regrade_accepted_practice(self, version_id: int, after_id: int = 0) -> bool:
    """Grade refused practice answers again after a text answer was accepted; batch by batch."""
    next_after = rejected.practice_regrade_accepted(version_id=version_id, after_id=after_id)
    if next_after is not None:
        regrade_accepted_practice.delay(version_id, next_after)
    return next_after is not None


# A run is done batch by batch, each batch a task that sends the next; a run still waiting this
# long after it started lost its chain (a worker died, the broker lost the message). Sending the
# run again is safe: each attempt is moved once, in its own transaction.
STALE = timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)


def _sweep_regrades(now) -> int:
    stale = RegradeRun.objects.filter(status__in=RegradeRun.ACTIVE, created_at__lt=now - STALE)
    return waiting.resend_rows("regrades", stale, regrade.REGRADE_TASK, hold=STALE)


waiting.register(
    waiting.WaitingWork(
        key="regrades",
        label=_("Перепроверки"),
        model=RegradeRun,
        waiting=RegradeRun.ACTIVE,
        since="created_at",
        queue=settings.CELERY_TASK_DEFAULT_QUEUE,
        sweep=_sweep_regrades,
    )
)
