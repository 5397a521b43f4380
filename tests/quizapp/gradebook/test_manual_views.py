"""The manual-grading pages (reached from the quiz's gradebook) and what the student sees."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from quizapp.gradebook import manual
from quizapp.models import ManualGrade, Response
from tests.quizapp.gradebook.essays import (
    RUBRIC,
    essay_response,
    finish_with_essay,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_waiting(student, outsider, essay_quiz, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    return (
        finish_with_essay(student, essay_quiz, capture, "Ответ студента"),
        finish_with_essay(outsider, essay_quiz, capture, "Ответ второго"),
    )


def _question_url(quiz):
    question = quiz.items.get(question__slug="dropout-essay").question
    return reverse("manual-question", args=[quiz.pk, question.pk])


def test_gradebook_links_the_queue_and_the_queue_counts(client, owner, essay_quiz, two_waiting):
    client.force_login(owner)
    book = client.get(reverse("gradebook-quiz", args=[essay_quiz.pk])).content.decode()
    assert reverse("manual-queue", args=[essay_quiz.pk]) in book and "ждёт проверки" in book
    page = client.get(reverse("manual-queue", args=[essay_quiz.pk])).content.decode()
    assert "Эссе о Dropout" in page and _question_url(essay_quiz) in page
    assert '<span class="badge badge-manual">2</span>' in page


def test_question_page_shows_answers_rubric_and_form(client, owner, essay_quiz, two_waiting):
    client.force_login(owner)
    page = client.get(_question_url(essay_quiz)).content.decode()
    assert "Ответ студента" in page and "Ответ второго" in page
    assert RUBRIC in page and "Образец ответа" in page
    assert page.count('id="points-') == 2 and "Сохранить и следующий" in page
    assert "от 0 до 4" in page and "Ждут проверки: 2 ответа." in page


def test_save_and_next_grades_and_jumps_to_the_next_waiting_answer(
    client, owner, essay_quiz, two_waiting, django_capture_on_commit_callbacks
):
    first, second = two_waiting
    client.force_login(owner)
    url = _question_url(essay_quiz)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            url,
            {
                "response": essay_response(first).pk,
                "points": "3,5",
                "comment": "Хорошо",
                "next": "1",
            },
        )
    assert answer.status_code == 302
    assert answer["Location"] == f"{url}#r-{essay_response(second).pk}"
    grade = ManualGrade.objects.get()
    assert (grade.score, grade.comment) == (0.875, "Хорошо")
    page = client.get(url).content.decode()
    assert '<option value="Хорошо">' in page  # the comment is offered again
    with django_capture_on_commit_callbacks(execute=True):
        last = client.post(
            url, {"response": essay_response(second).pk, "points": "1", "next": "1"}, follow=True
        )
    assert "Все ответы на этот вопрос проверены." in last.content.decode()


def test_bad_points_are_reported_and_nothing_is_saved(client, owner, essay_quiz, two_waiting):
    client.force_login(owner)
    url = _question_url(essay_quiz)
    response_id = essay_response(two_waiting[0]).pk
    for points, message in [("много", "Баллы должны быть числом"), ("5", "от 0 до 4")]:
        page = client.post(url, {"response": response_id, "points": points}, follow=True)
        assert message in page.content.decode()
    assert not ManualGrade.objects.exists()


def test_others_cannot_see_or_grade(client, student, other_instructor, essay_quiz, two_waiting):
    url = _question_url(essay_quiz)
    response_id = essay_response(two_waiting[0]).pk
    client.force_login(other_instructor)
    assert client.get(reverse("manual-queue", args=[essay_quiz.pk])).status_code == 404
    assert client.get(url).status_code == 404
    assert client.post(url, {"response": response_id, "points": "4"}).status_code == 404
    client.force_login(student)
    assert client.get(url).status_code == 403
    assert client.post(url, {"response": response_id, "points": "4"}).status_code == 403
    assert not ManualGrade.objects.exists()
    assert Response.objects.get(pk=response_id).status == Response.Status.MANUAL


def test_the_student_sees_waiting_then_the_score_and_comment_never_the_rubric(
    client, student, owner, essay_quiz, two_waiting, django_capture_on_commit_callbacks
):
    attempt = two_waiting[0]
    client.force_login(student)
    url = reverse("attempt", args=[attempt.uuid])
    page = client.get(url).content.decode()
    assert "Балл предварительный." in page and "1 ответ ждёт проверки преподавателем." in page
    assert "Ждёт проверки преподавателем" in page and "Ответ студента" in page
    assert RUBRIC not in page and "Образец ответа" not in page
    with django_capture_on_commit_callbacks(execute=True):
        manual.manual_grade_save(
            response=essay_response(attempt),
            points=Decimal(3),
            comment="Не хватает формулы масштаба.",
            by=owner,
        )
    page = client.get(url).content.decode()
    assert "Балл предварительный." not in page
    assert "Оценка преподавателя: 3 из 4" in page and "Не хватает формулы масштаба." in page
    assert RUBRIC not in page


def test_the_attempt_page_gives_an_essay_a_text_area_with_its_limit(
    client, student, essay_quiz, django_capture_on_commit_callbacks
):
    from quizapp.attempts import services

    attempt = services.attempt_start(user=student, quiz=essay_quiz)
    client.force_login(student)
    page = client.get(reverse("attempt", args=[attempt.uuid])).content.decode()
    assert '<textarea id="answer-' in page and 'maxlength="5000"' in page
    assert "его проверит преподаватель" in page
    assert RUBRIC not in page


def test_the_attempt_drill_down_links_the_essay_to_its_grading(client, owner, two_waiting):
    attempt = two_waiting[0]
    client.force_login(owner)
    page = client.get(reverse("gradebook-attempt", args=[attempt.uuid])).content.decode()
    assert "Эссе ждут проверки: 1." in page
    assert f"{_question_url(attempt.quiz)}#r-{essay_response(attempt).pk}" in page
    assert "ждёт проверки преподавателем" in page
