"""The student's dashboard: weakest topics, today's cards, the review forecast, recent attempts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy

from question_bank.models import Topic
from quizapp.flashcards.personal import DEFAULT_PARAMETERS, usable
from quizapp.flashcards.planning import expected_recall
from quizapp.flashcards.selectors import (
    day_bounds,
    flashcard_queue,
    fsrs_parameters,
    study_targets,
    visible,
)
from quizapp.models import Attempt, FlashcardState, PracticeAnswer
from quizapp.practice.mastery import weakest_first
from quizapp.practice.selectors import topic_mastery

FORECAST_DAYS = 14
MAX_FORECAST_DAYS = 70  # with an exam ahead, the forecast runs until it (at most ten weeks)
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


@dataclass
class ExamOutlook:
    """The exam the reviews are planned toward, as the dashboard tells it."""

    date: dt.date
    days_left: int
    retention: float  # the target
    expected_recall: float | None  # on the exam day, of the cards studied so far
    cards: int  # studied cards the estimate covers
    per_day: float  # reviews due per day until the exam, on average

    @property
    def retention_percent(self) -> int:
        return round(100 * self.retention)

    @property
    def recall_percent(self) -> int | None:
        return None if self.expected_recall is None else round(100 * self.expected_recall)


@dataclass
class Dashboard:
    topics: list[dict]  # practised topics, weakest first: {"topic", "mastery"}
    scarce: list[dict]  # practised topics with too few answers to rate («мало данных»)
    due_today: int
    new_today: int
    forecast: list[ForecastDay]
    attempts: list[Attempt]
    exam: ExamOutlook | None = None

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


def exam_outlook(*, user, now: dt.datetime) -> ExamOutlook | None:
    """The exam ahead (the student's or their course's) with the load until it and the
    expected recall on the day (:func:`planning.expected_recall`)."""
    today = timezone.localtime(now).date()
    targets = study_targets(user=user, today=today)
    if targets.exam_date is None or targets.exam_date <= today:
        return None
    parameters = usable(fsrs_parameters(user=user)) or list(DEFAULT_PARAMETERS)
    rows = FlashcardState.objects.filter(
        visible(now), user=user, reps__gt=0, stability__isnull=False, difficulty__isnull=False
    ).values_list("stability", "difficulty", "last_review", "due")
    cards = [
        (s, d, timezone.localtime(last).date(), timezone.localtime(due).date())
        for s, d, last, due in rows
        if last is not None and due is not None
    ]
    days_left = (targets.exam_date - today).days
    before = sum(1 for *_rest, due in cards if due < targets.exam_date)
    return ExamOutlook(
        date=targets.exam_date,
        days_left=days_left,
        retention=targets.retention,
        expected_recall=expected_recall(
            cards,
            exam_date=targets.exam_date,
            today=today,
            parameters=parameters,
            retention=targets.retention,
        ),
        cards=len(cards),
        per_day=round(before / days_left, 1),
    )


def dashboard(*, user, now: dt.datetime) -> Dashboard:
    practised = Topic.objects.filter(
        pk__in=PracticeAnswer.objects.filter(user=user).values("topic_id")
    ).select_related("bank")
    mastery = topic_mastery(user=user, topics=practised)
    topics, scarce = weakest_first([{"topic": t, "mastery": mastery[t.pk]} for t in practised])
    queue = flashcard_queue(user=user, now=now)
    exam = exam_outlook(user=user, now=now)
    days = FORECAST_DAYS if exam is None else min(MAX_FORECAST_DAYS, max(7, exam.days_left))
    return Dashboard(
        topics=topics[:10],
        scarce=scarce[:10],
        due_today=queue.due_count + queue.ahead_count,
        new_today=queue.new_count,
        forecast=review_forecast(user=user, now=now, days=days),
        exam=exam,
        attempts=list(Attempt.objects.filter(user=user).select_related("quiz")[:5]),
    )


def demo_login_offered() -> bool:
    """Whether to tell a visitor about the login demo/demo: only where ``load_demo`` creates that
    user — the embedded, DEBUG mode of ``bin/serve`` — and only while it exists. A production
    site (DEBUG off) never advertises a password, whoever is called "demo" there."""
    if not settings.DEBUG:
        return False
    return get_user_model().objects.filter(username="demo", is_active=True).exists()
