"""API keys: create (the secret is returned once), authenticate, revoke.

A key reads ``nzk_<prefix>_<secret>``: the prefix finds the row, only the SHA-256 of the secret is
stored, and the comparison is constant-time, so neither the database nor timing gives a key away.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from quizapp.core import roles
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.models.api import ApiKey

TOKEN_TAG = "nzk"
# last_used_at is a hint for people, not an audit log: writing it on every request would turn
# each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *,
    owner,
    name: str,
    scopes=(ApiKey.Scope.READ, ApiKey.Scope.WRITE),
    rate_per_minute=None,
    courses=(),
) -> tuple[ApiKey, str]:
    """A new key of ``owner`` (an instructor) and its whole token, which is never stored.

    ``courses`` limits the key to some of the owner's courses (none: all of them).
    """
    if not roles.is_instructor(owner):
        raise ServiceError(code=ErrorCode.NOT_INSTRUCTOR)
    unknown = set(scopes) - set(ApiKey.Scope.values)
    if unknown or not scopes:
        raise ServiceError(code=ErrorCode.INVALID_SCOPES)
    for course in courses:
        if not (roles.is_admin(owner) or course.owner_id == owner.pk):
            raise ServiceError(code=ErrorCode.COURSE_NOT_YOURS)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        owner=owner,
        name=name,
        prefix=secrets.token_hex(6),
        secret_hash=_hash(secret),
        scopes=sorted(set(scopes)),
        rate_per_minute=rate_per_minute,
    )
    key.courses.set(courses)
    return key, f"{TOKEN_TAG}_{key.prefix}_{secret}"


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    """Revoke a key; revoking twice keeps the first time."""
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    key.refresh_from_db()
    return key


def api_key_authenticate(*, token: str) -> ApiKey | None:
    """The active key that ``token`` is, or None (unknown, malformed, revoked, owner inactive)."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_TAG or not parts[1] or not parts[2]:
        return None
    key = ApiKey.objects.select_related("owner").filter(prefix=parts[1]).first()
    # Hash even when no row matched, so an unknown prefix costs the same time as a wrong secret.
    candidate = _hash(parts[2])
    if key is None or not hmac.compare_digest(candidate, key.secret_hash):
        return None
    if key.revoked_at is not None or not key.owner.is_active:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
