"""A description (an information item with no answer) is never a flashcard, and a matching
question is a card like every other answered kind."""

from __future__ import annotations

import datetime as dt

import pytest

from question_bank.models import Bank, Question, QuestionVersion, Topic
from quizapp.flashcards import selectors, services

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)
SPECS = {
    "card": {"kind": "flashcard", "front": "ReLU?", "back": "max(0, x)"},
    "intro": {"kind": "description", "text": "Дальше — задачи об активациях."},
    "match": {
        "kind": "matching",
        "text": "Сопоставьте.",
        "pairs": [{"stem": "сигмоида", "answer": "(0; 1)"}, {"stem": "tanh", "answer": "(−1; 1)"}],
    },
}


def _bank() -> Bank:
    bank = Bank.objects.create(slug="act", title="Активации")
    topic = Topic.objects.create(bank=bank, slug="act-t", title="Активации")
    for slug, spec in SPECS.items():
        question = Question.objects.create(
            bank=bank, topic=topic, slug=slug, title=slug, kind=spec["kind"]
        )
        QuestionVersion.objects.create(question=question, number=1, spec=spec)
    return bank


def test_the_study_set_and_the_queue_leave_descriptions_out(student):
    bank = _bank()
    services.deck_add(user=student, bank=bank)
    studied = set(selectors.study_questions(user=student).values_list("slug", flat=True))
    assert studied == {"card", "match"}
    queued = {
        e.load().question.slug for e in selectors.flashcard_queue(user=student, now=NOW).entries
    }
    assert queued == {"card", "match"}
    assert (
        selectors.flashcard_for_user(user=student, question_id=bank.questions.get(slug="intro").pk)
        is None
    )


def test_the_overview_counts_no_description_card(student):
    bank = _bank()
    rows = [row for row in selectors.deck_overview(user=student).banks if row.bank == bank]
    assert [row.cards for row in rows] == [2]
    assert [t.cards for t in rows[0].topics] == [2]
