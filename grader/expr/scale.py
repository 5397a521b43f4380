"""The scale of a computation: how large the terms were that were added to give a value.

A sum of floats that cancels exactly in arithmetic leaves rounding noise (``0.8·(−14) + 11.2``
gives ``3.553·10⁻¹⁵``), and a formula with a tiny regulariser leaves its trace
(``1 − 0.1·27/(2.7 + 10⁻⁸)`` gives ``3.7·10⁻⁹`` where a student computes 0). Printed as is, such
noise reads as a real number. A display compares a value with the scale of the sum it came
from: far below it, the value is a cancellation and is shown as 0. Products and powers carry the
scale along (``0.5^{40}`` is tiny but its scale is tiny too, so it is shown as it is).

Only for display: the values used for grading are never changed.

>>> from grader.expr import parse_expression
>>> round(scale_of(parse_expression("a*(-14) + b"), {"a": 0.8, "b": 11.2}, {}), 6)
11.2
>>> scale_of(parse_expression("w^40"), {"w": 0.5}, {}) < 1e-10
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real

from grader.expr.evaluation import evaluate
from grader.expr.nodes import Binary, Name, Node, Num, Unary

__all__ = ["scale_of", "cancelled"]

# A value this far below the scale of its computation is a cancellation, not a result: float
# noise is ~1e-16 relative, a regulariser such as eps = 1e-8 leaves ~1e-8.
RELATIVE_EPSILON = 1e-7


def cancelled(value: float, scale: float | None) -> bool:
    """Whether ``value`` is what remains of a sum that cancels at ``scale``."""
    return (
        scale is not None
        and math.isfinite(scale)
        and value != 0
        and abs(value) <= RELATIVE_EPSILON * scale
    )


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def scale_of(node: Node, values: Mapping, scales: Mapping) -> float | None:
    """The additive scale of a scalar expression (``None`` when not a finite scalar).

    ``scales`` gives the scale of named values computed earlier (a derived value); other names
    count with their own magnitude.
    """
    try:
        return _scale(node, values, scales)
    except Exception:  # an expression the display cannot follow keeps its value as it is
        return None


def _value(node: Node, values: Mapping) -> float | None:
    return _number(evaluate(node, values))


def _scale(node: Node, values: Mapping, scales: Mapping) -> float | None:
    if isinstance(node, Num):
        return _number(abs(node.value))
    if isinstance(node, Name):
        own = _number(values.get(node.name))
        if own is None:
            return None
        known = scales.get(node.name)
        return max(abs(own), known) if known is not None else abs(own)
    if isinstance(node, Unary) and node.op == "-":
        return _scale(node.operand, values, scales)
    if isinstance(node, Binary) and node.op in ("+", "-", "*", "/", "^"):
        left, right = _scale(node.left, values, scales), _scale(node.right, values, scales)
        a, b = _value(node.left, values), _value(node.right, values)
        if None in (left, right, a, b):
            return None
        if node.op in ("+", "-"):
            return max(left, right)
        if node.op == "*":
            return max(left * abs(b), abs(a) * right)
        if node.op == "/":
            return left / abs(b) if b else None
        # a^b: the relative scale of the base grows b times (d(a^b) = b·a^(b−1)·da)
        power = abs(a) ** b if a else 0.0
        relative = left / abs(a) if a else 0.0
        return max(abs(power), abs(b) * abs(power) * relative)
    return _value_magnitude(node, values)


def _value_magnitude(node: Node, values: Mapping) -> float | None:
    value = _value(node, values)
    return abs(value) if value is not None else None
