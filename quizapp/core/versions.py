"""Version tokens of cached pages: a write bumps a token, a cache key includes it.

A page built from many queries (the student's dashboard) is cached under a key made of the
tokens of what it shows: the student's study token (their answers, cards, decks, attempts) and the
catalogue token (quizzes, courses, enrolments). A write bumps the token at once and again when its
transaction commits: a page computed in between (still seeing the old rows) is stored under the
intermediate token, which the commit retires; a page computed afterwards sees the new rows. Old
entries are never read again and expire; nothing is deleted, so no race resurrects stale data.

Tokens live in the shared cache (CACHE_URL). A token the cache lost (eviction, a Redis restart)
is created afresh with a new random value: a lost token can only cause a recomputation, never a
stale page.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.db import transaction

PREFIX = "nz:ver:"
# Tokens outlive the pages cached under them (a day): a token evicted before its page would only
# cost a recomputation.
TOKEN_TTL = 7 * 24 * 3600

STUDY = "study"  # one per student: practice answers, flashcards, decks, profile, attempts
CATALOGUE = "catalogue"  # one for the site: quizzes, courses, course links, enrolments
ANALYSIS = "analysis"  # one per quiz: its attempts finished, rescored or regraded


def _key(name: str, key: object | None) -> str:
    return f"{PREFIX}{name}" if key is None else f"{PREFIX}{name}:{key}"


def tokens(*names: tuple[str, object | None]) -> list[str]:
    """The current tokens of ``(name, key)`` pairs, in one round trip; missing ones are made."""
    keys = [_key(name, key) for name, key in names]
    found = cache.get_many(keys)
    missing = {k: secrets.token_hex(8) for k in keys if k not in found}
    if missing:
        # add(), not set(): of two requests making the same missing token, one wins for both.
        for k, value in missing.items():
            if not cache.add(k, value, TOKEN_TTL):
                found[k] = cache.get(k, value)
            else:
                found[k] = value
    return [found[k] for k in keys]


def bump(name: str, *keys: object) -> None:
    """New tokens for ``name`` of each of ``keys``, now and once committed (none without keys)."""
    names = {_key(name, k) for k in keys if k is not None}
    if names:
        _renew(names)
        transaction.on_commit(lambda: _renew(names))


def bump_site(name: str) -> None:
    """A new site-wide token for ``name``, now and once committed."""
    names = {_key(name, None)}
    _renew(names)
    transaction.on_commit(lambda: _renew(names))


def _renew(keys: set[str]) -> None:
    cache.set_many({k: secrets.token_hex(8) for k in keys}, TOKEN_TTL)
