"""Celery tasks: thin adapters that take ids, call a service and retry on transient errors.

This is the only module of ``grader`` that touches Django.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
)
def grade_response(self, response_id: int) -> str | None:
    from quizapp.services import response_grade

    response = response_grade(response_id=response_id)
    return None if response is None else response.status
