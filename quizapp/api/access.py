"""Object-level access: one helper per resource. A view asks here which object the caller may
touch; an object the caller may not even see is "not found" (404), never "forbidden", so the API
does not reveal what exists.

A key limited to courses (``ApiKey.courses``) sees, of what its owner sees, only (docs/api.md):
those courses; the quizzes assigned to at least one of them (:func:`visible_quizzes`); the banks
those quizzes draw from — by a fixed question or a topic rule — with their topics and questions
(:func:`visible_banks`); the attempts at those quizzes by students enrolled in a course of the key
where the quiz is assigned (:func:`_key_scope`), their answers and results; the regrades of those
quizzes. Everything else is 404 to it, as if it did not exist.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied, ValidationError

from question_bank.access import banks_visible_to, can_manage_bank
from question_bank.models import Bank, Question, Topic
from quizapp.api.authentication import api_key_of
from quizapp.core import roles
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.courses.selectors import course_for_user, quizzes_visible_to
from quizapp.gradebook.regrade import run_for_instructor
from quizapp.models import Accommodation, Attempt, AttemptItem, Quiz, QuizItem, Response
from quizapp.models.api import ApiKey, WebhookEndpoint
from quizapp.models.courses import Course, CourseQuiz, Enrollment
from quizapp.quizzes.selectors import can_manage_quiz, managed_quizzes


def _assigned_to(limited: list[int], quiz="pk") -> Exists:
    return Exists(CourseQuiz.objects.filter(quiz_id=OuterRef(quiz), course_id__in=limited))


def visible_quizzes(request):
    """Quizzes the caller may read (may start, or manages); a scoped key's: in its courses."""
    quizzes = quizzes_visible_to(request.user)
    limited = _key_courses(request)
    return quizzes if limited is None else quizzes.filter(_assigned_to(limited))


def visible_managed_quizzes(request):
    """The caller's own quizzes (all, for an admin); a scoped key's: in its courses."""
    quizzes = managed_quizzes(request.user)
    limited = _key_courses(request)
    return quizzes if limited is None else quizzes.filter(_assigned_to(limited))


def visible_banks(request):
    """Banks the caller may read (shared and own; all, for an admin); a scoped key's: those its
    quizzes draw from, by a fixed question or by a topic rule."""
    banks = banks_visible_to(request.user)
    limited = _key_courses(request)
    if limited is None:
        return banks
    items = QuizItem.objects.filter(_assigned_to(limited, quiz="quiz_id"))
    return banks.filter(
        Exists(items.filter(question__bank_id=OuterRef("pk")))
        | Exists(items.filter(topic__bank_id=OuterRef("pk")))
    )


def get_bank_for_user(request, bank_id: int) -> Bank:
    bank = visible_banks(request).filter(pk=bank_id).first()
    if bank is None:
        raise Http404
    return bank


def get_bank_for_manager(request, bank_id: int) -> Bank:
    bank = get_bank_for_user(request, bank_id)
    if not can_manage_bank(request.user, bank):
        raise PermissionDenied(
            _("Изменять этот банк может только его владелец или администратор."),
            code=ErrorCode.BANK_NOT_YOURS,
        )
    return bank


def get_topic_for_user(request, topic_id: int) -> Topic:
    topic = Topic.objects.filter(pk=topic_id, bank__in=visible_banks(request)).first()
    if topic is None:
        raise Http404
    return topic


def get_question_for_user(request, question_id: int) -> Question:
    question = (
        Question.objects.select_related("bank", "topic")
        .filter(pk=question_id, bank__in=visible_banks(request))
        .first()
    )
    if question is None:
        raise Http404
    return question


def get_quiz_for_user(request, quiz_id: int) -> Quiz:
    quiz = visible_quizzes(request).filter(pk=quiz_id).first()
    if quiz is None:
        raise Http404
    return quiz


def refuse_scoped_key_create(request) -> None:
    """A key limited to courses creates no quiz: a new quiz is in none of its courses, so the
    key could not even read what it made."""
    if _key_courses(request) is not None:
        raise PermissionDenied(
            _(
                "Ключ API, ограниченный курсами, не создаёт тесты: новый тест не входит ни в "
                "один из его курсов. Создайте тест на сайте или ключом без ограничения."
            ),
            code=ErrorCode.KEY_SCOPE,
        )


def get_quiz_for_manager(request, quiz_id: int) -> Quiz:
    quiz = get_quiz_for_user(request, quiz_id)
    if not can_manage_quiz(request.user, quiz):
        raise PermissionDenied(
            _("Тест может менять только его автор."), code=ErrorCode.QUIZ_OWNER_ONLY
        )
    return quiz


