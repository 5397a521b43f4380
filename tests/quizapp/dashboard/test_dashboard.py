"""The student's dashboard: weakest topics, today's cards, the 14-day forecast, attempts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from question_bank.models import Question, Topic
from quizapp.dashboard.selectors import review_forecast
from quizapp.models import FlashcardState, PracticeAnswer

pytestmark = pytest.mark.django_db


def _card(user, question, due, **extra):
    return FlashcardState.objects.create(user=user, question=question, due=due, reps=1, **extra)


def test_forecast_buckets_cards_by_local_day(student, demo_quiz):
    now = timezone.now()
    questions = list(Question.objects.filter(bank__slug="demo"))
    _card(student, questions[0], now - dt.timedelta(days=3))  # overdue: today
    _card(student, questions[1], now + dt.timedelta(days=2))
    _card(student, questions[2], now + dt.timedelta(days=2))
    _card(student, questions[3], now + dt.timedelta(days=30))  # beyond the window
    _card(student, questions[4], now + dt.timedelta(days=1), suspended=True)  # not shown
    days = review_forecast(user=student, now=now)
    assert len(days) == 14 and days[0].label == "сегодня"
    assert [d.count for d in days[:4]] == [1, 0, 2, 0] or [d.count for d in days[:4]] == [
        1,
        1,
        1,
        0,
    ]
    assert sum(d.count for d in days) == 3
    assert max(d.height for d in days) == 85


def test_dashboard_page_shows_weakest_topics_first(
    client, student, demo_quiz, django_assert_max_num_queries
):
    topics = {t.slug: t for t in Topic.objects.filter(bank__slug="demo")}
    version = Question.objects.get(slug="dense-params").versions.first()
    for slug, score in [("mlp", 1.0), ("cnn", 0.0)]:
        PracticeAnswer.objects.create(
            user=student,
            topic=topics[slug],
            version=version,
            seed=1,
            raw="1",
            status="graded",
            score=score,
        )
    client.force_login(student)
    with django_assert_max_num_queries(20):
        html = client.get("/").content.decode()
    assert "Прогноз повторений на 14 дней" in html and "<svg" in html
    assert not re.search(r'(y|height)="\d+,\d', html)  # SVG lengths with a decimal point
    assert html.index("Свёрточные сети") < html.index("Полносвязные сети")  # 0 % before 100 %
