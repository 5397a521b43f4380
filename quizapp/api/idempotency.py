"""``Idempotency-Key``: a retried request gets the stored response instead of a second effect.

The record is inserted in the same transaction as the effect, before it: a concurrent duplicate
blocks on the unique (principal, key) index until the first commits, then replays its response.
Only successful responses are stored; a refused request (4xx) leaves nothing and may be retried.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable

from django.db import IntegrityError, transaction

from quizapp.api.authentication import api_key_of
from quizapp.api.errors import ApiError
from quizapp.core.errors import ErrorCode
from quizapp.models.api import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


def principal_of(request) -> str:
    key = api_key_of(request)
    return f"key:{key.pk}" if key is not None else f"user:{request.user.pk}"


def fingerprint(request, data) -> str:
    body = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


# Visible ASCII, spaces only inside, 1–255 characters: the schema's pattern (views/attempts.py).
KEY_PATTERN = r"^[!-~]([ -~]*[!-~])?$"
KEY_RE = re.compile(KEY_PATTERN.removeprefix("^").removesuffix("$"))


def idempotency_key(request) -> str | None:
    value = request.headers.get(HEADER)
    if value is None:
        return None
    if not (len(value) <= 255 and KEY_RE.fullmatch(value)):
        raise ApiError(
            code=ErrorCode.INVALID_IDEMPOTENCY_KEY,
        )
    return value


def _replay(record: IdempotencyRecord, print_: str) -> tuple[int, dict, bool]:
    if record.fingerprint != print_:
        raise ApiError(
            code=ErrorCode.IDEMPOTENCY_KEY_REUSED,
            status_code=409,
        )
    return record.status_code, record.body, True


def idempotent(
    *, principal: str, key: str | None, print_: str, call: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """Run ``call`` once per (principal, key): ``(status, body, replayed)``."""
    if key is None:
        status, body = call()
        return status, body, False
    found = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
    if found is not None:
        return _replay(found, print_)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                principal=principal, key=key, fingerprint=print_, status_code=0
            )
            status, body = call()
            record.status_code, record.body = status, body
            record.save(update_fields=["status_code", "body"])
    except IntegrityError:
        # A concurrent duplicate committed first: answer as it did.
        return _replay(IdempotencyRecord.objects.get(principal=principal, key=key), print_)
    return status, body, False
