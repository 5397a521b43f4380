"""A single number. The key is computed by an engine or a safe expression over the parameters.

Tolerance comes from the spec (``tolerance: {rel: 0.01}``); an integer key with no tolerance is
matched exactly, since parameter counts and shapes have exactly one right answer.
"""

from __future__ import annotations

from numbers import Integral

from grader.compare import Tolerance, numbers_match
from grader.errors import SpecError
from grader.i18n import _, gettext_noop
from grader.kinds.base import Outcome, SelfTest
from grader.parsing import parse_answer
from grader.templating import format_value
from grader.variants import compute_value

INPUT_HINT = gettext_noop("число: 0,95 или 0.95, 3/4, 1e-3, (12+1)*300")


def tolerance(spec: dict, expected) -> Tolerance:
    if spec.get("tolerance") is None and isinstance(expected, Integral):
        return Tolerance(abs=0.0)
    return Tolerance.from_spec(spec.get("tolerance"))


def expected(spec: dict, values: dict):
    value = compute_value(spec.get("answer"), values)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(
            _("ответ должен быть числом, получено %(value)r") % {"value": value},
            code="answer_not_number",
        )
    return value


def parse(raw: str, spec: dict, expected):
    return parse_answer(raw, "number")


def matches(parsed, value, spec: dict) -> bool:
    return numbers_match(parsed.value, value, tolerance(spec, value))


def score(parsed, expected, spec: dict) -> Outcome:
    ok = matches(parsed, expected, spec)
    return Outcome(score=1.0 if ok else 0.0, parts=[ok])


def display(value, spec: dict) -> str:
    # Exactly enough digits that typing the shown key back is accepted (9838.5, not 9838).
    tol = tolerance(spec, value)
    return f"${format_value(value, accept=lambda shown, key: numbers_match(shown, key, tol))}$"


def self_test(spec: dict, expected) -> SelfTest:
    # Adding at least 1 and at least |key| can never land back on the key (unlike x·k + c).
    wrong = expected + max(1, abs(expected))
    return SelfTest(correct=repr(expected), wrong=repr(wrong), invalid=_("сорок два"))
