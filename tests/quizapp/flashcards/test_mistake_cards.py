"""Mistakes become cards (issue 17, point 4): a recognised typical mistake in practice or in a
finished quiz adds the question to the student's cards, once; the card comes back with new
numbers and explains the mistake with them; the student can turn it off."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse
from django.utils import timezone

import grader
from grader import kinds
from grader.grading import mistake_value
from question_bank.models import Question
from quizapp.attempts import services as attempts
from quizapp.flashcards import selectors, services
from quizapp.models import (
    FlashcardState,
    MistakeNote,
    PracticeAnswer,
    Quiz,
    Response,
    StudyProfile,
)
from quizapp.practice import services as practice
from tests.quizapp.attempts import stack

pytestmark = pytest.mark.django_db
SLUG = "dense-params"  # the demo's parameter count: typical mistake «no_bias»


def _mistaken(spec: dict, seed: int, mistake_id: str) -> str:
    kind = kinds.get(spec["kind"])
    index = [m["id"] for m in spec["mistakes"]].index(mistake_id)
    values = grader.variant(spec, seed).values
    return str(mistake_value(kind, spec, index, values))


def _practise(user, version, seed: int, raw: str, capture):
    topic = version.question.topic
    with capture(execute=True):
        practice.practice_submit(user=user, topic=topic, version=version, seed=seed, raw=raw)


@pytest.fixture
def dense(demo_quiz):
    question = Question.objects.get(bank__slug="demo", slug=SLUG)
    return question.versions.order_by("-number").first()


def test_a_practice_mistake_adds_a_card_once(student, dense, django_capture_on_commit_callbacks):
    assert selectors.flashcard_queue(user=student, now=timezone.now()).studying is False
    for seed in (11, 12):  # the same mistake twice: one note, one card
        raw = _mistaken(dense.spec, seed, "no_bias")
        _practise(student, dense, seed, raw, django_capture_on_commit_callbacks)
    note = MistakeNote.objects.get()
    assert (note.user, note.question, note.mistake_id, note.source) == (
        student, dense.question, "no_bias", "practice",
    )  # fmt: skip
    assert note.feedback == grader.grade(dense.spec, 12, raw).mistake["feedback"]
    assert not FlashcardState.objects.exists()  # a new card: no state until it is rated
    # No deck chosen, yet the card is in the queue, first among the new ones.
    queue = selectors.flashcard_queue(user=student, now=timezone.now())
    assert queue.studying and queue.entries[0].question_id == dense.question.pk
    # A right answer adds nothing.
    key = grader.grade(dense.spec, 13, "0").expected
    _practise(student, dense, 13, str(key), django_capture_on_commit_callbacks)
    assert MistakeNote.objects.count() == 1
    queue = selectors.flashcard_queue(user=student, now=timezone.now())
    assert [e.question_id for e in queue.entries] == [dense.question.pk]  # once
    # With the whole demo bank in the decks, the mistake's card still comes first of the new ones.
    services.deck_add(user=student, bank=dense.question.bank)
    queue = selectors.flashcard_queue(user=student, now=timezone.now())
    assert len(queue.entries) > 1 and queue.entries[0].question_id == dense.question.pk
    assert [e.question_id for e in queue.entries].count(dense.question.pk) == 1


def test_the_card_explains_the_mistake_with_its_own_numbers(
    student_client, student, dense, django_capture_on_commit_callbacks
):
    _practise(
        student, dense, 21, _mistaken(dense.spec, 21, "no_bias"), django_capture_on_commit_callbacks
    )
    assert MistakeNote.objects.filter(user=student, question=dense.question).exists()
    entry = selectors.flashcard_queue(user=student, now=timezone.now()).current()
    card = selectors.flashcard_card_view(user=student, entry=entry, now=timezone.now())
    feedback = next(m["feedback"] for m in dense.spec["mistakes"] if m["id"] == "no_bias")
    values = grader.variant(dense.spec, card.seed).values
    from grader.templating import render

    assert card.mistakes == [render(feedback, values)]
    # On the page: after the answer is checked, the explanation is shown.
    url = reverse("flashcard-answer", args=[dense.question.pk])
    before = student_client.get(reverse("flashcards")).content.decode()
    assert "Эта карточка — из вашей ошибки" not in before  # not before the answer
    response = student_client.post(url, {"answer": "1", "seed": card.seed}, follow=True)
    page = response.content.decode()
    assert "Эта карточка — из вашей ошибки" in page
    assert render(feedback, values).split("$")[0][:30] in page


def test_turned_off_no_card(student, dense, django_capture_on_commit_callbacks):
    services.study_profile_update(user=student, new_cards_per_day=20, mistake_cards=False)
    _practise(
        student, dense, 31, _mistaken(dense.spec, 31, "no_bias"), django_capture_on_commit_callbacks
    )
    assert not MistakeNote.objects.exists() and not FlashcardState.objects.exists()
    assert StudyProfile.objects.get(user=student).mistake_cards is False


@pytest.mark.parametrize("solutions, cards", [("after_finish", 1), ("never", 0)])
def test_a_finished_quiz_adds_cards_unless_it_hides_solutions(
    student, demo_quiz, solutions, cards, django_capture_on_commit_callbacks
):
    Quiz.objects.filter(pk=demo_quiz.pk).update(show_solutions=solutions)
    demo_quiz.refresh_from_db()
    attempt = attempts.attempt_start(user=student, quiz=demo_quiz)
    item = attempt.items.get(version__question__slug=SLUG)
    with django_capture_on_commit_callbacks(execute=True):
        attempts.response_submit(item=item, raw=_mistaken(item.version.spec, item.seed, "no_bias"))
    assert not MistakeNote.objects.exists()  # not during the attempt
    with django_capture_on_commit_callbacks(execute=True):
        attempts.attempt_finish(attempt=attempt)
    assert MistakeNote.objects.filter(user=student, source="quiz").count() == cards
    queue = selectors.flashcard_queue(user=student, now=timezone.now())
    assert len(queue.entries) == cards and queue.studying is bool(cards)


def test_the_settings_form_turns_it_off_and_on(student_client, student):
    url = reverse("flashcard-settings")
    student_client.post(url, {"new_cards_per_day": "20", "mistake_cards_shown": "1"})
    assert StudyProfile.objects.get(user=student).mistake_cards is False
    student_client.post(
        url, {"new_cards_per_day": "20", "mistake_cards_shown": "1", "mistake_cards": "on"}
    )
    assert StudyProfile.objects.get(user=student).mistake_cards is True
    page = student_client.get(reverse("flashcard-decks")).content.decode()
    assert 'id="mistake-cards" name="mistake_cards" checked' in page


@pytest.fixture
def broker():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    saved = stack.use_broker(url)
    stack.clear_queue(url)
    yield url
    stack.switch_broker(**saved)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_turns_practice_and_quiz_mistakes_into_cards(broker, student, demo_quiz):
    """As in production: a Celery worker on Redis grades the answers (PostgreSQL). The practice
    mistakes are noted in the worker's process, by the signal it sends after its commit — the
    same mistake twice, one note; the quiz's when the finished attempt is scored."""
    question = Question.objects.get(bank__slug="demo", slug=SLUG)
    version = question.versions.order_by("-number").first()
    worker = stack.start_worker(broker)
    try:
        for seed in (41, 42):  # the same mistake twice in practice
            practice.practice_submit(
                user=student, topic=question.topic, version=version, seed=seed,
                raw=_mistaken(version.spec, seed, "no_bias"),
            )  # fmt: skip
        stack.wait_until(
            lambda: not PracticeAnswer.objects.filter(status="pending").exists(),
            timeout=60, workers=[worker], what="practice graded",
        )  # fmt: skip
        Quiz.objects.filter(pk=demo_quiz.pk).update(show_solutions="after_finish")
        demo_quiz.refresh_from_db()
        attempt = attempts.attempt_start(user=student, quiz=demo_quiz)
        item = attempt.items.get(version__question__slug="dropout-vector")
        attempts.response_submit(
            item=item, raw=_mistaken(item.version.spec, item.seed, "no_rescale")
        )
        stack.wait_until(
            lambda: not Response.objects.filter(status="pending").exists(),
            timeout=60, workers=[worker], what="quiz answer graded",
        )  # fmt: skip
        attempts.attempt_finish(attempt=attempt)
        stack.wait_until(
            lambda: MistakeNote.objects.filter(source="quiz").exists(),
            timeout=60, workers=[worker], what="the quiz mistake noted",
        )  # fmt: skip
    finally:
        stack.stop(worker)
    notes = sorted(MistakeNote.objects.values_list("question__slug", "mistake_id", "source"))
    assert notes == [
        ("dense-params", "no_bias", "practice"),
        ("dropout-vector", "no_rescale", "quiz"),
    ]
    queue = selectors.flashcard_queue(user=student, now=timezone.now())
    assert sorted(e.question_id for e in queue.entries) == sorted(
        Question.objects.filter(
            slug__in=["dense-params", "dropout-vector"], bank__slug="demo"
        ).values_list("pk", flat=True)
    )
