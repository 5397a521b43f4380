"""A single number. The key is computed by an engine or a safe expression over the parameters.

Tolerance comes from the spec (``tolerance: {rel: 0.01}``); an integer key with no tolerance is
matched exactly, since parameter counts and shapes have exactly one right answer.

Partial credit and units follow Moodle's numerical question (``qtype_numerical_question``):

- ``alternatives: [{answer, tolerance, fraction, feedback}]`` are Moodle's other answers with a
  grade: ``answer`` is computed like the key (a value, an expression, an engine), ``tolerance``
  as the key's (none: exact for an integer, else the default), ``0 < fraction ≤ 1`` (1: another
  right interval, as a second 100 % answer in Moodle). Moodle's
  ``get_matching_answer`` takes the first answer, in the order written, whose interval holds the
  response; here the key is always that first answer (it gives 1), then the alternatives in
  their order: the first that holds the answer gives its fraction and its feedback.
- ``units: [{unit, multiplier}]`` (:mod:`grader.units`: the first is the base unit, a value in a
  unit is the base value times its multiplier) with ``unit_grading``:

  * ``none`` — units are not graded (Moodle: «units are optional; a unit entered converts the
    response to unit 1»): a bare number or a number with a known unit is read and converted;
    an unknown unit makes the answer unreadable (``invalid``, with the known units named), not
    wrong — Moodle would silently grade its number as if in the base unit. Unlike Moodle, whose
    ``get_matching_answer`` also tries the number as typed, only the converted value counts
    («78.5 см2» is not 78.5 м2), since the unit is not graded to be penalised;
  * ``required`` — Moodle's graded units (``unitgradingtype`` 1 or 2): a missing or unknown unit
    costs ``unit_penalty``; as in ``get_matching_answer``, each answer is tried with the value
    converted by a known unit (unit right), then with the number as typed (unit wrong), so «78.5»
    or «78.5 см2» for 78.5 м2 is right but penalised;
  * ``optional`` — as ``required``, except that a bare number is read in the base unit without
    a penalty (a unit need not be written, but a wrong one is penalised).

  The penalty is Moodle's ``apply_unit_penalty``: with ``unit_penalty_of: response`` (default,
  Moodle's ``UNITGRADEDOUTOFMARK``) the grade loses ``unit_penalty`` × the answer's fraction,
  with ``question`` (``UNITGRADEDOUTOFMAX``) it loses ``unit_penalty``, floored at 0.
  ``unit_penalty`` defaults to 0.1, Moodle's default.
"""

from __future__ import annotations

import math
from numbers import Integral
from types import SimpleNamespace

from grader.compare import Tolerance, numbers_match
from grader.errors import ParseError, SpecError
from grader.hints import show_number
from grader.i18n import _, gettext_noop
from grader.kinds.base import Outcome, SelfTest
from grader.parsing import parse_answer
from grader.templating import format_value
from grader.units import split_unit, unit_table
from grader.variants import compute_value

INPUT_HINT = gettext_noop("число: 0,95 или 0.95, 3/4, 1e-3, (12+1)*300")
INPUT_HINT_UNITS = gettext_noop("число и единица измерения (%(units)s), например 0,95 %(base)s")
UNIT_GRADING = ("none", "optional", "required")
DEFAULT_UNIT_PENALTY = 0.1
# score() needs the variant's values: the alternatives' keys are computed like the main key.
USES_VALUES = True


def tolerance(spec: dict, expected) -> Tolerance:
    if spec.get("tolerance") is None and isinstance(expected, Integral):
        return Tolerance(abs=0.0)
    return Tolerance.from_spec(spec.get("tolerance"))


def _number(value, where: str):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(
            _("%(where)s должен быть числом, получено %(value)r")
            % {"where": where, "value": value},
            code="answer_not_number",
        )
    return value


def expected(spec: dict, values: dict):
    value = compute_value(spec.get("answer"), values)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(
            _("ответ должен быть числом, получено %(value)r") % {"value": value},
            code="answer_not_number",
        )
    return value


def alternatives(spec: dict, values: dict) -> list[SimpleNamespace]:
    """The spec's partial-credit answers for these values, in their order (Moodle's)."""
    out = []
    for index, item in enumerate(spec.get("alternatives") or []):
        where = f"alternatives[{index}]"
        fraction = item.get("fraction")
        if (
            isinstance(fraction, bool)
            or not isinstance(fraction, (int, float))
            or not 0 < fraction <= 1
        ):
            raise SpecError(
                _("%(where)s: fraction — число больше 0 и не больше 1") % {"where": where},
                code="bad_fraction",
            )
        value = _number(compute_value(item.get("answer"), values, where=where), where)
        spec_tol = item.get("tolerance")
        tol = (
            Tolerance(abs=0.0)
            if spec_tol is None and isinstance(value, Integral)
            else Tolerance.from_spec(spec_tol)
        )
        out.append(
            SimpleNamespace(
                value=value, tolerance=tol, fraction=float(fraction), feedback=item.get("feedback")
            )
        )
    return out


def _unit_grading(spec: dict) -> str:
    grading = spec.get("unit_grading") or "none"
    if grading not in UNIT_GRADING:
        raise SpecError(
            _("unit_grading: допустимы %(modes)s") % {"modes": ", ".join(UNIT_GRADING)},
            code="bad_units",
        )
    return grading