def get_quiz_for_course_manager(request, quiz_id: int) -> Quiz:
    """A managed quiz whose students' results a course-limited key may read: one assigned to
    one of its courses (:func:`get_quiz_for_user` already keeps to them)."""
    return get_quiz_for_manager(request, quiz_id)


def _attempt(attempt_uuid) -> Attempt | None:
    return Attempt.objects.select_related("quiz", "user").filter(uuid=attempt_uuid).first()


def _key_scope(limited: list[int], *, quiz="quiz_id", user=None) -> Q:
    """(Quiz, student) pairs a course-limited key reaches: the quiz is assigned to one of its
    courses and the student is enrolled in that course. A quiz in no course is outside every
    course-limited key, like the quiz itself (:func:`visible_quizzes`)."""
    student = OuterRef("user_id") if user is None else user  # a row's student, or a given id
    in_course = CourseQuiz.objects.filter(
        course_id__in=limited, quiz_id=OuterRef(quiz), course__enrollments__user=student
    )
    return Q(Exists(in_course))


def _in_key_scope(request, attempt: Attempt) -> bool:
    limited = _key_courses(request)
    if limited is None or attempt.user_id == request.user.pk:
        return True
    return Attempt.objects.filter(_key_scope(limited), pk=attempt.pk).exists()


def attempts_in_key_scope(request, attempts):
    """``attempts`` as far as a course-limited key reaches (all of them without such a key)."""
    limited = _key_courses(request)
    return attempts if limited is None else attempts.filter(_key_scope(limited))


def reports_in_key_scope(request, reports):
    """Error reports a course-limited key may read and resolve: those made from an attempt of
    a student of its courses; a report from practice or flashcards belongs to no course, so such
    a key does not reach it (its owner's session or an unlimited key does)."""
    limited = _key_courses(request)
    if limited is None:
        return reports
    return reports.filter(attempt_item__attempt__in=Attempt.objects.filter(_key_scope(limited)))


def acts_for_attempt(request, attempt: Attempt) -> bool:
    """The student themself, or an integration's key acting for a student of its owner's quiz
    (a course-limited key: a student of its courses)."""
    if attempt.user_id == request.user.pk:
        return True
    return (
        api_key_of(request) is not None
        and can_manage_quiz(request.user, attempt.quiz)
        and _in_key_scope(request, attempt)
    )


def get_attempt_for_actor(request, attempt_uuid) -> Attempt:
    """An attempt the caller may answer and finish."""
    attempt = _attempt(attempt_uuid)
    if attempt is None or not acts_for_attempt(request, attempt):
        raise Http404
    return attempt


def get_student_for_attempt(request, quiz: Quiz, user_id: int | None):
    """Whose attempt to start: the caller's own, or (by an integration's key, for the owner's
    quiz) the named student's, who must be able to see the quiz."""
    if user_id is None or user_id == request.user.pk:
        return request.user
    if api_key_of(request) is None or not can_manage_quiz(request.user, quiz):
        raise PermissionDenied(
            _("Начать попытку за другого пользователя можно только по ключу API для своего теста."),
            code=ErrorCode.USER_NOT_ALLOWED,
        )
    student = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if student is None:
        raise ValidationError(
            {"user": [_("Пользователь не найден.")]}, code=ErrorCode.DOES_NOT_EXIST
        )
    limited = _key_courses(request)
    if limited is not None and not (
        Quiz.objects.filter(pk=quiz.pk)
        .filter(_key_scope(limited, quiz="pk", user=student.pk))
        .exists()
    ):
        raise ValidationError(
            {"user": [_("Студент не записан ни на один курс этого ключа.")]},
            code=ErrorCode.NOT_ENROLLED,
        )
    if not quizzes_visible_to(student).filter(pk=quiz.pk).exists():
        raise ValidationError(
            {"user": [_("Студенту этот тест не виден: он не записан на курс теста.")]},
            code=ErrorCode.NOT_ENROLLED,
        )
    return student


def get_attempt_item(attempt: Attempt, position: int) -> AttemptItem:
    item = attempt.items.select_related("version").filter(position=position).first()
    if item is None:
        raise Http404
    return item


def get_attempt_for_reader(request, attempt_uuid) -> Attempt:
    """An attempt the caller may read: as its actor, or as the quiz's instructor."""
    attempt = _attempt(attempt_uuid)
    if attempt is None:
        raise Http404
    if not (acts_for_attempt(request, attempt) or can_manage_quiz(request.user, attempt.quiz)):
        raise Http404
    if not _in_key_scope(request, attempt):
        raise Http404
    return attempt


