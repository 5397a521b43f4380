"""Writes of the flashcards: study decks, answers, FSRS ratings, undo, suspend and bury.

Views and the API call these; reads live in :mod:`quizapp.flashcards.selectors`. Every time is
UTC; "today" is the day in the current time zone (see ``day_bounds``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from fsrs import Rating, State

import grader
from grader.errors import EngineError, SpecError
from question_bank.models import Bank, Question, QuestionVersion, Topic
from quizapp.accounts.timezones import is_valid
from quizapp.core import versions
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.core.tasks import enqueue_on_commit
from quizapp.courses.services import check_retention
from quizapp.flashcards import personal, planning
from quizapp.flashcards.fsrs_cards import (
    apply_card,
    restore,
    scheduler_for,
    snapshot,
    to_card,
    utc,
)
from quizapp.flashcards.selectors import (
    ANSWERED_KINDS,
    CARD_KINDS,
    card_seed,
    day_bounds,
    due_load,
    flashcard_for_user,
    fsrs_fit_due,
    fsrs_log,
    study_targets,
)
from quizapp.models import FlashcardReview, FlashcardState, FsrsFit, StudyDeck, StudyProfile

logger = logging.getLogger(__name__)

MAX_NEW_CARDS_PER_DAY = 500
FIT_TASK = "quizapp.flashcards.fit_fsrs_parameters"
FIT_DUE_TASK = "quizapp.flashcards.fit_due_fsrs_parameters"


# --- Study set ---------------------------------------------------------------------------------


def deck_add(*, user, bank: Bank, topic: Topic | None = None) -> StudyDeck:
    """Add a bank (or one of its topics) to the student's study set; adding twice is a no-op."""
    if topic is not None and topic.bank_id != bank.pk:
        raise ServiceError(code=ErrorCode.TOPIC_NOT_IN_BANK)
    try:
        with transaction.atomic():
            deck, _created = StudyDeck.objects.get_or_create(user=user, bank=bank, topic=topic)
    except IntegrityError:
        # Two tabs adding the same deck at once: the unique constraint kept one row.
        deck = StudyDeck.objects.get(user=user, bank=bank, topic=topic)
    return deck


def deck_remove(*, user, bank: Bank, topic: Topic | None = None) -> int:
    """Take a bank or a topic out of the study set. The cards' FSRS states are kept, so adding
    the deck back resumes where the student left off."""
    deleted, _per_model = StudyDeck.objects.filter(user=user, bank=bank, topic=topic).delete()
    return deleted


_KEEP = object()


def study_profile_update(
    *,
    user,
    new_cards_per_day: int,
    time_zone: str | None = None,
    desired_retention=_KEEP,
    exam_date=_KEEP,
    mistake_cards=_KEEP,
    today: dt.date | None = None,
) -> StudyProfile:
    """Save the study settings; ``time_zone`` None leaves the zone as it is, "" is the site's.
    ``desired_retention`` (0.7–0.97) and ``exam_date`` (today or later) None: the course's or
    the default; not given: left as they are. ``mistake_cards``: whether recognised typical
    mistakes add cards (flashcards.mistakes)."""
    if not isinstance(new_cards_per_day, int) or not (
        0 <= new_cards_per_day <= MAX_NEW_CARDS_PER_DAY
    ):
        raise ServiceError(
            _("Новых карточек в день: от 0 до %(max)d.") % {"max": MAX_NEW_CARDS_PER_DAY},
            code=ErrorCode.BAD_LIMIT,
        )
    defaults = {"new_cards_per_day": new_cards_per_day}
    if time_zone is not None:
        if time_zone and not is_valid(time_zone):
            raise ServiceError(code=ErrorCode.BAD_TIME_ZONE)
        defaults["time_zone"] = time_zone
    if desired_retention is not _KEEP:
        defaults["desired_retention"] = check_retention(desired_retention)
    if exam_date is not _KEEP:
        defaults["exam_date"] = check_exam_date(exam_date, today=today or timezone.localdate())
    if mistake_cards is not _KEEP:
        defaults["mistake_cards"] = bool(mistake_cards)
    profile, _created = StudyProfile.objects.update_or_create(user=user, defaults=defaults)
    return profile


