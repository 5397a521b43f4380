"""Realistic student work built through the services, and the counts the deletion, archival and
backup tests compare before and after."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from question_bank.models import Bank, Question, QuestionVersion
from quizapp.attempts import services as attempts
from quizapp.courses import services as courses
from quizapp.flashcards import services as flashcards
from quizapp.models import (
    Attempt,
    Enrollment,
    FlashcardReview,
    FlashcardState,
    PracticeAnswer,
    Quiz,
    QuizItem,
    Response,
)
from quizapp.practice import services as practice

_PARSED: dict = {}


def demo_bank_data() -> dict:
    """The demo bank file, parsed once per process (the variant checks are tested elsewhere)."""
    if "bank" not in _PARSED:
        from question_bank.formats import parse_file
        from tests.conftest import DEMO

        result = parse_file(DEMO.read_bytes(), str(DEMO))
        assert result.ok
        _PARSED["bank"] = result.bank
    return copy.deepcopy(_PARSED["bank"])


def import_bank(*, owner, slug: str) -> tuple[Bank, list[QuestionVersion]]:
    from question_bank.services import bank_import

    data = demo_bank_data()
    data["bank"]["slug"] = slug
    data["bank"]["title"] = f"Банк {slug}"
    bank, versions = bank_import(data=data, user=owner)
    bank.owner = owner
    bank.save(update_fields=["owner"])
    return bank, versions


@dataclass
class Work:
    bank: Bank
    quiz: Quiz
    attempt: Attempt
    course: object


def build_student_work(*, student, owner, slug: str = "work") -> Work:
    """A course with a published quiz of ``owner``'s bank; ``student`` joins, takes the quiz
    (graded answers, finished), practises and reviews flashcards of the same bank."""
    bank, versions = import_bank(owner=owner, slug=f"{slug}-bank")
    by_slug = {v.question.slug: v for v in versions}
    quiz = Quiz.objects.create(
        slug=f"{slug}-quiz", title=f"Контрольная {slug}", owner=owner, is_published=True
    )
    for position, name in enumerate(["lstm-gates", "dense-params"], start=1):
        QuizItem.objects.create(quiz=quiz, position=position, question=by_slug[name].question)
    course = courses.course_create(owner=owner, title=f"Курс {slug}", code=f"{slug}-course")
    courses.course_join(user=student, code=course.join_code)
    courses.course_quiz_assign(course=course, quiz=quiz, by=owner)

    attempt = attempts.attempt_start(user=student, quiz=quiz)
    for item in attempt.items.order_by("position"):
        response = attempts.response_submit(item=item, raw="2")
        attempts.response_grade(response_id=response.pk)
    attempt = attempts.attempt_finish(attempt=attempt)

    version = by_slug["dense-params"]
    answer = practice.practice_submit(
        user=student, topic=version.question.topic, version=version, seed=7, raw="100"
    )
    practice.practice_grade(answer_id=answer.pk)

    flashcards.deck_add(user=student, bank=bank)
    card_question = Question.objects.filter(bank=bank, kind="flashcard").first()
    state = flashcards.flashcard_state_ensure(user=student, question=card_question)
    now = timezone.now()
    flashcards.flashcard_rate(user=student, state=state, rating=3, now=now, expected_reps=0)
    state.refresh_from_db()
    flashcards.flashcard_rate(
        user=student, state=state, rating=4, now=now + dt.timedelta(days=2), expected_reps=1
    )
    return Work(bank=bank, quiz=quiz, attempt=attempt, course=course)


COUNTED = (Attempt, Response, PracticeAnswer, FlashcardState, FlashcardReview, Enrollment)


def counts() -> dict[str, int]:
    out = {model.__name__: model.objects.count() for model in COUNTED}
    out["User"] = get_user_model().objects.count()
    out["QuestionVersion"] = QuestionVersion.objects.count()
    return out
