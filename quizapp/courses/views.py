"""Course pages: thin — check access with ``course_for_user``, validate, call one service.

Writes are POST-only and redirect afterwards. The join link is a page with a button rather than a
GET that enrolls: link previews and mail scanners open links, and must not enroll anyone.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quizapp.core.errors import ServiceError
from quizapp.core.roles import instructor_required, is_instructor
from quizapp.courses import accommodations
from quizapp.courses import selectors as course_selectors
from quizapp.courses import services as courses
from quizapp.courses.forms import AccommodationForm, CourseForm, CourseQuizDatesForm, JoinForm
from quizapp.models import Quiz


@login_required
def course_list(request):
    lists = course_selectors.courses_for_user(request.user)
    return render(
        request,
        "courses/list.html",
        {"lists": lists, "join_form": JoinForm(), "can_create": is_instructor(request.user)},
    )


@instructor_required
def course_create(request):
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = courses.course_create(owner=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Курс создан. Пригласите студентов кодом или ссылкой."))
            return redirect(course)
    return render(request, "courses/form.html", {"form": form, "course": None})


# The roster shows this many members a page: a course may have thousands.
ROSTER_PER_PAGE = 100


@login_required
def course_detail(request, course_id):
    course = course_selectors.course_for_user(request.user, course_id)
    manage = course.viewer_can_manage
    context = {
        "course": course,
        "quizzes": course_selectors.course_quizzes(course=course),
        "roster": None,
        "assignable": None,
    }
    if manage or course.viewer_role == courses.Enrollment.Role.ASSISTANT:
        page = Paginator(course_selectors.roster(course), ROSTER_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context["roster"], context["page"] = list(page.object_list), page
    if manage:
        context["assignable"] = course_selectors.assignable_quizzes(
            course=course, user=request.user
        )
        context["join_link"] = request.build_absolute_uri(course.get_join_url())
    return render(request, "courses/detail.html", context)


@login_required
def course_edit(request, course_id):
    course = course_selectors.course_for_user(request.user, course_id, manage=True)
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        try:
            courses.course_update(course=course, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Изменения сохранены."))
            return redirect(course)
    return render(request, "courses/form.html", {"form": form, "course": course})


def _join(request, code):
    try:
        enrollment, created = courses.course_join(user=request.user, code=code)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("courses")
    note = _("Вы записаны на курс «%s».") if created else _("Вы уже на курсе «%s».")
    messages.success(request, note % enrollment.course.title)
    return redirect(enrollment.course)


@login_required
@require_POST
def course_join(request):
    form = JoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Введите код приглашения."))
        return redirect("courses")
    return _join(request, form.cleaned_data["code"])


@login_required
def course_join_link(request, code):
    """The invitation link: an anonymous visitor logs in first and comes back here."""
    if request.method == "POST":
        return _join(request, code)
    course = course_selectors.course_by_join_code(code)
    if course is not None and (
        course_selectors.can_manage(request.user, course)
        or course.enrollments.filter(user=request.user).exists()
    ):
        return redirect(course)
    status = 200 if course is not None else 404
    return render(request, "courses/join.html", {"course": course, "code": code}, status=status)


@login_required
@require_POST
def course_leave(request, course_id):
    course = course_selectors.course_for_user(request.user, course_id)
    try:
        courses.course_leave(user=request.user, course=course)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(course)
    messages.success(request, _("Вы покинули курс «%s».") % course.title)
    return redirect("courses")


def _act(request, course, action, done: str):
    """Run one service on a managed course; its error or ``done`` becomes the message."""
    try:
        action()
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(course)


@login_required
@require_POST
def join_code_regenerate(request, course_id):
    course = course_selectors.course_for_user(request.user, course_id, manage=True)
    return _act(
        request,
        course,
        lambda: courses.join_code_regenerate(course=course),
        _("Новый код готов; старый код и старая ссылка больше не работают."),
    )


@login_required
@require_POST
def enrollment_remove(request, course_id, enrollment_id):
    course = course_selectors.course_for_user(request.user, course_id, manage=True)
    enrollment = get_object_or_404(course.enrollments.select_related("user"), pk=enrollment_id)
    return _act(
        request,
        course,
        lambda: courses.enrollment_remove(enrollment=enrollment),
        _("%s больше не на курсе.") % enrollment.user.username,
    )


@login_required
@require_POST
def course_quiz_assign(request, course_id):
    course = course_selectors.course_for_user(request.user, course_id, manage=True)
    quiz_id = request.POST.get("quiz", "")
    quiz = get_object_or_404(Quiz, pk=int(quiz_id) if quiz_id.isdigit() else 0)
    return _act(
        request,
        course,
        lambda: courses.course_quiz_assign(course=course, quiz=quiz, by=request.user),
        _("Тест «%s» назначен курсу.") % quiz.title,
    )


@login_required
@require_POST
def course_quiz_unassign(request, course_id, quiz_id):
    course = course_selectors.course_for_user(request.user, course_id, manage=True)
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    return _act(
        request,
        course,
        lambda: courses.course_quiz_unassign(course=course, quiz=quiz),
        _("Тест «%s» снят с курса.") % quiz.title,
    )


def _accommodation_values(form) -> dict:
    data = form.cleaned_data
    return {
        "label": data["label"],
        "student_ids": [user.pk for user in data["students"]],
        "quiz": data["quiz"],
        "time_factor": data["time_factor"],
        "extra_minutes": data["extra_minutes"],
        "closes_at": data["closes_at"],
        "extra_attempts": data["extra_attempts"],
    }


def _save_accommodation(request, course, form, accommodation=None) -> bool:
    if not form.is_valid():
        return False
    try:
        accommodations.accommodation_save(
            course=course,
            by=request.user,
            accommodation=accommodation,
            **_accommodation_values(form),
        )
    except ServiceError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return False
    return True


def _dates_form(link) -> CourseQuizDatesForm:
    initial = {"opens_at": link.opens_at, "closes_at": link.closes_at}
    return CourseQuizDatesForm(initial=initial, prefix=f"q{link.quiz_id}")


@login_required
def course_accommodations(request, course_id):
    """Accommodations of the course's students and the course's own dates for its quizzes."""
    course = course_selectors.course_for_user(request.user, course_id, manage=True)
    form = AccommodationForm(request.POST or None, course=course)
    if request.method == "POST" and _save_accommodation(request, course, form):
        messages.success(request, _("Особые условия сохранены; идущие попытки пересчитаны."))
        return redirect("course-accommodations", course_id=course.pk)
    context = {
        "course": course,
        "form": form,
        "accommodations": accommodations.course_accommodations(course=course),
        "links": [
            (link, _dates_form(link))
            for link in course.course_quizzes.select_related("quiz").order_by("quiz__title")
        ],
    }
    return render(request, "courses/accommodations.html", context)


@login_required
def accommodation_edit(request, course_id, accommodation_id):
    course = course_selectors.course_for_user(request.user, course_id, manage=True)
    accommodation = get_object_or_404(course.accommodations, pk=accommodation_id)
    initial = {
        "label": accommodation.label,
        "students": accommodation.students.all(),
        "quiz": accommodation.quiz,
        "time_factor": accommodation.time_factor,
        "extra_minutes": accommodation.extra_minutes,
        "closes_at": accommodation.closes_at,
        "extra_attempts": accommodation.extra_attempts,
    }
    form = AccommodationForm(request.POST or None, course=course, initial=initial)
    if request.method == "POST" and _save_accommodation(request, course, form, accommodation):
        messages.success(request, _("Особые условия изменены; идущие попытки пересчитаны."))
        return redirect("course-accommodations", course_id=course.pk)
    return render(
        request,
        "courses/accommodation_form.html",
        {"course": course, "form": form, "accommodation": accommodation},
    )


@login_required
@require_POST
def accommodation_delete(request, course_id, accommodation_id):
    course = course_selectors.course_for_user(request.user, course_id, manage=True)
    accommodation = get_object_or_404(course.accommodations, pk=accommodation_id)
    accommodations.accommodation_delete(accommodation=accommodation)
    messages.success(
        request, _("Особые условия «%(label)s» отменены.") % {"label": accommodation.label}
    )
    return redirect("course-accommodations", course_id=course.pk)


@login_required
@require_POST
def course_quiz_dates(request, course_id, quiz_id):
    course = course_selectors.course_for_user(request.user, course_id, manage=True)
    link = get_object_or_404(course.course_quizzes.select_related("quiz"), quiz_id=quiz_id)
    form = CourseQuizDatesForm(request.POST, prefix=f"q{quiz_id}")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("course-accommodations", course_id=course.pk)
    try:
        accommodations.course_quiz_dates_set(course_quiz=link, **form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Даты теста «%(quiz)s» для курса сохранены.") % {"quiz": link.quiz.title}
        )
    return redirect(f"{reverse('course-accommodations', args=[course.pk])}#dates")
