"""The OpenAPI schema, its local viewers and who-may-call declarations (schemathesis runs in
test_schemathesis.py, the schema's promises case by case in test_contract.py)."""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver
from rest_framework.test import APIClient

from quizapp.api.views.base import ApiView

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
    assert len(views) == 36
    for view in views:
        methods = {m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}
        assert methods and methods == set(view.permissions), view.__name__
