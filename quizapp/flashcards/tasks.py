"""Celery tasks of the flashcards: fitting students' FSRS parameters (thin adapters)."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from quizapp.core.tasks import DURABLE_TASK, enqueue_on_commit
from quizapp.flashcards import selectors, services


@shared_task(name=services.FIT_TASK, **DURABLE_TASK)
def fit_fsrs_parameters(self, user_id: int) -> bool:
    """Fit one student's parameters if they are due; whether a fit was recorded. Idempotent:
    a redelivered message finds the student no longer due."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return False
    return services.fsrs_parameters_fit(user=user, now=timezone.now()) is not None


@shared_task(name=services.FIT_DUE_TASK, **DURABLE_TASK)
def fit_due_fsrs_parameters(self) -> int:
    """Periodic (beat): one fitting task per student who is due; how many were sent."""
    users = selectors.users_due_for_fsrs_fit()
    for user_id in users:
        enqueue_on_commit(services.FIT_TASK, user_id)
    return len(users)
