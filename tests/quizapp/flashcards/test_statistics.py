"""Flashcard statistics (issue 17, point 3): the year's heatmap, true retention against the
target by topic and by card age, time spent, the forecast — server-rendered SVG."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from question_bank.models import Bank, Question, Topic
from quizapp.flashcards import statistics
from quizapp.models import FlashcardReview, FlashcardState, StudyProfile

pytestmark = pytest.mark.django_db
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)  # 15:00 in Moscow


@pytest.fixture(autouse=True)
def moscow(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    timezone.activate(MOSCOW)
    yield
    timezone.deactivate()


def _card(user, topic: Topic, slug: str) -> FlashcardState:
    question = Question.objects.create(
        bank=topic.bank, topic=topic, slug=slug, title=slug, kind=Question.Kind.FLASHCARD
    )
    return FlashcardState.objects.create(user=user, question=question, reps=1)


def _review(card, at, rating, *, state=2, days_before=None):
    previous = {"state": state}
    if days_before is not None:
        previous["last_review"] = (at - dt.timedelta(days=days_before)).isoformat()
    return FlashcardReview.objects.create(
        user=card.user, card=card, rating=rating, reviewed_at=at, previous_state=previous
    )


@pytest.fixture
def topics():
    bank = Bank.objects.create(slug="st", title="Статистика")
    return (
        Topic.objects.create(bank=bank, slug="cnn", title="Свёртки"),
        Topic.objects.create(bank=bank, slug="rnn", title="Рекуррентные сети"),
    )


def test_retention_counts_only_cards_in_review_by_topic_and_age(student, topics):
    cnn, rnn = (_card(student, t, t.slug) for t in topics)
    base = NOW - dt.timedelta(days=2)
    _review(cnn, base, 3, days_before=1)  # remembered, 1 day old
    _review(cnn, base + dt.timedelta(seconds=20), 1, days_before=10)  # forgotten, 10 days
    _review(rnn, base + dt.timedelta(seconds=40), 4, days_before=40)  # remembered, 40 days
    _review(rnn, base + dt.timedelta(seconds=50), 1, state=1)  # a learning step: not counted
    _review(rnn, base - dt.timedelta(days=40), 1, days_before=3)  # older than 30 days
    StudyProfile.objects.create(user=student, desired_retention=0.85)
    result = statistics.flashcard_statistics(user=student, now=NOW)
    assert (result.retention.right, result.retention.total) == (2, 3)
    assert result.retention.percent == pytest.approx(66.7)
    assert result.target_percent == 85
    assert [(s.label, s.right, s.total) for s in result.by_topic] == [
        ("Свёртки", 1, 2),
        ("Рекуррентные сети", 1, 1),
    ]  # fmt: skip  (weakest first)
    assert [(s.label, s.right, s.total) for s in result.by_age] == [
        ("1 дн.", 1, 1), ("8–15 дн.", 0, 1), ("31–90 дн.", 1, 1),
    ]  # fmt: skip


def test_heatmap_days_are_the_students_calendar_days_and_the_streak_counts_back(student, topics):
    card = _card(student, topics[0], "c")
    # 23:30 and 00:30 in Moscow: two calendar days, although 60 minutes apart.
    late = dt.datetime(2026, 12, 2, 20, 30, tzinfo=dt.UTC)
    _review(card, late, 3, days_before=2)
    _review(card, late + dt.timedelta(hours=1), 3, days_before=2)
    _review(card, NOW - dt.timedelta(hours=1), 3, days_before=2)
    _review(card, NOW - dt.timedelta(days=200), 3, days_before=2)
    _review(card, NOW - dt.timedelta(days=400), 3, days_before=2)  # outside the year
    result = statistics.flashcard_statistics(user=student, now=NOW)
    counts = {cell.date: cell.count for cell in result.heatmap if cell.count}
    assert counts == {
        dt.date(2026, 12, 2): 1, dt.date(2026, 12, 3): 1, dt.date(2026, 12, 4): 1,
        (NOW - dt.timedelta(days=200)).astimezone(MOSCOW).date(): 1,
    }  # fmt: skip
    assert (result.reviews_year, result.active_days, result.streak) == (4, 4, 3)
    assert result.heatmap[-1].date == dt.date(2026, 12, 4)
    assert len({cell.x for cell in result.heatmap}) == statistics.HEATMAP_WEEKS
    assert {cell.level for cell in result.heatmap} == {0, 4}


def test_time_spent_caps_each_answer_at_a_minute(student, topics):
    card = _card(student, topics[0], "c")
    start = NOW - dt.timedelta(hours=3)
    for seconds in (0, 10, 30, 50, 5000, 5020):  # two sessions: 82 minutes between them
        _review(card, start + dt.timedelta(seconds=seconds), 3, days_before=1)
    result = statistics.flashcard_statistics(user=student, now=NOW)
    # Gaps 10, 20, 20 and 20 s; the long one starts a session; each session's first rating
    # counts as the median gap (20 s): 70 + 2·20 = 110 s.
    assert result.minutes_30 == pytest.approx(round(110 / 60, 1))


def test_the_page_draws_it_without_inline_styles(student_client, student, topics):
    card = _card(student, topics[0], "c")
    _review(card, timezone.now() - dt.timedelta(hours=1), 3, days_before=4)
    _review(card, timezone.now() - dt.timedelta(minutes=59), 1, days_before=20)
    page = student_client.get(reverse("flashcard-stats")).content.decode()
    assert "Повторения за год" in page and "Вспомнено 50,0 % повторений" in page
    assert "цель — 90 %" in page and 'class="heatmap"' in page and "Прогноз на 30 дней" in page
    assert "style=" not in page  # the CSP allows no inline style
