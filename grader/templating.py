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
from collections.abc import Callable
from numbers import Integral, Real

import numpy as np

from grader.errors import ParseError, SpecError
from grader.expr import evaluate
from grader.expr import parse_cached as parse_expression
from grader.expr.scale import RELATIVE_EPSILON, cancelled, scale_of
from grader.i18n import _

__all__ = [
    "render",
    "placeholders",
    "format_value",
    "localize_text",
    "PLACEHOLDER",
    "DECIMAL_MARKS",
]

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_FORMAT_SPEC = re.compile(r"^[<>^]?[+\- ]?\d{0,2}(?:\.\d{1,2})?[defgn%]?$")


def placeholders(template: str) -> list[tuple[str, str | None]]:
    """The (expression, format) pairs of a template, in order."""
    return [_split(m.group(1)) for m in PLACEHOLDER.finditer(template or "")]


def _split(inner: str) -> tuple[str, str | None]:
    expr, sep, fmt = inner.partition(":")
    return expr.strip(), (fmt.strip() if sep else None)


def render(
    template: str, values: dict, *, scales: dict | None = None, shown: dict | None = None
) -> str:
    """Substitute every ``{{ expr }}`` with its formatted value; raise SpecError naming it.

    ``scales`` (see :func:`grader.variants.derived_scales`) lets a placeholder whose value is
    what remains of a cancelling sum show 0 instead of the noise (display only). ``shown`` gives
    the text of a bare name shown elsewhere already (the key: ``{{ answer }}``).
    """

    def substitute(match: re.Match) -> str:
        expr, fmt = _split(match.group(1))
        if fmt is None and shown and expr in shown:
            return shown[expr]
        try:
            node = parse_expression(expr)
            value = evaluate(node, values)
        except ParseError as exc:
            message = _("подстановка «{{ %(expr)s }}»: %(message)s") % {
                "expr": expr,
                "message": exc.message,
            }
            raise SpecError(message, code="bad_placeholder") from exc
        scale = None
        if isinstance(value, (Real, np.floating)) and not isinstance(value, (Integral, bool)):
            scale = scale_of(node, values, scales or {})
        return format_value(value, fmt, scale=scale)

    return PLACEHOLDER.sub(substitute, template or "")


def format_value(
    value,
    fmt: str | None = None,
    *,
    decimal: str = ".",
    scale: float | None = None,
    accept: Callable[[float, float], bool] | None = None,
) -> str:
    """Format a number, vector or matrix for display, as LaTeX.

    Floats default to at most 4 significant digits (enough to follow a worked solution) with
    trailing zeros removed; integers are shown exactly; vectors as ``(a, b)``.

    ``decimal`` is the decimal mark: with ``","`` a number is written ``0{,}5`` (braces: a bare
    comma in TeX math is punctuation, spaced as such) and the components of a vector are
    separated by ``"; "``. Texts are rendered with ``"."`` and shown in the reader's mark by
    :func:`grader.numbers.localize`, which gives the same result.

    A value far below the ``scale`` of the sum it came from is what remains of a cancellation
    and is shown as 0 (:mod:`grader.expr.scale`); in a vector or matrix without a scale, a
    component at the float noise of the largest one is.

    ``accept(shown, value)``: a key is shown so that typing what is shown back is accepted. With
    it, a component is written with as many digits as that takes (9838.5, not 9838), and noise
    is shown as 0 only if 0 is accepted.

    >>> format_value(0.5, decimal=",")
    '0{,}5'
    >>> format_value([-1.6, 1.2, 2.1 - 2.1000000000000005], decimal=",")
    '(-1{,}6; 1{,}2; 0)'
    >>> format_value(9838.5), format_value(9838.5, accept=lambda shown, v: shown == v)
    ('9838', '9838.5')
    """
    if fmt is not None and not _FORMAT_SPEC.match(fmt):
        raise SpecError(_("недопустимый формат «%(fmt)s»") % {"fmt": fmt}, code="bad_placeholder")
    if decimal not in DECIMAL_MARKS:
        raise ValueError(f"decimal mark must be one of {DECIMAL_MARKS}, got {decimal!r}")
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if scale is None and (largest := _largest(value)) is not None:
            # Components are often unrelated quantities (a weight and a bias): without the scale
            # of each computation only float noise (~1e-16 of the largest) counts as 0; a key,
            # where 0 is shown only if 0 is accepted, may drop what lies below RELATIVE_EPSILON.
            scale = largest if accept is not None else largest * NOISE_EPSILON / RELATIVE_EPSILON
        options = dict(decimal=decimal, scale=scale, accept=accept)
        if value and all(isinstance(v, (list, tuple)) for v in value):
            rows = " \\\\ ".join(
                " & ".join(format_value(x, fmt, **options) for x in row) for row in value
            )
            return f"\\begin{{pmatrix}} {rows} \\end{{pmatrix}}"
        separator = "; " if decimal == "," else ", "
        return "(" + separator.join(format_value(v, fmt, **options) for v in value) + ")"
    if isinstance(value, (bool, np.bool_)):
        return _("да") if value else _("нет")
    if isinstance(value, (Integral, np.integer)):
        return _mark(format(int(value), fmt) if fmt else str(int(value)), decimal)
    if isinstance(value, (Real, np.floating)):
        value = float(value)
        if fmt:
            return _mark(format(value, fmt), decimal)
        if accept is None:
            shown = 0.0 if cancelled(value, scale) else value
            return _mark(_plain_float(shown, 4), decimal)
        if cancelled(value, scale) and accept(0.0, value):
            return "0"
        return _mark(_key_float(value, accept), decimal)
    return str(value)


