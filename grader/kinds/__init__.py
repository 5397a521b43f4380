"""Answer kinds. Each kind is one module with the same small set of functions:

- ``expected(spec, values)``: the key for a variant (computed, never typed in);
- ``parse(raw, spec, expected)``: the student's text → a parsed value, or :class:`ParseError`
  (a format error is not a wrong answer);
- ``score(parsed, expected, spec)``: → :class:`Outcome` (score in [0, 1], per-part detail);
- ``matches(parsed, value, spec)``: whether the answer equals ``value`` (used for typical mistakes);
- ``display(value, spec)``: the key as people read it;
- ``self_test(spec, expected)``: a correct, a wrong and an invalid submission, to check a spec.

A kind without an answer (``description``, an information item) sets ``NO_ANSWER = True``: its
``expected`` and ``self_test`` give ``None`` and grading does not parse anything.
A kind scored by the instructor (``essay``) sets ``MANUAL = True``: grading gives status
``manual`` and no score, and ``max_length(spec)`` bounds its raw answer instead of the grader's
``MAX_RAW_LENGTH``.
Optional: ``input_hint(spec)`` (the translated input help of one question, e.g. naming its
units) instead of the constant ``INPUT_HINT``; ``USES_VALUES = True`` when ``score`` needs the
variant's values as ``score(parsed, expected, spec, values=…)`` (a numeric question's partial
alternatives are computed like its key) — call it through :func:`grader.grading.score_answer`.

Kinds are found by name through :func:`get`.
"""

from __future__ import annotations

from grader.errors import SpecError
from grader.i18n import _
from grader.kinds import (
    choice,
    description,
    essay,
    expression,
    flashcard,
    matching,
    multipart,
    numeric,
    short_text,
    tensor,
)
from grader.kinds.base import Outcome, SelfTest

__all__ = ["get", "names", "Outcome", "SelfTest"]

_KINDS = {
    "numeric": numeric,
    "vector": tensor.VECTOR,
    "matrix": tensor.MATRIX,
    "expression": expression,
    "single_choice": choice.SINGLE,
    "multiple_choice": choice.MULTIPLE,
    "short_text": short_text,
    "flashcard": flashcard,
    "matching": matching,
    "description": description,
    "multipart": multipart,
    "essay": essay,
}


def get(kind: str):
    try:
        return _KINDS[kind]
    except (KeyError, TypeError):
        raise SpecError(
            _("неизвестный тип вопроса %(kind)r; допустимы: %(kinds)s")
            % {"kind": kind, "kinds": ", ".join(_KINDS)},
            code="unknown_kind",
        ) from None


def names() -> list[str]:
    return list(_KINDS)
