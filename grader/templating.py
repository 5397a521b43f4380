"""Text templates of questions, hints and solutions: ``{{ expression }}`` placeholders.

Double braces keep LaTeX's single braces (``\\frac{a}{b}``) untouched. The inside of a placeholder
is an expression of the safe language of :mod:`grader.expr` over the variant's values,
optionally followed by ``: format`` with a restricted format spec (``{{ p : .3f }}``). Nothing else
is executed: no attribute access, no filters, no loops.

>>> render("$({{ n_in }} + 1) \\\\cdot {{ h }} = {{ (n_in + 1) * h }}$", {"n_in": 12, "h": 300})
'$(12 + 1) \\\\cdot 300 = 3900$'
>>> render("p = {{ p : .2f }}", {"p": 0.4502})
'p = 0.45'
"""

from __future__ import annotations

import math
import re
from numbers import Integral, Real

import numpy as np

from grader.errors import ParseError, SpecError
from grader.expr import evaluate
from grader.expr import parse_cached as parse_expression
from grader.i18n import _

__all__ = ["render", "placeholders", "format_value", "PLACEHOLDER"]

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_FORMAT_SPEC = re.compile(r"^[<>^]?[+\- ]?\d{0,2}(?:\.\d{1,2})?[defgn%]?$")


def placeholders(template: str) -> list[tuple[str, str | None]]:
    """The (expression, format) pairs of a template, in order."""
    return [_split(m.group(1)) for m in PLACEHOLDER.finditer(template or "")]


def _split(inner: str) -> tuple[str, str | None]:
    expr, sep, fmt = inner.partition(":")
    return expr.strip(), (fmt.strip() if sep else None)


def render(template: str, values: dict) -> str:
    """Substitute every ``{{ expr }}`` with its formatted value; raise SpecError naming it."""
    def substitute(match: re.Match) -> str:
        expr, fmt = _split(match.group(1))
        try:
            value = evaluate(parse_expression(expr), values)
        except ParseError as exc:
            message = _("подстановка «{{ %(expr)s }}»: %(message)s") % {
                "expr": expr,
                "message": exc.message,
            }
            raise SpecError(message, code="bad_placeholder") from exc
        return format_value(value, fmt)

    return PLACEHOLDER.sub(substitute, template or "")


def format_value(value, fmt: str | None = None) -> str:
    """Format a number, vector or matrix for display.

    Floats default to at most 4 significant digits (enough to follow a worked solution) with
    trailing zeros removed; integers are shown exactly; vectors as ``(a, b)``.
    """
    if fmt is not None and not _FORMAT_SPEC.match(fmt):
        raise SpecError(_("недопустимый формат «%(fmt)s»") % {"fmt": fmt}, code="bad_placeholder")
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, (list, tuple)) for v in value):
            rows = " \\\\ ".join(" & ".join(format_value(x, fmt) for x in row) for row in value)
            return f"\\begin{{pmatrix}} {rows} \\end{{pmatrix}}"
        return "(" + ", ".join(format_value(v, fmt) for v in value) + ")"
    if isinstance(value, (bool, np.bool_)):
        return _("да") if value else _("нет")
    if isinstance(value, (Integral, np.integer)):
        return format(int(value), fmt) if fmt else str(int(value))
    if isinstance(value, (Real, np.floating)):
        value = float(value)
        if fmt:
            return format(value, fmt)
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        if value != 0 and (abs(value) < 1e-4 or abs(value) >= 1e9):
            mantissa, exponent = f"{value:.3e}".split("e")
            mantissa = mantissa.rstrip("0").rstrip(".")
            return f"{mantissa}\\cdot 10^{{{int(exponent)}}}"
        digits = max(0, 3 - int(math.floor(math.log10(abs(value))))) if value else 0
        text = f"{value:.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return str(value)
