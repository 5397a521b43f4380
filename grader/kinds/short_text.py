"""A short text answer matched against the accepted answers after normalisation.

Normalisation: case-folded, «ё» → «е», whitespace collapsed, surrounding quotes and a final
period dropped. Regular expressions are deliberately not supported (catastrophic backtracking on
hostile input); list the accepted spellings instead.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

from grader.errors import ParseError, SpecError
from grader.i18n import _, gettext_noop
from grader.kinds.base import Outcome, SelfTest

INPUT_HINT = gettext_noop("короткий ответ словами")
MAX_LENGTH = 300


def normalize(text: str) -> str:
    text = text.casefold().replace("ё", "е")
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip("«»\"' ").rstrip(".").strip()


def expected(spec: dict, values: dict):
    answers = spec.get("answers") or []
    if not answers:
        raise SpecError(_("нужен хотя бы один принимаемый ответ (answers)"), code="no_answers")
    return [str(a) for a in answers]


def parse(raw: str, spec: dict, expected):
    text = normalize(raw or "")
    if not text:
        raise ParseError(_("Введите ответ словами."), code="empty")
    if len(raw) > MAX_LENGTH:
        raise ParseError(
            _("Ответ длиннее %(max_length)s символов.") % {"max_length": MAX_LENGTH},
            code="too_long",
        )
    return SimpleNamespace(kind="text", value=text, display=text)


def matches(parsed, value, spec: dict) -> bool:
    accepted = value if isinstance(value, list) else [value]
    return parsed.value in {normalize(a) for a in accepted}


def score(parsed, expected, spec: dict) -> Outcome:
    ok = matches(parsed, expected, spec)
    return Outcome(score=float(ok), parts=[ok])


def display(value, spec: dict) -> str:
    return value[0] if isinstance(value, list) else str(value)


def self_test(spec: dict, expected) -> SelfTest:
    return SelfTest(correct=expected[0], wrong=expected[0] + " нет", invalid="   ")
