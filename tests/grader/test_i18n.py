"""Grader messages go through grader.i18n: as written without a translator, else translated.

The translator is installed in this process, so grading is called in-process (grader.grading);
the sandboxed grader.grade translates in its child (tests/grader/test_sandbox.py)."""

from __future__ import annotations

import pytest

from grader import grading, i18n
from grader.errors import ParseError
from grader.parsing import parse_answer

VECTOR = {"kind": "vector", "answer": {"value": [0, 2, 0]}}

ENGLISH = {
    "ожидался вектор из %(expected)s %(plural_elements)s, %(verb)s %(n)s": (
        "expected a vector of %(expected)s %(plural_elements)s, %(verb)s %(n)s"
    ),
    "элементов": "elements",
    "получен": "got",
    "Неверно.": "Incorrect.",
    "Вектор вводится так: [0; 2; 0], [0, 2, 0] или 0 2 0": "Vector hint",
    "Ответ пуст. %(hints)s": "The answer is empty. %(hints)s",
    "Ожидалось число, например 0,95 или 3/4": "A number was expected, e.g. 0.95 or 3/4",
}


@pytest.fixture
def english():
    """A fake translator for the test, and whatever was installed before put back after it."""
    calls = []

    def translate(message):
        calls.append(message)
        return ENGLISH.get(message, message)

    previous = i18n.install(translate)
    yield calls
    i18n.install(previous)


@pytest.fixture
def no_translator():
    previous = i18n.install(None)
    yield
    i18n.install(previous)


def test_identity_without_a_translator(no_translator):
    assert i18n._("Неверно.") == "Неверно."
    assert i18n.gettext_noop("Верно.") == "Верно."
    result = grading.grade(VECTOR, None, "5")
    assert result.feedback == (
        "Ожидался вектор из 3 элементов, получен 1. "
        "Вектор вводится так: [0; 2; 0], [0, 2, 0] или 0 2 0."
    )


def test_install_returns_the_previous_translator(no_translator):
    def upper(message):
        return message.upper()

    assert i18n.install(upper) is i18n._identity
    assert i18n._("верно") == "ВЕРНО"
    assert i18n.install(None) is upper
    assert i18n._("верно") == "верно"


def test_feedback_of_a_wrong_shape_is_translated(english):
    result = grading.grade(VECTOR, None, "5")
    assert result.status == "invalid" and result.error["code"] == "wrong_shape"
    assert "ожидался вектор из %(expected)s %(plural_elements)s, %(verb)s %(n)s" in english
    assert result.feedback == "Expected a vector of 3 elements, got 1. Vector hint."


def test_parse_error_is_translated_with_its_hint(english):
    # The hint is a module constant, marked at import and translated where the message is built.
    with pytest.raises(ParseError) as caught:
        parse_answer("  ", "number")
    assert caught.value.code == "empty"
    assert caught.value.message == "The answer is empty. A number was expected, e.g. 0.95 or 3/4"


def test_translator_is_asked_at_call_time_not_at_import(english, no_translator):
    # Fixtures ran in order: the English one, then none; a message built now is in Russian again.
    with pytest.raises(ParseError) as caught:
        parse_answer("", "number")
    assert caught.value.message == "Ответ пуст. Ожидалось число, например 0,95 или 3/4"
