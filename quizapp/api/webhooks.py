"""Webhooks: announce graded attempts to the instructor's integrations, signed with HMAC-SHA256.

An attempt is announced once it is finished and none of its answers waits for grading. Signature:
``X-Neurozachet-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``; the
receiver recomputes it over the raw body and rejects old timestamps (see docs/api.md).

An endpoint URL is the instructor's input, and the server calls it: a URL that is (or resolves to)
a loopback, private, link-local or multicast address would let it probe the internal network or
the cloud metadata service (SSRF). Such URLs are refused, literal addresses at registration and
every resolved address at delivery, and redirects are not followed, unless the settings say
``API_WEBHOOK_ALLOW_PRIVATE`` (an on-premises LMS; the tests' loopback receiver).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from quizapp.attempts.selectors import attempt_fully_graded
from quizapp.core.tasks import enqueue_on_commit
from quizapp.models import Attempt
from quizapp.models.api import WebhookDelivery, WebhookEndpoint

DELIVER_WEBHOOK_TASK = "quizapp.api.tasks.deliver_webhook"

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Neurozachet-Signature"
EVENT_HEADER = "X-Neurozachet-Event"
DELIVERY_HEADER = "X-Neurozachet-Delivery"
TIMEOUT_SECONDS = 5
MAX_ERROR_LENGTH = 500


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def attempt_payload(attempt: Attempt) -> dict:
    return {
        "attempt": str(attempt.uuid),
        "quiz": {"id": attempt.quiz_id, "slug": attempt.quiz.slug, "title": attempt.quiz.title},
        "user": {"id": attempt.user_id, "username": attempt.user.get_username()},
        "number": attempt.number,
        "score": None if attempt.score is None else str(attempt.score),
        "max_score": str(attempt.max_score),
        "finished_at": attempt.finished_at.isoformat() if attempt.finished_at else None,
        "result_url": reverse("api:attempt-result", args=[attempt.uuid]),
    }


def attempt_graded_notify(*, attempt_id: int) -> list[WebhookDelivery]:
    """Create (once) and enqueue the ``attempt.graded`` deliveries of a fully graded attempt."""
    attempt = Attempt.objects.select_related("quiz", "user").filter(pk=attempt_id).first()
    if attempt is None or attempt.quiz.owner_id is None or not attempt_fully_graded(attempt):
        return []
    event = WebhookEndpoint.Event.ATTEMPT_GRADED
    endpoints = WebhookEndpoint.objects.filter(owner_id=attempt.quiz.owner_id, is_active=True)
    created = []
    for endpoint in endpoints:
        if event not in endpoint.events:
            continue
        payload = {"event": event, "data": attempt_payload(attempt)}
        # Race: two graders finishing the last answers at once both get here; the unique
        # (endpoint, event_key) lets one of them create the delivery.
        delivery, new = WebhookDelivery.objects.get_or_create(
            endpoint=endpoint,
            event_key=f"{event}:{attempt.uuid}",
            defaults={"event": event, "payload": payload},
        )
        if new:
            created.append(delivery)
            enqueue_on_commit(DELIVER_WEBHOOK_TASK, delivery.pk)
    return created


def private_allowed() -> bool:
    return bool(getattr(settings, "API_WEBHOOK_ALLOW_PRIVATE", False))


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def literal_address_refusal(url: str) -> str | None:
    """Why a URL naming an internal host literally is refused (no DNS: used at registration)."""
    if private_allowed():
        return None
    host = (urllib.parse.urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback host"
    try:
        return "private address" if _is_private(host) else None
    except ValueError:
        return None  # a name: checked after resolving, at each delivery


def resolved_address_refusal(url: str) -> str | None:
    """Why delivering to ``url`` is refused: a name resolving to an internal address."""
    if private_allowed():
        return None
    parts = urllib.parse.urlsplit(url)
    literal = literal_address_refusal(url)
    if literal:
        return literal
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        return f"cannot resolve host: {exc}"
    if any(_is_private(info[4][0]) for info in infos):
        return "host resolves to a private address"
    return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx is the receiver's answer, not a new target (it could point inside the network)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_json(url: str, body: bytes, headers: dict, timeout: float) -> int:
    """POST and return the HTTP status; network errors raise OSError."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=timeout) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def webhook_delivery_send(*, delivery_id: int, final: bool, transport=None):
    """Try to send a delivery once and log the outcome. Returns the delivery (or None).

    ``final``: no retry will follow, so a failure marks it failed. A redelivered task whose
    delivery already succeeded sends nothing.
    """
    transport = transport or post_json
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == WebhookDelivery.Status.SUCCEEDED:
        return delivery
    endpoint = delivery.endpoint
    body = json.dumps(
        {**delivery.payload, "delivery": delivery.pk}, ensure_ascii=False, sort_keys=True
    ).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Neurozachet-Webhooks/1",
        SIGNATURE_HEADER: sign(endpoint.secret, timestamp, body),
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
    }
    # No transaction around the request: a slow receiver must not hold a database lock.
    code, error = None, ""
    refusal = resolved_address_refusal(endpoint.url)
    if refusal:
        error = f"refused: {refusal}"[:MAX_ERROR_LENGTH]
        final = True  # the address will not become public by retrying
    else:
        try:
            code = transport(endpoint.url, body, headers, TIMEOUT_SECONDS)
        except (OSError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
    ok = code is not None and 200 <= code < 300
    if not ok and not error:
        error = f"HTTP {code}"
    delivery.tries += 1
    delivery.last_status_code = code
    delivery.last_error = "" if ok else error
    delivery.last_tried_at = timezone.now()
    if ok:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.delivered_at = delivery.last_tried_at
    elif final:
        delivery.status = WebhookDelivery.Status.FAILED
        logger.warning("webhook delivery %s failed for good: %s", delivery.pk, error)
    delivery.save(
        update_fields=[
            "tries",
            "last_status_code",
            "last_error",
            "last_tried_at",
            "status",
            "delivered_at",
        ]
    )
    return delivery
