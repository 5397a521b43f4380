"""Celery task of free practice: grade one answer (a thin adapter, retried on transient errors)."""

from celery import shared_task

from quizapp.core.tasks import DURABLE_TASK
from quizapp.practice import services


@shared_task(name=services.GRADE_PRACTICE_TASK, **DURABLE_TASK)
def grade_practice_answer(self, answer_id: int) -> str | None:
    answer = services.practice_grade(answer_id=answer_id)
    return None if answer is None else answer.status
