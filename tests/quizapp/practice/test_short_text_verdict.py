"""A short text accepted with a typo says so in the verdict: the practice page, the attempt page
and the attempt's result page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from question_bank.models import QuestionVersion, Topic
from quizapp.models import Attempt, PracticeAnswer, Response
from quizapp.practice.views import SESSION_KEY

pytestmark = pytest.mark.django_db

NOTE = "Верно. Принято с опечаткой: правильно — «dropout»."


def test_practice_verdict_shows_the_typo_note(
    student_client, demo_quiz, django_capture_on_commit_callbacks
):
    topic = Topic.objects.get(bank__slug="demo", slug="regularization")
    version = QuestionVersion.objects.filter(question__slug="dropout-name").latest("pk")
    url = reverse("practice-topic", args=[topic.pk])
    student_client.get(url)
    session = student_client.session
    session[SESSION_KEY.format(topic.pk)] = {"version": version.pk, "seed": 1}
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(reverse("practice-answer", args=[topic.pk]), {"answer": "dropuot"})
    answer = PracticeAnswer.objects.get()
    assert (answer.status, answer.score) == ("graded", 1.0)
    assert NOTE in student_client.get(url).content.decode()


def test_attempt_verdict_shows_the_typo_note(
    student_client, demo_quiz, django_capture_on_commit_callbacks
):
    student_client.post(reverse("attempt-start", args=[demo_quiz.slug]))
    attempt = Attempt.objects.get()
    item = attempt.items.get(version__question__slug="dropout-name")
    url = reverse("response-submit", args=[attempt.uuid, item.position])
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(url, {"answer": "Dropuot"})
    response = Response.objects.get()
    assert response.score == 1.0 and response.result["feedback"] == NOTE
    assert NOTE in student_client.get(attempt.get_absolute_url()).content.decode()
    student_client.post(reverse("attempt-finish", args=[attempt.uuid]))
    result = student_client.get(attempt.get_absolute_url()).content.decode()
    assert "Результат попытки 1" in result and NOTE in result
