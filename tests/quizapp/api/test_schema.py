"""The OpenAPI schema, its local viewers, who-may-call declarations, and a schemathesis run.

Schemathesis generates requests from the schema for every operation (bounded examples) and
sends them in-process to the WSGI app with an instructor's key: none may end in a 5xx.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.urls import URLResolver, get_resolver
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error

from quizapp.api.views.base import ApiView

from .conftest import key_client

pytestmark = pytest.mark.django_db


def test_schema_is_openapi_3_with_every_operation():
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"attempts_answer", "attempts_finish", "quizzes_create", "keys_create"} <= operations
    assert {"apiKey", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_viewers_load_their_files_locally(page):
    html = APIClient().get(page).content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower() and "https://" not in html


def _api_views():
    resolver = get_resolver()
    api = next(
        p
        for p in resolver.url_patterns
        if isinstance(p, URLResolver) and getattr(p, "namespace", None) == "api"
    )
    return [
        p.callback.view_class
        for p in api.url_patterns
        if issubclass(getattr(p.callback, "view_class", object), ApiView)
    ]


def test_every_endpoint_declares_who_may_call_each_method():
    views = _api_views()
    assert len(views) == 28
    for view in views:
        methods = {m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}
        assert methods and methods == set(view.permissions), view.__name__


# --- schemathesis --------------------------------------------------------------------------------

# Bounded: fuzzing with a few examples per operation; the exhaustive "coverage" phase would
# send hundreds of boundary cases per operation and take minutes.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/",
    get_wsgi_application(),
    config=schemathesis.Config.from_dict(
        {"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}}
    ),
)


@pytest.fixture
def instructor_key(instructor, quiz):
    return key_client(instructor, rate_per_minute=100000)[1]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI app closes the database connection after each request (as in production); inside
    a test's transaction that would end the test's connection, so, as Django's test client does,
    the closing is switched off while schemathesis calls the app."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_request_the_schema_allows_ends_in_a_server_error(case, instructor_key):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {instructor_key}"},
        checks=[not_a_server_error],
    )
