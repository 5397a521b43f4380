# ruff: noqa: F811  (fixtures imported from test_gradebook are parameters here)
"""Regrade after a bank fix: old and new grading kept, idempotent, resumable, pages and access."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.urls import reverse

import grader
from question_bank.models import QuestionVersion
from quizapp.attempts import services
from quizapp.core.errors import ServiceError
from quizapp.gradebook import regrade
from quizapp.models import AttemptItem, RegradeRun, ResponseRegrade
from tests.quizapp.gradebook.test_gradebook import (  # noqa: F401 (fixtures)
    EXPECTED,
    PEOPLE,
    _login,
    fast_passwords,
    quiz,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken(quiz):
    """«dense-params» gets a version with a wrong key (biases forgotten); attempts use it."""
    question = quiz.items.get(question__slug="dense-params").question
    good = question.versions.order_by("-number").first()
    spec = copy.deepcopy(good.spec)
    spec["answer"]["args"]["bias"] = False
    bad = QuestionVersion.objects.create(question=question, number=good.number + 1, spec=spec)
    return question, good, bad


def _fix(question, good) -> QuestionVersion:
    return QuestionVersion.objects.create(
        question=question, number=question.versions.count() + 1, spec=good.spec
    )


def _take_right(user, quiz, good) -> tuple:
    """An attempt where the student answers «dense-params» right by the good key."""
    attempt = services.attempt_start(user=user, quiz=quiz)
    item = attempt.items.get(version__question__slug="dense-params")
    right = grader.grade(good.spec, item.seed, "0").expected
    response = services.response_submit(item=item, raw=str(int(right)))
    services.response_grade(response_id=response.pk)
    services.attempt_finish(attempt=attempt)
    attempt.refresh_from_db()
    response.refresh_from_db()
    return attempt, item, response


def _start(question, version, owner, quiz, capture):
    with capture(execute=True):
        return regrade.regrade_start(question=question, to_version=version, by=owner, quiz=quiz)


def test_regrade_fixing_the_key_turns_wrong_into_right(
    quiz, student, owner, broken, django_capture_on_commit_callbacks
):
    question, good, bad = broken
    attempt, item, response = _take_right(student, quiz, good)
    assert item.version == bad
    assert response.score == 0.0 and attempt.score == Decimal("0.00")

    fixed = _fix(question, good)
    run = _start(question, fixed, owner, quiz, django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.status == RegradeRun.Status.DONE
    assert (run.progress_done, run.progress_total, run.percent) == (1, 1, 100)

    response.refresh_from_db()
    assert response.score == 1.0 and response.result["correct"] is True
    change = ResponseRegrade.objects.get(run=run, response=response)
    assert (change.old_version, change.new_version) == (bad, fixed)
    assert (change.old_score, change.new_score) == (0.0, 1.0)
    assert change.old_result["correct"] is False and change.new_result["correct"] is True
    moved = AttemptItem.objects.get(pk=item.pk)
    assert moved.version == fixed and moved.seed == item.seed
    attempt.refresh_from_db()
    assert attempt.score == Decimal("1.00")


def test_regrade_twice_is_idempotent(
    quiz, student, owner, broken, django_capture_on_commit_callbacks
):
    question, good, _bad = broken
    attempt, _item, response = _take_right(student, quiz, good)
    fixed = _fix(question, good)
    run = _start(question, fixed, owner, quiz, django_capture_on_commit_callbacks)
    # The task delivered again: nothing more happens.
    assert regrade.regrade_execute(run_id=run.pk) is False
    assert ResponseRegrade.objects.count() == 1
    # And a second regrade to the same version has nothing to do.
    with pytest.raises(ServiceError) as exc:
        regrade.regrade_start(question=question, to_version=fixed, by=owner, quiz=quiz)
    assert exc.value.code == "nothing_to_regrade"
    attempt.refresh_from_db()
    assert attempt.score == Decimal("1.00")


def test_regrade_resumes_in_batches(quiz, student, outsider, owner, broken):
    question, good, _bad = broken
    _take_right(student, quiz, good)
    _take_right(outsider, quiz, good)
    fixed = _fix(question, good)
    run = regrade.regrade_start(question=question, to_version=fixed, by=owner, quiz=quiz)
    assert run.progress_total == 2
    assert regrade.regrade_execute(run_id=run.pk, batch=1) is True  # one attempt, then stop
    run.refresh_from_db()
    assert (run.status, run.progress_done) == (RegradeRun.Status.RUNNING, 1)
    assert regrade.regrade_execute(run_id=run.pk, batch=1) is False  # the last one: done
    run.refresh_from_db()
    assert (run.status, run.progress_done) == (RegradeRun.Status.DONE, 2)
    assert ResponseRegrade.objects.filter(run=run, new_score=1.0).count() == 2


def test_second_start_while_running_is_refused(quiz, student, owner, broken):
    question, good, _bad = broken
    _take_right(student, quiz, good)
    fixed = _fix(question, good)
    regrade.regrade_start(question=question, to_version=fixed, by=owner, quiz=quiz)  # not run
    with pytest.raises(ServiceError) as exc:
        regrade.regrade_start(question=question, to_version=fixed, by=owner, quiz=quiz)
    assert exc.value.code == "regrade_running"
    assert RegradeRun.objects.count() == 1


def test_pending_response_is_regraded_and_its_task_is_a_no_op(quiz, student, owner, broken):
    question, good, _bad = broken
    attempt = services.attempt_start(user=student, quiz=quiz)
    item = attempt.items.get(version__question__slug="dense-params")
    right = grader.grade(good.spec, item.seed, "0").expected
    response = services.response_submit(item=item, raw=str(int(right)))  # task not run yet
    fixed = _fix(question, good)
    run = regrade.regrade_start(question=question, to_version=fixed, by=owner, quiz=quiz)
    regrade.regrade_execute(run_id=run.pk)
    response.refresh_from_db()
    assert response.status == "graded" and response.score == 1.0
    services.response_grade(response_id=response.pk)  # the late task
    response.refresh_from_db()
    assert response.score == 1.0


@pytest.mark.parametrize("who", PEOPLE)
def test_regrade_start_page_for_every_visitor(
    client, request, who, quiz, student, broken, django_capture_on_commit_callbacks
):
    question, good, _bad = broken
    _take_right(student, quiz, good)
    _fix(question, good)
    _login(client, request, who)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("regrade", args=[quiz.pk]), {"question": question.pk})
    run = RegradeRun.objects.first()
    if who in ("owner", "admin"):
        assert response.status_code == 302
        assert response["Location"] == reverse("regrade-run", args=[run.pk])
        status = client.get(reverse("regrade-status", args=[run.pk])).json()
        assert status == {
            "status": "done",
            "status_display": "завершена",
            "done": 1,
            "total": 1,
            "percent": 100,
            "finished": True,
        }
        page = client.get(response["Location"]).content.decode()
        assert "оценка выросла у 1" in page
    else:
        assert response.status_code == (302 if who == "anonymous" else EXPECTED[who])
        assert run is None


def test_regrade_page_refuses_question_of_another_quiz(client, owner, quiz, student, broken):
    client.force_login(owner)
    response = client.post(reverse("regrade", args=[quiz.pk]), {"question": "999999"}, follow=True)
    assert "Выберите вопрос этого теста" in response.content.decode()
    assert not RegradeRun.objects.exists()
