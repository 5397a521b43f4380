"""No N+1 on the student's main pages: the number of queries does not grow with the data.

Each page is requested with little data and with several times more (banks, topics, quiz
attempts, answers, cards); the query count must be the same, and below a fixed bound.
"""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from question_bank.models import Bank, Topic
from quizapp.attempts import services
from quizapp.flashcards import services as flashcards
from quizapp.models import Quiz

pytestmark = pytest.mark.django_db

BOUND = 25


@pytest.fixture
def demo(demo_quiz):
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    return Bank.objects.get(slug="demo")


def _count(client, url) -> int:
    cache.clear()  # the uncached path: what a page costs when it is computed
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _more_data(student, demo, round_: int):
    """Another finished attempt with answers, practice answers, a deck, a new bank."""
    attempt = services.attempt_start(user=student, quiz=Quiz.objects.get(slug="demo-exam"))
    for item in attempt.items.all():
        services.response_submit(item=item, raw="1")
    services.attempt_finish(attempt=attempt)
    bank = Bank.objects.create(slug=f"extra-{round_}", title=f"Ещё банк {round_}")
    for i in range(3):
        Topic.objects.create(bank=bank, slug=f"t{i}", title=f"Тема {i}")
    flashcards.deck_add(user=student, bank=demo, topic=demo.topics.all()[round_])


def test_main_pages_do_not_grow_with_data(student_client, student, demo):
    exam = Quiz.objects.get(slug="demo-exam")
    Quiz.objects.filter(pk=exam.pk).update(max_attempts=None)
    topic = Topic.objects.get(bank=demo, slug="regularization")
    open_attempt = services.attempt_start(user=student, quiz=Quiz.objects.get(slug="demo"))
    pages = {
        "home": reverse("home"),
        "practice": reverse("practice"),
        "practice-topic": reverse("practice-topic", args=[topic.pk]),
        "cards": reverse("flashcards"),
        "decks": reverse("flashcard-decks"),
        "quiz": reverse("quiz", args=[exam.slug]),
        "attempt": open_attempt.get_absolute_url(),
    }
    _more_data(student, demo, 0)
    for url in pages.values():
        student_client.get(url)  # warm: sessions, lazily created rows, caches
    before = {name: _count(student_client, url) for name, url in pages.items()}
    for round_ in (1, 2, 3):
        _more_data(student, demo, round_)
    after = {name: _count(student_client, url) for name, url in pages.items()}
    assert after == before
    assert max(after.values()) <= BOUND, after


def test_attempt_pages_do_not_grow_with_items(student_client, student, demo):
    """The attempt and result pages of a 9-item quiz cost what those of a 6-item one do."""
    counts = {}
    for slug in ("demo-exam", "demo"):
        attempt = services.attempt_start(user=student, quiz=Quiz.objects.get(slug=slug))
        for item in attempt.items.all():
            services.draft_save(item=item, raw="1", rev=1)
        in_progress = _count(student_client, attempt.get_absolute_url())
        services.attempt_finish(attempt=attempt)
        result = _count(student_client, attempt.get_absolute_url())
        counts[attempt.items.count()] = (in_progress, result)
    assert counts[6] == counts[9]
    assert max(max(pair) for pair in counts.values()) <= BOUND
