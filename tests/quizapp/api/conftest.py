"""Named users and clients of the API tests: an instructor who owns the demo quiz, another
instructor, a student and an outsider; a key client (an LMS) and session clients (browsers)."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from quizapp.api.keys import api_key_create
from quizapp.core.roles import INSTRUCTOR_GROUP
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The named users have passwords; the production hasher costs ~1 s per user on CI machines.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Throttle counters live in the cache; a test must not inherit another test's requests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def instructor(django_user_model):
    return make_user(django_user_model, "instructor", INSTRUCTOR_GROUP)


@pytest.fixture(scope="session")
def _demo_bank_data():
    from question_bank.formats import parse_file
    from tests.conftest import DEMO

    result = parse_file(DEMO.read_bytes(), str(DEMO))
    assert result.ok
    return result.bank


@pytest.fixture
def demo_quiz(db, _demo_bank_data):
    """The demo bank and quiz as ``load_demo`` makes them, without its slow variant checks
    (tests/quizapp covers those): parsed once per session, stored per test."""
    from question_bank.services import bank_import
    from quizapp.models import Quiz, QuizItem

    _bank, versions = bank_import(data=copy.deepcopy(_demo_bank_data))
    quiz = Quiz.objects.create(
        slug="demo", title="Демо-тест: все типы вопросов", is_published=True, is_open=True
    )
    QuizItem.objects.bulk_create(
        QuizItem(quiz=quiz, position=n, question=v.question) for n, v in enumerate(versions, 1)
    )
    return quiz


@pytest.fixture
def quiz(demo_quiz, instructor):
    """The demo quiz (9 questions, every kind), owned by ``instructor``."""
    demo_quiz.owner = instructor
    demo_quiz.save(update_fields=["owner"])
    return demo_quiz


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def student_api(student):
    return session_client(student)


@pytest.fixture
def outsider_api(outsider):
    return session_client(outsider)


@pytest.fixture
def instructor_api(instructor):
    return session_client(instructor)


@pytest.fixture
def other_instructor_api(other_instructor):
    return session_client(other_instructor)


def key_client(owner, **kwargs) -> tuple[APIClient, str]:
    _key, token = api_key_create(owner=owner, name="LMS", **kwargs)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client, token


@pytest.fixture
def lms(instructor):
    """The instructor's integration, through a read-write API key."""
    return key_client(instructor)[0]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a request and then what it enqueued on commit (grading, webhooks), as in eager mode."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def error_code(response) -> str:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "message_en"} <= set(body["error"]), body
    return body["error"]["code"]


def post_json(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)
