"""Small helpers of the request side that pages of several domains share."""

from __future__ import annotations

__all__ = ["client_ip", "posted_answer"]


def posted_answer(request) -> str:
    """The answer of an answer form: the text box, or the ticked options as "0,2"."""
    raw = request.POST.get("answer")
    return ",".join(request.POST.getlist("choice")) if raw is None else raw


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
