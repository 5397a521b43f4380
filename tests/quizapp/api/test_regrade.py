"""Regrade through the API: move a question's answers to a fixed version, in the background."""

from __future__ import annotations

import copy

import pytest

import grader
from question_bank.models import QuestionVersion
from quizapp.attempts import services
from quizapp.models import Attempt

from .conftest import error_code, post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_attempt(quiz, student):
    """«dense-params» got a version with a wrong key; the student answered right by the good
    one and was marked wrong. Returns (question, good version, attempt)."""
    question = quiz.items.get(question__slug="dense-params").question
    good = question.versions.order_by("-number").first()
    spec = copy.deepcopy(good.spec)
    spec["answer"]["args"]["bias"] = False
    QuestionVersion.objects.create(question=question, number=good.number + 1, spec=spec)
    attempt = services.attempt_start(user=student, quiz=quiz)
    item = attempt.items.get(version__question__slug="dense-params")
    right = grader.grade(good.spec, item.seed, "0").expected
    response = services.response_submit(item=item, raw=str(int(right)))
    services.response_grade(response_id=response.pk)
    services.attempt_finish(attempt=attempt)
    assert Attempt.objects.get().score == 0
    return question, good, attempt


def test_regrade_runs_in_the_background_and_fixes_the_score(
    instructor_api, quiz, broken_attempt, commit
):
    question, good, attempt = broken_attempt
    fixed = QuestionVersion.objects.create(question=question, number=3, spec=good.spec)
    url = f"/api/v1/quizzes/{quiz.pk}/regrades/"
    started = commit(post_json, instructor_api, url, {"question": question.pk, "to_version": 3})
    assert started.status_code == 202, started.content
    run = started.json()
    assert run["to_version"] == 3 and run["status_url"] == started["Location"]
    status = instructor_api.get(run["status_url"]).json()
    assert status["status"] == "done" and status["progress_done"] == 1
    item = attempt.items.get(version__question=question)
    assert item.version == fixed
    assert Attempt.objects.get().score == 1


def test_regrade_names_a_missing_version(instructor_api, quiz, broken_attempt):
    question, _good, _attempt = broken_attempt
    url = f"/api/v1/quizzes/{quiz.pk}/regrades/"
    response = post_json(instructor_api, url, {"question": question.pk, "to_version": 99})
    assert response.status_code == 404 and "to_version" in response.json()["error"]["fields"]


def test_nothing_to_regrade_is_refused(instructor_api, quiz, broken_attempt):
    question, _good, _attempt = broken_attempt
    url = f"/api/v1/quizzes/{quiz.pk}/regrades/"
    response = post_json(instructor_api, url, {"question": question.pk, "to_version": 2})
    assert response.status_code == 409 and error_code(response) == "nothing_to_regrade"


def test_regrade_is_for_the_quiz_author(other_instructor_api, student_api, quiz, broken_attempt):
    question, _good, _attempt = broken_attempt
    url = f"/api/v1/quizzes/{quiz.pk}/regrades/"
    body = {"question": question.pk, "to_version": 1}
    assert error_code(post_json(other_instructor_api, url, body)) == "quiz_owner_only"
    assert error_code(post_json(student_api, url, body)) == "instructor_only"
