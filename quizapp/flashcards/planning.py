"""Planning reviews toward a target: the desired retention, the exam date and the daily load.

* **Targets.** A student's desired retention (FSRS's: the share of cards they should recall when
  a card comes back) and exam date are their own, or else their course's (the earliest exam date
  still ahead among their courses), or else 0.9 and no date.
* **The due day of a card in review** is chosen among the days FSRS's fuzz allows (the same
  range as py-fsrs: ±15 % of the days from 2.5 to 7, ±10 % to 20, ±5 % beyond, never below 2
  days) — and, of those, the day with the fewest cards already due for the student (load
  balancing, as Anki's balancer; a tie goes to the day nearest FSRS's own interval).
* **The exam date.** No card of a student with an exam ahead is scheduled past the day before
  the exam (the exam day itself when the exam is tomorrow): an interval that would pass it is
  cut, and the review lands on the lightest of the last three days before the exam that the
  interval reaches. After the exam, scheduling is FSRS's again.

Learning and relearning steps (minutes) are left as FSRS sets them. Days are the student's
calendar days (their time zone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import fsrs_rs_python as fsrs_rs
from fsrs.scheduler import FUZZ_RANGES

from quizapp.models.flashcards import DEFAULT_RETENTION

__all__ = [
    "DEFAULT_RETENTION",
    "LAST_DAYS",
    "StudyTargets",
    "expected_recall",
    "fuzz_range",
    "percent_text",
    "plan_due",
    "recall",
]

# Reviews cut short by the exam are spread over this many days before it.
LAST_DAYS = 3


@dataclass(frozen=True)
class StudyTargets:
    retention: float
    exam_date: dt.date | None
    source: str  # "own", "course" or "default": where the values come from
    course_title: str = ""

    @property
    def retention_percent(self) -> str:
        """«90», «92,5»: the retention as the settings form shows it."""
        return percent_text(self.retention)


def percent_text(share: float | None) -> str:
    if share is None:
        return ""
    return format(round(100 * share, 1), "g").replace(".", ",")


def fuzz_range(interval_days: int, maximum_interval: int = 36500) -> tuple[int, int]:
    """The days FSRS's fuzz may move an interval to (py-fsrs's own rule)."""
    if interval_days < 2.5:
        return interval_days, interval_days
    delta = 1.0
    for part in FUZZ_RANGES:
        delta += part["factor"] * max(min(float(interval_days), part["end"]) - part["start"], 0.0)
    low = max(2, round(interval_days - delta))
    high = min(round(interval_days + delta), maximum_interval)
    return min(low, high), high


def plan_due(
    *,
    now: dt.datetime,
    due: dt.datetime,
    zone: dt.tzinfo,
    exam_date: dt.date | None,
    load: Callable[[dt.date, dt.date], dict[dt.date, int]],
) -> dt.datetime:
    """The due time of a card FSRS scheduled for ``due`` (without fuzz): the same time of day
    ``now`` has, on the chosen day. ``load(first, last)`` gives the number of the student's
    cards due on each day of that range (days missing have none)."""
    today = now.astimezone(zone).date()
    interval = (due.astimezone(zone).date() - today).days
    if interval < 1:
        return due  # a learning step: minutes, not days
    low, high = fuzz_range(interval)
    if exam_date is not None and exam_date > today:
        last = max(1, (exam_date - today).days - 1)  # the day before the exam (or the exam day)
        if high > last:
            low, high = max(1, min(low, last - LAST_DAYS + 1)), last
            interval = last
    if high == low:
        chosen = low
    else:
        counts = load(today + dt.timedelta(days=low), today + dt.timedelta(days=high))

        def weight(days: int) -> tuple[int, int]:
            return counts.get(today + dt.timedelta(days=days), 0), abs(days - interval)

        chosen = min(range(low, high + 1), key=weight)
    return now + dt.timedelta(days=chosen)


def expected_recall(
    cards: list[tuple[float, float, dt.date, dt.date]],
    *,
    exam_date: dt.date,
    today: dt.date,
    parameters,
    retention: float,
) -> float | None:
    """The expected share of ``cards`` recalled on ``exam_date`` if the student reviews each when
    it is due: cards are ``(stability, difficulty, last_review_day, due_day)``. A card due before
    the exam is projected one review ahead — recalled with its probability then (its stability
    after «хорошо») or forgotten (after «снова») — and decays from that day to the exam; a card
    due after the exam decays from its last review. One review ahead only: later reviews before
    the exam would raise the figure, so it is a cautious estimate. None without cards."""
    if not cards:
        return None
    model = fsrs_rs.FSRS(list(parameters))
    decay = float(parameters[20])
    total = 0.0
    for stability, difficulty, last_day, due_day in cards:
        if due_day < exam_date:
            day = max(due_day, today)
            p = recall(stability, (day - last_day).days, decay)
            states = model.next_states(
                fsrs_rs.MemoryState(stability, difficulty), retention, (day - last_day).days
            )
            after = (exam_date - day).days
            total += p * recall(states.good.memory.stability, after, decay)
            total += (1 - p) * recall(states.again.memory.stability, after, decay)
        else:
            total += recall(stability, (exam_date - last_day).days, decay)
    return total / len(cards)


def recall(stability: float, days: float, decay: float) -> float:
    """FSRS-6's probability of recall ``days`` after a review at ``stability``."""
    factor = 0.9 ** (-1 / decay) - 1
    return (1 + factor * max(days, 0) / stability) ** (-decay)
