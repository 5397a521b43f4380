"""Score passback trigger: an attempt finished with every answer graded, after commit.

The same two model saves the REST API's webhooks listen to (``quizapp/api/signals.py``):
``attempt_finish`` saves the attempt, ``response_grade`` saves a response of a finished attempt;
a gradebook override saves the attempt too. The services stay unaware of LTI.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver


def _on_commit(attempt_id: int) -> None:
    from quizapp.lti.services import lti_attempt_graded

    transaction.on_commit(lambda: lti_attempt_graded(attempt_id=attempt_id))


@receiver(post_save, sender="quizapp.Attempt", dispatch_uid="lti_attempt_saved")
def attempt_saved(sender, instance, created, **kwargs):
    if not created and instance.status == "finished":
        _on_commit(instance.pk)


@receiver(post_save, sender="quizapp.Response", dispatch_uid="lti_response_saved")
def response_saved(sender, instance, created, **kwargs):
    if created or instance.status == "pending":
        return
    attempt = instance.item.attempt
    if attempt.status == "finished":
        _on_commit(attempt.pk)
