"""Celery tasks of free practice: grade answers in batches (thin adapters, retried on transient
errors). The first task's name predates this package and stays as it is."""

from celery import shared_task
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from quizapp.core import waiting
from quizapp.core.tasks import DURABLE_TASK
from quizapp.models import PracticeAnswer
from quizapp.practice import adaptive, services

DIFFICULTY_TASK = "quizapp.practice.fit_question_difficulty"


@shared_task(name=services.GRADE_PRACTICE_TASK, **DURABLE_TASK)
def grade_practice_answer(self, answer_id: int) -> int:
    """Grade this answer and, in the same batch, the oldest others waiting; how many."""
    return services.practice_grade_batch(first_id=answer_id)


@shared_task(name=services.GRADE_PENDING_TASK, **DURABLE_TASK)
def grade_pending_practice(self) -> int:
    """Grade every waiting practice answer, batch after batch (sent after a commit, or by the
    sweeper)."""
    return waiting.drain(
        services.practice_grade_batch,
        services.GRADE_PENDING_TASK,
        key="practice",
        batch_size=settings.GRADING_BATCH_SIZE,
    )


@shared_task(name=DIFFICULTY_TASK, **DURABLE_TASK)
def fit_question_difficulty(self) -> int:
    """Periodic (beat): every answered question's difficulty from all students' answers."""
    return adaptive.difficulty_fit()


waiting.register_answers(
    key="practice",
    label=_("Ответы в тренировке"),
    model=PracticeAnswer,
    drain_task=services.GRADE_PENDING_TASK,
)
