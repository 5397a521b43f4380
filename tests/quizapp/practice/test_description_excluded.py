"""Practice never draws a description: it has nothing to answer."""

from __future__ import annotations

import pytest

from question_bank.models import Bank, Question, QuestionVersion, Topic
from quizapp.core.errors import ServiceError
from quizapp.practice import selectors

pytestmark = pytest.mark.django_db


def _question(topic, slug, spec):
    question = Question.objects.create(
        bank=topic.bank, topic=topic, slug=slug, title=slug, kind=spec["kind"]
    )
    QuestionVersion.objects.create(question=question, number=1, spec=spec)
    return question


@pytest.fixture
def topic():
    bank = Bank.objects.create(slug="act", title="Активации")
    return Topic.objects.create(bank=bank, slug="act-t", title="Активации")


def test_a_topic_of_descriptions_only_is_empty_for_practice(topic):
    _question(topic, "intro", {"kind": "description", "text": "Дальше — задачи об активациях."})
    with pytest.raises(ServiceError):
        selectors.practice_pick(topic=topic)


def test_practice_draws_the_matching_question_and_never_the_description(topic):
    _question(topic, "intro", {"kind": "description", "text": "Дальше — задачи об активациях."})
    match = _question(
        topic,
        "match",
        {
            "kind": "matching",
            "text": "Сопоставьте.",
            "pairs": [
                {"stem": "сигмоида", "answer": "(0; 1)"},
                {"stem": "tanh", "answer": "(−1; 1)"},
            ],
        },
    )
    for _ in range(20):
        version, _seed = selectors.practice_pick(topic=topic)
        assert version.question_id == match.pk
