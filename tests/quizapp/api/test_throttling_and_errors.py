"""Rate limits per key, and the one error shape for what DRF itself refuses."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from .conftest import error_code, key_client

pytestmark = pytest.mark.django_db


def test_each_key_has_its_own_rate(instructor, quiz):
    slow, _ = key_client(instructor, rate_per_minute=2)
    fast, _ = key_client(instructor)
    assert [slow.get("/api/v1/banks/").status_code for _ in range(2)] == [200, 200]
    limited = slow.get("/api/v1/banks/")
    assert limited.status_code == 429 and error_code(limited) == "throttled"
    assert int(limited["Retry-After"]) > 0
    assert "повторите через" in limited.json()["error"]["message"]
    assert fast.get("/api/v1/banks/").status_code == 200


def test_default_key_rate_comes_from_the_settings(instructor, quiz, settings):
    from quizapp.api.throttling import ApiKeyRateThrottle

    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "api_key": "1/min"}
    ApiKeyRateThrottle.THROTTLE_RATES = rates
    try:
        client, _ = key_client(instructor)
        assert client.get("/api/v1/banks/").status_code == 200
        assert client.get("/api/v1/banks/").status_code == 429
    finally:
        ApiKeyRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]


def test_malformed_json_is_a_parse_error(student_api):
    response = student_api.post("/api/v1/attempts/", "{not json", content_type="application/json")
    assert response.status_code == 400 and error_code(response) == "parse_error"


def test_form_bodies_are_refused(student_api):
    response = student_api.post("/api/v1/attempts/", {"quiz": 1}, format="multipart")
    assert response.status_code == 415 and error_code(response) == "unsupported_media_type"


def test_wrong_method_is_405(student_api):
    response = student_api.delete("/api/v1/banks/")
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"
    assert response.json()["error"]["message_en"] == "Method not allowed."


def test_anonymous_schema_and_docs_are_public():
    client = APIClient()
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/banks/").status_code == 401
