"""LTI services: accept a launch, link a resource to a quiz, send scores, sync the roster.

Writes own their transactions; network calls (AGS, NRPS) run outside them, so a slow platform
never holds a database lock.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from lti_tool.lti_core.constants import AgsScope
from lti_tool.models import (
    Key,
    LtiContext,
    LtiLaunch,
    LtiLineItem,
    LtiMembership,
    LtiRegistration,
    LtiResourceLink,
    LtiUser,
)
from lti_tool.services.nrps import fetch_member_data
from lti_tool.utils import sync_data_from_launch
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from quizapp.attempts.selectors import attempt_fully_graded, attempt_scored
from quizapp.core.errors import ErrorCode
from quizapp.core.roles import INSTRUCTOR_GROUP, is_admin
from quizapp.core.tasks import enqueue_on_commit
from quizapp.courses.selectors import quiz_visible, quizzes_visible_to
from quizapp.gradebook.selectors import shown_score
from quizapp.lti.errors import LtiError
from quizapp.models import Attempt, Quiz
from quizapp.models.courses import Course, CourseQuiz, Enrollment
from quizapp.models.lti import LtiCourseLink, LtiQuizLink, LtiScorePassback

SEND_SCORE_TASK = "quizapp.lti.tasks.send_score"
SYNC_ROSTER_TASK = "quizapp.lti.tasks.sync_roster"

logger = logging.getLogger(__name__)

CUSTOM_QUIZ = "quiz"  # custom parameter naming the quiz's slug (deep linking sets it)
LINE_ITEM_TAG = "neurozachet"
MAX_ERROR_LENGTH = 1000


@dataclass
class LaunchOutcome:
    user: object
    is_instructor: bool
    course: Course | None
    quiz_link: LtiQuizLink | None


# --- Launch -----------------------------------------------------------------------------------


def lti_launch_accept(*, lti_launch: LtiLaunch) -> LaunchOutcome:
    """Map a validated launch onto the app: local user, instructor role, course, quiz link.

    The platform's user is found by (issuer, client id) — the registration — and ``sub``; ``sub``
    is stable and unique per issuer (LTI 1.3 §5.3.6), so the deployment does not split it. A new
    ``sub`` gets a new local account: never matched by e-mail, which the platform lets people edit.
    """
    with transaction.atomic():
        sync_data_from_launch(lti_launch)
        if not lti_launch.deployment.is_active:
            # Unknown deployments are recorded inactive by django-lti; an admin switches them on.
            raise LtiError(ErrorCode.INACTIVE_DEPLOYMENT, status=403)
        lti_user = lti_launch.user
        user = _local_user(lti_user)
        membership = lti_launch.membership if lti_launch.context_claim else None
        instructor = bool(membership and (membership.is_instructor or membership.is_administrator))
        if instructor:
            group, _created = Group.objects.get_or_create(name=INSTRUCTOR_GROUP)
            user.groups.add(group)
            user._role_groups = None  # roles.py caches the groups on the instance
        course = None
        if membership is not None:
            course = _course_for_context(lti_launch.context, user, instructor, lti_user)
        quiz_link = None
        if lti_launch.is_resource_launch:
            quiz_link = _quiz_link_for_launch(lti_launch, user, instructor, course)
    if instructor and lti_launch.context_claim and lti_launch.context.memberships_url:
        context_id = lti_launch.context.pk
        enqueue_on_commit(SYNC_ROSTER_TASK, context_id)
    return LaunchOutcome(user=user, is_instructor=instructor, course=course, quiz_link=quiz_link)


def _local_user(lti_user: LtiUser):
    if lti_user.auth_user_id is not None:
        return lti_user.auth_user
    digest = hashlib.sha256(f"{lti_user.registration_id}:{lti_user.sub}".encode()).hexdigest()
    User = get_user_model()
    user, _created = User.objects.get_or_create(
        username=f"lti-{lti_user.registration_id}-{digest[:12]}",
        defaults={
            "first_name": (lti_user.given_name or "")[:150],
            "last_name": (lti_user.family_name or "")[:150],
            "email": lti_user.email or "",
        },
    )
    if _created:
        user.set_unusable_password()  # only the LMS logs this account in
        user.save(update_fields=["password"])
    lti_user.auth_user = user
    lti_user.save(update_fields=["auth_user", "datetime_modified"])
    return user


def _course_for_context(context: LtiContext, user, instructor: bool, lti_user: LtiUser):
    link = LtiCourseLink.objects.select_related("course").filter(context=context).first()
    if link is None:
        if not instructor:
            return None  # the course appears with its instructor's first launch
        title = (context.title or context.label or str(_("Курс из LMS")))[:200]
        # Learners come in through the LMS; a join code would let others in.
        code = f"lti-{context.pk}-{secrets.token_hex(3)}"
        course = Course(title=title, code=code, owner=user, join_enabled=False)
        course.save()
        link = LtiCourseLink.objects.create(context=context, course=course)
    course = link.course
    if course.owner_id != user.pk:
        role = Enrollment.Role.ASSISTANT if instructor else Enrollment.Role.STUDENT
        Enrollment.objects.update_or_create(
            course=course, user=user, defaults={"role": role, "external_id": lti_user.sub}
        )
    return course


def _quiz_link_for_launch(lti_launch: LtiLaunch, user, instructor: bool, course):
    resource_link = lti_launch.resource_link
    link = LtiQuizLink.objects.select_related("quiz").filter(resource_link=resource_link).first()
    if link is None:
        slug = lti_launch.get_custom_claim(CUSTOM_QUIZ)
        quiz = Quiz.objects.filter(slug=slug).first() if slug else None
        if quiz is None:
            return None
        if not (_linkable(quiz, user) or (course and _linkable(quiz, course.owner))):
            # A learner must not open someone's private quiz by editing a custom parameter.
            return None
        link = LtiQuizLink.objects.create(resource_link=resource_link, quiz=quiz)
    _attach_line_item(link, lti_launch)
    if course is not None:
        _share_with_course(link.quiz, course)
    return link


def _linkable(quiz: Quiz, user) -> bool:
    """A person may put into an LMS a published quiz they can see (the one visibility rule) that
    is theirs or open to all; an admin, any published quiz."""
    if not quiz.is_published or not quiz_visible(user=user, quiz=quiz):
        return False
    return is_admin(user) or quiz.owner_id == user.pk or quiz.is_open


def linkable_quizzes(user):
    """Selector for the quiz pickers (deep linking and an unlinked resource link)."""
    quizzes = quizzes_visible_to(user).filter(is_published=True)
    if is_admin(user):
        return quizzes.order_by("title")
    return quizzes.filter(Q(is_open=True) | Q(owner=user.pk)).order_by("title")


def _share_with_course(quiz: Quiz, course: Course) -> None:
    # An open quiz is already seen by everybody; any other is assigned to the LMS course so that
    # its learners see it (a quiz is private to its owner until assigned).
    if not quiz.is_open:
        CourseQuiz.objects.get_or_create(course=course, quiz=quiz, defaults={"added_by": None})


def _attach_line_item(link: LtiQuizLink, lti_launch: LtiLaunch) -> None:
    ags = lti_launch.ags_claim or {}
    url = ags.get("lineitem")
    if not url or (link.line_item_id and link.line_item.url == url):
        return
    line_item, _created = LtiLineItem.objects.get_or_create(
        url=url,
        defaults={
            "context": link.resource_link.context,
            "maximum_score": float(quiz_max_score(link.quiz)),
            "label": link.quiz.title[:255],
            "resource_id": link.quiz.slug,
            "tag": LINE_ITEM_TAG,
            "resource_link": link.resource_link,
        },
    )
    link.line_item = line_item
    link.save(update_fields=["line_item"])


def quiz_max_score(quiz: Quiz) -> Decimal:
    return sum((item.points * item.count for item in quiz.items.all()), Decimal(0)) or Decimal(1)


@transaction.atomic
def lti_quiz_link_set(*, resource_link: LtiResourceLink, quiz: Quiz, by) -> LtiQuizLink:
    """An instructor picks the quiz of a resource link the platform created without one."""
    if not _linkable(quiz, by):
        raise LtiError(ErrorCode.QUIZ_NOT_VISIBLE, status=403)
    link, _created = LtiQuizLink.objects.update_or_create(
        resource_link=resource_link, defaults={"quiz": quiz}
    )
    course_link = LtiCourseLink.objects.filter(context_id=resource_link.context_id).first()
    if course_link is not None:
        _share_with_course(quiz, course_link.course)
    return link


DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


@dataclass(frozen=True)
class DeepLinkAnswer:
    """What the browser posts back to the LMS: the signed message (``JWT``) to ``return_url``."""

    return_url: str
    jwt: str


def lti_deep_link_response(
    *, lti_launch: LtiLaunch, quiz: Quiz, by, launch_url: str
) -> DeepLinkAnswer:
    """The chosen quiz (and its grade column), signed for the LMS's deep-linking return URL.

    The page (templates/lti/deep_link_return.html) posts it with a static script: pylti1p3's own
    form carries an inline script, which the CSP of every page refuses.
    """
    if not _linkable(quiz, by):
        raise LtiError(ErrorCode.QUIZ_NOT_VISIBLE, status=403)
    resource = (
        DeepLinkResource()
        .set_url(launch_url)
        .set_title(quiz.title)
        .set_custom_params({CUSTOM_QUIZ: quiz.slug})
        .set_lineitem(
            LineItem()
            .set_score_maximum(float(quiz_max_score(quiz)))
            .set_label(quiz.title)
            .set_resource_id(quiz.slug)
            .set_tag(LINE_ITEM_TAG)
        )
    )
    try:
        message_launch = lti_launch.get_message_launch()
        claim = message_launch.get_launch_data()[DEEP_LINKING_SETTINGS]
        return DeepLinkAnswer(
            return_url=claim["deep_link_return_url"],
            jwt=message_launch.get_deep_link().get_response_jwt([resource]),
        )
    except Key.DoesNotExist:
        raise LtiError(ErrorCode.NO_KEYS, status=503) from None


# --- Score passback (AGS) ---------------------------------------------------------------------


def lti_attempt_graded(*, attempt_id: int) -> list[LtiScorePassback]:
    """Queue the attempt's score for every LMS grade column it belongs to.

    Idempotent: the same score for the same attempt and column is queued once, however many
    times an attempt is announced as graded; a changed score (a regrade) is queued again.
    """
    attempt = Attempt.objects.select_related("quiz").filter(pk=attempt_id).first()
    # Essays waiting for the instructor do not hold the score back: it goes as «PendingManual»
    # and again as «FullyGraded» when the last one is graded (gradebook.manual).
    if attempt is None or not attempt_scored(attempt):
        return []
    if attempt.results_held and attempt.quiz.show_score == Quiz.Score.AFTER_CLOSE:
        # The quiz shows scores after its close date, and the LMS would show this one to the
        # student before it: it goes when the student's own close date (an extension moves it)
        # has passed (attempts.visibility.results_release announces it again then).
        return []
    links = LtiQuizLink.objects.filter(
        quiz_id=attempt.quiz_id, line_item__isnull=False
    ).select_related("line_item", "resource_link__context__deployment")
    queued = []
    for link in links:
        context = link.resource_link.context
        lti_user = LtiUser.objects.filter(
            auth_user_id=attempt.user_id,
            registration_id=context.deployment.registration_id,
            memberships__context=context,
        ).first()
        if lti_user is None:
            continue  # this student never came from that LMS course
        passback = _passback_queue(attempt, link.line_item, lti_user)
        if passback is not None:
            queued.append(passback)
    return queued


@transaction.atomic
def _passback_queue(attempt: Attempt, line_item: LtiLineItem, lti_user: LtiUser):

    # An instructor's override in the gradebook is the grade the LMS gets too.
    score = shown_score(attempt) or Decimal(0)
    # Race: the last two answers graded at once both announce the attempt; the unique
    # (attempt, line_item) and the row lock let one of them queue the score.
    progress = "FullyGraded" if attempt_fully_graded(attempt) else "PendingManual"
    passback, created = LtiScorePassback.objects.select_for_update().get_or_create(
        attempt=attempt,
        line_item=line_item,
        defaults={
            "lti_user": lti_user,
            "score_given": score,
            "score_maximum": attempt.max_score,
            "grading_progress": progress,
        },
    )
    if not created:
        same = passback.score_given == score and passback.grading_progress == progress
        if same and passback.status != LtiScorePassback.Status.FAILED:
            return None
        if same and passback.sent_score == score:
            return None
        passback.score_given = score
        passback.score_maximum = attempt.max_score
        passback.grading_progress = progress
        passback.status = LtiScorePassback.Status.PENDING
        passback.save(update_fields=["score_given", "score_maximum", "grading_progress", "status"])
    enqueue_on_commit(SEND_SCORE_TASK, passback.pk)
    return passback


@transaction.atomic
def lti_passback_retry(*, passback: LtiScorePassback) -> LtiScorePassback:
    """An instructor sends a failed score again."""

    passback = LtiScorePassback.objects.select_for_update().get(pk=passback.pk)
    if passback.status == LtiScorePassback.Status.FAILED:
        passback.status = LtiScorePassback.Status.PENDING
        passback.save(update_fields=["status"])
        enqueue_on_commit(SEND_SCORE_TASK, passback.pk)
    return passback


def lti_score_send(*, passback_id: int, final: bool, requests_session=None):
    """POST the score to the platform once and log the outcome; returns the passback (or None).

    ``final``: no retry follows, so a failure marks it failed. A score the platform already
    accepted is not sent again.
    """
    passback = (
        LtiScorePassback.objects.select_related(
            "line_item__context__deployment__registration", "lti_user", "attempt"
        )
        .filter(pk=passback_id)
        .first()
    )
    if passback is None or (
        passback.status == LtiScorePassback.Status.SENT
        and passback.sent_score == passback.score_given
    ):
        return passback
    score, progress = passback.score_given, passback.grading_progress
    registration = passback.line_item.context.deployment.registration
    grade = (
        Grade()
        .set_score_given(float(score))
        .set_score_maximum(float(passback.score_maximum) or 1.0)
        .set_activity_progress("Completed")
        .set_grading_progress(progress)
        .set_user_id(passback.lti_user.sub)
        # Now, not the finish time: platforms drop a score older than the one they hold, and a
        # regrade must replace the first result.
        .set_timestamp(timezone.now().isoformat())
    )
    code, error = None, ""
    try:
        ags = AssignmentsGradesService(
            ServiceConnector(registration.to_registration(), requests_session=requests_session),
            {"scope": [AgsScope.PUBLISH_SCORES.value], "lineitem": passback.line_item.url},
        )
        answer = ags.put_grade(grade)
        code = 200
        del answer
    except LtiServiceException as exc:
        code = exc.response.status_code
        error = f"HTTP {code}: {exc.response.text[:300]}"
    except (LtiException, requests.RequestException, ValueError, Key.DoesNotExist) as exc:
        error = f"{type(exc).__name__}: {exc}"
    now = timezone.now()
    ok = not error
    with transaction.atomic():
        current = LtiScorePassback.objects.select_for_update().get(pk=passback.pk)
        current.tries += 1
        current.last_status_code = code
        current.last_error = error[:MAX_ERROR_LENGTH]
        current.last_tried_at = now
        if ok:
            current.sent_score = score
            current.sent_at = now
            # A newer score queued while this one was in flight stays pending.
            if current.score_given == score and current.grading_progress == progress:
                current.status = LtiScorePassback.Status.SENT
        elif final:
            current.status = LtiScorePassback.Status.FAILED
            logger.warning("LTI score %s not accepted for good: %s", current.pk, error)
        current.save()
    return current


def passbacks_for(user):
    """Selector: the score log an instructor may see (their quizzes'; an admin: all)."""
    passbacks = LtiScorePassback.objects.select_related(
        "attempt__quiz", "attempt__user", "line_item", "lti_user"
    ).order_by("-id")
    if is_admin(user):
        return passbacks
    return passbacks.filter(attempt__quiz__owner=user)


# --- Roster (NRPS) ----------------------------------------------------------------------------


def lti_roster_sync(*, context_id: int) -> int:
    """Fetch the LMS course's members and enrol its learners; returns how many are enrolled."""
    context = LtiContext.objects.select_related("deployment__registration").get(pk=context_id)
    if not context.memberships_url:
        return 0
    members = fetch_member_data(context)  # network, outside any transaction
    with transaction.atomic():
        context.update_memberships(members)
        link = LtiCourseLink.objects.select_related("course").filter(context=context).first()
        if link is None:
            return 0
        enrolled = 0
        memberships = LtiMembership.objects.filter(
            context=context, is_active=True, is_learner=True
        ).select_related("user__auth_user")
        for membership in memberships:
            user = _local_user(membership.user)
            if user.pk == link.course.owner_id:
                continue
            Enrollment.objects.get_or_create(
                course=link.course,
                user=user,
                defaults={"external_id": membership.user.sub},
            )
            enrolled += 1
        link.roster_synced_at = timezone.now()
        link.save(update_fields=["roster_synced_at"])
    return enrolled


# --- Platforms and keys -----------------------------------------------------------------------


@transaction.atomic
def lti_platform_register(
    *,
    name: str,
    issuer: str,
    client_id: str,
    auth_url: str,
    token_url: str,
    keyset_url: str,
    audience: str = "",
    deployment_ids: list[str] = (),
) -> LtiRegistration:
    """Register (or update) a platform and activate its deployments; makes the first key."""
    registration, _created = LtiRegistration.objects.update_or_create(
        issuer=issuer,
        client_id=client_id,
        defaults={
            "name": name,
            "auth_url": auth_url,
            "token_url": token_url,
            "keyset_url": keyset_url,
            "audience": audience,
            "is_active": True,
        },
    )
    for deployment_id in deployment_ids:
        registration.deployments.update_or_create(
            deployment_id=deployment_id, defaults={"is_active": True}
        )
    if not Key.objects.active().exists():
        Key.objects.generate()
    return registration


@transaction.atomic
def lti_keys_rotate(*, keep_days: int = 7, now=None) -> tuple[Key, int]:
    """Make a new signing key; keys older than ``keep_days`` leave the JWKS.

    The newest key signs; older ones stay published for ``keep_days`` so a platform that cached
    our JWKS still verifies what was signed before the rotation.
    """
    now = now or timezone.now()
    new_key = Key.objects.generate()
    retired = (
        Key.objects.active()
        .filter(datetime_created__lt=now - timedelta(days=keep_days))
        .exclude(pk=new_key.pk)
        .update(is_active=False)
    )
    return new_key, retired


def tool_urls(request_or_base: str, registration: LtiRegistration) -> dict[str, str]:
    """The URLs an LMS administrator types into the platform (docs/lms.md)."""
    base = request_or_base.rstrip("/")
    return {
        "login": base + reverse("lti-login", kwargs={"registration_uuid": registration.uuid}),
        "launch": base + reverse("lti-launch"),
        "deep_linking": base + reverse("lti-launch"),
        "jwks": base + reverse("lti-jwks"),
    }
