"""Error report pages: thin — check access, call one service or selector, render or redirect.

The student's form sits under each question (quiz, practice, flashcards) and posts here without
JavaScript; the answer is a redirect back to the question with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from question_bank.models import QuestionVersion, Topic
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.core.roles import instructor_required
from quizapp.courses.selectors import banks_for_study
from quizapp.flashcards.views import SCREEN as FLASHCARD_SCREEN
from quizapp.models import AttemptItem, QuestionReport
from quizapp.practice.views import SESSION_KEY as PRACTICE_SESSION_KEY
from quizapp.reports import selectors, services
from quizapp.reports.forms import ReportForm, ResolveForm
from quizapp.reports.throttling import check_report_rate


def _submit(request, back: str, create) -> object:
    """Validate the message, count the submit against the limit, call ``create(message)``."""
    form = ReportForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        check_report_rate(request, user=request.user)
        _report, created = create(form.cleaned_data["message"])
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Спасибо! Сообщение об ошибке отправлено автору вопроса.")
            if created
            else _("Вы уже сообщали об этом варианте: сообщение обновлено."),
        )
    return redirect(back)


@login_required
@require_POST
def report_quiz_item(request, attempt_uuid, position):
    item = (
        AttemptItem.objects.select_related("attempt", "version__question")
        .filter(attempt__uuid=attempt_uuid, position=position, attempt__user=request.user.pk)
        .first()
    )
    if item is None:
        raise Http404(_("Вопрос не найден"))
    back = reverse("attempt", args=[attempt_uuid]) + f"#item-{position}"
    return _submit(
        request,
        back,
        lambda message: services.report_for_attempt_item(
            user=request.user, attempt_item=item, message=message
        ),
    )


@login_required
@require_POST
def report_practice(request, topic_id):
    topic = Topic.objects.filter(bank__in=banks_for_study(request.user), pk=topic_id).first()
    saved = request.session.get(PRACTICE_SESSION_KEY.format(topic_id)) if topic else None
    version = (
        QuestionVersion.objects.select_related("question").filter(pk=saved["version"]).first()
        if saved
        else None
    )
    if version is None:
        raise Http404(_("Вопрос не найден"))
    back = reverse("practice-topic", args=[topic_id]) + "#question"
    return _submit(
        request,
        back,
        lambda message: services.report_for_practice(
            user=request.user, version=version, seed=saved["seed"], message=message
        ),
    )


@login_required
@require_POST
def report_flashcard(request, question_id):
    screen = request.session.get(FLASHCARD_SCREEN) or {}
    answer = screen.get("answer") if screen.get("question") == question_id else None
    back = reverse("flashcards") + f"?card={question_id}#card"
    return _submit(
        request,
        back,
        lambda message: services.report_for_flashcard(
            user=request.user,
            question_id=question_id,
            message=message,
            answer=(answer or {}).get("raw") or "",
        ),
    )


@login_required
def my_reports(request):
    """The student's reports with the owners' answers; opening the page reads the answers."""
    reports = list(selectors.student_reports(user=request.user)[:200])
    unseen = {r.pk for r in reports if r.status == "resolved" and not r.outcome_seen}
    services.reports_mark_seen(user=request.user)
    return render(request, "reports/mine.html", {"reports": reports, "unseen": unseen})


@instructor_required
def report_index(request):
    status = request.GET.get("status")
    if status not in QuestionReport.Status.values:
        status = QuestionReport.Status.OPEN
    questions = selectors.report_queue(user=request.user, status=status)
    return render(request, "reports/index.html", {"questions": questions, "status": status})


@instructor_required
def question_queue(request, question_id):
    question = selectors.question_for_owner(request.user, question_id)
    context = {
        "queue": selectors.question_reports(question=question),
        "question": question,
        "quizzes": selectors.quizzes_using(user=request.user, question=question),
        "newest": question.versions.order_by("-number").first(),
        "form": ResolveForm(),
    }
    return render(request, "reports/question.html", context)


@instructor_required
@require_POST
def report_resolve(request, report_id):
    report = selectors.report_for_owner(request.user, report_id)
    form = ResolveForm(request.POST)
    back = reverse("reports-question", args=[report.question_id])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{back}#report-{report.pk}")
    answer = {k: form.cleaned_data[k] for k in ("outcome", "reply")}
    try:
        if form.cleaned_data["everyone"]:
            count = services.question_reports_resolve(
                question=report.question, by=request.user, **answer
            )
        else:
            services.report_resolve(report=report, by=request.user, **answer)
            count = 1
    except ServiceError as exc:
        messages.error(request, exc.message)
        if exc.code != ErrorCode.REPORT_RESOLVED:
            return redirect(f"{back}#report-{report.pk}")
    else:
        messages.success(
            request,
            ngettext(
                "Разобрано %(n)d сообщение, студент увидит ответ.",
                "Разобрано сообщений: %(n)d, студенты увидят ответ.",
                count,
            )
            % {"n": count},
        )
    return redirect(back)
