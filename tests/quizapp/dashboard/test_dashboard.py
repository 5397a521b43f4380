"""The student's dashboard: weakest topics, today's cards, the 14-day forecast, attempts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from question_bank.models import Question, Topic
from quizapp.dashboard.selectors import review_forecast
from quizapp.flashcards import services as flashcards
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
    assert len(days) == 14 and days[0].label == "сег"  # «сегодня», cut to fit the bar
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
        for seed in range(5):  # enough answers to rank a topic
            PracticeAnswer.objects.create(
                user=student,
                topic=topics[slug],
                version=version,
                seed=seed,
                raw="1",
                status="graded",
                score=score,
            )
    _card(student, version.question, timezone.now() + dt.timedelta(days=3))  # a forecast to draw
    client.force_login(student)
    with django_assert_max_num_queries(20):
        html = client.get("/").content.decode()
    assert "Прогноз повторений на 14 дней" in html and "<svg" in html
    assert not re.search(r'(y|height)="\d+,\d', html)  # SVG lengths with a decimal point
    assert html.index("Свёрточные сети") < html.index("Полносвязные сети")  # 0 % before 100 %


def test_an_empty_forecast_is_explained_not_drawn(client, student, demo_quiz):
    client.force_login(student)
    html = client.get("/").content.decode()
    assert "Прогноз повторений на 14 дней" in html
    assert "<svg" not in html  # fourteen bars of height 0 and day labels: nothing to read
    assert "Пока нечего повторять" in html


def test_no_review_button_without_cards_a_link_to_the_decks_instead(client, student, demo_quiz):
    client.force_login(student)
    html = client.get("/").content.decode()
    assert "Повторять" not in html
    assert re.search(r'<a href="[^"]+">Колоды</a>', html)


def test_the_review_button_is_there_when_a_card_is_due(client, student, demo_quiz):
    question = Question.objects.filter(bank__slug="demo").first()
    flashcards.deck_add(user=student, bank=question.bank, topic=None)
    _card(student, question, timezone.now() - dt.timedelta(hours=1))
    client.force_login(student)
    html = client.get("/").content.decode()
    assert re.search(r'<a class="button" href="[^"]+">Повторять</a>', html) and "<svg" in html


def test_an_anonymous_visitor_is_told_how_to_try_the_app(client, demo_quiz, settings):
    settings.DEBUG = False
    html = client.get("/").content.decode()
    assert "Как попробовать" in html
    assert f'<a href="{reverse("register")}">Зарегистрируйтесь</a>' in html
    assert f'<a href="{reverse("login")}">войдите</a>' in html
    assert "demo" not in html.split("Как попробовать")[1].split("</section>")[0]


def test_the_demo_login_is_offered_only_where_load_demo_made_it(
    client, django_user_model, demo_quiz, settings
):
    settings.DEBUG = True
    assert "<code>demo</code>" not in client.get("/").content.decode()  # no such user yet
    django_user_model.objects.create_user("demo", password="demo")
    html = client.get("/").content.decode()
    assert "логин <code>demo</code>, пароль <code>demo</code>" in html
    settings.DEBUG = False  # a production site never advertises a password
    assert "<code>demo</code>" not in client.get("/").content.decode()
