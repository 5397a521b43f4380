"""Practice keeps refusing an unreadable answer without closing the variant (issue 12 §2), and its
message is a sentence: «42» for a vector says what shape was expected, with its full stop."""

from __future__ import annotations

import uuid

import pytest

from question_bank.models import QuestionVersion
from quizapp.practice import services as practice

pytestmark = pytest.mark.django_db


def test_an_unreadable_vector_answer_is_refused_with_a_full_stop_and_the_variant_stays_open(
    student, demo_quiz, django_capture_on_commit_callbacks
):
    version = QuestionVersion.objects.get(question__slug="dropout-vector")
    topic = version.question.topic

    def submit(raw):
        with django_capture_on_commit_callbacks(execute=True):
            answer = practice.practice_submit(
                user=student,
                topic=topic,
                version=version,
                seed=7,
                raw=raw,
                client_token=uuid.uuid4(),
            )
        answer.refresh_from_db()
        return answer

    bad = submit("42")
    assert bad.status == "invalid" and bad.score is None
    assert bad.result["feedback"] == (
        "Ожидался вектор из 3 элементов, получен 1. "
        "Вектор вводится так: [0; 2; 0], [0, 2, 0] или 0 2 0."
    )
    assert "Неверно" not in bad.result["feedback"]
    assert submit("[0; 0; 0]").status == "graded"  # the variant was still open