def visible_attempts(request):
    """Own attempts, plus every attempt of the quizzes the caller manages."""
    user = request.user
    own = Attempt.objects.filter(user=user)
    managed = Attempt.objects.filter(quiz__in=managed_quizzes(user))
    limited = _key_courses(request)
    if limited is not None:
        managed = managed.filter(_key_scope(limited))
    return (own | managed).distinct()


def get_response_for_reader(request, response_id: int) -> Response:
    response = (
        Response.objects.select_related("item__attempt__quiz", "item__attempt__user")
        .filter(pk=response_id)
        .first()
    )
    if response is None:
        raise Http404
    get_attempt_for_reader(request, response.item.attempt.uuid)
    return response


def get_versions_for_regrade(request, data: dict):
    """The question (one the caller may see) and its versions named by number, or 400."""
    question = Question.objects.filter(pk=data["question"], bank__in=visible_banks(request)).first()
    if question is None:
        raise ValidationError({"question": [_("Вопрос не найден.")]}, code=ErrorCode.DOES_NOT_EXIST)
    versions = {v.number: v for v in question.versions.all()}
    found = {}
    for field in ("to_version", "from_version"):
        number = data.get(field)
        if number is not None and number not in versions:
            raise ValidationError(
                {field: [_("У вопроса нет такой версии.")]}, code=ErrorCode.DOES_NOT_EXIST
            )
        found[field] = versions.get(number)
    return question, found["to_version"], found["from_version"]


def get_regrade_for_instructor(request, run_id: int):
    run = run_for_instructor(request.user, run_id)
    if _key_courses(request) is not None and not (
        run.quiz_id is not None and visible_quizzes(request).filter(pk=run.quiz_id).exists()
    ):
        raise Http404
    return run


def _key_courses(request):
    """The courses a course-scoped key is limited to, or None (no key, or not limited)."""
    cached = getattr(request, "_key_course_ids", False)
    if cached is not False:
        return cached
    key = api_key_of(request)
    ids = list(key.courses.values_list("pk", flat=True)) if key is not None else []
    request._key_course_ids = ids or None
    return request._key_course_ids


def visible_courses(request):
    """Courses the caller teaches (all, for an admin) or is enrolled in; a scoped key's only."""
    user = request.user
    courses = Course.objects.filter(Q(owner=user) | Q(enrollments__user=user))
    if roles.is_admin(user):
        courses = Course.objects.all()
    limited = _key_courses(request)
    if limited is not None:
        courses = courses.filter(pk__in=limited)
    return Course.objects.filter(pk__in=courses.values("pk")).select_related("owner")


def get_course_for_user(request, course_id: int, *, manage: bool = False) -> Course:
    """The course as the caller may see it (``course_for_user``), within a key's scope."""
    limited = _key_courses(request)
    if limited is not None and course_id not in limited:
        raise Http404
    return course_for_user(request.user, course_id, manage=manage)


def get_accommodation(course: Course, accommodation_id: int) -> Accommodation:
    found = course.accommodations.filter(pk=accommodation_id).first()
    if found is None:
        raise Http404
    return found


def get_course_quiz_link(course: Course, quiz_id: int) -> CourseQuiz:
    link = course.course_quizzes.select_related("quiz", "course").filter(quiz_id=quiz_id).first()
    if link is None:
        raise Http404
    return link


def get_course_quiz(course: Course, quiz_id: int) -> Quiz:
    """A quiz of the course, for a body's ``quiz`` field: 400 with the field when it is not."""
    link = course.course_quizzes.select_related("quiz").filter(quiz_id=quiz_id).first()
    if link is None:
        raise ServiceError(code=ErrorCode.QUIZ_NOT_IN_COURSE, field="quiz")
    return link.quiz


def get_enrollment_for_manager(request, course: Course, enrollment_id: int) -> Enrollment:
    enrollment = course.enrollments.select_related("user", "course").filter(pk=enrollment_id)
    enrollment = enrollment.first()
    if enrollment is None:
        raise Http404
    return enrollment


def get_api_key_for_owner(request, key_id: int) -> ApiKey:
    key = ApiKey.objects.filter(pk=key_id, owner=request.user).first()
    if key is None:
        raise Http404
    return key


def get_webhook_for_owner(request, webhook_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(pk=webhook_id, owner=request.user).first()
    if endpoint is None:
        raise Http404
    return endpoint