DECIMAL_MARKS = (".", ",")
NOISE_EPSILON = 1e-14


def _largest(value) -> float | None:
    magnitudes = [
        abs(float(x))
        for x in np.asarray(value, dtype=object).ravel()
        if isinstance(x, (Real, np.floating)) and not isinstance(x, bool) and math.isfinite(x)
    ]
    return max(magnitudes, default=None)


def _plain_float(value: float, digits: int) -> str:
    """``value`` with at most ``digits`` significant digits, as LaTeX with a decimal point."""
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if value != 0 and (abs(value) < 1e-4 or abs(value) >= 1e9):
        mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}\\cdot 10^{{{int(exponent)}}}"
    places = max(0, digits - 1 - int(math.floor(math.log10(abs(value)))))
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _key_float(value: float, accept: Callable[[float, float], bool]) -> str:
    # A key with a short exact form is shown exactly (9838.5: a key is not rounded to 9838 even
    # where 9838 would be accepted); any other, with the fewest digits that give back an
    # accepted number; 17 significant digits always give back the float itself.
    for digits in range(4, 8):
        text = _plain_float(value, digits)
        if math.isclose(_typed(text), value, rel_tol=1e-12, abs_tol=0.0):
            return text
    for digits in (*range(4, 16), 17):
        text = _plain_float(value, digits)
        if accept(_typed(text), value):
            return text
    return text


def _typed(text: str) -> float:
    """What a student who types the shown number gets."""
    mantissa, _sep, exponent = text.partition("\\cdot 10^{")
    return float(mantissa) * (10.0 ** int(exponent.rstrip("}")) if exponent else 1.0)


def _mark(text: str, decimal: str) -> str:
    return text.replace(".", "{,}") if decimal == "," else text


# A decimal written with a point in prose: not part of a longer dotted chain (a version 3.11.4,
# an address 192.168.0.1, a range 1..3), not glued to a word (v2.5, model2.5.pt).
_PLAIN_DECIMAL = re.compile(r"(?<![\w.,])(\d+)\.(\d+)(?![\w]|\.\d)")
# A version after a Latin name: «Python 3.11», «torch 2.13», «TensorFlow 2.16» (not «IoU 0.5»).
_AFTER_LATIN_NAME = re.compile(r"[A-Za-z][\w+-]*\s$")
_NUMBER = r"[-−]?\d+(?:[.,]\d+)?"
_PLAIN_TUPLE = re.compile(rf"([(\[])(\s*{_NUMBER}(?:\s*[,;]\s*{_NUMBER})+\s*)([)\]])")


def localize_text(text: str, decimal: str) -> str:
    """Plain text (not math) with its decimal numbers written with ``decimal``.

    Only a digit-point-digit number standing on its own is changed, so names, versions, file
    names and ranges keep their points; a tuple of numbers in brackets gets ``"; "`` between its
    numbers when the mark is a comma (a matrix ``[a, b; c, d]``: spaces in a row), as a student
    types them.

    >>> localize_text("p = 0.2, (1.5, -2) в Python 3.11, net.eval(), 1..3, 192.168.0.1", ",")
    'p = 0,2, (1,5; -2) в Python 3.11, net.eval(), 1..3, 192.168.0.1'
    >>> localize_text("матрица 2×2: [0.5, 1.5; 1, 2]", ",")
    'матрица 2×2: [0,5 1,5; 1 2]'
    """
    if decimal != "," or not text:
        return text

    def number(match: re.Match) -> str:
        # «IoU 0.5» is a number; «Python 3.11» is a version (a version rarely starts with 0)
        if match.group(1) != "0" and _AFTER_LATIN_NAME.search(match.string, 0, match.start()):
            return match.group(0)
        return f"{match.group(1)},{match.group(2)}"

    def version_free(start: int) -> bool:
        return not _AFTER_LATIN_NAME.search(text, 0, start)

    def tuple_(match: re.Match) -> str:
        if not version_free(match.start()):
            return match.group(0)
        inner = match.group(2)
        if ";" in inner:  # a matrix [a, b; c, d]: a row's numbers are separated by spaces
            inner = re.sub(r"\s*;\s*", "; ", re.sub(r"\s*,\s*", " ", inner))
        else:
            inner = re.sub(r"\s*,\s*", "; ", inner)
        return f"{match.group(1)}{inner}{match.group(3)}"

    return _PLAIN_DECIMAL.sub(number, _PLAIN_TUPLE.sub(tuple_, text))
