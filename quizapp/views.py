"""Browser views: thin — check access, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

import grader
from quizapp import selectors, services
from quizapp.errors import ServiceError
from quizapp.models import Attempt, Quiz, Response


def posted_answer(request) -> str:
    """The answer of an answer form: the text box, or the ticked options as "0,2"."""
    raw = request.POST.get("answer")
    return ",".join(request.POST.getlist("choice")) if raw is None else raw


def _get_attempt_for_user(request, attempt_uuid) -> Attempt:
    attempt = Attempt.objects.select_related("quiz").filter(uuid=attempt_uuid).first()
    if attempt is None or attempt.user_id != request.user.pk:
        raise Http404("Попытка не найдена")
    return attempt


def home(request):
    from django.utils import timezone

    from quizapp.dashboard import dashboard

    board = None
    if request.user.is_authenticated:
        board = dashboard(user=request.user, now=timezone.now())
    return render(
        request,
        "quizapp/home.html",
        {"quizzes": selectors.quiz_list_published(), "board": board},
    )


@login_required
@require_POST
def attempt_start(request, slug):
    quiz = get_object_or_404(Quiz, slug=slug, is_published=True)
    try:
        attempt = services.attempt_start(user=request.user, quiz=quiz)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("home")
    return redirect("attempt", attempt_uuid=attempt.uuid)


@login_required
def attempt_detail(request, attempt_uuid):
    attempt = _get_attempt_for_user(request, attempt_uuid)
    items = selectors.attempt_items_view(attempt=attempt)
    pending = any(v.response and v.response.status == Response.Status.PENDING for v in items)
    return render(
        request,
        "quizapp/attempt.html",
        {"attempt": attempt, "items": items, "pending": pending},
    )


@login_required
@require_POST
def response_submit(request, attempt_uuid, position):
    attempt = _get_attempt_for_user(request, attempt_uuid)
    item = get_object_or_404(attempt.items, position=position)
    try:
        services.response_submit(item=item, raw=posted_answer(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(f"{attempt.get_absolute_url()}#item-{position}")


@login_required
def answer_preview(request, attempt_uuid, position):
    """How the typed answer is understood (JSON), shown under the input as the student types."""
    attempt = _get_attempt_for_user(request, attempt_uuid)
    item = get_object_or_404(attempt.items.select_related("version"), position=position)
    return JsonResponse(grader.preview(item.version.spec, item.seed, request.GET.get("raw", "")))


@login_required
@require_POST
def attempt_finish(request, attempt_uuid):
    attempt = _get_attempt_for_user(request, attempt_uuid)
    services.attempt_finish(attempt=attempt)
    return redirect(attempt.get_absolute_url())


def healthz(request):
    """Liveness for load balancers and docker-compose: the database answers."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
