"""Celery tasks: thin adapters that take ids, call a service and retry on transient errors.

This is the only module of ``grader`` that touches Django.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

# Late acknowledgement + reject on worker loss: a task whose worker dies is delivered again,
# and the services make a second delivery a no-op.
GRADING_TASK = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**GRADING_TASK)
def grade_response(self, response_id: int) -> str | None:
    from quizapp.services import response_grade

    response = response_grade(response_id=response_id)
    return None if response is None else response.status


@shared_task(**GRADING_TASK)
def grade_practice_answer(self, answer_id: int) -> str | None:
    from quizapp.practice import practice_grade

    answer = practice_grade(answer_id=answer_id)
    return None if answer is None else answer.status


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), max_retries=3)
def close_expired_attempts() -> int:
    """Periodic (celery beat): finish the attempts whose time ran out with the page closed."""
    from quizapp.services import attempts_close_expired

    return attempts_close_expired()


@shared_task(**GRADING_TASK)
def regrade_responses(self, run_id: int) -> bool:
    """Regrade a batch of a RegradeRun (quizapp.regrade); enqueue the next batch while any remain.

    Resumable: every attempt is moved in its own transaction, so a redelivery skips what is done.
    """
    from quizapp.regrade import regrade_execute, regrade_fail

    try:
        more = regrade_execute(run_id=run_id)
    except (OperationalError, InterfaceError):
        raise
    except Exception as exc:
        regrade_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise
    if more:
        regrade_responses.delay(run_id)
    return more
