"""Writes of the API that have no browser page: LMS enrolments by external id, webhooks.

Quizzes (settings and items), attempts and responses go through the services of their domains
(``quizapp.quizzes.services``, ``quizapp.attempts.services``), like the pages.
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.models.api import WebhookEndpoint
from quizapp.models.courses import Enrollment


def _lms_username(owner_id: int, external_id: str) -> str:
    digest = hashlib.sha256(f"{owner_id}:{external_id}".encode()).hexdigest()[:16]
    return f"lms-{digest}"


@transaction.atomic
def enrollment_upsert_external(
    *, course, external_id: str, email: str = "", first_name: str = "", last_name: str = ""
) -> tuple[Enrollment, bool]:
    """The course's member with this LMS id, created (user and enrolment) when new.

    The same LMS id in another course of the same instructor is the same person, so their
    account is reused. An existing account is never linked by name or e-mail: whoever controls
    an LMS must not be able to claim somebody's account. Race: two LMS calls for one new student;
    the unique (course, user) constraint and the user row's unique name keep one of each.
    """
    found = (
        Enrollment.objects.select_related("user")
        .filter(course=course, external_id=external_id)
        .first()
    )
    if found is not None:
        return found, False
    if course.is_archived:
        raise ServiceError(code=ErrorCode.COURSE_ARCHIVED)
    known = (
        Enrollment.objects.filter(course__owner_id=course.owner_id, external_id=external_id)
        .select_related("user")
        .first()
    )
    user = known.user if known else None
    if user is None:
        user, new = get_user_model().objects.get_or_create(
            username=_lms_username(course.owner_id, external_id),
            defaults={"email": email, "first_name": first_name, "last_name": last_name},
        )
        if new:  # signs in through the LMS (LTI), never with a password
            user.set_unusable_password()
            user.save(update_fields=["password"])
    enrollment, created = Enrollment.objects.get_or_create(
        course=course, user=user, defaults={"external_id": external_id}
    )
    if not created and enrollment.external_id != external_id:
        enrollment.external_id = external_id
        enrollment.save(update_fields=["external_id"])
    return enrollment, created


def webhook_endpoint_create(*, owner, url: str, events: list[str]) -> WebhookEndpoint:
    """A new endpoint with a fresh signing secret (returned on the object, shown once)."""
    return WebhookEndpoint.objects.create(
        owner=owner,
        url=url,
        events=sorted(set(events)) or [WebhookEndpoint.Event.ATTEMPT_GRADED],
        secret=f"whsec_{secrets.token_urlsafe(32)}",
    )


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()
