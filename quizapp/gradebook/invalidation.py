"""What makes a cached item analysis stale, turned into version bumps (quizapp.core.versions).

The analysis reads a quiz's finished attempts and their newest responses. An attempt saved
(started, finished, closed by the timer) renews its quiz's token; a late grade or a regrade of a
finished attempt rescores it with ``update()``, and ``attempts.services.attempt_rescore`` renews
the token there (overrides do not change the analysis).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from quizapp.core import versions
from quizapp.models import Attempt


@receiver(post_save, sender=Attempt, dispatch_uid="analysis-attempt-saved")
@receiver(post_delete, sender=Attempt, dispatch_uid="analysis-attempt-deleted")
def _attempt_changed(sender, instance, **kwargs):
    versions.bump(versions.ANALYSIS, instance.quiz_id)
