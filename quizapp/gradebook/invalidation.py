"""What makes a cached item analysis stale, turned into version bumps (quizapp.core.versions).

The analysis reads a quiz's finished attempts and their newest responses. An attempt saved
(started, finished, closed by the timer) renews its quiz's token; a late grade, a regrade or an
override of a finished attempt is announced by ``attempt_graded`` (the grading batch writes the
responses with one UPDATE and sends no model signal) and renews it too.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from quizapp.core import versions
from quizapp.core.signals import attempt_graded
from quizapp.models import Attempt


@receiver(post_save, sender=Attempt, dispatch_uid="analysis-attempt-saved")
@receiver(post_delete, sender=Attempt, dispatch_uid="analysis-attempt-deleted")
def _attempt_changed(sender, instance, **kwargs):
    versions.bump(versions.ANALYSIS, instance.quiz_id)


@receiver(attempt_graded, dispatch_uid="analysis-attempt-graded")
def _attempt_graded(sender, attempt_id, **kwargs):
    quiz_id = Attempt.objects.filter(pk=attempt_id).values_list("quiz_id", flat=True).first()
    versions.bump(versions.ANALYSIS, quiz_id)
