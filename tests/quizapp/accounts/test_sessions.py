"""Sessions come from the shared cache (Redis), not the database, and survive losing it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def redis_sessions(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
            "KEY_PREFIX": f"test-sessions-{os.getpid()}",
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    cache.clear()
    yield
    cache.clear()


def _session_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("practice"))
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries if "django_session" in q["sql"]]


def test_a_logged_in_page_reads_no_session_row(client, student, redis_sessions):
    assert (
        client.post(
            reverse("login"), {"username": "student", "password": "pw-student-1"}
        ).status_code
        == 302
    )
    assert _session_queries(client) == []


def test_losing_redis_logs_nobody_out(client, student, redis_sessions):
    client.post(reverse("login"), {"username": "student", "password": "pw-student-1"})
    cache.clear()  # Redis restarted empty
    assert len(_session_queries(client)) == 1  # read back from the database once
    assert _session_queries(client) == []  # and cached again


def test_production_settings_choose_the_cached_sessions():
    env = {**os.environ, "CACHE_URL": "redis://127.0.0.1:6379/1"}
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**env, "DJANGO_SETTINGS_MODULE": "quizapp.settings"},
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
    ).stdout.split()[-1]
    assert out == "django.contrib.sessions.backends.cached_db"
