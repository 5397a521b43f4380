"""Numbers and keys as Moodle XML writes them: shared by the exporter and its cloze fields."""

from __future__ import annotations

import math

from grader.expr import names_in, parse_expression
from grader.templating import render

__all__ = ["absolute_bound", "expression_spellings", "number_text", "render_text", "scalar_number"]


def number_text(value) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _sig_bound(magnitude: float, sig: int) -> float:
    if magnitude == 0:
        return 0.5 * 10.0**-sig
    return 0.5 * 10.0 ** (math.floor(math.log10(magnitude)) - sig + 1)


def absolute_bound(tolerance, expected, *, elementwise: bool = False) -> float | list:
    """The absolute half-width our tolerance accepts around ``expected`` (Moodle's nominal)."""
    import numpy as np

    if elementwise:
        flat = np.asarray(expected, dtype=float).ravel().tolist()
        is_int = np.asarray(expected).dtype.kind in "iub"
        return [absolute_bound(tolerance, int(v) if is_int else v) for v in flat]
    tol = dict(tolerance or {})
    magnitude = abs(float(expected))
    if not tol:
        if isinstance(expected, int):
            return 0.0
        return max(1e-9, 0.005 * magnitude)
    bound = 0.0
    if tol.get("abs") is not None:
        bound = max(bound, float(tol["abs"]))
    if tol.get("rel") is not None:
        bound = max(bound, float(tol["rel"]) * magnitude)
    if tol.get("sig") is not None:
        bound = max(bound, _sig_bound(magnitude, int(tol["sig"])))
    if tol.get("geo") is not None:
        bound = max(bound, float(tol["geo"]) * magnitude / (1 + float(tol["geo"])))
    return bound


def scalar_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def expression_spellings(spec: dict, values: dict, expected) -> list[str]:
    import sympy

    spellings = []
    answer = spec.get("answer")
    text = answer.get("expr") if isinstance(answer, dict) else answer
    if isinstance(text, str):
        node = parse_expression(text)
        if not (names_in(node) - set(spec.get("variables") or [])):
            spellings.append(str(node))
    spellings.append(sympy.sstr(expected).replace("**", "^"))
    return list(dict.fromkeys(spellings))


def render_text(template: str, values: dict) -> str:
    return render(template or "", values)
