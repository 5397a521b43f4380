"""Celery task of the API: deliver one webhook, retried with exponential backoff."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from quizapp.api.webhooks import DELIVER_WEBHOOK_TASK, webhook_delivery_send
from quizapp.core import waiting
from quizapp.models.api import WebhookDelivery

MAX_RETRIES = 8
BACKOFF_BASE_SECONDS = 10
BACKOFF_MAX_SECONDS = 3600


def backoff(retries: int) -> int:
    """Seconds before retry number ``retries + 1``: 10, 20, 40, … capped at an hour."""
    return min(BACKOFF_BASE_SECONDS * 2**retries, BACKOFF_MAX_SECONDS)


@shared_task(name=DELIVER_WEBHOOK_TASK, bind=True, acks_late=True, max_retries=MAX_RETRIES)
def deliver_webhook(self, delivery_id: int) -> str | None:
    pending = WebhookDelivery.Status.PENDING
    if self.request.is_eager:
        # Embedded mode: this runs inside the web request that finished the attempt, where a
        # retry cannot wait; the first failure is final unless the settings ask to try again at
        # once (the tests do, to see the retries).
        tries = MAX_RETRIES + 1 if getattr(settings, "API_WEBHOOK_EAGER_RETRIES", False) else 1
        delivery = None
        for n in range(tries):
            delivery = webhook_delivery_send(delivery_id=delivery_id, final=n == tries - 1)
            if delivery is None or delivery.status != pending:
                break
        return None if delivery is None else delivery.status
    final = self.request.retries >= self.max_retries
    delivery = webhook_delivery_send(delivery_id=delivery_id, final=final)
    if delivery is not None and delivery.status == pending:
        raise self.retry(countdown=backoff(self.request.retries))
    return None if delivery is None else delivery.status


waiting.register_retried(
    key="webhooks",
    label=_("Вебхуки"),
    model=WebhookDelivery,
    task=DELIVER_WEBHOOK_TASK,
    backoff_max_seconds=BACKOFF_MAX_SECONDS,
)
