"""A student's terms for a quiz (dates, time limit, attempts) and the accommodations behind them.

The one function every path asks — the attempt service (start, deadline, attempt limit), the
quiz page, the API, the gradebook and the visibility rules (a result shown «after the close
date» is shown after *this student's* close date): :func:`quiz_terms`.

How they combine:
- dates: the quiz's, or its course's override (:class:`~quizapp.models.CourseQuiz`) for the
  courses the student is enrolled in; two courses of one student that disagree give the earlier
  opening and the later close;
- accommodations naming the student, in a course the quiz is assigned to (for that quiz or for
  all the course's quizzes): each dimension takes the most generous of them — the largest time
  factor, the most extra minutes, the latest close date, the most extra attempts. The time limit
  becomes ``ceil(limit × factor) + minutes``.

Granting, changing or withdrawing an accommodation (or a course's dates) recomputes the deadline
of every attempt still in progress that it touches, so the timer and the beat task that closes
attempts (which read ``Attempt.deadline``) honour it at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.models import Accommodation, Attempt, Course, CourseQuiz, Quiz
from quizapp.models.accommodations import MAX_EXTRA_ATTEMPTS, MAX_EXTRA_MINUTES, MAX_TIME_FACTOR
from quizapp.quizzes.services import quiz_dates_check


@dataclass
class Terms:
    """What one student may do with one quiz, and why it differs from the quiz's own rules."""

    quiz: Quiz
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_minutes: int | None
    max_attempts: int | None
    accommodations: list[Accommodation] = field(default_factory=list)
    course_dates: bool = False  # the dates come from a course's override

    @property
    def extra_time(self) -> bool:
        return self.time_limit_minutes != self.quiz.time_limit_minutes

    @property
    def extended(self) -> bool:
        return self.closes_at != self.quiz.closes_at

    @property
    def extra_attempts(self) -> bool:
        return self.max_attempts != self.quiz.max_attempts

    @property
    def special(self) -> bool:
        """Anything of the student's own (shown on the quiz page and in the gradebook)."""
        return bool(self.accommodations) or self.course_dates

    def deadline(self, started_at: datetime) -> datetime | None:
        """When an attempt started at ``started_at`` stops taking answers."""
        ends = []
        if self.time_limit_minutes:
            ends.append(started_at + timezone.timedelta(minutes=self.time_limit_minutes))
        if self.closes_at:
            ends.append(self.closes_at)
        return min(ends) if ends else None

    def closed(self, now: datetime) -> bool:
        """Past the student's own close date (results shown «after the close» may be shown)."""
        return self.closes_at is not None and now >= self.closes_at

    def summary(self) -> str:
        """«время 68 мин, до 20.12.2026 18:00, попыток: 4» — for the gradebook's mark."""
        parts = []
        if self.extra_time:
            parts.append(_("время %(minutes)s мин") % {"minutes": self.time_limit_minutes})
        if self.extended and self.closes_at:
            parts.append(_("до %(when)s") % {"when": local_when(self.closes_at)})
        if self.extra_attempts and self.max_attempts is not None:
            parts.append(_("попыток: %(n)s") % {"n": self.max_attempts})
        return ", ".join(parts)


def local_when(moment: datetime) -> str:
    """«20.12.2026 18:00» in the current time zone: how the pages and messages name a date."""
    return date_format(timezone.localtime(moment), "d.m.Y H:i")


def _limit(minutes: int | None, factor: Decimal, extra: int) -> int | None:
    if not minutes:
        return minutes
    return math.ceil(Decimal(minutes) * factor) + extra


def _combine(quiz: Quiz, links: list[CourseQuiz], accommodations: list[Accommodation]) -> Terms:
    opens_at, closes_at, course_dates = quiz.opens_at, quiz.closes_at, False
    if any(link.opens_at or link.closes_at for link in links):
        course_dates = True
        # Every course of the student counts, those keeping the quiz's own dates too: a course
        # that closes early must not shorten the time another of their courses gives.
        opens = [link.opens_at or quiz.opens_at for link in links]
        closes = [link.closes_at or quiz.closes_at for link in links]
        opens_at = None if None in opens else min(opens)
        closes_at = None if None in closes else max(closes)
    factor, minutes, attempts = Decimal(1), 0, 0
    for acc in accommodations:
        factor = max(factor, acc.time_factor)
        minutes = max(minutes, acc.extra_minutes)
        attempts = max(attempts, acc.extra_attempts)
        if acc.closes_at and closes_at and acc.closes_at > closes_at:
            closes_at = acc.closes_at
    return Terms(
        quiz=quiz,
        opens_at=opens_at,
        closes_at=closes_at,
        time_limit_minutes=_limit(quiz.time_limit_minutes, factor, minutes),
        max_attempts=None if quiz.max_attempts is None else quiz.max_attempts + attempts,
        accommodations=accommodations,
        course_dates=course_dates,
    )


