"""Celery task of regrades: one batch of a RegradeRun at a time."""

from celery import shared_task

from quizapp.core.tasks import DURABLE_TASK, TRANSIENT_DB_ERRORS
from quizapp.gradebook import regrade


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
