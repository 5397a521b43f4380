"""Reading one ``<question>`` of a Moodle XML file: its texts, numbers and flags, and its problems.

A question that cannot be imported raises :class:`QuestionError` (reported as an error with the
question's line, the other questions are still imported); an approximation is a warning through
:meth:`Context.warn`. Every importer of a question type is built from these pieces.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from question_bank.formats.common import (
    MAX_SOURCE,
    MAX_TEXT,
    NumberError,
    Problem,
    clip,
    parse_number,
)
from question_bank.formats.moodle.reader import Element
from question_bank.formats.text import convert_text

__all__ = [
    "QuestionError",
    "Context",
    "answer_fraction",
    "read_number",
    "is_true",
    "common_fields",
    "solution",
    "with_solution",
    "read_units",
]


class QuestionError(Exception):
    """The question cannot be imported; ``message`` is in Russian, ``code`` for machines."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message, self.code = message, code


class Context:
    """Where a question is: file, line and name, for its problems."""

    def __init__(self, filename: str, problems: list, line: int | None, name: str):
        self.filename, self.problems, self.line, self.name = filename, problems, line, name

    def label(self) -> str:
        return _("вопрос «%(clip)s»") % {"clip": clip(self.name, 60)} if self.name else _("вопрос")

    def warn(self, message: str, code: str = "approximated", line: int | None = None):
        self.report(message, code, "warning", line=line)

    def report(self, message: str, code: str, severity: str, *, line=None, question=None):
        """A problem of this question; ``question`` (a QuestionRef) when it leaves it out."""
        self.problems.append(
            Problem(
                self.filename,
                line or self.line,
                None,
                f"{self.label()}: {message}",
                code=code,
                severity=severity,
                question=question,
            )
        )

    def text(self, element: Element | None, *, fmt: str | None = None) -> str:
        """A Moodle text element (``<x format="…"><text>…</text></x>``) → native text."""
        if element is None:
            return ""
        inner = element.find("text")
        source = inner.text if inner is not None else element.text
        if len(source) > MAX_SOURCE:
            raise QuestionError(
                _("текст длиннее %(max_source)s символов") % {"max_source": MAX_SOURCE}, "too_long"
            )
        converted, dropped = convert_text(source, fmt or element.attrs.get("format", "html"))
        for item in dropped:
            message = _("%(item)s удалён(а): файлы и медиа не импортируются") % {"item": item}
            self.warn(message, "media_dropped", element.line)
        if len(converted) > MAX_TEXT:
            raise QuestionError(
                _("текст длиннее %(max_text)s символов") % {"max_text": MAX_TEXT}, "too_long"
            )
        return converted


def answer_fraction(answer: Element) -> float:
    """An answer's grade in percent (``fraction="100"``)."""
    raw = answer.attrs.get("fraction", "0")
    try:
        return float(parse_number(raw))
    except NumberError:
        raise QuestionError(
            _("балл ответа «%(raw)s» не число") % {"raw": raw}, "bad_number"
        ) from None


def read_number(raw: str, what: str) -> int | float:
    """A number of the file; ``what`` names it in the message (``ответ``, ``допуск``…)."""
    try:
        return parse_number(raw)
    except NumberError as exc:
        raise QuestionError(f"{what} {exc}", "bad_number") from None


def is_true(raw: str, default: bool) -> bool:
    raw = (raw or "").strip().lower()
    if not raw:
        return default
    return raw in ("1", "true", "yes")


def common_fields(element: Element, ctx: Context, *, with_text: bool = True) -> dict:
    """The fields every type has: the text (required) and the hints."""
    entry: dict = {}
    if with_text:
        text = ctx.text(element.find("questiontext"))
        if not text:
            raise QuestionError(_("пустой текст вопроса"), "empty_text")
        entry["text"] = text
    hints = [ctx.text(h) for h in element.findall("hint")]
    if hints := [h for h in hints if h]:
        entry["hints"] = hints
    return entry


def solution(element: Element, ctx: Context) -> str:
    return ctx.text(element.find("generalfeedback"))


def with_solution(entry: dict, text: str) -> dict:
    if text:
        entry["solution"] = text
    return entry


def read_units(element: Element, ctx: Context) -> dict:
    """A numerical question's units → ``units``, ``unit_grading``, ``unit_penalty`` and
    ``unit_penalty_of`` (grader/kinds/numeric.py), as far as they map.

    Moodle's settings: ``<showunits>`` 0 a unit typed after the number, 1–2 a unit chosen from a
    list, 3 no units at all (a typed unit makes the answer invalid: the units are ignored here
    too); ``<unitgradingtype>`` 0 units not graded (a known unit converts the number), 1 a
    missing or wrong unit costs ``<unitpenalty>`` × the answer's grade, 2 it costs
    ``<unitpenalty>`` of the question's mark; ``<unitsleft>`` 1 the unit before the number.
    """
    from grader.errors import SpecError  # the grader's own reading of units decides
    from grader.units import unit_table

    holder = element.find("units")
    units = []
    for unit in holder.findall("unit") if holder is not None else []:
        name = " ".join(unit.value("unit_name").split())
        if not name:
            continue
        raw = unit.value("multiplier", "1") or "1"
        try:
            multiplier = float(read_number(raw, _("множитель единицы")))
        except QuestionError as exc:
            ctx.warn(exc.message, "units_dropped", unit.line)
            continue
        units.append({"unit": name, "multiplier": multiplier})
    show = (element.value("showunits") or "0").strip()
    if not units or show == "3":
        return {}
    try:
        unit_table({"units": units})
    except SpecError as exc:
        ctx.warn(
            _("единицы измерения не переносятся (%(message)s): ответ — только число")
            % {"message": exc.message},
            "units_dropped",
        )
        return {}
    if show in ("1", "2"):
        ctx.warn(
            _(
                "в Moodle единица выбиралась из списка; здесь студент пишет её после числа "
                "(%(units)s)"
            )
            % {"units": ", ".join(u["unit"] for u in units)},
            "units_menu",
        )
    if is_true(element.value("unitsleft"), False):
        ctx.warn(
            _("в Moodle единица стояла перед числом; здесь её пишут после числа"), "units_left"
        )
    grading = (element.value("unitgradingtype") or "0").strip()
    fields: dict = {"units": units}
    if grading in ("1", "2"):
        fields["unit_grading"] = "required"
        try:
            penalty = float(read_number(element.value("unitpenalty", "0.1") or "0.1", _("штраф")))
        except QuestionError as exc:
            ctx.warn(exc.message, "units_penalty")
            penalty = 0.1
        fields["unit_penalty"] = min(1.0, max(0.0, penalty))
        fields["unit_penalty_of"] = "response" if grading == "1" else "question"
    else:
        fields["unit_grading"] = "none"
    return fields
