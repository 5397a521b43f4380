"""Writes on accounts. Closing an account is the only way a person leaves: it is never a delete.

A student's attempts, answers, practice, flashcard history and course enrolments are the
instructors' gradebook and the site's statistics; they must outlive the account. So the foreign
keys from that work to the user are PROTECT, and :func:`account_close` deactivates and anonymises
the row instead: the work stays, the person is no longer identifiable and can no longer sign in.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from quizapp.accounts.timezones import is_valid, profile_zone
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.models import StudyProfile
from quizapp.models.api import ApiKey, WebhookEndpoint

log = logging.getLogger(__name__)

CLOSED_PREFIX = "deleted-"
DB_SESSION_ENGINES = ("sessions.backends.db", "sessions.backends.cached_db")


def closed_username(user_id: int) -> str:
    return f"{CLOSED_PREFIX}{user_id}"


@transaction.atomic
def account_close(*, user, by=None):
    """Deactivate and anonymise ``user``; keep everything they did. Safe to call twice.

    Race: two admins closing the same account, or the user logging in meanwhile; the row is
    locked while it is rewritten.
    """
    model = get_user_model()
    user = model.objects.select_for_update().get(pk=user.pk)
    username = closed_username(user.pk)
    if model.objects.filter(username=username).exclude(pk=user.pk).exists():
        # Somebody registered the name by hand; stay unique.
        username = f"{username}-{secrets.token_hex(3)}"
    user.username = username
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()  # also changes the session hash: any open session is void
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    now = timezone.now()
    ApiKey.objects.filter(owner=user, revoked_at__isnull=True).update(revoked_at=now)
    WebhookEndpoint.objects.filter(owner=user).update(is_active=False)
    _drop_sessions(user.pk)
    log.info("account %s closed by %s", user.pk, getattr(by, "pk", None))
    return user


def _drop_sessions(user_id: int) -> None:
    """Delete the user's stored sessions when they are in the database. With other session
    engines the changed password hash and ``is_active=False`` already refuse them."""
    if not settings.SESSION_ENGINE.endswith(DB_SESSION_ENGINES):
        return
    ids = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get("_auth_user_id") == str(user_id)
    ]
    Session.objects.filter(pk__in=ids).delete()


def _checked_zone(time_zone) -> str:
    if not isinstance(time_zone, str) or not is_valid(time_zone):
        raise ServiceError(code=ErrorCode.BAD_TIME_ZONE)
    return time_zone


def time_zone_set(*, user, time_zone: str) -> StudyProfile:
    """The zone the person chose on the account page; it replaces any detected one."""
    time_zone = _checked_zone(time_zone)
    profile, _created = StudyProfile.objects.update_or_create(
        user=user, defaults={"time_zone": time_zone}
    )
    return profile


def time_zone_detected(*, user, time_zone: str) -> str:
    """Keep the zone the browser reported unless the person already has one; returns the zone
    in force. Race: a choice saved on the account page at the same moment; the conditional
    UPDATE (only where the zone is still empty) never overwrites it."""
    time_zone = _checked_zone(time_zone)
    profile, _created = StudyProfile.objects.get_or_create(user=user)
    StudyProfile.objects.filter(pk=profile.pk, time_zone="").update(time_zone=time_zone)
    return profile_zone(user)
