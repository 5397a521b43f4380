"""Webhook trigger: ``attempt.graded`` deliveries when an attempt is announced as graded."""

from __future__ import annotations

from django.dispatch import receiver

from quizapp.api.webhooks import attempt_graded_notify
from quizapp.core.signals import attempt_graded


@receiver(attempt_graded, dispatch_uid="api_webhooks_attempt_graded")
def attempt_graded_webhooks(sender, attempt_id: int, **kwargs):
    attempt_graded_notify(attempt_id=attempt_id)
