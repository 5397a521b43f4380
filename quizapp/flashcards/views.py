"""Browser views of the flashcards: thin — check access, call one service, redirect (PRG).

What is on screen between two requests (the back revealed, the graded answer of a numeric card)
lives in the session, keyed by the card and the seed of its variant, so that a reload shows the
same thing and a rating from a stale page cannot use another variant's answer.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from question_bank.models import Bank, Question, Topic
from quizapp.accounts import timezones
from quizapp.accounts.timezones import remember as remember_time_zone
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.core.http import posted_answer, posted_submit_token
from quizapp.courses.selectors import banks_for_study
from quizapp.flashcards import mistake_stats, selectors, services, statistics
from quizapp.flashcards.forecast import review_forecast
from quizapp.flashcards.fsrs_cards import utc
from quizapp.models import FlashcardState

SCREEN = "flashcard_screen"


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _retention(text: str) -> float | None:
    """«90» or «90,5» (percent) as 0.9; empty: None (the course's or the default)."""
    text = text.strip().replace(",", ".").rstrip("%").strip()
    if not text:
        return None
    try:
        return float(text) / 100
    except ValueError:
        raise ServiceError(code=ErrorCode.BAD_RETENTION) from None


def _date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ServiceError(code=ErrorCode.BAD_EXAM_DATE) from None


def _get_card_for_user(request, question_id: int) -> tuple[Question, FlashcardState | None]:
    found = selectors.flashcard_for_user(user=request.user, question_id=question_id)
    if found is None:
        raise Http404(_("Карточка не найдена"))
    return found


def _screen(request, question_id: int, seed: int) -> dict:
    screen = request.session.get(SCREEN) or {}
    if screen.get("question") == question_id and screen.get("seed") == seed:
        return screen
    return {}


def _to_card(question_id: int | None = None):
    url = reverse("flashcards")
    return redirect(f"{url}?card={question_id}#card" if question_id else url)


@login_required
def flashcard_queue(request):
    now = timezone.now()
    queue = selectors.flashcard_queue(user=request.user, now=now)
    entry = queue.current(_int(request.GET.get("card")))
    card = (
        selectors.flashcard_card_view(user=request.user, entry=entry, now=now, queue=queue)
        if entry
        else None
    )
    screen = _screen(request, card.question.pk, card.seed) if card else {}
    return render(
        request,
        "quizapp/flashcards.html",
        {
            "queue": queue,
            "card": card,
            "revealed": bool(screen.get("revealed")),
            "answer": screen.get("answer"),
        },
    )


@login_required
@require_POST
def flashcard_reveal(request, question_id):
    question, state = _get_card_for_user(request, question_id)
    seed = selectors.card_seed(
        user_id=request.user.pk,
        question_id=question.pk,
        variants=state.variants if state else 0,
    )
    request.session[SCREEN] = {"question": question.pk, "seed": seed, "revealed": True}
    return _to_card(question.pk)


@login_required
@require_POST
def flashcard_answer(request, question_id):
    question, _state = _get_card_for_user(request, question_id)
    raw = "" if "give_up" in request.POST else posted_answer(request)
    try:
        state = services.flashcard_state_ensure(user=request.user, question=question)
        answer = services.flashcard_answer(
            user=request.user, state=state, seed=_int(request.POST.get("seed")), raw=raw
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _to_card()
    result = answer.result
    request.session[SCREEN] = {
        "question": question.pk,
        "seed": answer.seed,
        "revealed": answer.proposed is not None,
        "answer": {
            "raw": answer.raw,
            "version": answer.version.pk,
            "proposed": answer.proposed,
            "score": answer.score,
            # Only what the page shows: the session is JSON and small.
            "status": result.status,
            "correct": result.correct,
            "feedback": result.feedback,
            "parsed_display": result.parsed_display,
            "expected_display": result.expected_display,
            "solution": result.solution,
        },
    }
    return _to_card(question.pk)


@login_required
@require_POST
def flashcard_rate(request, question_id):
    question, _state = _get_card_for_user(request, question_id)
    now = timezone.now()
    try:
        state = services.flashcard_state_ensure(user=request.user, question=question)
        seed = selectors.card_seed(
            user_id=request.user.pk, question_id=question.pk, variants=state.variants
        )
        answer = _screen(request, question.pk, seed).get("answer") or {}
        services.flashcard_rate(
            user=request.user,
            state=state,
            rating=_int(request.POST.get("rating")),
            now=now,
            expected_reps=_int(request.POST.get("reps")),
            seed=seed if answer else None,
            raw=answer.get("raw"),
            score=answer.get("score"),
            version_id=answer.get("version"),
            client_token=posted_submit_token(request),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        if exc.code == "stale_card":
            request.session.pop(SCREEN, None)
        return _to_card(question.pk)
    request.session.pop(SCREEN, None)
    messages.success(
        request,
        _("Оценка сохранена. Карточка вернётся через %(when)s.")
        % {"when": timeuntil(state.due, now)},
    )
    return _to_card()


@login_required
@require_POST
def flashcard_undo(request):
    try:
        review = services.flashcard_undo(
            user=request.user, now=timezone.now(), review_id=_int(request.POST.get("review"))
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _to_card()
    request.session.pop(SCREEN, None)
    if review is None:
        messages.info(request, _("Сегодня ещё нечего отменять."))
        return _to_card()
    messages.info(request, _("Последняя оценка отменена."))
    return _to_card(review.card.question_id)


@login_required
@require_POST
def flashcard_suspend(request, question_id):
    question, _state = _get_card_for_user(request, question_id)
    try:
        state = services.flashcard_state_ensure(user=request.user, question=question)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _to_card()
    services.flashcard_suspend(user=request.user, state=state)
    messages.info(
        request,
        _("Карточка «%(title)s» приостановлена; вернуть её можно на странице «Колоды».")
        % {"title": question.title},
    )
    return _to_card()


@login_required
@require_POST
def flashcard_unsuspend(request, question_id):
    question, state = _get_card_for_user(request, question_id)
    if state is not None:
        services.flashcard_unsuspend(user=request.user, state=state)
        messages.info(request, _("Карточка «%(title)s» снова в очереди.") % {"title": question})
    return redirect("flashcard-decks")


@login_required
@require_POST
def flashcard_bury(request, question_id):
    question, _state = _get_card_for_user(request, question_id)
    try:
        state = services.flashcard_state_ensure(user=request.user, question=question)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _to_card()
    services.flashcard_bury(user=request.user, state=state, now=utc(timezone.now()))
    messages.info(request, _("Карточка «%(title)s» отложена до завтра.") % {"title": question})
    return _to_card()


@login_required
def deck_list(request):
    context = {
        "overview": selectors.deck_overview(user=request.user),
        "time_zones": timezones.choices(),
        "time_zone": request.session.get(timezones.SESSION_KEY) or "",
        "site_time_zone": timezones.label(settings.TIME_ZONE),
    }
    return render(request, "quizapp/flashcard_decks.html", context)


@login_required
def flashcard_statistics(request):
    now = timezone.now()
    forecast = review_forecast(user=request.user, now=now, days=30)
    context = {
        "stats": statistics.flashcard_statistics(user=request.user, now=now, forecast=forecast),
        "repeated": mistake_stats.student_mistakes(user=request.user, now=now)[:20],
    }
    return render(request, "quizapp/flashcard_stats.html", context)


def _deck_from_post(request) -> tuple[Bank, Topic | None]:
    bank = get_object_or_404(banks_for_study(request.user), pk=_int(request.POST.get("bank")))
    topic_id = request.POST.get("topic")
    topic = get_object_or_404(Topic, pk=_int(topic_id), bank=bank) if topic_id else None
    return bank, topic


@login_required
@require_POST
def deck_add(request):
    bank, topic = _deck_from_post(request)
    services.deck_add(user=request.user, bank=bank, topic=topic)
    messages.success(request, _("«%(deck)s» добавлено в изучение.") % {"deck": topic or bank})
    return redirect("flashcard-decks")


@login_required
@require_POST
def deck_remove(request):
    bank, topic = _deck_from_post(request)
    services.deck_remove(user=request.user, bank=bank, topic=topic)
    messages.info(request, _("«%(deck)s» убрано из изучения.") % {"deck": topic or bank})
    return redirect("flashcard-decks")


@login_required
@require_POST
def study_settings(request):
    zone = request.POST.get("time_zone")
    targets = {}
    try:
        if "retention_percent" in request.POST:
            targets["desired_retention"] = _retention(request.POST["retention_percent"])
        if "exam_date" in request.POST:
            targets["exam_date"] = _date(request.POST["exam_date"])
        if "mistake_cards_shown" in request.POST:  # an unticked box sends nothing
            targets["mistake_cards"] = request.POST.get("mistake_cards") == "on"
        profile = services.study_profile_update(
            user=request.user,
            new_cards_per_day=_int(request.POST.get("new_cards_per_day")),
            time_zone=None if zone is None else zone[:64],
            **targets,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        remember_time_zone(request, profile.time_zone)
        messages.success(request, _("Настройки сохранены."))
    return redirect("flashcard-decks")
