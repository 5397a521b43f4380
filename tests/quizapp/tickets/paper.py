"""A quiz of bundled questions, one of every kind the banks have (plus a description and an
essay written here), owned by ``owner``: the fixture of the ticket tests."""

from __future__ import annotations

import copy
from decimal import Decimal
from functools import cache

import pytest

from question_bank.formats.common import split_question
from question_bank.formats.native import parse_bank
from question_bank.models import Question, QuestionVersion
from question_bank.services import bank_import
from quizapp.models import Course, Enrollment, Quiz, QuizItem
from tests.question_bank.banks import BANKS_DIR

BANKS = ("01-perceptron", "03-losses", "04-optimization")
KINDS = (
    "numeric", "vector", "matrix", "expression", "single_choice", "multiple_choice",
    "short_text", "matching", "multipart", "flashcard",
)  # fmt: skip
ESSAY = {
    "kind": "essay",
    "text": "Объясните, зачем нужен Dropout, и запишите $p \\in [0; 1)$.",
    "solution": "Dropout выключает нейроны случайно, чтобы сеть не переобучалась.",
    "rubric": "2 балла — переобучение; 1 балл — масштабирование при выводе.",
}
DESCRIPTION = {"kind": "description", "text": "Задачи 1–3 — про сеть с весами $W_{ij}$."}


@cache
def _selected_banks() -> list[dict]:
    """The three banks with only the questions the quiz uses (the first of each kind) and the
    others of the first one's topic (the rule draws from it): a smaller import, a faster test."""
    wanted: set[str] = set()
    banks = []
    for name in BANKS:
        path = BANKS_DIR / f"{name}.yaml"
        data = parse_bank(path.read_bytes(), path.name).bank
        kept = []
        for entry in data["questions"]:
            meta, spec = split_question(entry)
            if spec["kind"] not in wanted:
                wanted.add(spec["kind"])
                kept.append(entry)
            elif name == BANKS[0] and entry.get("topic") == data["questions"][0].get("topic"):
                kept.append(entry)
        banks.append({**data, "questions": kept})
    return banks


@pytest.fixture
def tickets_quiz(db, owner):
    slugs: dict[str, str] = {}
    topic = None
    for data in copy.deepcopy(_selected_banks()):
        bank, _ = bank_import(data=data)
        for entry in data["questions"]:
            meta, spec = split_question(entry)
            slugs.setdefault(spec["kind"], meta["slug"])
        topic = topic or bank.topics.get(slug=data["questions"][0]["topic"])
    quiz = Quiz.objects.create(slug="paper", title="Зачёт по нейросетям", owner=owner)
    extra = []
    for slug, spec, kind in (
        ("paper-intro", DESCRIPTION, "description"),
        ("paper-essay", ESSAY, "essay"),
    ):
        question = Question.objects.create(bank=bank, topic=None, slug=slug, title=slug, kind=kind)
        QuestionVersion.objects.create(question=question, number=1, spec=spec)
        extra.append(question)
    QuizItem.objects.create(quiz=quiz, question=extra[0], position=1, points=0)
    for position, kind in enumerate(KINDS, start=2):
        question = Question.objects.get(slug=slugs[kind], is_archived=False)
        points = Decimal("1.5") if kind == "numeric" else Decimal(1)
        QuizItem.objects.create(quiz=quiz, question=question, position=position, points=points)
    QuizItem.objects.create(quiz=quiz, question=extra[1], position=20, points=3)
    # A rule: each ticket draws its own question of this topic, as each attempt would.
    QuizItem.objects.create(quiz=quiz, topic=topic, count=1, position=21, points=2)
    return quiz


@pytest.fixture
def tickets_course(tickets_quiz, owner, django_user_model):
    course = Course.objects.create(title="Глубокое обучение", code="dl-paper", owner=owner)
    course.quizzes.add(tickets_quiz, through_defaults={"added_by": owner})
    for username, first, last in (("ivanova", "Анна", "Иванова"), ("petrov", "Пётр", "Петров")):
        user = django_user_model.objects.create_user(username, first_name=first, last_name=last)
        Enrollment.objects.create(course=course, user=user)
    return course
