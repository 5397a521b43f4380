"""Attempts through the API: start, read the variants, answer (async, idempotent), finish."""

from __future__ import annotations

import pytest
from django.urls import reverse

import grader
from quizapp.models import Attempt, Response
from tests.quizapp.concurrency import in_threads

from .conftest import error_code, key_client, post_json

pytestmark = pytest.mark.django_db

ATTEMPTS = "/api/v1/attempts/"


def start(client, quiz, **extra):
    response = post_json(client, ATTEMPTS, {"quiz": quiz.pk, **extra})
    assert response.status_code in (200, 201), response.content
    return response.json()


def item_of(attempt_uuid, slug):
    return Attempt.objects.get(uuid=attempt_uuid).items.get(version__question__slug=slug)


def answer_url(attempt_uuid, position):
    return reverse("api:response-submit", args=[attempt_uuid, position])


def correct_raw(item) -> str:
    return str(grader.grade(item.version.spec, item.seed, "0").expected_display)


def test_student_starts_an_attempt_and_sees_rendered_variants(student_api, student, quiz):
    response = post_json(student_api, ATTEMPTS, {"quiz": quiz.pk})
    assert response.status_code == 201
    data = response.json()
    attempt = Attempt.objects.get()
    assert data["uuid"] == str(attempt.uuid) and attempt.user == student
    assert data["status"] == "in_progress" and data["graded"] is False
    assert len(data["items"]) == attempt.items.count() == 9
    item = attempt.items.get(position=1)
    expected_text = grader.present(item.version.spec, item.seed).text
    assert data["items"][0]["variant"]["text"] == expected_text
    assert data["items"][0]["response"] is None


def test_starting_again_returns_the_attempt_in_progress(student_api, quiz):
    first = start(student_api, quiz)
    again = post_json(student_api, ATTEMPTS, {"quiz": quiz.pk})
    assert again.status_code == 200 and again.json()["uuid"] == first["uuid"]
    assert Attempt.objects.count() == 1


def test_unknown_or_unpublished_quiz_is_not_found_for_a_student(student_api, quiz):
    quiz.is_published = False
    quiz.save(update_fields=["is_published"])
    response = post_json(student_api, ATTEMPTS, {"quiz": quiz.pk})
    assert response.status_code == 404 and error_code(response) == "not_found"
    assert not Attempt.objects.exists()


def test_no_attempts_left_is_a_conflict_with_its_code(student_api, quiz, commit):
    quiz.max_attempts = 1
    quiz.save(update_fields=["max_attempts"])
    first = start(student_api, quiz)
    commit(student_api.post, reverse("api:attempt-finish", args=[first["uuid"]]))
    response = post_json(student_api, ATTEMPTS, {"quiz": quiz.pk})
    assert response.status_code == 409 and error_code(response) == "no_attempts_left"
    assert response.json()["error"]["message"] == "Попытки закончились."
    assert Attempt.objects.count() == 1


def test_submit_returns_202_with_a_status_url_then_the_grade(student_api, quiz, commit):
    attempt = start(student_api, quiz)
    item = item_of(attempt["uuid"], "cafe-network")
    response = commit(
        post_json, student_api, answer_url(attempt["uuid"], item.position), {"answer": "1"}
    )
    assert response.status_code == 202
    body = response.json()
    saved = Response.objects.get()
    assert body["id"] == saved.pk and body["status"] == "pending"
    assert body["status_url"] == f"/api/v1/responses/{saved.pk}/" == response["Location"]
    status = student_api.get(body["status_url"]).json()
    assert status["status"] == "graded" and status["position"] == item.position
    assert status["result"]["correct"] is False and "feedback" in status["result"]


