"""Courses: services (writes), selectors (reads) and the access helper the pages share.

Who sees what:
- the owner of a course and admins see and change it (an admin is any course's instructor);
- members (students, assistants) see it; assistants also see the roster; nobody else learns it
  exists: another instructor or a student of another course gets 404, not 403;
- an archived course stays readable but takes no joins and no roster or quiz changes; its owner
  can still edit its settings (that is how it is taken out of the archive).

A quiz is private by default: its owner and admins see it; students see it once it is published
and assigned to their course, or published and marked open (:func:`quizzes_visible_to`).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.core.roles import is_admin, is_instructor
from quizapp.models import Quiz
from quizapp.models.courses import (
    Course,
    CourseQuiz,
    Enrollment,
    new_join_code,
    normalize_join_code,
)
from quizapp.models.flashcards import RETENTION_RANGE


def _ensure_not_archived(course: Course) -> None:
    if course.is_archived:
        raise ServiceError(code=ErrorCode.COURSE_ARCHIVED)


def _code_taken(code: str, *, exclude_pk=None) -> bool:
    return Course.objects.filter(code=code).exclude(pk=exclude_pk).exists()


def _code_taken_error(code: str) -> ServiceError:
    return ServiceError(
        _("Код курса «%(code)s» уже занят.") % {"code": code}, code=ErrorCode.COURSE_CODE_TAKEN
    )


def _save_with_unique_join_code(course: Course, **save_kwargs) -> None:
    """Save, drawing another join code on the (astronomically rare) clash with an existing one."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                course.save(**save_kwargs)
            return
        except IntegrityError:
            if _code_taken(course.code, exclude_pk=course.pk):
                raise _code_taken_error(course.code) from None  # lost a race for the course code
            course.join_code = new_join_code()
    raise ServiceError(code=ErrorCode.JOIN_CODE_EXHAUSTED)


@transaction.atomic
def course_create(
    *,
    owner,
    title: str,
    code: str,
    description: str = "",
    join_enabled: bool = True,
    decimal_mark: str = "",
    exam_date=None,
    study_retention: float | None = None,
) -> Course:
    if not is_instructor(owner):
        raise ServiceError(
            _("Создавать курсы могут только преподаватели."), code=ErrorCode.NOT_INSTRUCTOR
        )
    code = code.strip().lower()
    if _code_taken(code):
        raise _code_taken_error(code)
    course = Course(
        owner=owner,
        title=title.strip(),
        code=code,
        description=description.strip(),
        join_enabled=join_enabled,
        join_code=new_join_code(),
        decimal_mark=_decimal_mark(decimal_mark),
        exam_date=exam_date,
        study_retention=check_retention(study_retention),
    )
    _save_with_unique_join_code(course)
    return course


def _decimal_mark(mark: str) -> str:
    # The form offers only these; a service called from elsewhere is held to the same choices.
    return mark if mark in Course.DecimalMark.values else Course.DecimalMark.SITE


_KEEP = object()  # an argument not given: the course keeps its value


def check_retention(value) -> float | None:
    """A desired retention for flashcards — a course's default or a student's own — within
    RETENTION_RANGE, or None (no value: the course's, or the default)."""
    low, high = RETENTION_RANGE
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ServiceError(code=ErrorCode.BAD_RETENTION)
    return float(value)


@transaction.atomic
def course_update(
    *,
    course: Course,
    title: str,
    code: str,
    description: str,
    join_enabled: bool,
    is_archived: bool,
    decimal_mark: str | None = None,
    exam_date=_KEEP,
    study_retention=_KEEP,
) -> Course:
    code = code.strip().lower()
    if _code_taken(code, exclude_pk=course.pk):
        raise _code_taken_error(code)
    course.title = title.strip()
    course.code = code
    course.description = description.strip()
    course.join_enabled = join_enabled
    course.is_archived = is_archived
    if decimal_mark is not None:
        course.decimal_mark = _decimal_mark(decimal_mark)
    if exam_date is not _KEEP:
        course.exam_date = exam_date
    if study_retention is not _KEEP:
        course.study_retention = check_retention(study_retention)
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError:
        raise _code_taken_error(code) from None
    return course


@transaction.atomic
def course_join(*, user, code: str) -> tuple[Enrollment, bool]:
    """Enroll ``user`` as a student by join code; (enrollment, created). Joining twice is a no-op.

    Race: a double click sends two joins; the unique (course, user) constraint keeps one row and
    ``get_or_create`` returns it to the loser.
    """
    normalized = normalize_join_code(code)
    course = Course.objects.filter(join_code=normalized).first() if normalized else None
    if course is None:
        raise ServiceError(
            code=ErrorCode.JOIN_CODE_INVALID,
        )
    if course.owner_id == user.pk:
        raise ServiceError(code=ErrorCode.COURSE_OWNER)
    existing = Enrollment.objects.filter(course=course, user=user).first()
    if existing is not None:
        return existing, False
    _ensure_not_archived(course)
    if not course.join_enabled:
        raise ServiceError(code=ErrorCode.JOIN_DISABLED)
    return Enrollment.objects.get_or_create(course=course, user=user)


@transaction.atomic
def course_leave(*, user, course: Course) -> None:
    deleted, _rows = Enrollment.objects.filter(course=course, user=user).delete()
    if not deleted:
        raise ServiceError(code=ErrorCode.NOT_ENROLLED)


@transaction.atomic
def enrollment_remove(*, enrollment: Enrollment) -> None:
    """Take a member off the roster; their attempts stay (they are the student's record)."""
    _ensure_not_archived(enrollment.course)
    enrollment.delete()


@transaction.atomic
def join_code_regenerate(*, course: Course) -> str:
    """A fresh join code; the old code and link stop working at once. Members stay."""
    _ensure_not_archived(course)
    course.join_code = new_join_code()
    _save_with_unique_join_code(course, update_fields=["join_code", "updated_at"])
    return course.join_code


@transaction.atomic
def course_quiz_assign(*, course: Course, quiz: Quiz, by) -> CourseQuiz:
    """Assign a quiz (idempotent). Instructors assign their own quizzes; admins any quiz."""
    _ensure_not_archived(course)
    if not (is_admin(by) or (quiz.owner_id is not None and quiz.owner_id == by.pk)):
        raise ServiceError(code=ErrorCode.QUIZ_NOT_OWNED)
    link, _created = CourseQuiz.objects.get_or_create(
        course=course, quiz=quiz, defaults={"added_by": by}
    )
    return link


@transaction.atomic
def course_quiz_unassign(*, course: Course, quiz: Quiz) -> None:
    _ensure_not_archived(course)
    deleted, _rows = CourseQuiz.objects.filter(course=course, quiz=quiz).delete()
    if not deleted:
        raise ServiceError(code=ErrorCode.QUIZ_NOT_ASSIGNED)
