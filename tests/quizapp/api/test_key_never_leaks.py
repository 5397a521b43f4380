"""The API never returns an answer key for an open attempt; it does after the attempt is
finished, and only when the quiz shows solutions.

Every JSON the API returns while the attempt is open is searched for each item's key: the key
fields, the worked solution, the expected value as displayed, and a flashcard's back.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

import grader
from quizapp.models import Attempt, Quiz

from .conftest import post_json

pytestmark = pytest.mark.django_db

KEY_FIELDS = ('"expected"', '"expected_display"', '"solution"', '"mistake"', '"correct_options"')


def _keys(attempt: Attempt) -> list[str]:
    """Texts that would give an item's key away, where they are distinctive enough to search."""
    secrets = []
    for item in attempt.items.select_related("version"):
        spec = item.version.spec
        graded = grader.grade(spec, item.seed, "0")
        shown = grader.present(spec, item.seed)
        visible = json.dumps(shown.as_dict(), ensure_ascii=False)
        for text in (graded.solution, graded.expected_display, spec.get("back", "")):
            text = str(text).strip()
            # A short number may occur in the question itself; what the student is shown anyway
            # (choice options) is not a leak.
            if len(text) >= 4 and text not in visible:
                secrets.append(text)
    return secrets


def _every_json(client, attempt_uuid, positions, commit) -> list[str]:
    texts = []

    def keep(response):
        assert response.status_code < 500
        texts.append(response.content.decode())
        return response

    keep(client.get(reverse("api:attempt-detail", args=[attempt_uuid])))
    for position in positions:
        keep(client.get(reverse("api:attempt-item", args=[attempt_uuid, position])))
        keep(
            client.put(
                reverse("api:attempt-draft", args=[attempt_uuid, position]),
                {"answer": "1", "rev": position},
                format="json",
            )
        )
        for raw in ("0", "1", "[1; 2]", "0,2", "абв"):
            submitted = keep(
                commit(
                    post_json,
                    client,
                    reverse("api:response-submit", args=[attempt_uuid, position]),
                    {"answer": raw},
                )
            )
            keep(client.get(submitted.json()["status_url"]))
        keep(client.get(reverse("api:attempt-item", args=[attempt_uuid, position])))
    keep(client.get(reverse("api:attempt-detail", args=[attempt_uuid])))
    keep(client.get(reverse("api:attempt-result", args=[attempt_uuid])))
    keep(client.get("/api/v1/attempts/"))
    return texts


@pytest.mark.parametrize("solutions", [Quiz.Solutions.AFTER_ANSWER, Quiz.Solutions.AFTER_FINISH])
def test_no_key_in_any_answer_about_an_open_attempt(student_api, quiz, commit, solutions):
    quiz.show_solutions = solutions
    quiz.save(update_fields=["show_solutions"])
    started = post_json(student_api, "/api/v1/attempts/", {"quiz": quiz.pk}).json()
    attempt = Attempt.objects.get()
    secrets = _keys(attempt)
    assert len(secrets) >= 5, "the search must have keys to look for"
    texts = _every_json(student_api, started["uuid"], range(1, 10), commit)
    assert Attempt.objects.get().status == "in_progress"
    assert attempt.items.filter(responses__status="graded").exists()
    for text in texts:
        for field in KEY_FIELDS:
            assert field not in text
        for secret in secrets:
            assert secret not in text


def test_the_key_comes_after_finishing_when_the_quiz_allows(student_api, quiz, commit):
    quiz.show_solutions = Quiz.Solutions.AFTER_FINISH
    quiz.save(update_fields=["show_solutions"])
    started = post_json(student_api, "/api/v1/attempts/", {"quiz": quiz.pk}).json()
    attempt = Attempt.objects.get()
    item = attempt.items.get(version__question__slug="cafe-network")
    commit(
        post_json,
        student_api,
        reverse("api:response-submit", args=[started["uuid"], item.position]),
        {"answer": "1"},
    )
    commit(student_api.post, reverse("api:attempt-finish", args=[started["uuid"]]))
    result = student_api.get(reverse("api:attempt-result", args=[started["uuid"]])).json()
    shown = next(i for i in result["items"] if i["position"] == item.position)["response"]
    key = grader.grade(item.version.spec, item.seed, "1")
    assert shown["result"]["expected_display"] == key.expected_display
    assert shown["result"]["solution"] == key.solution


def test_never_means_never(student_api, quiz, commit):
    quiz.show_solutions = Quiz.Solutions.NEVER
    quiz.save(update_fields=["show_solutions"])
    started = post_json(student_api, "/api/v1/attempts/", {"quiz": quiz.pk}).json()
    attempt = Attempt.objects.get()
    secrets = _keys(attempt)
    texts = _every_json(student_api, started["uuid"], [1, 2], commit)
    commit(student_api.post, reverse("api:attempt-finish", args=[started["uuid"]]))
    texts.append(
        student_api.get(reverse("api:attempt-result", args=[started["uuid"]])).content.decode()
    )
    for text in texts:
        for field in KEY_FIELDS:
            assert field not in text
        for secret in secrets:
            assert secret not in text
