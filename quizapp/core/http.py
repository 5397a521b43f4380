"""Small helpers of the request side that pages of several domains share."""

from __future__ import annotations

import uuid

from quizapp.core.answers import compound_raw

__all__ = [
    "SUBMIT_TOKEN_FIELD",
    "client_ip",
    "new_submit_token",
    "posted_answer",
    "posted_submit_token",
]

# The hidden field of every answer form: one token per submit, so that a double click, a retried
# POST or a reload that resubmits stores one answer (docs/api.md, «Повтор без второго ответа»).
SUBMIT_TOKEN_FIELD = "submit_token"


def posted_answer(request) -> str:
    """The answer of an answer form: the text box, the fields of a multi-field answer as one
    JSON object (a browser without JS posts them one by one), or the ticked options as "0,2"."""
    raw = request.POST.get("answer")
    if raw is not None:
        return raw
    compound = compound_raw(request.POST)
    return ",".join(request.POST.getlist("choice")) if compound is None else compound


def client_ip(request) -> str:
    """The client's address, for login throttling and rate limits.

    ``REMOTE_ADDR`` unless ``TRUSTED_PROXY_HOPS`` (settings, from the environment) says how many
    reverse proxies of ours stand in front of the app. Each proxy appends the address it was
    connected from to ``X-Forwarded-For``, so with N trusted proxies the client is the N-th entry
    from the right; anything further left was written by the client and is never believed. A
    request that did not come through all N proxies (too few entries) falls back to
    ``REMOTE_ADDR``.

    >>> from types import SimpleNamespace
    >>> from django.test import override_settings
    >>> req = SimpleNamespace(META={"REMOTE_ADDR": "10.0.0.2",
    ...                             "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7"})
    >>> with override_settings(TRUSTED_PROXY_HOPS=0):
    ...     client_ip(req)
    '10.0.0.2'
    >>> with override_settings(TRUSTED_PROXY_HOPS=1):
    ...     client_ip(req)
    '203.0.113.7'
    """
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    if hops <= 0:
        return remote
    chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [a for a in chain if a]
    return chain[-hops] if len(chain) >= hops else remote


def posted_submit_token(request) -> uuid.UUID | None:
    """The form's submit token; None when absent or not a UUID (then nothing is deduplicated)."""
    value = request.POST.get(SUBMIT_TOKEN_FIELD) or ""
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def new_submit_token() -> str:
    """A fresh token for a rendered form: the page works without JS, each render is one submit."""
    return str(uuid.uuid4())