def check_exam_date(value, *, today: dt.date) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, dt.date) or not today <= value <= today + dt.timedelta(days=5 * 366):
        raise ServiceError(code=ErrorCode.BAD_EXAM_DATE)
    return value


# --- Cards -------------------------------------------------------------------------------------


def flashcard_state_ensure(*, user, question: Question) -> FlashcardState:
    """The student's state of a card, created the first time they act on it (lazily: a bank of
    a thousand questions costs nothing until its cards are introduced)."""
    found = flashcard_for_user(user=user, question_id=question.pk)
    if found is None or question.kind not in CARD_KINDS:
        raise ServiceError(code=ErrorCode.NOT_IN_STUDY_SET)
    _question, state = found
    if state is not None:
        return state
    try:
        with transaction.atomic():
            return FlashcardState.objects.create(user=user, question=question)
    except IntegrityError:
        # The first action on a new card from two tabs at once: one row won, use it.
        return FlashcardState.objects.get(user=user, question=question)


def _own(user, state: FlashcardState) -> None:
    if state.user_id != user.pk:
        # Views answer 404 before this; the check keeps other callers honest.
        raise ServiceError(_("Карточка не найдена."), code=ErrorCode.NOT_FOUND)


@dataclass(frozen=True)
class Answer:
    result: grader.GradeResult
    proposed: int | None  # the rating the grade suggests; None: ask again (unparseable answer)
    version: QuestionVersion
    seed: int
    raw: str

    @property
    def score(self) -> float | None:
        if self.result.status == "graded":
            return self.result.score
        return 0.0 if self.proposed == Rating.Again else None


def proposed_rating(result: grader.GradeResult, raw: str) -> int | None:
    """Wrong → Again, partly right → Hard, right → Good. An empty answer is "I don't know"
    (Again); any other unparseable answer proposes nothing: a format error is not a wrong answer."""
    if result.status == "graded":
        if result.correct:
            return int(Rating.Good)
        return int(Rating.Hard) if result.score > 0 else int(Rating.Again)
    return int(Rating.Again) if not raw.strip() else None


def flashcard_answer(*, user, state: FlashcardState, seed: int, raw: str) -> Answer:
    """Grade the student's answer to the card's current variant. Saves nothing: the FSRS review
    happens in :func:`flashcard_rate`, with the rating the student confirms."""
    _own(user, state)
    question = state.question
    if question.kind not in ANSWERED_KINDS:
        raise ServiceError(code=ErrorCode.NOT_ANSWERABLE)
    if seed != card_seed(user_id=user.pk, question_id=question.pk, variants=state.variants):
        raise ServiceError(code=ErrorCode.STALE_CARD)
    version = question.versions.order_by("-number").first()
    if version is None:
        raise ServiceError(_("У вопроса нет версий."), code=ErrorCode.NO_VERSION)
    raw = raw if isinstance(raw, str) else ""
    try:
        result = grader.grade(version.spec, seed, raw)
    except (SpecError, EngineError) as exc:
        logger.error("spec error grading flashcard %s: %s", question.pk, exc.message)
        raise ServiceError(code=ErrorCode.BAD_QUESTION) from exc
    return Answer(
        result=result,
        proposed=proposed_rating(result, raw),
        version=version,
        seed=seed,
        raw=raw,
    )


def flashcard_rate(
    *,
    user,
    state: FlashcardState,
    rating: int,
    now: dt.datetime,
    expected_reps: int | None = None,
    seed: int | None = None,
    raw: str | None = None,
    score: float | None = None,
    version_id: int | None = None,
    client_token=None,
) -> FlashcardReview:
    """Review the card with FSRS and log the rating (with the state before it, for undo).

    ``expected_reps`` is the card's ``reps`` when the page was shown; ``client_token`` names one
    rating submit (see :func:`quizapp.attempts.services.response_submit`). One of the two is
    required: a rating with neither could not tell a double click from a second review, and is
    refused (``rating_unguarded``). ``seed``, ``raw``, ``score`` and ``version_id`` describe the
    variant the student answered (see :func:`flashcard_answer`).

    Race: the same rating submitted twice (a double click, two tabs) must review the card once.
    The row lock serialises the two: with the same token the second finds the first's review and
    returns it (``replayed`` True, nothing applied again); with ``reps`` only it sees ``reps``
    moved on and is refused as ``stale_card`` instead of scheduling the card twice.
    """
    _own(user, state)
    if expected_reps is None and client_token is None:
        raise ServiceError(code=ErrorCode.RATING_UNGUARDED)
    try:
        rating = Rating(int(rating))
    except (TypeError, ValueError):
        raise ServiceError(code=ErrorCode.BAD_RATING) from None
    now = utc(now)
    try:
        review = _rate_locked(
            user,
            state,
            rating,
            now,
            expected_reps=expected_reps,
            client_token=client_token,
            variant={"seed": seed, "raw": raw or "", "score": score, "version_id": version_id},
        )
    except IntegrityError:
        # The token was already used for a rating of another card (its lock is not this one's).
        raise ServiceError(code=ErrorCode.SUBMIT_TOKEN_REUSED) from None
    return review


