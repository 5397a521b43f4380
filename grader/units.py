"""Units of a numeric answer, read as Moodle's numerical question reads them.

A numeric spec may list ``units: [{unit: "м2", multiplier: 1}, {unit: "см2", multiplier: 10000}]``.
The first unit is the base unit of the key; Moodle's multiplier convention holds: a value written
in a unit equals the base value times its multiplier (1 м2 = 10000 см2), so a student's number
in a unit is divided by that multiplier to reach the base unit (Moodle's
``qtype_numerical_answer_processor::apply_units``: ``multiplier = 1 / units[unit]``).

Reading an answer (:func:`split_unit`):

- the whole text is first read as a bare number (``78,5``, ``3/4``, ``1.5·10^-3``);
- otherwise, a known unit at the end (longest name first, so ``см2`` wins over ``м2``) with a
  number before it: ``78.5 м2``, ``78,5м2``, ``3/4 м2``;
- otherwise, a plain number followed by text that starts with a letter: that text is an unknown
  unit (``78.5 km2``), which the numeric kind treats as a wrong unit or as unreadable, by its
  ``unit_grading``; anything else is not a number at all.

Units are compared as Moodle compares them, exactly (``M`` is not ``m``), after Unicode
compatibility folding (``м²`` = ``м2``) and with spaces removed (Moodle strips every space from
the response before it looks for the unit: ``км / ч`` = ``км/ч``). The unit part is at most
:data:`MAX_UNIT_LENGTH` characters; nothing is evaluated but the number, by the bounded parser.

>>> units = [{"unit": "м2", "multiplier": 1}, {"unit": "см2", "multiplier": 10000}]
>>> split_unit("7850 см2", units)
('7850', 'см2')
>>> split_unit("78,5м²", units)
('78,5', 'м2')
>>> split_unit("78.5 km2", units)
('78.5', 'km2')
>>> split_unit("78.5", units)
('78.5', None)
"""

from __future__ import annotations

import math
import re
import unicodedata

from grader.errors import ParseError, SpecError
from grader.i18n import _
from grader.parsing import parse_answer

__all__ = ["MAX_UNIT_LENGTH", "MAX_UNITS", "normalize_unit", "split_unit", "unit_table"]

MAX_UNIT_LENGTH = 30
MAX_UNITS = 50
# A plain number at the start: digits with a decimal point or comma, thousands in groups of three
# separated by spaces, an exponent. Bounded by the answer's length limit; no nested repetition.
_NUMBER_HEAD = re.compile(
    r"[+\-\u2212]?(?:\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+|\d+)?"
    r"(?:[.,]\d+)?(?:[eE][+\-\u2212]?\d+)?"
)
_SPACES = re.compile(r"\s+")


def normalize_unit(unit: str) -> str:
    """A unit as it is compared: NFKC, no spaces (``"км / ч"`` → ``"км/ч"``, ``м²`` → ``м2``)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(unit)))


def unit_table(spec: dict) -> dict[str, float]:
    """The spec's units as ``{normalised name: multiplier}``, in the spec's order (the first is
    the base unit, multiplier 1). A broken list is the spec's fault (:class:`SpecError`)."""
    units = spec.get("units") or []
    if not isinstance(units, list) or len(units) > MAX_UNITS:
        raise SpecError(
            _("units: ожидался список не длиннее %(max)s единиц") % {"max": MAX_UNITS},
            code="bad_units",
        )
    table: dict[str, float] = {}
    for index, item in enumerate(units):
        name = normalize_unit(item.get("unit", "")) if isinstance(item, dict) else ""
        multiplier = item.get("multiplier", 1) if isinstance(item, dict) else None
        if not name or len(name) > MAX_UNIT_LENGTH or not _is_unit_start(name[0]):
            raise SpecError(
                _(
                    "units[%(index)s]: единица — непустой текст до %(max)s символов, "
                    "начинающийся не с цифры и не со знака"
                )
                % {"index": index, "max": MAX_UNIT_LENGTH},
                code="bad_units",
            )
        if (
            isinstance(multiplier, bool)
            or not isinstance(multiplier, (int, float))
            or not math.isfinite(multiplier)
            or multiplier <= 0
        ):
            raise SpecError(
                _("units[%(index)s]: множитель (multiplier) — положительное число")
                % {"index": index},
                code="bad_units",
            )
        if index == 0 and multiplier != 1:
            raise SpecError(
                _("units[0]: у первой (основной) единицы множитель 1, как в Moodle"),
                code="bad_units",
            )
        if name in table:
            raise SpecError(
                _("units[%(index)s]: единица «%(unit)s» указана дважды")
                % {"index": index, "unit": name},
                code="bad_units",
            )
        table[name] = float(multiplier)
    return table


def _is_unit_start(char: str) -> bool:
    return not (char.isdigit() or char in "+-\u2212.,/*^()[]")


def split_unit(raw: str, units: list[dict]) -> tuple[str, str | None]:
    """``raw`` → (the number's text, the unit as written and normalised, or ``None``).

    Raises :class:`ParseError` when no number can be found at all.
    """
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return text, None
    if _reads_as_number(text):
        return text, None
    known = sorted(unit_table({"units": units}), key=len, reverse=True)
    compact = normalize_unit(text)
    for unit in known:
        if len(compact) > len(unit) and compact.endswith(unit):
            head = _cut_suffix(text, len(unit))
            if head and _reads_as_number(head):
                return head, unit
    head = _NUMBER_HEAD.match(text)
    rest = text[head.end() :].strip() if head and head.end() else ""
    if head and head.end() and rest and _is_unit_start(rest[0]) and not rest[0].isspace():
        unit = normalize_unit(rest)
        if len(unit) > MAX_UNIT_LENGTH:
            raise ParseError(
                _("Единица измерения длиннее %(max)s символов.") % {"max": MAX_UNIT_LENGTH},
                code="bad_unit",
            )
        return text[: head.end()].strip(), unit
    return text, None


def _cut_suffix(text: str, length: int) -> str:
    """``text`` without its last ``length`` non-space characters (spaces inside a unit are
    not counted: ``"5 км / ч"`` less 4 is ``"5"``)."""
    count, end = 0, len(text)
    while end > 0 and count < length:
        end -= 1
        if not text[end].isspace():
            count += 1
    return text[:end].strip()


def _reads_as_number(text: str) -> bool:
    try:
        parse_answer(text, "number")
    except ParseError:
        return False
    return True
