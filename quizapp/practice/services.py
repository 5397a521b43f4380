"""Writes of free practice by topic: an answer saved, then graded like a quiz answer."""

from __future__ import annotations

from django.db import transaction

from question_bank.models import QuestionVersion, Topic
from quizapp.attempts.grading import apply_grade, clean_raw
from quizapp.core.tasks import enqueue_on_commit
from quizapp.models import PracticeAnswer, Response

GRADE_PRACTICE_TASK = "grader.tasks.grade_practice_answer"


def practice_submit(*, user, topic: Topic | None, version: QuestionVersion, seed: int, raw: str):
    """Save the answer as pending, then enqueue its grading once committed."""
    raw = clean_raw(raw)
    with transaction.atomic():
        answer = PracticeAnswer.objects.create(
            user=user, topic=topic, version=version, seed=seed, raw=raw
        )
        enqueue_on_commit(GRADE_PRACTICE_TASK, answer.pk)
    return answer


def practice_grade(*, answer_id: int) -> PracticeAnswer | None:
    """Grade a pending practice answer; idempotent (a redelivered task changes nothing).

    Race: the same task delivered twice; the row lock and the status check make the second a no-op.
    """
    with transaction.atomic():
        answer = (
            PracticeAnswer.objects.select_for_update(of=("self",))
            .select_related("version")
            .filter(pk=answer_id)
            .first()
        )
        if answer is None or answer.status != Response.Status.PENDING:
            return answer
        apply_grade(answer, spec=answer.version.spec, seed=answer.seed, raw=answer.raw)
        answer.save(update_fields=["status", "score", "result", "graded_at"])
    return answer
