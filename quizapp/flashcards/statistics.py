"""Flashcard statistics of one student, drawn as server-side SVG (issue 17, point 3).

* **The year's heatmap:** reviews per day for the last 53 weeks, in the student's calendar.
* **True retention:** the share of reviews of cards *in review* (not learning steps, not a
  card's first sight) that were not «снова», over the last 30 days — against the target.
  Broken down by topic and by the card's age at the review (days since the previous review).
* **Time spent:** estimated from the log, as Anki caps an answer: the gap since the previous
  rating of the same session, at most a minute; a session's first rating counts as the median
  gap of the day (our cards record no stopwatch).
* **The forecast** of reviews due per day (the dashboard's, here over 30 days).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics as stats
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quizapp.flashcards.selectors import study_targets
from quizapp.models import FlashcardReview

__all__ = ["Statistics", "flashcard_statistics", "AGE_BUCKETS"]

HEATMAP_WEEKS = 53
RETENTION_DAYS = 30
CELL = 11  # px of one day in the heatmap, gap included
MAX_ANSWER_SECONDS = 60
# The card's age at a review: days since the previous review, bucketed.
AGE_BUCKETS = [(1, 1), (2, 3), (4, 7), (8, 15), (16, 30), (31, 90), (91, None)]
REVIEW_STATE = 2  # FSRS State.Review in a review's ``previous_state``


@dataclass
class HeatCell:
    date: dt.date
    count: int
    x: int
    y: int
    level: int  # 0 (none) … 4 (the busiest quarter)


@dataclass
class Share:
    label: str
    right: int
    total: int

    @property
    def percent(self) -> float | None:
        return None if not self.total else round(100 * self.right / self.total, 1)

    @property
    def width(self) -> float:
        """Bar length in a 100-wide scale."""
        return 0.0 if not self.total else round(100 * self.right / self.total, 1)


@dataclass
class Statistics:
    heatmap: list[HeatCell]
    heat_width: int
    month_labels: list[tuple[int, str]]  # (x, «дек»)
    reviews_year: int
    active_days: int
    streak: int  # consecutive days with reviews, up to today
    retention: Share  # last 30 days
    target: float
    by_topic: list[Share]
    by_age: list[Share]
    minutes_30: float
    minutes_per_day: float
    forecast: list = field(default_factory=list)

    @property
    def target_percent(self) -> int:
        return round(100 * self.target)

    @property
    def forecast_total(self) -> int:
        return sum(day.count for day in self.forecast)


MONTHS = [
    gettext_lazy("янв"), gettext_lazy("фев"), gettext_lazy("мар"), gettext_lazy("апр"),
    gettext_lazy("май"), gettext_lazy("июн"), gettext_lazy("июл"), gettext_lazy("авг"),
    gettext_lazy("сен"), gettext_lazy("окт"), gettext_lazy("ноя"), gettext_lazy("дек"),
]  # fmt: skip


def flashcard_statistics(*, user, now: dt.datetime, forecast=None) -> Statistics:
    zone = timezone.get_current_timezone()
    today = timezone.localtime(now, zone).date()
    reviews = FlashcardReview.objects.filter(user=user)

    # The heatmap: weeks are columns (Monday on top), the last column is this week.
    first = today - dt.timedelta(days=today.weekday() + 7 * (HEATMAP_WEEKS - 1))
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    per_day = dict(
        reviews.filter(reviewed_at__gte=start)
        .annotate(day=TruncDate("reviewed_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("day", "n")
    )
    busiest = max(per_day.values(), default=0)
    cells, months = [], []
    day = first
    while day <= today:
        week, weekday = (day - first).days // 7, day.weekday()
        count = per_day.get(day, 0)
        level = 0 if not count else min(4, math.ceil(4 * count / busiest))
        cells.append(HeatCell(day, count, week * CELL, weekday * CELL, level))
        if day.day == 1 or day == first:
            months.append((week * CELL, str(MONTHS[day.month - 1])))
        day += dt.timedelta(days=1)
    streak = 0
    day = today if per_day.get(today) else today - dt.timedelta(days=1)
    while per_day.get(day):
        streak += 1
        day -= dt.timedelta(days=1)

    # Retention and time over the last 30 days.
    since = dt.datetime.combine(
        today - dt.timedelta(days=RETENTION_DAYS - 1), dt.time.min, tzinfo=zone
    )
    rows = list(
        reviews.filter(reviewed_at__gte=since)
        .order_by("reviewed_at", "id")
        .values_list("rating", "reviewed_at", "previous_state", "card__question__topic__title")
    )
    right = total = 0
    topics: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    ages: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for rating, at, previous, topic in rows:
        if not isinstance(previous, dict) or previous.get("state") != REVIEW_STATE:
            continue
        last = previous.get("last_review")
        if not last:
            continue
        elapsed = (
            timezone.localtime(at, zone).date()
            - timezone.localtime(dt.datetime.fromisoformat(last), zone).date()
        ).days
        ok = int(rating) > 1
        right, total = right + ok, total + 1
        topics[topic or _("без темы")][0] += ok
        topics[topic or _("без темы")][1] += 1
        bucket = _age_bucket(elapsed)
        ages[bucket][0] += ok
        ages[bucket][1] += 1
    seconds = _seconds(at for _rating, at, _previous, _topic in rows)
    targets = study_targets(user=user, today=today)
    by_topic = sorted(
        (Share(name, r, n) for name, (r, n) in topics.items()),
        key=lambda share: (share.right / share.total, -share.total),
    )
    return Statistics(
        heatmap=cells,
        heat_width=HEATMAP_WEEKS * CELL,
        month_labels=_spaced(months),
        reviews_year=sum(per_day.values()),
        active_days=sum(1 for n in per_day.values() if n),
        streak=streak,
        retention=Share("", right, total),
        target=targets.retention,
        by_topic=by_topic,
        by_age=[Share(_age_label(i), *ages[i]) for i in range(len(AGE_BUCKETS)) if ages[i][1]],
        minutes_30=round(seconds / 60, 1),
        minutes_per_day=round(seconds / 60 / RETENTION_DAYS, 1),
        forecast=forecast or [],
    )


def _age_bucket(days: int) -> int:
    for index, (low, high) in enumerate(AGE_BUCKETS):
        if days >= low and (high is None or days <= high):
            return index
    return 0  # a review the same day (0 days): with the 1-day ones


def _age_label(index: int) -> str:
    low, high = AGE_BUCKETS[index]
    if high is None:
        return _("больше %(n)s дн.") % {"n": low - 1}
    if low == high:
        return _("%(n)s дн.") % {"n": low}
    return _("%(low)s–%(high)s дн.") % {"low": low, "high": high}


def _seconds(times) -> float:
    """Time spent, estimated from the ratings' times (see the module docstring)."""
    by_day: dict[dt.date, list[dt.datetime]] = defaultdict(list)
    for at in times:
        by_day[timezone.localtime(at).date()].append(at)
    total = 0.0
    for moments in by_day.values():
        gaps = [(b - a).total_seconds() for a, b in zip(moments, moments[1:], strict=False)]
        capped = [min(gap, MAX_ANSWER_SECONDS) for gap in gaps if gap <= MAX_ANSWER_SECONDS * 5]
        first = stats.median(capped) if capped else MAX_ANSWER_SECONDS / 2
        sessions = 1 + sum(1 for gap in gaps if gap > MAX_ANSWER_SECONDS * 5)
        total += sum(capped) + first * sessions
    return total


def _spaced(labels: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Month labels no closer than three weeks (the first may be a partial month)."""
    kept: list[tuple[int, str]] = []
    for x, text in labels:
        if not kept or x - kept[-1][0] >= 3 * CELL:
            kept.append((x, text))
    return kept
