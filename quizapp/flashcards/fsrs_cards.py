"""The bridge between a stored :class:`~quizapp.models.FlashcardState` and ``fsrs.Card``.

The database keeps the card's fields one by one (``due`` is indexed for the queue); the FSRS
library (py-fsrs 6) computes the next state. fsrs insists on UTC datetimes, so every time
passes through :func:`utc` on its way in.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.utils.translation import gettext as _
from fsrs import Card, Rating, Scheduler, State

from quizapp.flashcards.personal import usable
from quizapp.models import FlashcardState

__all__ = [
    "SCHEDULER",
    "apply_card",
    "interval_label",
    "preview_intervals",
    "restore",
    "scheduler_for",
    "snapshot",
    "to_card",
    "utc",
]

# Default FSRS-6 weights, 90 % desired retention, learning steps of 1 and 10 minutes; fuzzing
# spreads reviews of cards learnt together over neighbouring days.
SCHEDULER = Scheduler()
# The interval shown on a rating button is a preview: without fuzz, so it does not flicker.
_PREVIEW = Scheduler(enable_fuzzing=False)


@lru_cache(maxsize=256)
def _scheduler(parameters: tuple[float, ...] | None, retention: float, fuzz: bool) -> Scheduler:
    if parameters is None and retention == 0.9:
        return SCHEDULER if fuzz else _PREVIEW
    return Scheduler(
        parameters=parameters or Scheduler().parameters,
        desired_retention=retention,
        enable_fuzzing=fuzz,
    )


def scheduler_for(parameters=None, *, retention: float = 0.9, fuzz: bool = True) -> Scheduler:
    """The scheduler with a student's own FSRS weights (``StudyProfile.fsrs_parameters``, fitted
    by :mod:`quizapp.flashcards.personal`; the defaults when they have none or the stored ones
    are unusable) and desired retention. ``fuzz=False`` for previews, which must not flicker,
    and for ratings, whose day :mod:`quizapp.flashcards.planning` chooses."""
    values = usable(parameters) if parameters is not None else None
    return _scheduler(tuple(values) if values else None, float(retention), fuzz)


# The fields of a state that a rating changes and an undo must put back: FlashcardState's
# SCHEDULE_FIELDS but ``variants``, which only ever grows so that no variant is shown twice.
_SNAPSHOT_FIELDS = ("state", "step", "stability", "difficulty", "reps")
_SNAPSHOT_TIMES = ("due", "last_review", "introduced_at")


def utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: flashcard times must be timezone-aware")
    return moment.astimezone(dt.UTC)


def to_card(state: FlashcardState | None, *, now: dt.datetime) -> Card:
    """The fsrs card of a stored state; a card never reviewed is due ``now``."""
    if state is None:
        return Card(card_id=0, state=State.Learning, step=0, due=utc(now))
    return Card(
        # card_id only labels review logs; passing one also spares fsrs's 1 ms sleep.
        card_id=state.pk or 0,
        state=State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=utc(state.due) if state.due else utc(now),
        last_review=utc(state.last_review) if state.last_review else None,
    )


def apply_card(state: FlashcardState, card: Card) -> None:
    state.state = int(card.state)
    state.step = card.step
    state.stability = card.stability
    state.difficulty = card.difficulty
    state.due = utc(card.due)
    state.last_review = utc(card.last_review) if card.last_review else None


def snapshot(state: FlashcardState) -> dict:
    """The state as JSON, exact: floats round-trip through JSON and times keep microseconds."""
    data = {name: getattr(state, name) for name in _SNAPSHOT_FIELDS}
    for name in _SNAPSHOT_TIMES:
        moment = getattr(state, name)
        data[name] = utc(moment).isoformat() if moment else None
    return data


def restore(state: FlashcardState, data: dict) -> list[str]:
    """Put a :func:`snapshot` back; returns the field names for ``save(update_fields=...)``."""
    for name in _SNAPSHOT_FIELDS:
        setattr(state, name, data[name])
    for name in _SNAPSHOT_TIMES:
        setattr(state, name, dt.datetime.fromisoformat(data[name]) if data[name] else None)
    return [*_SNAPSHOT_FIELDS, *_SNAPSHOT_TIMES]


def preview_intervals(
    *, state: FlashcardState | None, now: dt.datetime, parameters=None, retention: float = 0.9
) -> dict[int, str]:
    """For each rating, how long until the card comes back (a label such as «10 мин»), with the
    student's own FSRS ``parameters`` and desired ``retention``. (The day the rating finally
    picks may differ by the fuzz range: it balances the load, see planning.)"""
    card = to_card(state, now=now)
    preview = scheduler_for(parameters, retention=retention, fuzz=False)
    labels = {}
    for rating in Rating:
        after, _log = preview.review_card(card, rating, review_datetime=utc(now))
        labels[int(rating)] = interval_label(after.due - utc(now))
    return labels


def interval_label(interval: dt.timedelta) -> str:
    minutes = max(1, round(interval.total_seconds() / 60))
    if minutes < 60:
        return _("%(n)d мин") % {"n": minutes}
    hours = round(minutes / 60)
    if hours < 24:
        return _("%(n)d ч") % {"n": hours}
    days = round(hours / 24)
    if days < 31:
        return _("%(n)d дн.") % {"n": days}
    if days < 365:
        return _("%(n)d мес.") % {"n": round(days / 30.4)}
    return _("%(n).1f г.") % {"n": days / 365.25}
