"""Mastery carries its uncertainty: one right answer is «мало данных», not «100 %», and the
dashboard's «Слабые темы» ranks by what the answers can support, not by a raw ratio.

The selector tests run on SQLite and, with DATABASE_URL, on PostgreSQL (the answers are ordered
newest first by the database)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from question_bank.models import Question, Topic
from quizapp.dashboard.selectors import dashboard
from quizapp.models import PracticeAnswer
from quizapp.practice import selectors
from quizapp.practice.mastery import MIN_ANSWERS, mastery_of, weakest_first

pytestmark = pytest.mark.django_db


@pytest.fixture
def topics(demo_quiz) -> dict[str, Topic]:
    return {t.slug: t for t in Topic.objects.filter(bank__slug="demo")}


def _answer(user, topic, scores_oldest_first):
    """Graded practice answers, one second apart (the oldest first)."""
    version = Question.objects.filter(bank__slug="demo").first().versions.first()
    start = timezone.now() - dt.timedelta(hours=1)
    for i, score in enumerate(scores_oldest_first):
        answer = PracticeAnswer.objects.create(
            user=user, topic=topic, version=version, seed=i, raw="1", status="graded", score=score
        )
        # created_at is auto_now_add: the order is set afterwards, as answers given over time.
        PracticeAnswer.objects.filter(pk=answer.pk).update(
            created_at=start + dt.timedelta(seconds=i)
        )


def test_one_right_answer_is_too_little_data_not_100_percent(client, student, topics):
    _answer(student, topics["cnn"], [1.0])
    mastery = selectors.topic_mastery(user=student, topics=[topics["cnn"]])[topics["cnn"].pk]
    assert (mastery.answers, mastery.enough) == (1, False)
    assert mastery.low < 0.5 < mastery.share < 1  # the estimate is pulled towards the prior
    client.force_login(student)
    page = client.get(reverse("practice-topic", args=[topics["cnn"].pk])).content.decode()
    assert "Освоение: мало данных (ответов: 1, оценка появится после 5)." in page
    assert "100%" not in page
    index = client.get(reverse("practice")).content.decode()
    assert "мало данных" in index and "100%" not in index


def test_enough_answers_show_the_estimate_with_its_range(client, student, topics):
    scores = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0]  # oldest first
    _answer(student, topics["cnn"], scores)
    mastery = selectors.topic_mastery(user=student, topics=[topics["cnn"]])[topics["cnn"].pk]
    assert mastery == mastery_of(scores[::-1], decay=selectors.MASTERY_DECAY)
    assert mastery.enough and mastery.low < mastery.share < mastery.high
    client.force_login(student)
    page = client.get(reverse("practice-topic", args=[topics["cnn"].pk])).content.decode()
    figure = (
        f"Освоение ≈ {mastery.percent}% ({mastery.low_percent}–{mastery.high_percent}%), ответов: 7"
    )
    assert figure in page


def test_the_window_decay_and_subtopics_feed_the_estimate(student, topics):
    # Oldest first: 25 wrong answers fall out of the window of the newest 20.
    _answer(student, topics["cnn"], [0.0] * 25 + [1.0] * 20)
    mastery = selectors.topic_mastery(user=student, topics=[topics["cnn"]])[topics["cnn"].pk]
    assert mastery.answers == selectors.MASTERY_WINDOW
    assert mastery == mastery_of([1.0] * 20, decay=selectors.MASTERY_DECAY)
    # The newest answer weighs most: a wrong newest answer lowers the estimate more.
    older_wrong = mastery_of([1.0, 1.0, 1.0, 1.0, 0.0], decay=0.9)
    newest_wrong = mastery_of([0.0, 1.0, 1.0, 1.0, 1.0], decay=0.9)
    assert newest_wrong.share < older_wrong.share


def test_the_range_narrows_with_evidence_and_stays_within_0_and_1():
    few, many = mastery_of([1.0] * 5, decay=1.0), mastery_of([1.0] * 50, decay=1.0)
    assert few.high - few.low > many.high - many.low
    for scores in ([0.0] * 5, [1.0] * 5, [0.5] * 5, [1.0]):
        m = mastery_of(scores, decay=0.9)
        assert 0.0 <= m.low <= m.share <= m.high <= 1.0


def test_weakest_first_ranks_by_what_the_answers_support():
    # Two of five right (40 %) against 18 of 40 (45 %): the raw ratio calls the short record
    # weaker; but 2 of 5 may well hide a mastered topic, 18 of 40 cannot.
    short = {"name": "short", "mastery": mastery_of([1.0] * 2 + [0.0] * 3, decay=1.0)}
    long_ = {"name": "long", "mastery": mastery_of([1.0] * 18 + [0.0] * 22, decay=1.0)}
    lucky = {"name": "lucky", "mastery": mastery_of([1.0], decay=1.0)}
    solid = {"name": "solid", "mastery": mastery_of([1.0] * 45 + [0.0] * 5, decay=1.0)}
    assert short["mastery"].share < long_["mastery"].share  # the estimate alone: short first
    rated, scarce = weakest_first([lucky, short, solid, long_])
    assert [r["name"] for r in rated] == ["long", "short", "solid"]
    assert [r["name"] for r in scarce] == ["lucky"]  # 1 of 1 is never ranked as strong


def test_dashboard_lists_a_lucky_topic_apart_not_as_stronger(client, student, topics):
    _answer(student, topics["mlp"], [1.0])  # 1 of 1
    # 45 of 50: the newest 20 hold two mistakes.
    _answer(student, topics["cnn"], [1.0] * 30 + [0.0] * 3 + [1.0] * 9 + [0.0] * 2 + [1.0] * 6)
    _answer(student, topics["activations"], [0.0, 1.0, 0.0, 0.0, 1.0, 0.0])
    board = dashboard(user=student, now=timezone.now())
    assert [r["topic"].slug for r in board.topics] == ["activations", "cnn"]
    assert [r["topic"].slug for r in board.scarce] == ["mlp"]
    client.force_login(student)
    html = client.get("/").content.decode()
    weak = html.split("Слабые темы")[1].split("</div>")[0]
    listed = weak.split("</ul>")[0]
    assert "Полносвязные сети" not in listed  # the lucky topic is not ranked…
    assert re.search(r"Мало данных.*Полносвязные сети", weak, re.S)  # …but listed apart
    cnn = board.topics[1]["mastery"]
    assert f"≈ {cnn.percent}% ({cnn.low_percent}–{cnn.high_percent}%)" in listed
    assert listed.index("Функции активации") < listed.index("Свёрточные сети")


def test_fewer_than_the_threshold_is_scarce():
    assert not mastery_of([1.0] * (MIN_ANSWERS - 1), decay=0.9).enough
    assert mastery_of([1.0] * MIN_ANSWERS, decay=0.9).enough