def quiz_terms(*, user, quiz: Quiz) -> Terms:
    """The student's terms for ``quiz`` (two queries)."""
    return quiz_terms_many(user_ids=[user.pk], quiz=quiz)[user.pk]


def quiz_terms_many(*, user_ids, quiz: Quiz) -> dict[int, Terms]:
    """Terms of many students for one quiz (the gradebook's rows), in two queries."""
    user_ids = list(user_ids)
    links_of: dict[int, list[CourseQuiz]] = {pk: [] for pk in user_ids}
    courses_of: dict[int, set[int]] = {pk: set() for pk in user_ids}
    rows = CourseQuiz.objects.filter(quiz=quiz, course__enrollments__user__in=user_ids).values(
        "id", "course_id", "opens_at", "closes_at", "course__enrollments__user"
    )
    for row in rows:
        uid = row["course__enrollments__user"]
        courses_of[uid].add(row["course_id"])
        link = CourseQuiz(id=row["id"], course_id=row["course_id"], quiz=quiz)
        link.opens_at, link.closes_at = row["opens_at"], row["closes_at"]
        links_of[uid].append(link)
    accs: dict[int, list[Accommodation]] = {pk: [] for pk in user_ids}
    course_ids = set().union(*courses_of.values())
    if course_ids:
        granted = (
            Accommodation.students.through.objects.filter(
                accommodation__course_id__in=course_ids, user_id__in=user_ids
            )
            .filter(Q(accommodation__quiz__isnull=True) | Q(accommodation__quiz=quiz))
            .select_related("accommodation")
            .order_by("accommodation_id")
        )
        for row in granted:
            # Only where the student is enrolled in the course and the course has the quiz.
            if row.accommodation.course_id in courses_of[row.user_id]:
                accs[row.user_id].append(row.accommodation)
    return {uid: _combine(quiz, links_of[uid], accs[uid]) for uid in user_ids}


def _students_of(course: Course, user_ids) -> list[int]:
    ids = set(user_ids)
    enrolled = set(
        course.enrollments.filter(user_id__in=ids, role="student").values_list("user_id", flat=True)
    )
    if not ids:
        raise ServiceError(
            _("Выберите хотя бы одного студента."), code=ErrorCode.INVALID, field="students"
        )
    if ids - enrolled:
        raise ServiceError(code=ErrorCode.NOT_COURSE_STUDENT, field="students")
    return sorted(enrolled)


def _check_values(*, course: Course, quiz, time_factor, extra_minutes, extra_attempts, closes_at):
    if quiz is not None and not CourseQuiz.objects.filter(course=course, quiz=quiz).exists():
        raise ServiceError(code=ErrorCode.QUIZ_NOT_IN_COURSE, field="quiz")
    if not Decimal(1) <= Decimal(time_factor) <= MAX_TIME_FACTOR:
        raise ServiceError(
            _("Множитель времени — от 1 до %(max)s.") % {"max": MAX_TIME_FACTOR},
            code=ErrorCode.INVALID,
            field="time_factor",
        )
    if not 0 <= extra_minutes <= MAX_EXTRA_MINUTES:
        raise ServiceError(
            _("Дополнительных минут — от 0 до %(max)s.") % {"max": MAX_EXTRA_MINUTES},
            code=ErrorCode.INVALID,
            field="extra_minutes",
        )
    if not 0 <= extra_attempts <= MAX_EXTRA_ATTEMPTS:
        raise ServiceError(
            _("Дополнительных попыток — от 0 до %(max)s.") % {"max": MAX_EXTRA_ATTEMPTS},
            code=ErrorCode.INVALID,
            field="extra_attempts",
        )
    if quiz is not None and closes_at and quiz.closes_at and closes_at <= quiz.closes_at:
        raise ServiceError(
            _("Продление должно быть позже закрытия теста (%(when)s).")
            % {"when": local_when(quiz.closes_at)},
            code=ErrorCode.EXTENSION_TOO_EARLY,
            field="closes_at",
        )
    if Decimal(time_factor) == 1 and not (extra_minutes or extra_attempts or closes_at):
        raise ServiceError(code=ErrorCode.ACCOMMODATION_CHANGES_NOTHING, field="time_factor")


