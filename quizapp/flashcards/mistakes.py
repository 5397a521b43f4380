"""Mistakes become cards (issue 17, point 4).

A typical mistake the grader recognised — in practice, or in a finished quiz whose solutions the
student may see — is noted once per student, question and mistake (:class:`MistakeNote`); a noted
question is one of the student's cards (flashcards.selectors: the study set and the queue read
the notes): it comes back with fresh numbers, and its back explains the misconception with
those numbers. A student can turn this
off (``StudyProfile.mistake_cards``). Quizzes that never show solutions make no cards: a card's
back is a worked solution.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.dispatch import receiver

from quizapp.core import signals
from quizapp.core.signals import mistake_ids
from quizapp.flashcards.selectors import CARD_KINDS
from quizapp.models import (
    Attempt,
    MistakeNote,
    PracticeAnswer,
    Quiz,
    Response,
    StudyProfile,
)

logger = logging.getLogger(__name__)

__all__ = ["mistake_note"]


def mistake_note(*, user, question, mistake_id: str, feedback: str, source: str) -> bool:
    """Note the mistake and add the question to the student's cards, once. Whether a card was
    added (False: already noted, turned off, or the question cannot be a card)."""
    if question.kind not in CARD_KINDS or question.is_archived:
        return False
    wanted = StudyProfile.objects.filter(user=user).values_list("mistake_cards", flat=True)
    if not next(iter(wanted), True):
        return False
    try:
        with transaction.atomic():
            MistakeNote.objects.create(
                user=user,
                question=question,
                mistake_id=mistake_id,
                feedback=feedback[:2000],
                source=source,
            )
    except IntegrityError:
        return False  # noted before (perhaps by a concurrent grading): once only
    return True


@receiver(signals.practice_answers_graded)
def _practice_mistakes(sender, answer_ids, **kwargs):
    answers = PracticeAnswer.objects.filter(pk__in=answer_ids).select_related(
        "user", "version__question"
    )
    for answer in answers:
        for mistake_id, feedback in mistake_ids(answer.result):
            mistake_note(
                user=answer.user,
                question=answer.version.question,
                mistake_id=mistake_id,
                feedback=feedback,
                source=MistakeNote.Source.PRACTICE,
            )


@receiver(signals.attempt_graded)
def _quiz_mistakes(sender, attempt_id, **kwargs):
    attempt = Attempt.objects.select_related("user", "quiz").filter(pk=attempt_id).first()
    # A card of a mistake tells the student what was wrong: not while the quiz hides verdicts
    # (never, or until the student's close date: the release announces the attempt again).
    if (
        attempt is None
        or attempt.results_held
        or attempt.quiz.show_solutions == Quiz.Solutions.NEVER
        or attempt.quiz.show_verdicts == Quiz.Verdicts.NEVER
    ):
        return
    responses = Response.objects.filter(item__attempt=attempt).select_related(
        "item__version__question"
    )
    for response in responses:
        for mistake_id, feedback in mistake_ids(response.result):
            mistake_note(
                user=attempt.user,
                question=response.item.version.question,
                mistake_id=mistake_id,
                feedback=feedback,
                source=MistakeNote.Source.QUIZ,
            )