def test_correct_answer_scores_after_finish(student_api, quiz, commit):
    attempt = start(student_api, quiz)
    item = item_of(attempt["uuid"], "cafe-network")
    raw = f"{grader.grade(item.version.spec, item.seed, '0').expected:.4f}"
    commit(post_json, student_api, answer_url(attempt["uuid"], item.position), {"answer": raw})
    finished = commit(student_api.post, reverse("api:attempt-finish", args=[attempt["uuid"]]))
    assert finished.status_code == 200
    data = finished.json()
    assert data["status"] == "finished" and data["graded"] is True
    assert data["score"] == "1.00" and data["max_score"] == "9.00"
    assert Attempt.objects.get().score == 1


def test_idempotent_retry_never_creates_a_second_response(student_api, quiz, commit):
    attempt = start(student_api, quiz)
    url = answer_url(attempt["uuid"], 1)
    first = commit(post_json, student_api, url, {"answer": "1"}, HTTP_IDEMPOTENCY_KEY="k-1")
    retry = commit(post_json, student_api, url, {"answer": "1"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == retry.status_code == 202
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Response.objects.count() == 1


def test_retry_after_the_attempt_finished_still_replays(student_api, quiz, commit):
    attempt = start(student_api, quiz)
    url = answer_url(attempt["uuid"], 1)
    first = commit(post_json, student_api, url, {"answer": "2"}, HTTP_IDEMPOTENCY_KEY="late")
    commit(student_api.post, reverse("api:attempt-finish", args=[attempt["uuid"]]))
    retry = commit(post_json, student_api, url, {"answer": "2"}, HTTP_IDEMPOTENCY_KEY="late")
    assert retry.status_code == 202 and retry.json()["id"] == first.json()["id"]
    assert Response.objects.count() == 1


def test_same_idempotency_key_with_another_body_is_409(student_api, quiz, commit):
    attempt = start(student_api, quiz)
    url = answer_url(attempt["uuid"], 1)
    commit(post_json, student_api, url, {"answer": "1"}, HTTP_IDEMPOTENCY_KEY="k-2")
    other = commit(post_json, student_api, url, {"answer": "7"}, HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 409 and error_code(other) == "idempotency_key_reused"
    assert list(Response.objects.values_list("raw", flat=True)) == ["1"]


def test_idempotency_keys_are_per_caller(student_api, outsider_api, quiz, commit):
    mine = start(student_api, quiz)
    theirs = start(outsider_api, quiz)
    commit(
        post_json,
        student_api,
        answer_url(mine["uuid"], 1),
        {"answer": "1"},
        HTTP_IDEMPOTENCY_KEY="same",
    )
    response = commit(
        post_json,
        outsider_api,
        answer_url(theirs["uuid"], 1),
        {"answer": "1"},
        HTTP_IDEMPOTENCY_KEY="same",
    )
    assert response.status_code == 202 and "Idempotent-Replayed" not in response
    assert Response.objects.count() == 2


def test_without_idempotency_key_two_posts_are_two_responses(student_api, quiz, commit):
    attempt = start(student_api, quiz)
    url = answer_url(attempt["uuid"], 1)
    commit(post_json, student_api, url, {"answer": "1"})
    commit(post_json, student_api, url, {"answer": "1"})
    assert Response.objects.count() == 2


def test_same_submit_token_twice_is_one_response_graded_once(
    student_api, quiz, django_capture_on_commit_callbacks
):
    attempt = start(student_api, quiz)
    url = answer_url(attempt["uuid"], 1)
    body = {"answer": "1", "submit_token": "6f1d2e4a-9b3c-4d5e-8f70-112233445566"}
    with django_capture_on_commit_callbacks(execute=True) as first_calls:
        first = post_json(student_api, url, body)
    with django_capture_on_commit_callbacks(execute=True) as retry_calls:
        retry = post_json(student_api, url, body)
    assert first.status_code == 202 and "Idempotent-Replayed" not in first
    # The retry: nothing new, the stored answer with its status now (graded meanwhile).
    assert retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]
    assert retry.json()["status"] == "graded" and retry["Location"] == first["Location"]
    assert Response.objects.count() == 1
    assert len(first_calls) == 1 and len(retry_calls) == 0, "graded once"
    # A new token is the next answer (the item may be answered again).
    body["submit_token"] = "6f1d2e4a-9b3c-4d5e-8f70-112233445567"
    assert post_json(student_api, url, body).status_code == 202
    assert Response.objects.count() == 2


def test_same_submit_token_with_another_answer_is_409(student_api, quiz, commit):
    attempt = start(student_api, quiz)
    url = answer_url(attempt["uuid"], 1)
    token = "0d8a4c2e-1111-4222-8333-444455556666"
    commit(post_json, student_api, url, {"answer": "1", "submit_token": token})
    other = commit(post_json, student_api, url, {"answer": "7", "submit_token": token})
    assert other.status_code == 409 and error_code(other) == "submit_token_reused"
    assert other.json()["error"]["message"].startswith("Эта форма уже отправлена")
    assert list(Response.objects.values_list("raw", flat=True)) == ["1"]


def test_a_bad_submit_token_names_the_field(student_api, quiz):
    attempt = start(student_api, quiz)
    response = post_json(
        student_api, answer_url(attempt["uuid"], 1), {"answer": "1", "submit_token": "nope"}
    )
    assert response.status_code == 400 and error_code(response) == "invalid"
    assert "submit_token" in response.json()["error"]["fields"]
    assert not Response.objects.exists()


def test_submit_token_is_in_the_schema(student_api):
    schema = student_api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    field = schema["components"]["schemas"]["AnswerInRequest"]["properties"]["submit_token"]
    assert field["format"] == "uuid" and "повтор" in field["description"]
    answer = schema["paths"]["/api/v1/attempts/{attempt_uuid}/items/{position}/responses/"]
    assert {"200", "202", "409"} <= set(answer["post"]["responses"])


def test_bad_idempotency_key_is_refused(student_api, quiz):
    attempt = start(student_api, quiz)
    response = post_json(
        student_api,
        answer_url(attempt["uuid"], 1),
        {"answer": "1"},
        HTTP_IDEMPOTENCY_KEY="x" * 256,
    )
    assert response.status_code == 400 and error_code(response) == "invalid_idempotency_key"
    assert not Response.objects.exists()


def test_answer_to_a_finished_attempt_is_409(student_api, quiz, commit):
    attempt = start(student_api, quiz)
    commit(student_api.post, reverse("api:attempt-finish", args=[attempt["uuid"]]))
    response = post_json(student_api, answer_url(attempt["uuid"], 1), {"answer": "1"})
    assert response.status_code == 409 and error_code(response) == "attempt_finished"
    assert not Response.objects.exists()


def test_missing_answer_names_the_field(student_api, quiz):
    attempt = start(student_api, quiz)
    response = post_json(student_api, answer_url(attempt["uuid"], 1), {"raw": "1"})
    assert response.status_code == 400 and error_code(response) == "invalid"
    assert response.json()["error"]["fields"]["answer"][0]["code"] == "required"
    assert not Response.objects.exists()


def test_unknown_position_is_404(student_api, quiz):
    attempt = start(student_api, quiz)
    response = post_json(student_api, answer_url(attempt["uuid"], 99), {"answer": "1"})
    assert response.status_code == 404 and error_code(response) == "not_found"


def test_another_students_attempt_is_invisible(student_api, outsider_api, quiz):
    attempt = start(student_api, quiz)
    for response in (
        outsider_api.get(reverse("api:attempt-detail", args=[attempt["uuid"]])),
        outsider_api.get(reverse("api:attempt-item", args=[attempt["uuid"], 1])),
        post_json(outsider_api, answer_url(attempt["uuid"], 1), {"answer": "1"}),
        outsider_api.post(reverse("api:attempt-finish", args=[attempt["uuid"]])),
    ):
        assert response.status_code == 404, response.content
    assert not Response.objects.exists()
    assert Attempt.objects.get().status == "in_progress"


def test_instructor_reads_but_cannot_answer_a_students_attempt_in_the_browser(
    student_api, instructor_api, quiz
):
    attempt = start(student_api, quiz)
    assert (
        instructor_api.get(reverse("api:attempt-detail", args=[attempt["uuid"]])).status_code == 200
    )
    response = post_json(instructor_api, answer_url(attempt["uuid"], 1), {"answer": "1"})
    assert response.status_code == 404
    assert not Response.objects.exists()


def test_lms_key_starts_and_answers_for_a_student(lms, student, quiz, commit):
    response = post_json(lms, ATTEMPTS, {"quiz": quiz.pk, "user": student.pk})
    assert response.status_code == 201
    attempt = Attempt.objects.get()
    assert attempt.user == student
    submitted = commit(post_json, lms, answer_url(attempt.uuid, 1), {"answer": "1"})
    assert submitted.status_code == 202
    assert Response.objects.get().item.attempt == attempt


def test_key_of_another_instructor_cannot_act_for_students(other_instructor, student, quiz):
    client, _ = key_client(other_instructor)
    response = post_json(client, ATTEMPTS, {"quiz": quiz.pk, "user": student.pk})
    assert response.status_code == 403 and error_code(response) == "user_not_allowed"
    assert not Attempt.objects.exists()


def test_a_student_cannot_start_for_someone_else(student_api, outsider, quiz):
    response = post_json(student_api, ATTEMPTS, {"quiz": quiz.pk, "user": outsider.pk})
    assert response.status_code == 403 and error_code(response) == "user_not_allowed"
    assert not Attempt.objects.exists()


def test_lms_key_names_an_unknown_user(lms, quiz):
    response = post_json(lms, ATTEMPTS, {"quiz": quiz.pk, "user": 999999})
    # The request is schema-valid; what it names does not exist.
    assert response.status_code == 404 and error_code(response) == "does_not_exist"
    assert "user" in response.json()["error"]["fields"]
    assert not Attempt.objects.exists()


def test_finish_twice_is_safe(student_api, quiz, commit):
    attempt = start(student_api, quiz)
    url = reverse("api:attempt-finish", args=[attempt["uuid"]])
    first = commit(student_api.post, url).json()
    second = commit(student_api.post, url).json()
    assert first["finished_at"] == second["finished_at"]
    assert Attempt.objects.get().status == "finished"


def test_draft_is_saved_and_an_older_one_refused(student_api, quiz):
    attempt = start(student_api, quiz)
    url = reverse("api:attempt-draft", args=[attempt["uuid"], 1])
    saved = student_api.put(url, {"answer": "0,5", "rev": 10}, format="json")
    assert saved.status_code == 200 and saved.json()["draft_rev"] == 10
    stale = student_api.put(url, {"answer": "old", "rev": 5}, format="json")
    assert stale.status_code == 409 and error_code(stale) == "stale_draft"
    item = Attempt.objects.get().items.get(position=1)
    assert (item.draft, item.draft_rev) == ("0,5", 10)
    assert not Response.objects.exists()


def test_item_endpoint_renders_one_variant(student_api, quiz):
    attempt = start(student_api, quiz)
    data = student_api.get(reverse("api:attempt-item", args=[attempt["uuid"], 2])).json()
    item = Attempt.objects.get().items.get(position=2)
    assert data["position"] == 2
    assert data["variant"]["text"] == grader.present(item.version.spec, item.seed).text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_api_posts_with_one_submit_token_store_one_response(student, quiz):

    from .conftest import session_client

    attempt = start(session_client(student), quiz)
    url = answer_url(attempt["uuid"], 1)
    body = {"answer": "1", "submit_token": "3c1e2d4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5"}
    statuses = []
    clients = [session_client(student) for _ in range(3)]

    def post(client):
        statuses.append(post_json(client, url, body).status_code)

    assert in_threads([lambda c=c: post(c) for c in clients]) == []
    assert sorted(statuses) == [200, 200, 202]
    assert Response.objects.count() == 1
