"""Celery tasks of quiz attempts: thin adapters that take ids, call a service, retry on
transient database errors. Their registered names predate this package and stay as they are."""

from celery import shared_task

from quizapp.attempts import services
from quizapp.core.tasks import DURABLE_TASK, TRANSIENT_DB_ERRORS


@shared_task(name=services.GRADE_RESPONSE_TASK, **DURABLE_TASK)
def grade_response(self, response_id: int) -> str | None:
    response = services.response_grade(response_id=response_id)
    return None if response is None else response.status


@shared_task(
    name=services.CLOSE_EXPIRED_TASK,
    acks_late=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    max_retries=3,
)
def close_expired_attempts() -> int:
    """Periodic (celery beat): finish the attempts whose time ran out with the page closed."""
    return services.attempts_close_expired()