def _rate_locked(
    user, state, rating, now, *, expected_reps, client_token, variant
) -> FlashcardReview:
    seed = variant["seed"]
    with transaction.atomic():
        locked = FlashcardState.objects.select_for_update().get(pk=state.pk)
        if client_token is not None:
            stored = FlashcardReview.objects.filter(user=user, client_token=client_token).first()
            if stored is not None:
                if stored.card_id != locked.pk or stored.rating != int(rating):
                    raise ServiceError(code=ErrorCode.SUBMIT_TOKEN_REUSED)
                _copy_into(state, locked)
                stored.replayed = True
                return stored
        if expected_reps is not None and locked.reps != expected_reps:
            raise ServiceError(
                _("Карточку уже оценили (другая вкладка?)."), code=ErrorCode.STALE_CARD
            )
        if seed is not None and seed != card_seed(
            user_id=user.pk, question_id=locked.question_id, variants=locked.variants
        ):
            raise ServiceError(code=ErrorCode.STALE_CARD)
        if locked.suspended:
            raise ServiceError(code=ErrorCode.SUSPENDED)
        if locked.buried_until and locked.buried_until > now:
            raise ServiceError(code=ErrorCode.BURIED)
        previous = snapshot(locked)
        profile = StudyProfile.objects.filter(user=user).values(
            "fsrs_parameters", "desired_retention", "exam_date", "fsrs_checked_at"
        )
        profile = next(iter(profile), {})
        card = _next_card(user, locked, rating, now, profile)
        apply_card(locked, card)
        locked.reps += 1
        locked.variants += 1
        locked.introduced_at = locked.introduced_at or now
        locked.save(update_fields=FlashcardState.SCHEDULE_FIELDS)
        review = FlashcardReview.objects.create(
            user=user,
            card=locked,
            version_id=variant["version_id"],
            rating=int(rating),
            reviewed_at=now,
            previous_state=previous,
            seed=seed,
            raw=variant["raw"],
            score=variant["score"],
            client_token=client_token,
        )
        if fsrs_fit_due(user=user, checked_at=profile.get("fsrs_checked_at"), checked=True):
            enqueue_on_commit(FIT_TASK, user.pk)
    review.replayed = False
    _copy_into(state, locked)
    return review


def _next_card(user, state: FlashcardState, rating, now: dt.datetime, profile: dict):
    """FSRS's next state of the card with the student's weights and desired retention (from the
    values of their ``profile`` row), due on the day planning chooses (load balance, never past
    the day before their exam)."""
    zone = timezone.get_current_timezone()
    targets = study_targets(user=user, today=timezone.localtime(now, zone).date(), profile=profile)
    scheduler = scheduler_for(
        profile.get("fsrs_parameters"), retention=targets.retention, fuzz=False
    )
    card, _log = scheduler.review_card(to_card(state, now=now), rating, review_datetime=now)
    if card.state == State.Review:
        card.due = planning.plan_due(
            now=now,
            due=card.due,
            zone=zone,
            exam_date=targets.exam_date,
            load=lambda first, last: due_load(user=user, first=first, last=last, zone=zone),
        )
    return card


