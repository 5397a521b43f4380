"""An essay: an open answer in the student's own words, read and scored by the instructor.

The grader never scores it. ``grade()`` gives status ``manual`` (score ``None``) with the
rendered solution (a model answer, when the author wrote one); the instructor's score comes
later, from the manual-grading queue. A blank answer is unanswered: graded, score 0. The spec
may carry a ``rubric`` (Moodle's «информация для оценщика»: what to look for, how many points
for what), shown to the instructor beside each answer and never to a student before grading,
and ``max_length``: how long an answer may be, in characters (:data:`DEFAULT_MAX_LENGTH`).

>>> max_length({"kind": "essay", "text": "Объясните dropout."})
5000
>>> max_length({"kind": "essay", "text": "…", "max_length": 800})
800
"""

from __future__ import annotations

from types import SimpleNamespace

from grader.kinds.base import Outcome

__all__ = [
    "MANUAL",
    "INPUT_HINT",
    "DEFAULT_MAX_LENGTH",
    "max_length",
    "expected",
    "parse",
    "score",
    "matches",
    "display",
    "self_test",
]

MANUAL = True
DEFAULT_MAX_LENGTH = 5000
INPUT_HINT = ""


def max_length(spec: dict) -> int:
    """The longest answer the question accepts, in characters."""
    return int(spec.get("max_length") or DEFAULT_MAX_LENGTH)


def expected(spec: dict, values: dict):
    return None


def parse(raw: str, spec: dict, expected):
    text = (raw or "").strip()
    return SimpleNamespace(kind="text", value=text, display=text)


def score(parsed, expected, spec: dict) -> Outcome:
    # Never called by grader.grading for a manual kind; a blank answer is the only one scored.
    return Outcome(score=0.0)


def matches(parsed, value, spec: dict) -> bool:
    return False


def display(value, spec: dict) -> str:
    return ""


def self_test(spec: dict, expected):
    return None
