"""The dashboard's HTML is cached per student and renewed by every write that changes it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from question_bank.models import Question, Topic
from quizapp.attempts import services as attempts
from quizapp.courses import services as courses
from quizapp.flashcards import services as flashcards
from quizapp.models import Course, Enrollment, FlashcardState, PracticeAnswer, Quiz
from quizapp.practice import services as practice

pytestmark = pytest.mark.django_db


def _home(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_second_visit_is_served_from_the_cache(student_client, demo_quiz):
    _, first = _home(student_client)
    html, second = _home(student_client)
    assert "Прогноз повторений на 14 дней" in html
    # Session, user and roles are all that is left of a dozen queries.
    assert second <= 4 < first, (first, second)


def test_a_graded_practice_answer_renews_the_weak_topics(
    student_client, student, demo_quiz, django_capture_on_commit_callbacks
):
    html, _ = _home(student_client)
    assert "Решите несколько задач" in html
    topic = Topic.objects.get(bank__slug="demo", slug="cnn")
    version = Question.objects.get(slug="dense-params").versions.first()
    with django_capture_on_commit_callbacks(execute=True):
        answer = practice.practice_submit(
            user=student, topic=topic, version=version, seed=1, raw="1"
        )
    # The worker's batch writes the grade with one UPDATE (no model signal).
    PracticeAnswer.objects.filter(pk=answer.pk).update(status="pending")
    _home(student_client)  # cached again while the answer waits for its grade
    with django_capture_on_commit_callbacks(execute=True):
        practice.practice_grade_batch(first_id=answer.pk, limit=1)
    html, _ = _home(student_client)
    assert topic.title in html and "Решите несколько задач" not in html


def test_a_suspended_card_leaves_the_count(student_client, student, demo_quiz):
    question = Question.objects.filter(bank__slug="demo").first()
    flashcards.deck_add(user=student, bank=question.bank, topic=None)
    state = FlashcardState.objects.create(
        user=student, question=question, due=timezone.now() - dt.timedelta(hours=1), reps=1
    )
    html, _ = _home(student_client)
    assert '<p class="big">1 <span class="muted">к повторению' in html
    flashcards.flashcard_suspend(user=student, state=state)  # a queryset update()
    html, _ = _home(student_client)
    assert '<p class="big">0 <span class="muted">к повторению' in html


def test_a_noted_mistake_adds_its_card_to_the_count(student_client, student, demo_quiz):
    from quizapp.flashcards.mistakes import mistake_note

    html, _ = _home(student_client)
    assert '<p class="big">0 <span class="muted">к повторению</span> · 0' in html
    question = Question.objects.get(bank__slug="demo", slug="dense-params")
    # Noted after the grade's commit (which bumped the token already): its own save renews.
    assert mistake_note(
        user=student, question=question, mistake_id="no_bias", feedback="", source="practice"
    )
    html, _ = _home(student_client)
    assert '<p class="big">0 <span class="muted">к повторению</span> · 1' in html


def test_a_finished_attempt_and_a_new_quiz_show_up(
    student_client, student, owner, demo_quiz, django_capture_on_commit_callbacks
):
    html, _ = _home(student_client)
    assert "Мои попытки" not in html
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempts.attempt_start(user=student, quiz=demo_quiz)
        attempts.attempt_finish(attempt=attempt)
    html, _ = _home(student_client)
    assert "Мои попытки" in html and "завершена" in html

    quiz = Quiz.objects.create(
        slug="new-one", title="Совсем новый тест", owner=owner, is_published=True
    )
    course = Course.objects.create(owner=owner, title="Курс", code="c-1")
    with django_capture_on_commit_callbacks(execute=True):
        courses.course_quiz_assign(course=course, quiz=quiz, by=owner)
        Enrollment.objects.create(course=course, user=student)
    html, _ = _home(student_client)
    assert "Совсем новый тест" in html


def test_the_cache_is_per_student(client, student, outsider, demo_quiz):
    topic = Topic.objects.get(bank__slug="demo", slug="cnn")
    version = Question.objects.get(slug="dense-params").versions.first()
    PracticeAnswer.objects.create(
        user=student, topic=topic, version=version, seed=1, raw="1", status="graded", score=0.0
    )
    client.force_login(student)
    assert topic.title in _home(client)[0]
    client.force_login(outsider)
    assert topic.title not in _home(client)[0]