def flashcard_undo(
    *, user, now: dt.datetime, review_id: int | None = None
) -> FlashcardReview | None:
    """Take back today's last rating: the card gets its previous FSRS state exactly and the
    review log entry is deleted. Returns the undone review (no longer saved), or None.

    ``review_id`` is the rating the page offered to undo. Race: a double click on «Отменить»
    would otherwise undo two ratings; with the id the second undo finds a different last
    rating and is refused as ``stale_undo``.
    """
    start, _tomorrow = day_bounds(now)
    with transaction.atomic():
        last = (
            FlashcardReview.objects.select_for_update()
            .filter(user=user, reviewed_at__gte=start)
            .order_by("-id")
            .first()
        )
        if last is None:
            if review_id is not None:
                raise ServiceError(code=ErrorCode.STALE_UNDO)
            return None
        if review_id is not None and last.pk != review_id:
            raise ServiceError(code=ErrorCode.STALE_UNDO)
        state = FlashcardState.objects.select_for_update().get(pk=last.card_id)
        state.save(update_fields=restore(state, last.previous_state))
        last.delete()
    last.card = state
    return last


def flashcard_suspend(*, user, state: FlashcardState) -> FlashcardState:
    """Never show the card until it is unsuspended. A single UPDATE: nothing to race with."""
    return _set(user, state, suspended=True)


def flashcard_unsuspend(*, user, state: FlashcardState) -> FlashcardState:
    return _set(user, state, suspended=False)


def flashcard_bury(*, user, state: FlashcardState, now: dt.datetime) -> FlashcardState:
    """Hide the card until tomorrow (midnight in the current time zone)."""
    _start, tomorrow = day_bounds(now)
    return _set(user, state, buried_until=tomorrow)


def _set(user, state: FlashcardState, **fields) -> FlashcardState:
    _own(user, state)
    FlashcardState.objects.filter(Q(pk=state.pk) & Q(user=user)).update(**fields)
    versions.bump(versions.STUDY, user.pk)  # update() sends no signal: the dashboard changes
    for name, value in fields.items():
        setattr(state, name, value)
    return state


def _copy_into(target: FlashcardState, source: FlashcardState) -> None:
    for name in (*FlashcardState.SCHEDULE_FIELDS, "suspended", "buried_until"):
        setattr(target, name, getattr(source, name))


# --- Personal FSRS parameters ------------------------------------------------------------------


def fsrs_parameters_fit(*, user, now: dt.datetime, force: bool = False) -> FsrsFit | None:
    """Fit the student's FSRS parameters to their review log (:mod:`personal`) and keep them
    only when they predict the newest reviews better than the ones in use; every fit is
    recorded. None when nothing was fitted: not due (unless ``force``) or too few reviews.

    The student's profile row is locked for the duration (tens of milliseconds), so the beat
    task and a rating's task for the same student fit once, not twice.
    """
    with transaction.atomic():
        profile, _created = StudyProfile.objects.get_or_create(user=user)
        profile = StudyProfile.objects.select_for_update().get(pk=profile.pk)
        if not force and not fsrs_fit_due(
            user=user, checked_at=profile.fsrs_checked_at, checked=True
        ):
            return None
        log = fsrs_log(user=user)
        zone_name = profile.time_zone or settings.TIME_ZONE
        items = personal.items_from_log(log, zone=ZoneInfo(zone_name))
        outcome = personal.fit(items, current=profile.fsrs_parameters)
        profile.fsrs_checked_at = now
        profile.save(update_fields=["fsrs_checked_at"])
        if outcome is None:
            return None
        fit = FsrsFit.objects.create(
            user=user,
            fitted_at=now,
            reviews=len(log),
            train_items=outcome.train_items,
            test_items=outcome.test_items,
            log_loss_before=outcome.log_loss_before,
            log_loss_after=outcome.log_loss_after,
            rmse_before=outcome.rmse_before,
            rmse_after=outcome.rmse_after,
            parameters=outcome.parameters,
            accepted=outcome.accepted,
            seconds=outcome.seconds,
        )
        if outcome.accepted:
            profile.fsrs_parameters = outcome.parameters
            profile.save(update_fields=["fsrs_parameters"])
    logger.info(
        "fsrs fit user=%s reviews=%s log_loss %.4f -> %.4f accepted=%s (%.3f s)",
        user.pk, len(log), outcome.log_loss_before, outcome.log_loss_after,
        outcome.accepted, outcome.seconds,
    )  # fmt: skip
    return fit
