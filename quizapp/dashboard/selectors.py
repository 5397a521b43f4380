"""The student's dashboard: weakest topics, today's cards, the review forecast, recent attempts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy

from question_bank.models import Topic
from quizapp.flashcards.selectors import day_bounds, flashcard_queue, visible
from quizapp.models import Attempt, FlashcardState, PracticeAnswer
from quizapp.practice.mastery import weakest_first
from quizapp.practice.selectors import topic_mastery

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
    label: str

    @property
    def bar_y(self) -> float:
        return round(100 - self.height, 1)

    @property
    def label_y(self) -> float:
        return round(100 - self.height - 3, 1)


@dataclass
class Dashboard:
    topics: list[dict]  # practised topics, weakest first: {"topic", "mastery"}
    scarce: list[dict]  # practised topics with too few answers to rate («мало данных»)
    due_today: int
    new_today: int
    forecast: list[ForecastDay]
    attempts: list[Attempt]

    @property
    def forecast_total(self) -> int:
        return sum(day.count for day in self.forecast)


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
    return [
        ForecastDay(
            date=today + dt.timedelta(days=i),
            count=count,
            height=round(85 * count / busiest, 1),
            label=str(
                gettext_lazy("сегодня")
                if i == 0
                else WEEKDAYS[(today + dt.timedelta(days=i)).weekday()]
            ),
        )
        for i, count in enumerate(counts)
    ]


def dashboard(*, user, now: dt.datetime) -> Dashboard:
    practised = Topic.objects.filter(
        pk__in=PracticeAnswer.objects.filter(user=user).values("topic_id")
    ).select_related("bank")
    mastery = topic_mastery(user=user, topics=practised)
    topics, scarce = weakest_first([{"topic": t, "mastery": mastery[t.pk]} for t in practised])
    queue = flashcard_queue(user=user, now=now)
    return Dashboard(
        topics=topics[:10],
        scarce=scarce[:10],
        due_today=queue.due_count + queue.ahead_count,
        new_today=queue.new_count,
        forecast=review_forecast(user=user, now=now),
        attempts=list(Attempt.objects.filter(user=user).select_related("quiz")[:5]),
    )


def demo_login_offered() -> bool:
    """Whether to tell a visitor about the login demo/demo: only where ``load_demo`` creates that
    user — the embedded, DEBUG mode of ``bin/serve`` — and only while it exists. A production
    site (DEBUG off) never advertises a password, whoever is called "demo" there."""
    if not settings.DEBUG:
        return False
    return get_user_model().objects.filter(username="demo", is_active=True).exists()
