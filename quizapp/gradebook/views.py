"""Instructor pages: gradebook, drill-down and overrides, item analysis, regrade, rejected
text answers, essays graded by hand.

Thin: find the object through an access helper of :mod:`quizapp.gradebook.services` (404 for anyone
who may not see it), validate, call one service or selector, render.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from question_bank.models import Question
from quizapp.core.errors import ServiceError
from quizapp.core.roles import instructor_required, is_admin
from quizapp.courses.selectors import course_for_user, quiz_decimal_mark
from quizapp.flashcards import mistake_stats
from quizapp.gradebook import exports, item_analysis, manual, regrade, rejected, selectors
from quizapp.gradebook import services as gb
from quizapp.models import Response, RubricCriterion
from quizapp.quizzes.selectors import managed_quizzes, quiz_for_user
from quizapp.reports import selectors as report_selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@instructor_required
def teach_index(request):
    return render(
        request,
        "instructor/gradebook_index.html",
        {
            "courses": selectors.courses_taught(request.user).order_by("title", "id"),
            "quizzes": managed_quizzes(request.user).order_by("title", "id"),
            "sees_all": is_admin(request.user),
        },
    )


# A gradebook page shows this many students; the exports and the API have all of them.
STUDENTS_PER_PAGE = 100


def _gradebook_page(request, *, course=None, quiz=None):
    paginator = Paginator(selectors.gradebook_students(course=course, quiz=quiz), STUDENTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    book = selectors.gradebook(course=course, quiz=quiz, students=page.object_list)
    context = {"book": book, "course": course, "quiz": quiz, "page": page}
    context["decimal_mark"] = _decimal_mark(course=course, quiz=quiz)
    return render(request, "instructor/gradebook.html", context)


@instructor_required
def course_gradebook(request, course_id):
    course = course_for_user(request.user, course_id, manage=True)
    return _gradebook_page(request, course=course)


@instructor_required
def course_mistakes(request, course_id):
    course = course_for_user(request.user, course_id, manage=True)
    rows = mistake_stats.course_mistakes(course=course)
    context = {"course": course, "rows": rows, "weeks": mistake_stats.WEEKS}
    return render(request, "instructor/course_mistakes.html", context)


@instructor_required
def quiz_gradebook(request, quiz_id):
    return _gradebook_page(request, quiz=quiz_for_user(request.user, quiz_id))


def _decimal_mark(*, course=None, quiz=None) -> str:
    if course is not None:
        return course.decimal_mark or settings.NZ_DECIMAL_MARK
    return quiz_decimal_mark(quiz=quiz)


def _export(book, fmt: str, request, *, decimal: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Нет такого формата"))
    if fmt == "xlsx":
        response = HttpResponse(exports.gradebook_xlsx(book), content_type=XLSX)
    else:
        sep = {"comma": ",", "semicolon": ";"}.get(request.GET.get("sep"))
        body = exports.gradebook_csv(book, sep=sep, decimal=decimal)
        response = HttpResponse(body, content_type="text/csv")
    name = exports.export_filename(book, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@instructor_required
def course_gradebook_export(request, course_id, fmt):
    course = course_for_user(request.user, course_id, manage=True)
    decimal = _decimal_mark(course=course)
    return _export(selectors.gradebook(course=course), fmt, request, decimal=decimal)


@instructor_required
def quiz_gradebook_export(request, quiz_id, fmt):
    quiz = quiz_for_user(request.user, quiz_id)
    decimal = _decimal_mark(quiz=quiz)
    return _export(selectors.gradebook(quiz=quiz), fmt, request, decimal=decimal)


@instructor_required
def attempt_detail(request, attempt_uuid):
    attempt = selectors.attempt_for_instructor(request.user, attempt_uuid)
    detail = selectors.attempt_detail(attempt=attempt)
    decimal = quiz_decimal_mark(quiz=attempt.quiz)
    context = {"detail": detail, "decimal_mark": decimal}
    return render(request, "instructor/gradebook_attempt.html", context)


@instructor_required
@require_POST
def attempt_override(request, attempt_uuid):
    attempt = selectors.attempt_for_instructor(request.user, attempt_uuid)
    raw = request.POST.get("new_score", "").strip().replace(",", ".")
    try:
        new_score = Decimal(raw) if raw else None
        gb.score_override(
            attempt=attempt,
            new_score=new_score,
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except InvalidOperation:
        messages.error(request, _("Оценка должна быть числом, например 7,5."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Оценка изменена, запись добавлена в журнал изменений."))
    return redirect("gradebook-attempt", attempt_uuid=attempt.uuid)


@instructor_required
def quiz_analysis(request, quiz_id):
    quiz = quiz_for_user(request.user, quiz_id)
    analysis = item_analysis.quiz_item_analysis_cached(quiz=quiz)
    # Reports change apart from the attempts the cached analysis follows: counted on each view.
    counts = report_selectors.item_report_counts(
        user=request.user, question_ids=[q.question_id for q in analysis.questions]
    )
    for question in analysis.questions:
        question.reports = counts.get(question.question_id)
    context = {"quiz": quiz, "analysis": analysis, "decimal_mark": quiz_decimal_mark(quiz=quiz)}
    return render(request, "instructor/item_analysis.html", context)


@instructor_required
def regrade_page(request, quiz_id):
    quiz = quiz_for_user(request.user, quiz_id)
    if request.method == "POST":
        try:
            question, version = regrade.regrade_target(
                quiz=quiz, question_id=request.POST.get("question")
            )
            run = regrade.regrade_start(
                question=question, to_version=version, by=request.user, quiz=quiz
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("regrade-run", run_id=run.pk)
    return render(
        request,
        "instructor/regrade.html",
        {
            "quiz": quiz,
            "candidates": regrade.regrade_candidates(quiz=quiz),
            "runs": regrade.regrade_runs(quiz=quiz),
        },
    )


@instructor_required
def regrade_run(request, run_id):
    run = regrade.run_for_instructor(request.user, run_id)
    return render(
        request,
        "instructor/regrade_run.html",
        {"run": run, "changes": regrade.run_changes(run=run)},
    )


@instructor_required
def regrade_status(request, run_id):
    run = regrade.run_for_instructor(request.user, run_id)
    return JsonResponse(regrade.run_status(run))


def _question_id(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@instructor_required
def rejected_quiz(request, quiz_id):
    """The quiz's short text questions with their most often refused answers; ``?question=``
    shows one question's groups, all of them, paged."""
    quiz = quiz_for_user(request.user, quiz_id)
    question_id = _question_id(request.GET.get("question"))
    entries = rejected.quiz_rejected_answers(
        quiz=quiz,
        user=request.user,
        question_id=question_id,
        limit=None if question_id else rejected.TOP_REJECTED,
    )
    page = None
    if question_id is not None:
        if not entries:
            raise Http404(_("В этом тесте нет такого вопроса с коротким ответом"))
        page = Paginator(entries[0].groups, rejected.GROUPS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        entries[0].groups = page.object_list
    context = {
        "quiz": quiz,
        "entries": entries,
        "page": page,
        "page_query": f"question={question_id}&" if question_id else "",
        "accept_url": reverse("rejected-quiz-accept", args=[quiz.pk]),
    }
    return render(request, "instructor/rejected_answers.html", context)


@instructor_required
@require_POST
def rejected_quiz_accept(request, quiz_id):
    quiz = quiz_for_user(request.user, quiz_id)
    question = get_object_or_404(Question, pk=_question_id(request.POST.get("question")))
    accept_and_report(request, question=question, quiz=quiz)
    return redirect(f"{reverse('rejected-quiz', args=[quiz.pk])}#q-{question.pk}")


def accept_and_report(request, *, question, quiz=None) -> None:
    """Call the service with the posted text and tell the instructor what happened."""
    text = request.POST.get("text", "")
    try:
        accepted = rejected.text_answer_accept(
            question=question, text=text, by=request.user, quiz=quiz
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return
    values = {"text": " ".join(text.split()), "number": accepted.version.number}
    if accepted.created:
        message = _("Ответ «%(text)s» принят: опубликована версия v%(number)s вопроса.") % values
    else:
        message = _("Ответ «%(text)s» уже принимается в версии v%(number)s.") % values
    if accepted.runs:
        message += " " + _(
            "Запущена перепроверка ответов студентов (тестов: %(count)s); баллы пересчитываются."
        ) % {"count": len(accepted.runs)}
    messages.success(request, message)


@instructor_required
def manual_queue(request, quiz_id):
    """The quiz's essay questions with how many answers wait for a grade."""
    quiz = quiz_for_user(request.user, quiz_id)
    context = {"quiz": quiz, "rows": manual.manual_queue(quiz=quiz)}
    return render(request, "instructor/manual_queue.html", context)


@instructor_required
def manual_question(request, quiz_id, question_id):
    """The answers to one essay question, one after another, each with its grading form;
    a POST grades one answer («Сохранить и следующий» then jumps to the next waiting one)."""
    quiz = quiz_for_user(request.user, quiz_id)
    url = reverse("manual-question", args=[quiz.pk, question_id])
    if request.method == "POST":
        response = get_object_or_404(
            Response, pk=_question_id(request.POST.get("response")), item__attempt__quiz=quiz
        )
        raw = request.POST.get("points", "").strip().replace(",", ".").replace("−", "-")
        ticked = [i for i in map(_question_id, request.POST.getlist("criteria")) if i is not None]
        try:
            # Empty points with ticked criteria: the service sums them (the page without JS).
            manual.manual_grade_save(
                response=response,
                points=Decimal(raw) if raw else None,
                comment=request.POST.get("comment", ""),
                criteria=ticked,
                by=request.user,
            )
        except InvalidOperation:
            messages.error(request, _("Баллы должны быть числом, например 1,5."))
            return redirect(f"{url}#r-{response.pk}")
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect(f"{url}#r-{response.pk}")
        messages.success(request, _("Оценка сохранена."))
        if request.POST.get("next"):
            following = manual.next_waiting(quiz=quiz, question_id=question_id)
            if following is not None:
                return redirect(f"{url}#r-{following.pk}")
            messages.info(request, _("Все ответы на этот вопрос проверены."))
        return redirect(f"{url}#r-{response.pk}")
    try:
        answers = manual.manual_answers(quiz=quiz, question_id=question_id)
    except ServiceError:
        raise Http404(_("В этом тесте нет такого эссе")) from None
    context = {"quiz": quiz, "qa": answers, "decimal_mark": quiz_decimal_mark(quiz=quiz)}
    return render(request, "instructor/manual_question.html", context)


@instructor_required
@require_POST
def manual_criteria(request, quiz_id, question_id):
    """Add, change, move up or remove a criterion of the question's rubric (``action``: add,
    save, up, delete), then back to the grading page."""
    quiz = quiz_for_user(request.user, quiz_id)
    url = reverse("manual-question", args=[quiz.pk, question_id])
    action = request.POST.get("action")
    points = request.POST.get("points", "").strip().replace(",", ".").replace("−", "-")
    text = request.POST.get("text", "")
    try:
        if action == "add":
            manual.rubric_criterion_add(
                quiz=quiz, question_id=question_id, points=points, text=text, by=request.user
            )
            messages.success(request, _("Критерий добавлен."))
        else:
            criterion = get_object_or_404(
                RubricCriterion.objects.select_related("question__bank"),
                pk=_question_id(request.POST.get("criterion")),
                question_id=question_id,
            )
            if action == "up":
                manual.rubric_criterion_move_up(criterion=criterion, by=request.user)
            elif action == "delete":
                manual.rubric_criterion_delete(criterion=criterion, by=request.user)
                messages.success(request, _("Критерий удалён; выставленные оценки не изменились."))
            else:
                manual.rubric_criterion_update(
                    criterion=criterion, points=points, text=text, by=request.user
                )
                messages.success(request, _("Критерий изменён; выставленные оценки не изменились."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(f"{url}?rubric=edit#rubric-edit")  # the editing stays open
