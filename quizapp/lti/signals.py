"""Score passback trigger: LMS grade columns get the score when an attempt is announced graded."""

from __future__ import annotations

from django.dispatch import receiver

from quizapp.core.signals import attempt_graded
from quizapp.lti.services import lti_attempt_graded


@receiver(attempt_graded, dispatch_uid="lti_attempt_graded")
def attempt_graded_passback(sender, attempt_id: int, **kwargs):
    lti_attempt_graded(attempt_id=attempt_id)
