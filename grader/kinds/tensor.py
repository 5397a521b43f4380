"""Vectors and matrices, compared per component with the spec's tolerance.

Partial credit is the share of components within tolerance (``partial: false`` in the spec makes
it all-or-nothing). An answer of another shape (``42`` for a vector of 3, a 2×3 matrix for a
2×2 one) is a format error, not a wrong answer (``shape_error``, code ``wrong_shape``): the
preview says so while typing, and grading returns ``invalid``, unless the answer is one of the
question's typical mistakes (a 1×1 output of a convolution without padding): that one is a
recognised wrong answer, scored 0 with the mistake's feedback.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from grader.compare import Tolerance, compare_arrays, shape_message
from grader.errors import ParseError, SpecError
from grader.hints import MATRIX_HINT, VECTOR_HINT
from grader.i18n import _, gettext_noop
from grader.kinds.base import Outcome, SelfTest
from grader.parsing import parse_answer
from grader.templating import format_value
from grader.variants import compute_value


def _module(kind: str, ndim: int, hint: str):
    def expected(spec: dict, values: dict):
        value = compute_value(spec.get("answer"), values)
        array = np.asarray(value, dtype=float) if isinstance(value, list) else None
        if array is None or array.ndim != ndim:
            raise SpecError(
                (
                    _("ответ должен быть вектором, получено %(value)r")
                    if ndim == 1
                    else _("ответ должен быть матрицей, получено %(value)r")
                )
                % {"value": value},
                code="answer_wrong_shape",
            )
        return value

    def parse(raw: str, spec: dict, expected):
        return parse_answer(raw, kind, shape=np.shape(expected))

    def shape_error(parsed, expected) -> ParseError | None:
        """The format error of an answer of another shape than the key's, or None."""
        want, got = np.shape(expected), np.shape(parsed.value)
        if got == want:
            return None
        message = shape_message(want, got)
        hint = _(VECTOR_HINT) if ndim == 1 else _(MATRIX_HINT)
        return ParseError(
            f"{message[:1].upper()}{message[1:]}. {hint}.",
            code="wrong_shape",
            expected_shape=list(want),
            shape=list(got),
        )

    def score(parsed, expected, spec: dict) -> Outcome:
        result = compare_arrays(parsed.value, np.asarray(expected, float), _tol(spec))
        if not result.shape_ok:
            return Outcome(score=0.0, message=result.message)
        value = result.score if spec.get("partial", True) else float(result.score == 1.0)
        return Outcome(score=float(value), parts=np.asarray(result.correct_mask).ravel().tolist())

    def matches(parsed, value, spec: dict) -> bool:
        result = compare_arrays(parsed.value, np.asarray(value, float), _tol(spec))
        return result.shape_ok and result.score == 1.0

    def display(value, spec: dict) -> str:
        # Per component, exactly enough digits that typing the shown key back is accepted.
        tol = _tol(spec)
        return f"${format_value(value, accept=lambda shown, key: tol.accepts(shown, key))}$"

    def self_test(spec: dict, expected) -> SelfTest:
        flat = np.asarray(expected, float)
        text = _as_text(flat)
        wrong = flat + np.maximum(1.0, np.abs(flat))  # never equal to the key, whatever its values
        return SelfTest(correct=text, wrong=_as_text(wrong), invalid="[1; 2")

    return SimpleNamespace(
        INPUT_HINT=hint,
        expected=expected,
        parse=parse,
        shape_error=shape_error,
        score=score,
        matches=matches,
        display=display,
        self_test=self_test,
        __name__=f"grader.kinds.tensor.{kind}",
    )


def _tol(spec: dict) -> Tolerance:
    return Tolerance.from_spec(spec.get("tolerance"))


def _as_text(array: np.ndarray) -> str:
    if array.ndim == 1:
        return "[" + "; ".join(repr(float(x)) for x in array) + "]"
    return "[" + "; ".join(" ".join(repr(float(x)) for x in row) for row in array) + "]"


VECTOR = _module("vector", 1, gettext_noop("вектор: [0; 2; 0], 0 2 0 или [0, 2, 0]"))
MATRIX = _module("matrix", 2, gettext_noop("матрица: [1 2; 3 4] или [[1, 2], [3, 4]]"))
