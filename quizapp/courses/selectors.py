"""Reads of courses, and the access helper every course page and the API share.

Who sees what:
- the owner of a course and admins see and change it (an admin is any course's instructor);
- members (students, assistants) see it; assistants also see the roster; nobody else learns it
  exists: another instructor or a student of another course gets 404, not 403.

A quiz is private by default: its owner and admins see it; others see it once it is published
and assigned to their course, or published and open to all (:func:`quizzes_visible_to`). A
student studies the bundled banks and those of the instructors whose courses they joined
(:func:`banks_for_study`), archived banks left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from question_bank.models import Bank
from quizapp.core.roles import is_admin, is_instructor
from quizapp.models import Course, CourseQuiz, Enrollment, Quiz
from quizapp.models.courses import normalize_join_code
from quizapp.quizzes.selectors import managed_quizzes


def can_manage(user, course: Course) -> bool:
    return bool(user.is_authenticated and (course.owner_id == user.pk or is_admin(user)))


def course_for_user(user, course_id, *, manage: bool = False) -> Course:
    """The course as ``user`` may see it, in one query, or Http404/PermissionDenied.

    Sets ``viewer_role`` (the user's enrollment role or None) and ``viewer_can_manage`` on the
    course. Not allowed to see it → 404 (ids reveal nothing); a member asking to manage → 403.
    """
    if not user.is_authenticated:
        raise Http404(_("Курс не найден"))
    course = (
        Course.objects.select_related("owner")
        .annotate(
            viewer_role=Subquery(
                Enrollment.objects.filter(course=OuterRef("pk"), user_id=user.pk).values("role")[:1]
            )
        )
        .filter(pk=course_id)
        .first()
    )
    if course is None:
        raise Http404(_("Курс не найден"))
    course.viewer_can_manage = can_manage(user, course)
    if course.viewer_can_manage:
        return course
    if course.viewer_role is None:
        raise Http404(_("Курс не найден"))
    if manage:
        raise PermissionDenied(_("Менять курс может только его преподаватель."))
    return course


@dataclass
class CourseLists:
    teaching: list[Course] = field(default_factory=list)
    studying: list[Enrollment] = field(default_factory=list)
    sees_all: bool = False  # an admin: ``teaching`` is every course


def courses_for_user(user) -> CourseLists:
    """The "Мои курсы" page: courses taught (all of them for an admin) and courses joined.

    Two queries whatever the number of courses; counts come from the same queries.
    """
    lists = CourseLists(sees_all=is_admin(user))
    if is_instructor(user):
        taught = Course.objects.all() if lists.sees_all else Course.objects.filter(owner=user)
        lists.teaching = list(
            taught.select_related("owner")
            .annotate(
                student_count=Count(
                    "enrollments",
                    filter=Q(enrollments__role=Enrollment.Role.STUDENT),
                    distinct=True,
                ),
                quiz_count=Count("course_quizzes", distinct=True),
            )
            .order_by("is_archived", "title", "id")
        )
    lists.studying = list(
        Enrollment.objects.filter(user=user)
        .select_related("course__owner")
        .annotate(
            quiz_count=Count(
                "course__course_quizzes",
                filter=Q(course__course_quizzes__quiz__is_published=True),
                distinct=True,
            )
        )
        .order_by("course__is_archived", "course__title", "id")
    )
    return lists


def roster(course: Course) -> QuerySet[Enrollment]:
    return course.enrollments.select_related("user").order_by("role", "user__username")


def quiz_decimal_mark(*, quiz: Quiz) -> str:
    """The decimal mark a quiz's numbers are shown with: its courses' own mark when they agree on
    one, else the site's (settings.NZ_DECIMAL_MARK); a quiz may sit in several courses."""
    marks = set(
        Course.objects.filter(quizzes=quiz)
        .exclude(decimal_mark="")
        .values_list("decimal_mark", flat=True)
    )
    return marks.pop() if len(marks) == 1 else settings.NZ_DECIMAL_MARK


def course_quizzes(*, course: Course) -> list[Quiz]:
    """The course's quizzes for its page: all of them for those who manage it, else published."""
    quizzes = Quiz.objects.filter(course_links__course=course)
    if not getattr(course, "viewer_can_manage", False):
        quizzes = quizzes.filter(is_published=True)
    return list(quizzes.order_by("title", "id"))


def assignable_quizzes(*, course: Course, user) -> list[Quiz]:
    """Quizzes ``user`` may still assign to ``course``: those they manage."""
    quizzes = managed_quizzes(user).exclude(course_links__course=course)
    return list(quizzes.order_by("title", "id"))


def course_by_join_code(code: str) -> Course | None:
    normalized = normalize_join_code(code)
    if not normalized:
        return None
    return Course.objects.select_related("owner").filter(join_code=normalized).first()


def quizzes_visible_to(user) -> QuerySet[Quiz]:
    """Quizzes ``user`` may see (list, page, API) and start, as one query with no duplicates.

    The one rule, used by every path that lists, shows or starts a quiz (pages, API, LTI):
    - an admin sees every quiz, drafts included;
    - the quiz's owner sees their own, drafts included (a draft is private to its author);
    - anybody else logged in sees a *published* quiz that is assigned to a course they are
      enrolled in (or own), or one marked open («открытый тест»), course or not;
    - anonymous visitors see nothing.
    Starting a draft is refused later by :func:`quizapp.attempts.services.quiz_check_open`.
    """
    quizzes = Quiz.objects.order_by("title", "id")
    if not user.is_authenticated:
        return quizzes.none()
    if is_admin(user):
        return quizzes
    in_my_course = Exists(
        CourseQuiz.objects.filter(quiz=OuterRef("pk")).filter(
            Q(course__owner=user) | Q(course__enrollments__user=user)
        )
    )
    return quizzes.filter(Q(owner=user) | (Q(is_published=True) & (Q(is_open=True) | in_my_course)))


def quiz_visible(*, user, quiz: Quiz) -> bool:
    return quizzes_visible_to(user).filter(pk=quiz.pk).exists()


def banks_for_study(user) -> QuerySet[Bank]:
    """Banks a user may practise and study as flashcards: the bundled ones, their own, and those
    of the instructors whose courses they are enrolled in (an instructor's bank is for their
    students, not for everybody). An admin studies anything. Archived banks are left out."""
    banks = Bank.objects.filter(is_archived=False)  # archived: history only, no new study
    if is_admin(user):
        return banks
    teachers = Course.objects.filter(enrollments__user=user.pk).values("owner")
    return banks.filter(Q(owner__isnull=True) | Q(owner=user.pk) | Q(owner__in=teachers))
