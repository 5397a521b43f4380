"""An essay question in the demo quiz, owned by ``owner``: the fixtures of the manual-grading
tests (imported by the test modules that use them)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from question_bank.models import Question, QuestionVersion, Topic
from quizapp.attempts import services
from quizapp.models import Attempt, QuizItem, Response

RUBRIC = "2 балла — борьба с переобучением; 2 балла — масштабирование при выводе."
SPEC = {
    "kind": "essay",
    "text": "Объясните, зачем нужен Dropout.",
    "rubric": RUBRIC,
    "solution": "Dropout выключает нейроны случайно, чтобы сеть не переобучалась.",
}
ESSAY_POINTS = Decimal(4)


@pytest.fixture
def essay_quiz(demo_quiz, owner):
    """The demo quiz (published, open, linked to the LMS in the LTI tests), now owned by ``owner``
    and with an essay worth 4 points at the end."""
    topic = Topic.objects.get(bank__slug="demo", slug="regularization")
    question = Question.objects.create(
        bank=topic.bank, topic=topic, slug="dropout-essay", title="Эссе о Dropout", kind="essay"
    )
    QuestionVersion.objects.create(question=question, number=1, spec=SPEC)
    demo_quiz.owner = owner
    demo_quiz.save(update_fields=["owner"])
    last = demo_quiz.items.order_by("-position").first().position
    QuizItem.objects.create(
        quiz=demo_quiz, question=question, position=last + 1, points=ESSAY_POINTS
    )
    return demo_quiz


def essay_item(attempt):
    return attempt.items.get(version__question__slug="dropout-essay")


def finish_with_essay(user, quiz, capture, text="Чтобы сеть не переобучалась.") -> Attempt:
    """Start, answer the essay (and nothing else), finish: the essay waits for the instructor."""
    attempt = services.attempt_start(user=user, quiz=quiz)
    with capture(execute=True):
        services.response_submit(item=essay_item(attempt), raw=text)
    with capture(execute=True):
        services.attempt_finish(attempt=attempt)
    return Attempt.objects.select_related("quiz").get(pk=attempt.pk)


def essay_response(attempt) -> Response:
    return Response.objects.filter(item=essay_item(attempt)).latest("id")
