"""The forecast of reviews: how many of a student's cards fall due on each of the next days
(the dashboard's chart, and the statistics page's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy

from quizapp.flashcards.selectors import day_bounds, visible
from quizapp.models import FlashcardState

__all__ = ["FORECAST_DAYS", "ForecastDay", "review_forecast"]

FORECAST_DAYS = 14
WEEKDAYS = [
    gettext_lazy("пн"),
    gettext_lazy("вт"),
    gettext_lazy("ср"),
    gettext_lazy("чт"),
    gettext_lazy("пт"),
    gettext_lazy("сб"),
    gettext_lazy("вс"),
]


@dataclass
class ForecastDay:
    date: dt.date
    count: int
    height: float  # 0..85 px in the chart: the busiest day is the tallest bar
    label: str  # empty: no label under this bar (a long forecast labels every few days)
    x: float = 0.0  # left edge of the day's slot in the 280-wide chart
    width: float = 20.0  # the slot; the bar is 80 % of it
    show_count: bool = True

    @property
    def bar_x(self) -> float:
        return round(self.x + self.width * 0.1, 2)

    @property
    def bar_width(self) -> float:
        return round(self.width * 0.8, 2)

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 2)

    @property
    def bar_y(self) -> float:
        return round(100 - self.height, 1)

    @property
    def label_y(self) -> float:
        return round(100 - self.height - 3, 1)


def review_forecast(*, user, now: dt.datetime, days: int = FORECAST_DAYS) -> list[ForecastDay]:
    """Cards due on each of the next ``days`` days (overdue ones count for today)."""
    start, _ = day_bounds(now)
    end = start + dt.timedelta(days=days)
    today = timezone.localtime(now).date()
    counts = [0] * days
    dues = FlashcardState.objects.filter(visible(now), user=user, reps__gt=0, due__lt=end)
    for due in dues.values_list("due", flat=True):
        index = max(0, (timezone.localtime(due).date() - today).days)
        if index < days:
            counts[index] += 1
    busiest = max(counts) or 1
    width = 280 / days
    every = 1 if days <= 14 else -(-days // 7)  # a label under every day, or about seven
    return [
        ForecastDay(
            date=today + dt.timedelta(days=i),
            count=count,
            height=round(85 * count / busiest, 1),
            label=_day_label(today, i, every),
            x=round(i * width, 2),
            width=round(width, 2),
            show_count=bool(count) and width >= 14,
        )
        for i, count in enumerate(counts)
    ]


def _day_label(today: dt.date, i: int, every: int) -> str:
    """«сег», «пн», … under each day; or «04.12» under every ``every``-th day."""
    day = today + dt.timedelta(days=i)
    if every > 1:  # not under the first bar: a date there would stick out of the chart
        return "" if i % every or i == 0 else day.strftime("%d.%m")
    return str(gettext_lazy("сегодня") if i == 0 else WEEKDAYS[day.weekday()])[:3]
