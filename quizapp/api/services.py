"""Writes of the API that have no browser form: a quiz sent as one document, webhooks.

Attempts and responses go through ``quizapp.attempts.services`` and quiz items through the quiz
builder's services (``quizapp.quizzes.services``), like the pages; nothing here repeats them.
"""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from quizapp.core.errors import ServiceError
from quizapp.models import Quiz
from quizapp.models.api import WebhookEndpoint
from quizapp.models.courses import Enrollment
from quizapp.quizzes import services as instructor_quizzes

QUIZ_FIELDS = (
    "slug",
    "title",
    "description",
    "time_limit_minutes",
    "max_attempts",
    "show_solutions",
    "shuffle_items",
    "opens_at",
    "closes_at",
    "is_published",
)


class ItemError(ServiceError):
    """A refused item of a quiz, with its index so the API can name the field."""

    def __init__(self, index: int, error: ServiceError):
        super().__init__(error.message, code=error.code)
        self.field = f"items.{index}"


def _set_items(quiz: Quiz, items: list[dict], *, user) -> None:
    """Replace the quiz's items through the quiz builder's services, in the list's order.

    Attempts already started keep their own items, versions and seeds, so this (like the
    builder's page) affects only attempts started afterwards.
    """
    quiz.items.all().delete()
    for index, item in enumerate(items):
        points = item.get("points", Decimal(1))
        try:
            if item.get("question") is not None:
                instructor_quizzes.quiz_item_add_question(
                    quiz=quiz, question=item["question"], user=user, points=points
                )
            else:
                instructor_quizzes.quiz_item_add_rule(
                    quiz=quiz, topic=item["topic"], user=user, count=item["count"], points=points
                )
        except ServiceError as exc:
            raise ItemError(index, exc) from exc


@transaction.atomic
def quiz_create(*, owner, fields: dict, items: list[dict]) -> Quiz:
    quiz = Quiz.objects.create(owner=owner, **{k: v for k, v in fields.items() if k in QUIZ_FIELDS})
    _set_items(quiz, items, user=owner)
    return quiz


@transaction.atomic
def quiz_update(*, quiz: Quiz, fields: dict, items: list[dict] | None, user) -> Quiz:
    """Change a quiz's settings and, when ``items`` is given, replace its items.

    Race: an attempt starting while the items are replaced would draw from a half-written list;
    the quiz row is locked (as the builder's item services do).
    """
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if items is not None:
        _set_items(quiz, items, user=user)
    changed = [k for k in fields if k in QUIZ_FIELDS]
    for name in changed:
        setattr(quiz, name, fields[name])
    if changed:
        quiz.save(update_fields=changed)
    return quiz


@transaction.atomic
def quiz_delete(*, quiz: Quiz) -> None:
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if quiz.attempts.exists():
        raise ServiceError(
            "У теста есть попытки: его можно снять с публикации, но не удалить.",
            code="quiz_has_attempts",
        )
    quiz.delete()


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
        raise ServiceError("Курс в архиве: запись и изменения закрыты.", code="course_archived")
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
