"""Hostile expressions through every path that grades or previews untrusted input.

``(2*t)^(10^300)`` once held a gunicorn worker at 2.4 GB for 30 s. On every path — the attempt's
preview and submit, practice preview, flashcards (graded in the request), the API, the bank
preview's answer check, bank validation — such an answer must be an ``invalid`` verdict with a
code, answered in under 2 s (a generous bound: a safety property, not a benchmark), and the
server must answer a normal request afterwards.
"""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from grader import sandbox
from question_bank.models import Question
from question_bank.preview import check_answer
from quizapp.flashcards import selectors as card_selectors
from quizapp.flashcards import services as card_services
from quizapp.models import Attempt, Response
from tests.grader.test_sandbox import HOSTILE as SANDBOX_HOSTILE

pytestmark = pytest.mark.django_db

# The memory bomb and its cousins: the same list the sandbox's own tests use.
HOSTILE = SANDBOX_HOSTILE
CODES = {"too_large", "too_costly", "bad_char"}  # "!" is not in the language at all
SECONDS = 2.0
SLUG = "sigmoid-derivative"  # the demo bank's expression question: f(t)*(1 - f(t))


@pytest.fixture(autouse=True)
def warm_sandbox():
    sandbox.warm_up()  # a measured request must not include the children's first start


def _timed(call, *args, **kwargs):
    start = time.monotonic()
    result = call(*args, **kwargs)
    elapsed = time.monotonic() - start
    assert elapsed < SECONDS, elapsed
    return result


def _attempt_item(client, quiz):
    assert client.post(reverse("attempt-start", args=[quiz.slug])).status_code == 302
    attempt = Attempt.objects.get()
    return attempt, attempt.items.get(version__question__slug=SLUG)


def test_attempt_preview_refuses_and_the_server_goes_on(student_client, demo_quiz):
    attempt, item = _attempt_item(student_client, demo_quiz)
    url = reverse("answer-preview", args=[attempt.uuid, item.position])
    for raw in HOSTILE:
        response = _timed(student_client.get, url, {"raw": raw})
        assert response.status_code == 200
        data = response.json()
        assert data["ok"] is False and data["code"] in CODES, (raw, data)
    assert student_client.get(url, {"raw": "f(t)*(1-f(t))"}).json()["ok"] is True
    assert student_client.get(attempt.get_absolute_url()).status_code == 200


def test_attempt_submit_stores_an_invalid_verdict(
    student_client, demo_quiz, django_capture_on_commit_callbacks
):
    attempt, item = _attempt_item(student_client, demo_quiz)
    url = reverse("response-submit", args=[attempt.uuid, item.position])
    for raw in HOSTILE[:3]:
        with django_capture_on_commit_callbacks(execute=True):  # eager grading, as embedded
            response = _timed(student_client.post, url, {"answer": raw})
        assert response.status_code == 302
        saved = Response.objects.filter(item=item).latest("pk")
        assert saved.status == Response.Status.INVALID, saved.result
        assert saved.result["error"]["code"] in CODES
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(url, {"answer": "f(t)*(1-f(t))"})
    assert Response.objects.filter(item=item).latest("pk").score == 1


def test_practice_preview_refuses(student_client, demo_quiz):
    from question_bank.models import Topic

    topic = Topic.objects.get(bank__slug="demo", questions__slug=SLUG)
    student_client.get(reverse("practice-topic", args=[topic.pk]))
    url = reverse("practice-preview", args=[topic.pk])
    for raw in HOSTILE:
        data = _timed(student_client.get, url, {"raw": raw}).json()
        # The topic's current question may be a choice question: refused, for its own reason.
        assert data["ok"] is False and data["code"], (raw, data)
    assert student_client.get(url, {"raw": "1"}).status_code == 200


def test_flashcard_answer_is_graded_in_the_request_and_refused(student_client, student, demo_quiz):
    question = Question.objects.get(bank__slug="demo", slug=SLUG)
    card_services.deck_add(user=student, bank=question.bank)
    state = card_services.flashcard_state_ensure(user=student, question=question)
    seed = card_selectors.card_seed(
        user_id=student.pk, question_id=question.pk, variants=state.variants
    )
    url = reverse("flashcard-answer", args=[question.pk])
    for raw in HOSTILE:
        answer = _timed(
            card_services.flashcard_answer, user=student, state=state, seed=seed, raw=raw
        )
        assert answer.result.status == "invalid" and answer.result.error["code"] in CODES
        assert answer.proposed is None  # a format error is not a wrong answer
        response = _timed(student_client.post, url, {"seed": seed, "answer": raw})
        assert response.status_code in (200, 302)
    right = card_services.flashcard_answer(
        user=student, state=state, seed=seed, raw="f(t)*(1-f(t))"
    )
    assert right.result.correct


def test_api_answer_is_refused(student_client, demo_quiz, django_capture_on_commit_callbacks):
    started = student_client.post(
        "/api/v1/attempts/", json.dumps({"quiz": demo_quiz.pk}), content_type="application/json"
    )
    assert started.status_code in (200, 201), started.content
    attempt = Attempt.objects.get(uuid=started.json()["uuid"])
    item = attempt.items.get(version__question__slug=SLUG)
    url = reverse("api:response-submit", args=[attempt.uuid, item.position])
    for raw in HOSTILE[:3]:
        with django_capture_on_commit_callbacks(execute=True):
            response = _timed(
                student_client.post, url, json.dumps({"answer": raw}), "application/json"
            )
        assert response.status_code == 202, response.content
        status = student_client.get(response.json()["status_url"]).json()
        assert status["status"] == "invalid", status
    assert student_client.get("/api/v1/attempts/").status_code == 200


def test_bank_preview_check_refuses(client, owner, demo_quiz):
    question = Question.objects.get(bank__slug="demo", slug=SLUG)
    spec = question.versions.order_by("-number").first().spec
    for raw in HOSTILE:
        checked = _timed(check_answer, spec=spec, seed=0, raw=raw)
        assert checked["ok"] is True and checked["status"] == "invalid", checked
        assert checked["error"]["code"] in CODES
    client.force_login(owner)
    url = reverse("banks:preview", args=[question.bank.pk, question.pk])
    page = _timed(client.get, url, {"check_seed": 0, "raw": HOSTILE[0]})
    assert page.status_code == 200
    assert "слишком сложное" in page.content.decode()


def test_bank_validation_refuses_a_hostile_key_quickly():
    from question_bank.formats import parse_file
    from question_bank.validation import check_bank_variants

    text = """
format: neurozachet-bank/1
bank: {slug: hostile, title: "Враждебный банк"}
questions:
  - slug: bomb
    title: "Бомба"
    kind: expression
    text: "Запишите"
    variables: [t]
    answer: {expr: "(2*t)^(10^300)"}
"""
    result = parse_file(text.encode(), "hostile.yaml")
    problems = _timed(check_bank_variants, result, "hostile.yaml", variants=3)
    assert problems or not result.ok