def parse(raw: str, spec: dict, expected):
    """A number, or with ``units`` a number and a unit. ``value`` is the number converted to the
    base unit when the unit is known; ``typed`` the number as written; ``unit`` the unit written
    (normalised) or ``None``; ``unit_known`` whether the spec lists it."""
    if not spec.get("units"):
        return parse_answer(raw, "number")
    table = unit_table(spec)
    number_text, unit = split_unit(raw or "", spec["units"])
    number = parse_answer(number_text, "number")
    known = unit is not None and unit in table
    if unit is not None and not known and _unit_grading(spec) == "none":
        raise ParseError(
            _(
                "Непонятная единица измерения «%(unit)s»: допустимы %(units)s (или число без "
                "единицы, в %(base)s)."
            )
            % {"unit": unit, "units": ", ".join(table), "base": next(iter(table))},
            code="unknown_unit",
        )
    value = number.value / table[unit] if known and table[unit] != 1 else number.value
    shown = f"{show_number(number.value)} {unit}" if unit else show_number(number.value)
    if known and table[unit] != 1:
        shown += f" = {show_number(value)} {next(iter(table))}"
    return SimpleNamespace(
        kind="number",
        value=value,
        typed=number.value,
        unit=unit,
        unit_known=known,
        display=shown,
    )


def matches(parsed, value, spec: dict) -> bool:
    return numbers_match(parsed.value, value, tolerance(spec, value))


def score(parsed, expected, spec: dict, values: dict | None = None) -> Outcome:
    """Moodle's ``grade_response``: the first answer holding the response, then the unit penalty."""
    answers = [SimpleNamespace(value=expected, tolerance=tolerance(spec, expected), fraction=1.0)]
    if spec.get("alternatives"):
        answers += alternatives(spec, values or {})
    unit_right, found = _matching_answer(parsed, answers, spec)
    if found is None:
        return Outcome(score=0.0, parts=[False])
    fraction = found.fraction
    message = ""
    if not unit_right:
        fraction, message = _unit_penalty(spec, fraction, parsed)
    feedback = str(getattr(found, "feedback", "") or "")
    return Outcome(
        score=fraction,
        parts=[fraction >= 1.0],
        message=message,
        feedback=feedback,
        partial_by_parts=False,
    )


def _matching_answer(parsed, answers, spec: dict):
    """(unit right, answer) as Moodle's ``get_matching_answer``: per answer in order, first the
    value converted by a known unit, then (graded units only) the number as typed."""
    units = bool(spec.get("units"))
    grading = _unit_grading(spec) if units else "none"
    typed = getattr(parsed, "typed", parsed.value)
    unit = getattr(parsed, "unit", None)
    known = getattr(parsed, "unit_known", False)
    if not units or grading == "none":
        unit_right = True
    elif grading == "optional":
        unit_right = known or unit is None
    else:
        unit_right = known
    for answer in answers:
        if numbers_match(parsed.value, answer.value, answer.tolerance):
            return unit_right, answer
        if units and grading != "none" and numbers_match(typed, answer.value, answer.tolerance):
            return False, answer
    return True, None


def _unit_penalty(spec: dict, fraction: float, parsed) -> tuple[float, str]:
    """Moodle's ``apply_unit_penalty``: of the response's grade, or of the question's."""
    penalty = spec.get("unit_penalty", DEFAULT_UNIT_PENALTY)
    if isinstance(penalty, bool) or not isinstance(penalty, (int, float)) or not 0 <= penalty <= 1:
        raise SpecError(_("unit_penalty: число от 0 до 1"), code="bad_units")
    of = spec.get("unit_penalty_of") or "response"
    if of not in ("response", "question"):
        raise SpecError(_("unit_penalty_of: допустимы response, question"), code="bad_units")
    lost = penalty * fraction if of == "response" else penalty
    base = next(iter(unit_table(spec)))
    unit = getattr(parsed, "unit", None)
    if unit is None:
        message = _("Не указана единица измерения (нужна, например, %(base)s)") % {"base": base}
    elif getattr(parsed, "unit_known", False):
        message = _("Число верно, но не в единице «%(unit)s»") % {"unit": unit}
    else:
        message = _("Неизвестная единица измерения «%(unit)s»") % {"unit": unit}
    if lost > 0:
        message += _(": штраф %(penalty)s балла") % {"penalty": _percent(lost)}
    return max(0.0, fraction - lost), message


def _percent(share: float) -> str:
    return f"{round(share * 100, 2):g} %"


def display(value, spec: dict) -> str:
    # Exactly enough digits that typing the shown key back is accepted (9838.5, not 9838).
    tol = tolerance(spec, value)
    shown = format_value(value, accept=lambda shown, key: numbers_match(shown, key, tol))
    if spec.get("units"):
        # The base unit goes outside the formula: «$78.5$ м2».
        return f"${shown}$ {next(iter(unit_table(spec)))}"
    return f"${shown}$"


def self_test(spec: dict, expected) -> SelfTest:
    # Adding at least 1 and at least |key| can never land back on the key (unlike x·k + c).
    wrong = expected + max(1, abs(expected))
    if math.isfinite(wrong) and spec.get("alternatives"):
        # An alternative may hold key + |key|: move beyond all of them (best effort; the
        # checks report a «wrong» answer that scores 1, never one that scores a part).
        wrong = expected + max(1, abs(expected)) * 1000
    correct = repr(expected)
    if spec.get("units"):
        base = next(iter(unit_table(spec)))
        correct, wrong = f"{correct} {base}", f"{wrong!r} {base}"
    else:
        wrong = repr(wrong)
    invalid = _("сорок два")
    return SelfTest(correct=correct, wrong=wrong, invalid=invalid)


def input_hint(spec: dict) -> str:
    """The input help of this question: with units, which ones may be written."""
    if not spec.get("units"):
        return _(INPUT_HINT)
    units = list(unit_table(spec))
    return _(INPUT_HINT_UNITS) % {"units": ", ".join(units), "base": units[0]}
