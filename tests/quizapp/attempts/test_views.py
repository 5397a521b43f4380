"""The minimal browser flow: log in, start the demo quiz, answer, see feedback and the solution."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from quizapp.models import Attempt, Response

pytestmark = pytest.mark.django_db


def _start(client, quiz) -> Attempt:
    response = client.post(reverse("attempt-start", args=[quiz.slug]))
    assert response.status_code == 302
    return Attempt.objects.get()


def test_home_asks_anonymous_to_log_in(client, demo_quiz, student):
    # Even an open quiz is for people who logged in («виден всем вошедшим»).
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Демо-тест" not in html
    assert "Как попробовать" in html and f'href="{reverse("login")}">войдите</a>' in html
    quiz_page = client.get(reverse("quiz", args=[demo_quiz.slug]))
    assert quiz_page.status_code == 302 and "/login/" in quiz_page["Location"]
    client.force_login(student)
    assert "Демо-тест" in client.get("/").content.decode()


def test_anonymous_cannot_start(client, demo_quiz):
    response = client.post(reverse("attempt-start", args=[demo_quiz.slug]))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Attempt.objects.exists()


def test_attempt_page_renders_math_as_mathml(
    student_client, demo_quiz, django_assert_max_num_queries
):
    attempt = _start(student_client, demo_quiz)
    with django_assert_max_num_queries(12):
        page = student_client.get(attempt.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "<math" in html and "$" not in re.sub(r"<math.*?</math>", "", html, flags=re.S)
    assert html.count('class="question"') == 9


def test_answer_with_decimal_comma_shows_verdict_and_solution(
    student_client, demo_quiz, django_capture_on_commit_callbacks
):
    import grader

    attempt = _start(student_client, demo_quiz)
    item = attempt.items.get(version__question__slug="cafe-network")
    expected = grader.grade(item.version.spec, item.seed, "0").expected
    url = reverse("response-submit", args=[attempt.uuid, item.position])
    with django_capture_on_commit_callbacks(execute=True):
        response = student_client.post(url, {"answer": f"{expected:.2f}".replace(".", ",")})
    assert response.status_code == 302
    html = student_client.get(attempt.get_absolute_url()).content.decode()
    assert "Верно." in html
    assert "Решение" in html
    assert Response.objects.get().status == Response.Status.GRADED


def test_other_students_attempt_is_404(client, student, outsider, demo_quiz):
    client.force_login(student)
    attempt = _start(client, demo_quiz)
    client.force_login(outsider)
    assert client.get(attempt.get_absolute_url()).status_code == 404
    url = reverse("response-submit", args=[attempt.uuid, 1])
    assert client.post(url, {"answer": "1"}).status_code == 404
    assert not Response.objects.exists()


def test_finish_shows_score(student_client, demo_quiz, django_capture_on_commit_callbacks):
    attempt = _start(student_client, demo_quiz)
    item = attempt.items.get(version__question__slug="lstm-gates")
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(
            reverse("response-submit", args=[attempt.uuid, item.position]), {"choice": ["1"]}
        )
    student_client.post(reverse("attempt-finish", args=[attempt.uuid]))
    html = student_client.get(attempt.get_absolute_url()).content.decode()
    assert "Результат попытки 1" in html
    assert "<strong>1 из 9</strong>" in html  # one right answer of nine one-point questions


def test_healthz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_answer_preview_explains_the_input_without_grading(
    student_client, demo_quiz, outsider, client
):
    attempt = _start(student_client, demo_quiz)
    item = attempt.items.get(version__question__slug="dropout-vector")
    url = reverse("answer-preview", args=[attempt.uuid, item.position])
    assert student_client.get(url, {"raw": "[0; 2,5; 0]"}).json() == {
        "ok": True,
        "display": "вектор из 3 элементов: (0; 2,5; 0)",  # the reader's decimal comma
    }
    bad = student_client.get(url, {"raw": "[0; 2"}).json()
    assert bad["ok"] is False and bad["code"] and bad["message"]
    assert not Response.objects.exists()  # a preview never stores or grades anything
    client.force_login(outsider)
    assert client.get(url, {"raw": "1"}).status_code == 404


def test_attempt_page_wires_the_preview(student_client, demo_quiz):
    attempt = _start(student_client, demo_quiz)
    html = student_client.get(attempt.get_absolute_url()).content.decode()
    assert (
        "js/answer-preview.js" in html
        and "data-preview-url" in html
        and 'aria-live="polite"' in html
    )
