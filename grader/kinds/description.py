"""A description: an information item (Moodle's «описание»), with a text and no answer.

It is shown in quizzes and banks between questions (an introduction to the questions that
follow) and is never answered: there is no key (:func:`expected` gives ``None``) and no
self-test (:func:`self_test` gives ``None``), so a bank check has nothing to compare. Quizzes
do not grade it; if ``grade()`` is called all the same, nothing can be wrong in it, so the result
is ``graded`` with score 1 and no key (:data:`NO_ANSWER` tells ``grader.grading`` to skip parsing),
and it can never lower a percentage it is wrongly counted in. Practice and flashcards never draw
it.

>>> expected({"kind": "description", "text": "Дальше — задачи о свёртках."}, {}) is None
True
"""

from __future__ import annotations

from types import SimpleNamespace

from grader.kinds.base import Outcome

__all__ = ["NO_ANSWER", "INPUT_HINT", "expected", "parse", "score", "matches", "display"]

NO_ANSWER = True
INPUT_HINT = ""


def expected(spec: dict, values: dict):
    return None


def parse(raw: str, spec: dict, expected):
    return SimpleNamespace(kind="none", value=None, display="")


def score(parsed, expected, spec: dict) -> Outcome:
    return Outcome(score=1.0)


def matches(parsed, value, spec: dict) -> bool:
    return False


def display(value, spec: dict) -> str:
    return ""


def self_test(spec: dict, expected):
    return None
