"""Questions answered in several fields, in a real browser: a matching question (one select per
element), a multi-part question (a number and a choice) and a description between them. The
fields autosave as one answer, come back after a reload, say which field cannot be read before
the finish, and the result gives a verdict per field; the page fits a 360 px phone."""

from __future__ import annotations

import json
import os

import pytest
from django.core.management import call_command

import grader
from question_bank.models import Question, QuestionVersion, Topic
from quizapp.models import Attempt, Quiz, QuizItem
from tests.e2e.axe import axe_violations, describe
from tests.e2e.conftest import start_attempt

pytestmark = pytest.mark.django_db(transaction=True)

MATCHING = {
    "kind": "matching",
    "text": "Сопоставьте функцию активации и область её значений.",
    "pairs": [
        {"stem": "сигмоида", "answer": "$(0; 1)$"},
        {"stem": "tanh", "answer": "$(-1; 1)$"},
        {"stem": "ReLU", "answer": "$[0; +\\infty)$"},
    ],
    "distractors": ["$(-\\infty; 0]$"],
}
MULTIPART = {
    "kind": "multipart",
    "params": {"n": {"type": "int", "min": 5, "max": 9}},
    "text": "Вход {{ n }}×{{ n }}, ядро 3×3, шаг 1, без дополнения. Высота выхода: [[h]]. "
    "Меняется ли число параметров слоя от размера входа? [[p]]",
    "parts": [
        {"name": "h", "kind": "numeric", "label": "Высота выхода", "answer": {"expr": "n - 2"}},
        {
            "name": "p",
            "kind": "single_choice",
            "label": "Число параметров",
            "options": [{"text": "не меняется", "correct": True}, {"text": "растёт с входом"}],
        },
    ],
    "solution": "Высота выхода: n − 3 + 1 = n − 2, здесь n = {{ n }}.",
}
INTRO = {"kind": "description", "text": "Две задачи об активациях и свёртке."}


def _add(quiz, topic, slug, spec, position):
    question = Question.objects.create(
        bank=topic.bank, topic=topic, slug=slug, title=slug, kind=spec["kind"]
    )
    QuestionVersion.objects.create(question=question, number=1, spec=spec)
    points = 0 if spec["kind"] == "description" else 1
    QuizItem.objects.create(quiz=quiz, question=question, position=position, points=points)


def test_matching_and_multipart_answers_in_a_quiz(page, login, shot):
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    quiz = Quiz.objects.get(slug="demo")
    QuizItem.objects.filter(quiz=quiz).delete()
    topic = Topic.objects.filter(bank__slug="demo").first()
    _add(quiz, topic, "intro", INTRO, 1)
    _add(quiz, topic, "act-match", MATCHING, 2)
    _add(quiz, topic, "conv-parts", MULTIPART, 3)
    login(page)
    attempt = start_attempt(page, "demo")
    assert page.locator("#item-1").inner_text().startswith("Две задачи")
    assert page.locator("#answered-count").inner_text() == "0"

    # Matching: one select per element, the answers lettered above them.
    for stem, choice in (("сигмоида", "0"), ("tanh", "1"), ("ReLU", "2")):
        page.locator("#item-2").get_by_label(stem, exact=True).select_option(choice)
    page.wait_for_function(
        "() => document.getElementById('saved-2').textContent.startsWith('Сохранено в')"
    )
    assert json.loads(attempt.items.get(position=2).draft) == {"0": "0", "1": "1", "2": "2"}

    # Multi-part: an unreadable field is named before the finish, then fixed.
    item = attempt.items.get(position=3)
    n = grader.variant(MULTIPART, item.seed).values["n"]
    box = page.locator("#answer-3-h")
    box.fill("сорок")
    page.wait_for_function(
        "() => document.getElementById('preview-3').textContent.startsWith('Ответ не распознан')"
    )
    assert "(1)" in page.locator("#preview-3").inner_text()
    assert page.locator("#unreadable-3").is_visible()
    box.fill(str(n - 2))
    page.locator("#item-3").get_by_label("не меняется").check()
    page.wait_for_function("() => !document.getElementById('preview-3').classList.contains('bad')")
    page.wait_for_function(
        "() => JSON.parse(localStorage.getItem(Object.keys(localStorage)"
        ".find(k => k.endsWith(':3'))) || '{}').sent === true"
    )
    assert json.loads(attempt.items.get(position=3).draft) == {"h": str(n - 2), "p": "0"}
    assert page.locator("#answered-count").inner_text() == "2"

    # After a reload every field holds what was typed or chosen.
    page.reload()
    assert page.locator("#answer-3-h").input_value() == str(n - 2)
    assert page.locator("#item-3").get_by_label("не меняется").is_checked()
    assert page.locator("#item-2").get_by_label("tanh", exact=True).input_value() == "1"
    # Readable answers carry no «не распознан» badge (the badge's display once beat [hidden]).
    assert not page.locator("#unreadable-2").is_visible()
    assert not page.locator("#unreadable-3").is_visible()
    # Every field has a name a screen reader says (WCAG 2.1 A/AA under axe-core).
    violations = axe_violations(page)
    assert not violations, describe(violations, "attempt: ")
    page.locator("#item-2").scroll_into_view_if_needed()
    shot(page, "multi-field-attempt")
    shot(page, "multi-field-attempt-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Завершить попытку").click()
    page.get_by_role("button", name="Завершить", exact=True).click()
    page.wait_for_selector("text=Результат попытки 1")
    attempt = Attempt.objects.get(pk=attempt.pk)
    assert attempt.max_score == 2 and attempt.score == 2
    verdicts = page.locator("#item-3 .part-verdicts li")
    assert verdicts.count() == 2
    assert all("верно" in verdicts.nth(i).inner_text() for i in range(2))
    violations = axe_violations(page)
    assert not violations, describe(violations, "result: ")
    shot(page, "multi-field-result")
    shot(page, "multi-field-result-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
