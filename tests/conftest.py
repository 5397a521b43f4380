"""Shared fixtures: named users, the demo bank, and the real services when they are there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

# No Django at import time: the grader's tests also run without it (-p no:django).
DEMO = Path(__file__).resolve().parent.parent / "question_bank" / "demo" / "demo.yaml"


def pytest_configure(config):
    """Under pytest-xdist (bin/test runs two processes) each process gets its own Redis
    database, so that one process's Celery workers never take the other's tasks; pytest-django
    gives each its own PostgreSQL test database (test_postgres_gw0, _gw1)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and worker[2:].isdigit():
        base = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
        prefix, _, db = base.rpartition("/")
        number = int(db) if db.isdigit() else 15
        index = int(worker[2:])
        if index > number:
            raise pytest.UsageError(f"TEST_WORKERS: не больше {number + 1} процессов (базы Redis)")
        os.environ["TEST_REDIS_URL"] = f"{prefix}/{number - index}"


def _require_services() -> bool:
    return os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config, items):
    """PostgreSQL/Redis tests skip on a machine without the servers, but never in CI."""
    if not any(k in item.keywords for item in items for k in ("postgres", "redis")):
        return
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    redis_up = _redis_up(redis_url)
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            _skip_or_fail(item, "нужен PostgreSQL (DATABASE_URL)")
        if "redis" in item.keywords and not redis_up:
            _skip_or_fail(item, f"нужен Redis ({redis_url})")


def _skip_or_fail(item, reason: str):
    if _require_services():
        raise pytest.UsageError(f"REQUIRE_SERVICES=1, но {reason}")
    item.add_marker(pytest.mark.skip(reason=reason))


def _redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def demo_data() -> dict:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


@pytest.fixture
def demo_specs(demo_data) -> dict:
    from question_bank.formats.common import split_question

    return {q["slug"]: split_question(q)[1] for q in demo_data["questions"]}


def make_user(django_user_model, username: str, group: str | None = None, **extra):
    """A user with password ``pw-<username>-1``, in ``group`` (a role) if given."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username, password=f"pw-{username}-1", **extra)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@pytest.fixture
def owner(django_user_model):
    """An instructor: owns the course, bank or quiz under test."""
    from quizapp.core.roles import INSTRUCTOR_GROUP

    return make_user(django_user_model, "owner", INSTRUCTOR_GROUP)


@pytest.fixture
def other_instructor(django_user_model):
    from quizapp.core.roles import INSTRUCTOR_GROUP

    return make_user(django_user_model, "other_instructor", INSTRUCTOR_GROUP)


@pytest.fixture
def admin(django_user_model):
    from quizapp.core.roles import ADMIN_GROUP

    return make_user(django_user_model, "admin", ADMIN_GROUP)


@pytest.fixture
def student(django_user_model):
    return django_user_model.objects.create_user("student", password="pw-student-1")


@pytest.fixture
def member(django_user_model):
    """A student enrolled in the course under test (the tests enrol them)."""
    return django_user_model.objects.create_user("member", password="pw-member-1")


@pytest.fixture
def peer(django_user_model):
    """Another student of that course, without what ``member`` is given."""
    return django_user_model.objects.create_user("peer", password="pw-peer-1")


@pytest.fixture
def student_client(client, student):
    """The test client, logged in as ``student``."""
    client.force_login(student)
    return client


@pytest.fixture
def outsider(django_user_model):
    return django_user_model.objects.create_user("outsider", password="pw-outsider-1")


@pytest.fixture
def demo_quiz(db):
    from django.core.management import call_command

    from quizapp.models import Quiz

    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    return Quiz.objects.get(slug="demo")


@pytest.fixture(autouse=True)
def _fresh_local_caches():
    """Each test starts with empty local-memory caches: login lockout counters (django-axes),
    password-reset and API limits, cached dashboards and roles live there and would otherwise
    leak from one test to the next in the same process (the test databases reuse ids: a page
    cached for one test's user 1 must not reach the next test's user 1). A Redis cache
    (CACHE_URL) is shared and left alone."""
    from django.conf import settings

    if not settings.configured:
        yield
        return
    from django.core.cache import caches

    for alias, config in settings.CACHES.items():
        if config["BACKEND"].endswith("LocMemCache"):
            caches[alias].clear()
    yield
