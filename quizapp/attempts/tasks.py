"""Celery tasks of quiz attempts: thin adapters that take ids, call a service, retry on
transient database errors. The names of the first two predate this package and stay as they are
(messages already in the broker carry them)."""

from celery import shared_task
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from quizapp.attempts import services, visibility
from quizapp.core import waiting
from quizapp.core.tasks import DURABLE_TASK, TRANSIENT_DB_ERRORS
from quizapp.models import Response


@shared_task(name=services.GRADE_RESPONSE_TASK, **DURABLE_TASK)
def grade_response(self, response_id: int) -> int:
    """Grade this answer and, in the same batch, the oldest others waiting; how many."""
    return services.responses_grade_batch(first_id=response_id)


@shared_task(name=services.GRADE_PENDING_TASK, **DURABLE_TASK)
def grade_pending_responses(self) -> int:
    """Grade every waiting answer, batch after batch (sent after a commit, or by the sweeper)."""
    return waiting.drain(
        services.responses_grade_batch,
        services.GRADE_PENDING_TASK,
        key="responses",
        batch_size=settings.GRADING_BATCH_SIZE,
    )


@shared_task(
    name=services.CLOSE_EXPIRED_TASK,
    acks_late=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    max_retries=3,
)
def close_expired_attempts() -> int:
    """Periodic (celery beat): finish the attempts whose time ran out with the page closed."""
    return services.attempts_close_expired()


waiting.register_answers(
    key="responses",
    label=_("Ответы в тестах"),
    model=Response,
    drain_task=services.GRADE_PENDING_TASK,
)


@shared_task(
    name=services.RELEASE_RESULTS_TASK,
    acks_late=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    max_retries=3,
)
def release_held_results() -> int:
    """Periodic (celery beat): results shown «after the close date» go to the LMS and the
    mistakes notebook once each student's own close date has passed."""
    return visibility.held_results_release()
