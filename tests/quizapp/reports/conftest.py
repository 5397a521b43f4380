"""A bank owned by ``owner`` (the demo bank; its numeric «dense-params» in a quiz), a student
enrolled in the owner's course (so the bank is theirs to study), an attempt."""

from __future__ import annotations

import copy

import pytest

from question_bank.formats import parse_file
from tests.conftest import DEMO


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def _demo_bank():
    result = parse_file(DEMO.read_bytes(), str(DEMO))
    assert result.ok
    return result.bank


@pytest.fixture
def bank(db, _demo_bank, owner):
    from question_bank.services import bank_import

    bank, _versions = bank_import(data=copy.deepcopy(_demo_bank))
    bank.owner = owner
    bank.save(update_fields=["owner"])
    return bank


@pytest.fixture
def numeric(bank):
    return bank.questions.get(slug="dense-params")


@pytest.fixture
def quiz(bank, owner, numeric):
    from quizapp.models import Quiz, QuizItem

    quiz = Quiz.objects.create(
        slug="reports", title="Тест с ошибкой", is_published=True, is_open=True, owner=owner
    )
    QuizItem.objects.create(quiz=quiz, position=1, question=numeric)
    return quiz


@pytest.fixture
def course(owner, student):
    from quizapp.models import Course, Enrollment

    course = Course.objects.create(title="Глубокое обучение", code="dl-reports", owner=owner)
    Enrollment.objects.create(course=course, user=student)
    return course


@pytest.fixture
def attempt(quiz, student, course):
    from quizapp.attempts import services

    return services.attempt_start(user=student, quiz=quiz)


@pytest.fixture
def item(attempt):
    return attempt.items.get(position=1)
