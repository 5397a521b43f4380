"""Who may call: API keys (hashed, shown once, revocable, scoped), sessions, roles."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from quizapp.models.api import ApiKey

from .conftest import error_code, key_client, post_json

pytestmark = pytest.mark.django_db

KEYS = "/api/v1/keys/"


def test_anonymous_gets_401_with_the_error_shape(client, quiz):
    response = APIClient().get("/api/v1/quizzes/")
    assert response.status_code == 401 and error_code(response) == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["message_en"].startswith("Authentication is required")


@pytest.mark.parametrize("token", ["nzk_deadbeef0000_nope", "garbage", "nzk__", "nzk_x_y_z"])
def test_a_wrong_key_is_401(token, instructor):
    key_client(instructor)  # a real key exists; guessing must still fail
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get("/api/v1/quizzes/")
    assert response.status_code == 401 and error_code(response) == "invalid_api_key"


def test_key_is_shown_once_and_stored_hashed(instructor_api, instructor):
    created = post_json(instructor_api, KEYS, {"name": "Moodle"})
    assert created.status_code == 201
    token = created.json()["key"]
    key = ApiKey.objects.get()
    secret = token.split("_", 2)[2]
    assert key.owner == instructor and key.prefix in token
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(ApiKey.objects.values()))
    listed = instructor_api.get(KEYS).json()["results"]
    assert [k["prefix"] for k in listed] == [key.prefix]
    assert "key" not in listed[0] and secret not in str(listed)
    # The key works, and updates last_used_at.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/quizzes/").status_code == 200
    assert ApiKey.objects.get().last_used_at is not None


def test_revoked_key_stops_working(instructor_api, instructor):
    client, token = key_client(instructor)
    assert client.get("/api/v1/banks/").status_code == 200
    key = ApiKey.objects.get()
    assert instructor_api.delete(f"{KEYS}{key.pk}/").status_code == 204
    assert ApiKey.objects.get().revoked_at is not None
    response = client.get("/api/v1/banks/")
    assert response.status_code == 401 and error_code(response) == "invalid_api_key"


def test_key_of_an_inactive_owner_stops_working(instructor):
    client, _ = key_client(instructor)
    instructor.is_active = False
    instructor.save(update_fields=["is_active"])
    assert client.get("/api/v1/banks/").status_code == 401


def test_keys_are_not_managed_with_a_key(lms):
    response = post_json(lms, KEYS, {"name": "another"})
    assert response.status_code == 403 and error_code(response) == "session_only"
    assert ApiKey.objects.count() == 1


def test_students_get_no_keys(student_api):
    response = post_json(student_api, KEYS, {"name": "mine"})
    assert response.status_code == 403 and error_code(response) == "instructor_only"
    assert not ApiKey.objects.exists()


def test_cannot_revoke_someone_elses_key(other_instructor_api, instructor):
    key_client(instructor)
    key = ApiKey.objects.get()
    assert other_instructor_api.delete(f"{KEYS}{key.pk}/").status_code == 404
    assert ApiKey.objects.get().revoked_at is None


def test_read_only_key_cannot_write(instructor, quiz):
    client, _ = key_client(instructor, scopes=["read"])
    assert client.get("/api/v1/quizzes/").status_code == 200
    response = post_json(client, "/api/v1/attempts/", {"quiz": quiz.pk})
    assert response.status_code == 403 and error_code(response) == "key_scope"


def test_session_writes_need_the_csrf_token(student, quiz):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(student)
    response = post_json(client, "/api/v1/attempts/", {"quiz": quiz.pk})
    assert response.status_code == 403 and error_code(response) == "permission_denied"
    assert "CSRF" in response.json()["error"]["message"]


def test_key_validation_names_the_field(instructor_api):
    response = post_json(instructor_api, KEYS, {"name": "x", "scopes": ["admin"]})
    assert response.status_code == 400
    assert "scopes.0" in response.json()["error"]["fields"]
    assert not ApiKey.objects.exists()


def test_management_command_creates_lists_and_revokes(instructor, student):
    out = io.StringIO()
    call_command("api_key", "create", "--user", "instructor", "--name", "Moodle", stdout=out)
    token = next(line for line in out.getvalue().splitlines() if line.startswith("nzk_"))
    key = ApiKey.objects.get()
    assert key.prefix in token and key.scopes == ["read", "write"]
    listing = io.StringIO()
    call_command("api_key", "list", stdout=listing)
    assert key.prefix in listing.getvalue() and token not in listing.getvalue()
    call_command("api_key", "revoke", key.prefix, stdout=io.StringIO())
    assert ApiKey.objects.get().revoked_at is not None
    with pytest.raises(CommandError, match="преподавателям"):
        call_command("api_key", "create", "--user", "student", "--name", "x", stdout=out)
