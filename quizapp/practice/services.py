"""Writes of free practice by topic: an answer saved, then graded like a quiz answer."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from question_bank.models import QuestionVersion, Topic
from quizapp.attempts.grading import claim_pending, clean_raw, grade_rows, save_grades
from quizapp.core import versions
from quizapp.core.tasks import enqueue_drain_on_commit
from quizapp.models import PracticeAnswer

GRADE_PRACTICE_TASK = "grader.tasks.grade_practice_answer"
GRADE_PENDING_TASK = "quizapp.practice.tasks.grade_pending_practice"


def practice_submit(*, user, topic: Topic | None, version: QuestionVersion, seed: int, raw: str):
    """Save the answer as pending, then enqueue its grading once committed."""
    raw = clean_raw(raw)
    with transaction.atomic():
        answer = PracticeAnswer.objects.create(
            user=user, topic=topic, version=version, seed=seed, raw=raw
        )
        answer.dispatch = enqueue_drain_on_commit(
            "practice", GRADE_PENDING_TASK, eager_task=GRADE_PRACTICE_TASK, row_id=answer.pk
        )
    return answer


def practice_grade(*, answer_id: int) -> PracticeAnswer | None:
    """Grade one pending practice answer (and nothing else); the answer as stored afterwards.

    Idempotent: a redelivered task changes nothing.
    """
    practice_grade_batch(first_id=answer_id, limit=1)
    return PracticeAnswer.objects.filter(pk=answer_id).first()


def practice_grade_batch(*, first_id: int | None = None, limit: int | None = None) -> int:
    """Grade up to ``limit`` pending practice answers in one transaction, like quiz answers
    (:func:`quizapp.attempts.services.responses_grade_batch`); how many were graded."""
    limit = limit or settings.GRADING_BATCH_SIZE
    with transaction.atomic():
        rows = claim_pending(
            PracticeAnswer.objects.select_related("version"), first_id=first_id, limit=limit
        )
        if rows:
            grade_rows(rows, spec_seed=lambda row: (row.version.spec, row.seed))
            save_grades(rows)
            # One UPDATE for the batch sends no signal: the students' mastery has changed.
            versions.bump(versions.STUDY, *{row.user_id for row in rows})
    return len(rows)
