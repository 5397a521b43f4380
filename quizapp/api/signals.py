"""Webhook triggers: an attempt is announced once finished with every answer graded.

Both moments are model saves made by ``quizapp.services`` (``attempt_finish`` saves the attempt,
``response_grade`` saves the response), so the API hooks in here instead of touching them; the
check runs after commit, when the attempt's score is final.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver


def _notify_on_commit(attempt_id: int) -> None:
    from quizapp.api.webhooks import attempt_graded_notify

    transaction.on_commit(lambda: attempt_graded_notify(attempt_id=attempt_id))


@receiver(post_save, sender="quizapp.Attempt", dispatch_uid="api_webhooks_attempt_saved")
def attempt_saved(sender, instance, created, **kwargs):
    if not created and instance.status == "finished":
        _notify_on_commit(instance.pk)


@receiver(post_save, sender="quizapp.Response", dispatch_uid="api_webhooks_response_saved")
def response_saved(sender, instance, created, **kwargs):
    if created or instance.status == "pending":
        return
    # response_grade loads item__attempt with the response: no query for an open attempt.
    attempt = instance.item.attempt
    if attempt.status == "finished":
        _notify_on_commit(attempt.pk)
