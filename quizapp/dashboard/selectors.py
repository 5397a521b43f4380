"""The student's dashboard: weakest topics, today's cards, the review forecast, recent attempts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from question_bank.models import Topic
from quizapp.attempts.visibility import attempt_visibility
from quizapp.flashcards.forecast import FORECAST_DAYS, ForecastDay, review_forecast
from quizapp.flashcards.personal import DEFAULT_PARAMETERS, usable
from quizapp.flashcards.planning import expected_recall
from quizapp.flashcards.selectors import (
    flashcard_queue,
    study_targets,
    visible,
)
from quizapp.models import Attempt, FlashcardState, PracticeAnswer, StudyProfile
from quizapp.practice.mastery import weakest_first
from quizapp.practice.selectors import topic_mastery

MAX_FORECAST_DAYS = 70  # with an exam ahead, the forecast runs until it (at most ten weeks)


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


def exam_outlook(*, user, now: dt.datetime) -> ExamOutlook | None:
    """The exam ahead (the student's or their course's) with the load until it and the
    expected recall on the day (:func:`planning.expected_recall`)."""
    today = timezone.localtime(now).date()
    profile = StudyProfile.objects.filter(user=user).values(
        "desired_retention", "exam_date", "fsrs_parameters"
    )
    profile = next(iter(profile), {})
    targets = study_targets(user=user, today=today, profile=profile)
    if targets.exam_date is None or targets.exam_date <= today:
        return None
    parameters = usable(profile.get("fsrs_parameters")) or list(DEFAULT_PARAMETERS)
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
        attempts=_recent_attempts(user),
    )


def _recent_attempts(user) -> list[Attempt]:
    """The last five attempts, each with ``score_shown``: whether the quiz shows its score now
    (a score shown after the close date appears once the release bumps the study token)."""
    attempts = list(Attempt.objects.filter(user=user).select_related("quiz", "user")[:5])
    for attempt in attempts:
        attempt.score_shown = attempt_visibility(attempt).score
    return attempts


def demo_login_offered() -> bool:
    """Whether to tell a visitor about the login demo/demo: only where ``load_demo`` creates that
    user — the embedded, DEBUG mode of ``bin/serve`` — and only while it exists. A production
    site (DEBUG off) never advertises a password, whoever is called "demo" there."""
    if not settings.DEBUG:
        return False
    return get_user_model().objects.filter(username="demo", is_active=True).exists()
