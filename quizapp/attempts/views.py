"""Browser views: thin — check access, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

import grader
from quizapp.attempts import selectors, services, visibility
from quizapp.attempts.grading import GRADING_DELAYED, grading_delayed
from quizapp.attempts.visibility import attempt_visibility
from quizapp.core.errors import ServiceError
from quizapp.core.http import posted_answer, posted_submit_token
from quizapp.courses import selectors as course_selectors
from quizapp.courses.accommodations import quiz_terms
from quizapp.models import Attempt


def _get_attempt_for_user(request, attempt_uuid) -> Attempt:
    attempt = Attempt.objects.select_related("quiz", "user").filter(uuid=attempt_uuid).first()
    if attempt is None or attempt.user_id != request.user.pk:
        raise Http404(_("Попытка не найдена"))
    return attempt


@login_required
def quiz_detail(request, slug):
    """The quiz's rules (time, attempts, dates), the student's attempts and the start button."""
    quiz = get_object_or_404(course_selectors.quizzes_visible_to(request.user), slug=slug)
    # The student's own terms: the course's dates and their accommodations, if any.
    terms = quiz_terms(user=request.user, quiz=quiz)
    attempts = selectors.quiz_attempts(quiz=quiz, user=request.user)
    for attempt in attempts:
        attempt.quiz = quiz  # one quiz: not read again for every attempt
        attempt.score_shown = attempt_visibility(attempt, terms=terms).score
    ongoing = next((a for a in attempts if a.status == Attempt.Status.IN_PROGRESS), None)
    left = None if terms.max_attempts is None else max(0, terms.max_attempts - len(attempts))
    return render(
        request,
        "quizapp/quiz.html",
        {"quiz": quiz, "terms": terms, "attempts": attempts, "ongoing": ongoing, "left": left},
    )


@login_required
@require_POST
def attempt_start(request, slug):
    quiz = get_object_or_404(course_selectors.quizzes_visible_to(request.user), slug=slug)
    try:
        attempt = services.attempt_start(user=request.user, quiz=quiz)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("quiz", slug=quiz.slug)
    return redirect("attempt", attempt_uuid=attempt.uuid)


@login_required
def attempt_detail(request, attempt_uuid):
    attempt = _get_attempt_for_user(request, attempt_uuid)
    now = timezone.now()
    if attempt.status == Attempt.Status.IN_PROGRESS and services.attempt_expired(attempt, now):
        # Time ran out with the page closed: collect the autosaved answers now.
        attempt = services.attempt_finish(attempt=attempt)
    if attempt.results_held:
        # The embedded mode has no beat: the student's own visit lets the results go once
        # their close date has passed.
        visibility.results_release(attempt=attempt, now=now)
    view = selectors.attempt_view(attempt=attempt, visible=attempt_visibility(attempt, now=now))
    template = (
        "quizapp/attempt_result.html"
        if attempt.status == Attempt.Status.FINISHED
        else "quizapp/attempt.html"
    )
    decimal = course_selectors.quiz_decimal_mark(quiz=attempt.quiz)
    context = {"attempt": attempt, "view": view, "now": now, "decimal_mark": decimal}
    return render(request, template, context)


@login_required
@require_POST
def response_submit(request, attempt_uuid, position):
    attempt = _get_attempt_for_user(request, attempt_uuid)
    item = get_object_or_404(attempt.items, position=position)
    try:
        response = services.response_submit(
            item=item, raw=posted_answer(request), client_token=posted_submit_token(request)
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if grading_delayed(response):
            messages.warning(request, GRADING_DELAYED)
    return redirect(f"{attempt.get_absolute_url()}#item-{position}")


@login_required
@require_POST
def draft_save(request, attempt_uuid, position):
    """Autosave (JSON for the page's script; a plain form post without JS redirects back)."""
    attempt = _get_attempt_for_user(request, attempt_uuid)
    item = get_object_or_404(attempt.items, position=position)
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        rev = int(request.POST.get("rev") or 0)
    except ValueError:
        rev = 0
    if not wants_json or rev <= 0:
        rev = int(timezone.now().timestamp() * 1000)
    try:
        saved = services.draft_save(item=item, raw=posted_answer(request), rev=rev)
    except ServiceError as exc:
        if wants_json:
            return JsonResponse({"ok": False, "code": exc.code, "message": exc.message}, status=409)
        messages.error(request, exc.message)
    else:
        if wants_json:
            return JsonResponse({"ok": True, "saved": saved, "rev": rev})
        messages.success(
            request, _("Ответ на вопрос %(position)s сохранён.") % {"position": position}
        )
    return redirect(f"{attempt.get_absolute_url()}#item-{position}")


@login_required
def answer_preview(request, attempt_uuid, position):
    """How the typed answer is understood (JSON), shown under the input as the student types."""
    attempt = _get_attempt_for_user(request, attempt_uuid)
    item = get_object_or_404(attempt.items.select_related("version"), position=position)
    decimal = course_selectors.quiz_decimal_mark(quiz=attempt.quiz)
    raw = request.GET.get("raw", "")
    return JsonResponse(grader.preview(item.version.spec, item.seed, raw, decimal=decimal))


@login_required
@require_http_methods(["GET", "POST"])
def attempt_finish(request, attempt_uuid):
    """GET: the confirmation (what is unanswered, what cannot be read, with links to fix it);
    POST: finish. The timer's auto-submit posts straight away: time is up, nothing to ask."""
    attempt = _get_attempt_for_user(request, attempt_uuid)
    if request.method == "POST":
        services.attempt_finish(attempt=attempt)
        return redirect(attempt.get_absolute_url())
    if attempt.status != Attempt.Status.IN_PROGRESS or services.attempt_expired(
        attempt, timezone.now()
    ):
        return redirect(attempt.get_absolute_url())  # the result (an expired one is closed there)
    view = selectors.attempt_view(attempt=attempt)
    return render(request, "quizapp/attempt_finish.html", {"attempt": attempt, "view": view})