@transaction.atomic
def accommodation_save(
    *,
    course: Course,
    by,
    label: str,
    student_ids,
    quiz: Quiz | None = None,
    time_factor=Decimal(1),
    extra_minutes: int = 0,
    closes_at=None,
    extra_attempts: int = 0,
    accommodation: Accommodation | None = None,
) -> Accommodation:
    """Grant (or change) an accommodation; the deadlines of the attempts in progress it touches,
    before and after the change, are recomputed."""
    if course.is_archived:
        raise ServiceError(code=ErrorCode.COURSE_ARCHIVED)
    label = (label or "").strip()
    if not label:
        raise ServiceError(_("Назовите особые условия."), code=ErrorCode.INVALID, field="label")
    students = _students_of(course, student_ids)
    _check_values(
        course=course,
        quiz=quiz,
        time_factor=time_factor,
        extra_minutes=extra_minutes,
        extra_attempts=extra_attempts,
        closes_at=closes_at,
    )
    touched = set(students)
    quizzes = {quiz.pk if quiz else None}
    if accommodation is None:
        accommodation = Accommodation(course=course, created_by=by)
    else:
        accommodation = Accommodation.objects.select_for_update().get(pk=accommodation.pk)
        touched |= set(accommodation.students.values_list("pk", flat=True))
        quizzes.add(accommodation.quiz_id)
    accommodation.label = label[:100]
    accommodation.quiz = quiz
    accommodation.time_factor = Decimal(time_factor)
    accommodation.extra_minutes = extra_minutes
    accommodation.closes_at = closes_at
    accommodation.extra_attempts = extra_attempts
    accommodation.save()
    accommodation.students.set(students)
    attempts_refresh_deadlines(course=course, user_ids=touched, quiz_ids=quizzes)
    return accommodation


@transaction.atomic
def accommodation_delete(*, accommodation: Accommodation) -> None:
    course = accommodation.course
    touched = set(accommodation.students.values_list("pk", flat=True))
    quizzes = {accommodation.quiz_id}
    accommodation.delete()
    attempts_refresh_deadlines(course=course, user_ids=touched, quiz_ids=quizzes)


@transaction.atomic
def course_quiz_dates_set(*, course_quiz: CourseQuiz, opens_at, closes_at) -> CourseQuiz:
    """The course's own dates for one of its quizzes (empty: the quiz's)."""
    if course_quiz.course.is_archived:
        raise ServiceError(code=ErrorCode.COURSE_ARCHIVED)
    quiz_dates_check(opens_at=opens_at, closes_at=closes_at)  # the quiz's own rule
    course_quiz.opens_at, course_quiz.closes_at = opens_at, closes_at
    course_quiz.save(update_fields=["opens_at", "closes_at"])
    students = course_quiz.course.enrollments.values_list("user_id", flat=True)
    attempts_refresh_deadlines(
        course=course_quiz.course, user_ids=set(students), quiz_ids={course_quiz.quiz_id}
    )
    return course_quiz


def attempts_refresh_deadlines(*, course: Course, user_ids, quiz_ids) -> int:
    """Recompute the deadline of the attempts in progress of ``user_ids`` on ``quiz_ids`` (None
    in it: every quiz of the course) from their terms now; how many changed.

    Race: a student's submit or the beat's close may cross this; each attempt row is locked, and
    its terms are read inside that lock, so the deadline written is the newest one.
    """
    quizzes = Q(quiz_id__in=[q for q in quiz_ids if q is not None])
    if None in quiz_ids:
        quizzes |= Q(quiz__course_links__course=course)
    ids = set(
        Attempt.objects.filter(
            quizzes, user_id__in=user_ids, status=Attempt.Status.IN_PROGRESS
        ).values_list("pk", flat=True)
    )
    attempts = list(
        Attempt.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("quiz")
        .order_by("pk")
    )
    by_quiz: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
    changed = 0
    for quiz_attempts in by_quiz.values():
        # Two queries a quiz, whatever the number of students (a course's dates touch them all).
        terms = quiz_terms_many(
            user_ids={a.user_id for a in quiz_attempts}, quiz=quiz_attempts[0].quiz
        )
        for attempt in quiz_attempts:
            deadline = terms[attempt.user_id].deadline(attempt.started_at)
            if deadline != attempt.deadline:
                Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
                changed += 1
    return changed


def course_accommodations(*, course: Course) -> list[Accommodation]:
    """The course's accommodations with their students and quiz (two queries)."""
    return list(
        course.accommodations.select_related("quiz")
        .prefetch_related("students")
        .order_by("label", "id")
    )
