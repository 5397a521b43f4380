"""The manual-grading API an LMS would use: the essays waiting in a quiz (with the rubric) and a
grade given with rubric criteria."""

from __future__ import annotations

import pytest

from quizapp.gradebook import manual
from quizapp.models import ManualGrade, Response
from tests.quizapp.gradebook.essays import ESSAY_POINTS, essay_response, finish_with_essay

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_waiting(student, outsider, essay_quiz, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    return (
        finish_with_essay(student, essay_quiz, capture, "Первый ответ"),
        finish_with_essay(outsider, essay_quiz, capture, "Второй ответ"),
    )


@pytest.fixture
def rubric(owner, essay_quiz, two_waiting):
    question = essay_quiz.items.get(question__slug="dropout-essay").question
    add = manual.rubric_criterion_add
    return (
        add(quiz=essay_quiz, question_id=question.pk, points="3", text="Верно", by=owner),
        add(quiz=essay_quiz, question_id=question.pk, points="-1", text="Нет вывода", by=owner),
    )


def _waiting_url(quiz):
    return f"/api/v1/quizzes/{quiz.pk}/essays/waiting/"


def test_the_waiting_list_has_the_answer_the_variant_the_points_and_the_rubric(
    client, owner, essay_quiz, two_waiting, rubric
):
    client.force_login(owner)
    body = client.get(_waiting_url(essay_quiz)).json()
    assert body["count"] == 2 and body["next"] is None
    first = body["results"][0]
    assert first["response"] == essay_response(two_waiting[0]).pk
    assert first["attempt"] == str(two_waiting[0].uuid)
    assert first["user"]["username"] == "student" and first["raw"] == "Первый ответ"
    assert first["points"] == f"{ESSAY_POINTS:.2f}"
    assert first["question"]["title"] == "Эссе о Dropout"
    assert "Dropout" in first["text"]
    assert [(c["id"], c["points"], c["text"]) for c in first["criteria"]] == [
        (rubric[0].pk, "3.00", "Верно"),
        (rubric[1].pk, "-1.00", "Нет вывода"),
    ]
    page = client.get(_waiting_url(essay_quiz), {"page_size": 1, "page": 2}).json()
    assert [r["raw"] for r in page["results"]] == ["Второй ответ"]


def test_the_waiting_list_is_for_the_quizs_owner(
    client, student, other_instructor, essay_quiz, two_waiting
):
    client.force_login(other_instructor)
    assert client.get(_waiting_url(essay_quiz)).status_code in (403, 404)
    client.force_login(student)
    assert client.get(_waiting_url(essay_quiz)).status_code == 403


def test_a_grade_with_criteria_through_the_api_leaves_the_list(
    client, owner, essay_quiz, two_waiting, rubric, django_capture_on_commit_callbacks
):
    first, second = rubric
    response = essay_response(two_waiting[0])
    url = f"/api/v1/responses/{response.pk}/grade/"
    client.force_login(owner)
    for bad, status, code in [
        ({}, 422, "points_required"),
        ({"criteria": [10**6]}, 422, "rubric_criterion_unknown"),
        ({"criteria": ["x"]}, 400, "invalid"),
        ({"criteria": list(range(1, 30))}, 400, "invalid"),
    ]:
        refused = client.post(url, bad, content_type="application/json")
        assert refused.status_code == status, refused.content
        assert refused.json()["error"]["code"] == code
    assert not ManualGrade.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            url,
            {"criteria": [first.pk, second.pk], "comment": "См. лекцию"},
            content_type="application/json",
        )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "graded" and body["score"] == 0.5
    assert body["result"]["manual"]["criteria"] == [
        {"text": "Верно", "points": "3.00"},
        {"text": "Нет вывода", "points": "-1.00"},
    ]
    assert body["result"]["feedback"] == "Верно (+3); Нет вывода (−1) — См. лекцию"
    grade = ManualGrade.objects.get()
    assert [c["id"] for c in grade.criteria] == [first.pk, second.pk]
    assert Response.objects.get(pk=response.pk).status == Response.Status.GRADED
    waiting = client.get(_waiting_url(essay_quiz)).json()
    assert [r["raw"] for r in waiting["results"]] == ["Второй ответ"]
