"""Issue 12 §2 through the API: an unreadable answer is told apart from a wrong one, counted before
the finish (from the drafts) and after it, and the quiz's rule for it is a quiz setting."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quizapp.models import Quiz

from .conftest import post_json
from .test_attempts import item_of, start

pytestmark = pytest.mark.django_db

QUIZZES = "/api/v1/quizzes/"


def _draft(client, attempt_uuid, position, raw, rev):
    url = reverse("api:attempt-draft", args=[attempt_uuid, position])
    assert client.put(url, {"answer": raw, "rev": rev}, format="json").status_code == 200


def test_the_attempt_counts_unreadable_drafts_before_the_finish(student_api, quiz, commit):
    attempt = start(student_api, quiz)
    vector = item_of(attempt["uuid"], "dropout-vector")
    number = item_of(attempt["uuid"], "dense-params")
    _draft(student_api, attempt["uuid"], vector.position, "42", 1)
    _draft(student_api, attempt["uuid"], number.position, "12", 1)  # readable (and wrong)
    detail = student_api.get(reverse("api:attempt-detail", args=[attempt["uuid"]])).json()
    assert detail["unreadable_count"] == 1 and detail["awaits_review"] is False
    by_position = {i["position"]: i for i in detail["items"]}
    assert by_position[vector.position]["unreadable"]["code"] == "wrong_shape"
    assert by_position[vector.position]["unreadable"]["message"].startswith(
        "Ожидался вектор из 3 элементов, получен 1."
    )
    assert by_position[number.position]["unreadable"] is None

    # The finish answers before its answers are graded (on commit); the attempt read after it
    # has them graded.
    commit(student_api.post, reverse("api:attempt-finish", args=[attempt["uuid"]]))
    result = student_api.get(reverse("api:attempt-detail", args=[attempt["uuid"]])).json()
    assert result["graded"] is True
    assert result["unreadable_count"] == 1 and result["awaits_review"] is True
    listed = student_api.get("/api/v1/attempts/").json()["results"][0]
    assert listed["unreadable_count"] == 1 and listed["awaits_review"] is True
    responses = {i["position"]: i["response"] for i in result["items"]}
    assert responses[vector.position]["status"] == "invalid"
    assert responses[vector.position]["score"] is None
    assert responses[vector.position]["result"]["error"]["code"] == "wrong_shape"
    assert responses[number.position]["status"] == "graded"
    assert responses[number.position]["score"] == 0.0


def test_the_quiz_setting_is_read_and_written(instructor_api, quiz):
    question = quiz.items.first().question_id
    body = {"slug": "rules-0", "title": "Строгий", "items": [{"question": question}]}
    created = post_json(instructor_api, QUIZZES, {**body, "unreadable_policy": "wrong"})
    assert created.status_code == 201, created.content
    assert created.json()["unreadable_policy"] == "wrong"
    assert Quiz.objects.get(slug="rules-0").unreadable_policy == Quiz.Unreadable.WRONG
    default = post_json(instructor_api, QUIZZES, {**body, "slug": "rules-1"})
    assert default.json()["unreadable_policy"] == "review"
    url = f"{QUIZZES}{created.json()['id']}/"
    patched = instructor_api.patch(url, {"unreadable_policy": "review"}, format="json")
    assert patched.status_code == 200 and patched.json()["unreadable_policy"] == "review"
    bad = instructor_api.patch(url, {"unreadable_policy": "maybe"}, format="json")
    assert bad.status_code == 400
