"""Tolerance for numbers and arrays, and equivalence of symbolic expressions.

Tolerance
---------
:class:`Tolerance` has four optional criteria; a value is accepted if ANY given one accepts it:

* ``abs``: ``|got − exp| ≤ abs``;
* ``rel``: ``|got − exp| ≤ rel·|exp|``;
* ``sig``: ``got`` agrees with ``exp`` to ``sig`` significant figures:
  ``|got − exp| ≤ 0.5·10^(floor(log10|exp|) − sig + 1)``; for ``exp = 0`` the bound is
  ``0.5·10^(−sig)``;
* ``geo``: Moodle's *geometric* tolerance (``qtype_numerical_answer::get_tolerance_interval``,
  tolerance type 3): ``exp/(1 + geo) ≤ got ≤ exp·(1 + geo)``, a ratio bound, asymmetric around
  ``exp``. For a negative ``exp`` the interval is mirrored (``|got|`` within the same bounds of
  ``|exp|``, same sign; Moodle itself computes an empty interval there); ``exp = 0`` accepts only
  0. It exists so that imported Moodle questions keep their meaning.

A few ulps of slack are added to every bound so that a value exactly on the bound (1.25 → 1.3
at two figures) is not lost to binary rounding.

The default (``Tolerance()`` or ``Tolerance.from_spec(None)``, all three unset) depends on the
expected value: an ``int`` expected value (Python or numpy integer, or an integer array) must
be matched exactly: parameter counts and output sizes have exactly one right answer; any other
expected value accepts ``rel = 0.005`` or ``abs = 1e-9``. Why 0.5 %: the largest relative error
of a correct rounding to 3 significant figures is 0.5 % (when the leading digit is 1, e.g.
1.005 → 1.00 or 1.01), so every answer rounded correctly to 3 figures passes, while answers with
only 1–2 figures (0.12 for 0.1249) or with a real mistake usually do not. The ``abs = 1e-9``
floor only matters when the expected value is (numerically) zero, where a relative bound
accepts nothing but an exact 0. Bank authors set anything else per question.

Equivalence of expressions
--------------------------
:func:`expressions_equivalent` evaluates both SymPy expressions (built by our own parser, see
:mod:`grader.expr`) at seeded pseudo-random points with ``mpmath`` at 30 digits, via
``sympy.lambdify`` on those constructed expressions. Points are drawn, ``points`` at a time,
from [−3, 3], then [0.05, 3] (for log and sqrt), then [3, 20], until at least 8 points are
valid; a point is valid when both sides are finite and real there. The expressions are
equivalent when every valid point agrees within ``1e-12 + 1e-9·max(|a|, |b|)``; one disagreeing
point is enough to refuse. With fewer than 8 valid points in all, ``sympy.simplify(a − b) == 0``
decides, and only when both expressions are small (at most 40 operations, integers below 10¹²,
integer powers at most 12, no floor/ceil/min/max/Piecewise), because simplify has no time bound
of its own; otherwise the answer is "not equivalent".
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from numbers import Integral, Real

import numpy as np

from grader.errors import SpecError
from grader.i18n import _

__all__ = [
    "Tolerance",
    "ArrayResult",
    "numbers_match",
    "compare_arrays",
    "shape_message",
    "expressions_equivalent",
    "DEFAULT_REL",
    "DEFAULT_ABS",
]

DEFAULT_REL = 5e-3
DEFAULT_ABS = 1e-9
_SLACK = 4 * sys.float_info.epsilon  # relative slack for binary rounding at the bound
MIN_VALID_POINTS = 8
_RANGES = ((-3.0, 3.0), (0.05, 3.0), (3.0, 20.0))
_AGREE_REL = 1e-9
_AGREE_ABS = 1e-12


@dataclass(frozen=True)
class Tolerance:
    """Accept a value if ANY given criterion accepts it; all unset means the default policy.

    >>> Tolerance(sig=2).accepts(1.3, 1.25)
    True
    >>> Tolerance(rel=0.01).accepts(0.9, 1.0)
    False
    >>> Tolerance().accepts(12.0, 12), Tolerance().accepts(12.0001, 12)
    (True, False)
    >>> Tolerance().accepts(0.0833, 1 / 12)
    True
    """

    abs: float | None = None
    rel: float | None = None
    sig: int | None = None
    geo: float | None = None

    @property
    def is_default(self) -> bool:
        return self.abs is None and self.rel is None and self.sig is None and self.geo is None

    @classmethod
    def from_spec(cls, spec) -> Tolerance:
        """From a question spec: ``None``/``{}`` (default), ``{"rel": 0.01}``,
        ``{"abs": 0.001, "sig": 3}``, ``{"geo": 0.1}`` or a :class:`Tolerance`. Bad specs raise
        ``SpecError``."""
        if spec is None:
            return cls()
        if isinstance(spec, Tolerance):
            return spec
        if not isinstance(spec, Mapping):
            raise SpecError(
                _("допуск задаётся словарём abs/rel/sig/geo, получено %(spec)r") % {"spec": spec},
                code="bad_tolerance",
            )
        unknown = set(spec) - {"abs", "rel", "sig", "geo"}
        if unknown:
            raise SpecError(
                _("допуск: неизвестные ключи %(sorted)s; допустимы abs, rel, sig, geo")
                % {"sorted": ", ".join(sorted(map(str, unknown)))},
                code="bad_tolerance",
            )
        values = {}
        for key in ("abs", "rel", "geo"):
            value = spec.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, Real):
                raise SpecError(
                    _("допуск %(key)s: ожидалось число") % {"key": key}, code="bad_tolerance"
                )
            if not math.isfinite(value) or value < 0:
                raise SpecError(
                    _("допуск %(key)s: ожидалось неотрицательное число") % {"key": key},
                    code="bad_tolerance",
                )
            values[key] = float(value)
        sig = spec.get("sig")
        if sig is not None:
            if isinstance(sig, bool) or not isinstance(sig, Integral) or not 1 <= sig <= 15:
                raise SpecError(
                    _("допуск sig: ожидалось целое число от 1 до 15"), code="bad_tolerance"
                )
            values["sig"] = int(sig)
        return cls(**values)

    def resolve(self, expected_is_int: bool) -> Tolerance:
        """The criteria actually used: the default policy made explicit."""
        if not self.is_default:
            return self
        if expected_is_int:
            return Tolerance(abs=0.0)
        return Tolerance(abs=DEFAULT_ABS, rel=DEFAULT_REL)

    @property
    def is_exact(self) -> bool:
        return not self.rel and not self.sig and not self.geo and self.abs == 0

    def accepts(self, got, expected) -> bool:
        return numbers_match(got, expected, self)


def _sig_bound(magnitude: float, sig: int) -> float:
    """0.5·10^(floor(log10 m) − sig + 1); m = 0 counts as 10^-1 (bound 0.5·10^-sig)."""
    if not math.isfinite(magnitude):
        return 0.0
    if magnitude == 0:
        k = -1
    else:
        k = math.floor(math.log10(magnitude))
        # log10 can be off by one ulp near powers of ten (log10(1000) = 2.9999999999999996)
        if 10.0 ** (k + 1) <= magnitude:
            k += 1
        elif 10.0**k > magnitude:
            k -= 1
    return 0.5 * 10.0 ** (k - sig + 1)


def _scalar(value):
    """A real number as int, float or Fraction; None when it is not one."""
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (Integral, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, Real):
        try:
            return Fraction(value)
        except (TypeError, ValueError):
            return None
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return _scalar(value[()])
    return None


def numbers_match(got, expected, tol: Tolerance | Mapping | None = None) -> bool:
    """Is ``got`` within ``tol`` of ``expected``? Non-numbers and NaN never match.

    >>> numbers_match(0.95, 0.9503)
    True
    >>> numbers_match(84301, 84301), numbers_match(84300, 84301)
    (True, False)
    >>> numbers_match(0.1, 0.125, {"abs": 0.03})
    True
    """
    tol = tol if isinstance(tol, Tolerance) else Tolerance.from_spec(tol)
    g, e = _scalar(got), _scalar(expected)
    if g is None or e is None:
        return False
    for v in (g, e):
        if isinstance(v, float) and not math.isfinite(v):
            return g == e  # inf only matches the same inf; NaN matches nothing
    t = tol.resolve(isinstance(e, int))
    if t.is_exact:
        return g == e
    try:
        diff = abs(float(g - e)) if not (isinstance(g, int) and isinstance(e, int)) else abs(g - e)
        magnitude = abs(float(e))
        scale = max(abs(float(g)), magnitude)
    except OverflowError:
        return _match_exact_arithmetic(g, e, t)
    bound = 0.0
    if t.abs is not None:
        bound = max(bound, t.abs)
    if t.rel is not None:
        bound = max(bound, t.rel * magnitude)
    if t.sig is not None:
        bound = max(bound, _sig_bound(magnitude, t.sig))
    if diff <= bound + _SLACK * scale:
        return True
    return t.geo is not None and _geo_accepts(float(g), float(e), t.geo, _SLACK * scale)


def _geo_accepts(g: float, e: float, geo: float, slack: float) -> bool:
    """Moodle's geometric interval [e/(1+geo), e·(1+geo)], mirrored for e < 0."""
    if e == 0 or g == 0:
        return abs(g - e) <= slack
    if (g > 0) != (e > 0):
        return False
    quotient = 1.0 + geo
    m, a = abs(e), abs(g)
    return m / quotient - slack <= a <= m * quotient + slack


def _match_exact_arithmetic(g, e, t: Tolerance) -> bool:
    """Huge integers beyond float range: the same criteria in exact arithmetic."""
    g, e = Fraction(g), Fraction(e)
    diff = abs(g - e)
    if t.abs is not None and diff <= Fraction(t.abs):
        return True
    if t.rel is not None and diff <= Fraction(t.rel) * abs(e):
        return True
    if t.sig is not None:
        k = len(str(abs(int(e)))) - 1 if abs(e) >= 1 else -1
        if diff <= Fraction(1, 2) * Fraction(10) ** (k - t.sig + 1):
            return True
    if t.geo is not None and g != 0 and e != 0 and (g > 0) == (e > 0):
        quotient = 1 + Fraction(t.geo)
        if abs(e) / quotient <= abs(g) <= abs(e) * quotient:
            return True
    return False


@dataclass(frozen=True, eq=False)
class ArrayResult:
    """``score``: share of components within tolerance (0 when the shape differs);
    ``correct_mask``: per component, shaped like the expected array; ``message``: Russian, set
    when the shape differs (empty otherwise)."""

    score: float
    correct_mask: np.ndarray
    shape_ok: bool
    message: str = ""


def _plural_elements(n: int) -> str:
    return _("элемента") if n % 10 == 1 and n % 100 != 11 else _("элементов")


def _describe_shape(shape: tuple) -> str:
    if len(shape) == 0:
        return _("одно число")
    if len(shape) == 1:
        n = shape[0]
        return _("вектор из %(n)s %(plural_elements)s") % {
            "n": n,
            "plural_elements": _plural_elements(n),
        }
    if len(shape) == 2:
        return _("матрица %(shape)s×%(shape2)s") % {"shape": shape[0], "shape2": shape[1]}
    return _("массив формы %(shape)s") % {"shape": "×".join(map(str, shape))}


def shape_message(expected: tuple, got: tuple) -> str:
    """What shape was expected and what was given, as a clause (no full stop).

    >>> shape_message((3,), (1,))
    'ожидался вектор из 3 элементов, получен 1'
    """
    if len(expected) == 1 and len(got) == 1:
        n = got[0]
        verb = _("получен") if n % 10 == 1 and n % 100 != 11 else _("получено")
        return _("ожидался вектор из %(expected)s %(plural_elements)s, %(verb)s %(n)s") % {
            "expected": expected[0],
            "plural_elements": _plural_elements(expected[0]),
            "verb": verb,
            "n": n,
        }
    if len(expected) == 2 and len(got) == 2:
        return _(
            "ожидалась матрица %(expected)s×%(expected2)s, получена матрица %(got)s×%(got2)s"
        ) % {"expected": expected[0], "expected2": expected[1], "got": got[0], "got2": got[1]}
    wanted = {0: _("ожидалось"), 1: _("ожидался"), 2: _("ожидалась")}.get(
        len(expected), _("ожидался")
    )
    received = {0: _("получено"), 1: _("получен"), 2: _("получена")}.get(len(got), _("получен"))
    return f"{wanted} {_describe_shape(expected)}, {received} {_describe_shape(got)}"


def compare_arrays(got, expected, tol: Tolerance | Mapping | None = None) -> ArrayResult:
    """Compare component by component; a row or column given for a vector is accepted.

    >>> r = compare_arrays([0, 2, 1], [0, 2, 0])
    >>> r.score, r.correct_mask.tolist(), r.shape_ok
    (0.6666666666666666, [True, True, False], True)
    >>> compare_arrays([1, 2], [1, 2, 3]).message
    'ожидался вектор из 3 элементов, получено 2'
    """
    tol = tol if isinstance(tol, Tolerance) else Tolerance.from_spec(tol)
    exp = np.asarray(expected)
    try:
        got_arr = np.asarray(got)
    except ValueError:  # ragged nested lists
        got_arr = np.asarray(got, dtype=object)
    if exp.ndim == 1 and got_arr.ndim == 2 and 1 in got_arr.shape and got_arr.size == exp.size:
        got_arr = got_arr.reshape(exp.shape)
    if got_arr.shape != exp.shape:
        return ArrayResult(
            0.0, np.zeros(exp.shape, dtype=bool), False, shape_message(exp.shape, got_arr.shape)
        )
    if exp.dtype.kind not in "iubf" or got_arr.dtype.kind not in "iubf":
        flat = [
            numbers_match(g, e, tol)
            for g, e in zip(got_arr.ravel().tolist(), exp.ravel().tolist(), strict=True)
        ]
        mask = np.array(flat, dtype=bool).reshape(exp.shape)
    else:
        mask = _array_mask(got_arr.astype(float), exp, tol)
    score = float(mask.mean()) if mask.size else 1.0
    return ArrayResult(score, mask, True, "")


def _array_mask(g: np.ndarray, exp: np.ndarray, tol: Tolerance) -> np.ndarray:
    t = tol.resolve(exp.dtype.kind in "iub")
    e = exp.astype(float)
    with np.errstate(all="ignore"):
        if t.is_exact:
            mask = g == e
        else:
            diff = np.abs(g - e)
            magnitude = np.abs(e)
            bound = np.zeros_like(e)
            if t.abs is not None:
                bound = np.maximum(bound, t.abs)
            if t.rel is not None:
                bound = np.maximum(bound, t.rel * magnitude)
            if t.sig is not None:
                sig_bounds = [_sig_bound(float(m), t.sig) for m in magnitude.ravel()]
                bound = np.maximum(bound, np.array(sig_bounds).reshape(e.shape))
            scale = np.maximum(np.abs(g), magnitude)
            mask = diff <= bound + _SLACK * scale
            if t.geo is not None:
                quotient = 1.0 + t.geo
                slack = _SLACK * scale
                same_sign = (np.sign(g) == np.sign(e)) & (e != 0)
                within = (np.abs(g) >= magnitude / quotient - slack) & (
                    np.abs(g) <= magnitude * quotient + slack
                )
                mask = mask | (same_sign & within)
        finite = np.isfinite(g) & np.isfinite(e)
        mask = (mask & finite) | (~np.isfinite(e) & (g == e))
    return np.asarray(mask, dtype=bool)


# ---------------------------------------------------------------------------------------------
# Expressions


def _names(variables) -> list[str]:
    if variables is None:
        return []
    if isinstance(variables, Mapping):
        return [str(k) for k in variables]
    if isinstance(variables, str):
        return [variables]
    return [v if isinstance(v, str) else getattr(v, "name", str(v)) for v in variables]


def _as_expr(value):
    import sympy as sp

    if isinstance(value, sp.Expr):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, Integral):
        return sp.Integer(int(value))
    if isinstance(value, Real) and math.isfinite(float(value)):
        return sp.Float(float(value))
    return None


def _point_value(fn, point):
    import mpmath

    try:
        value = fn(*point)
    except Exception:  # our generated code on a random point: any failure = point not valid
        return None
    try:
        if isinstance(value, mpmath.mpc):
            if abs(value.imag) > 1e-20 * max(1, abs(value.real)):
                return None
            value = value.real
        value = mpmath.mpf(value)
    except (TypeError, ValueError):
        return None
    if not mpmath.isfinite(value):
        return None
    return value


def _small(expr) -> bool:
    """Small enough for ``sympy.simplify`` to finish quickly."""
    import sympy as sp

    if sp.count_ops(expr) > 40:
        return False
    if expr.has(sp.floor, sp.ceiling, sp.Max, sp.Min, sp.Piecewise):
        return False
    for number in expr.atoms(sp.Rational):
        if abs(number.p) > 10**12 or number.q > 10**12:
            return False
    for power in expr.atoms(sp.Pow):
        exponent = power.exp
        if exponent.is_Integer and abs(int(exponent)) > 12:
            return False
    return True


def _realify(expr, names: list[str]):
    import sympy as sp

    mapping = {s: sp.Symbol(s.name, real=True) for s in expr.free_symbols if s.name in names}
    return expr.xreplace(mapping)


def expressions_equivalent(got_expr, expected_expr, variables, *, seed: int = 0,
                           points: int = 24) -> bool:  # fmt: skip
    """Are the two SymPy expressions equal as functions of ``variables``?

    Symbols are matched by name, so ``Symbol("t")`` and ``Symbol("t", real=True)`` are the same
    variable. See the module docstring for the method (random points, SymPy as a fallback).

    >>> from grader.expr import parse_expression, to_sympy
    >>> def build(text):
    ...     return to_sympy(parse_expression(text), variables=["t"], functions={"f": "sigmoid"})
    >>> expressions_equivalent(build("f(t)*(1 - f(t))"), build("exp(t)/(1 + exp(t))^2"), ["t"])
    True
    >>> expressions_equivalent(build("sigma(t)*(1 + sigma(t))"), build("exp(t)/(1 + exp(t))^2"),
    ...                        ["t"])
    False
    """
    import mpmath
    import sympy as sp

    a, b = _as_expr(got_expr), _as_expr(expected_expr)
    if a is None or b is None:
        return False
    names = _names(variables)
    extra = sorted({s.name for s in a.free_symbols | b.free_symbols} - set(names))
    names = list(dict.fromkeys(names + extra))
    try:
        if _realify(a, names) == _realify(b, names):  # the same expression: nothing to sample
            return True
    except Exception:  # structural comparison of odd objects: just go on sampling
        pass

    def compile_(expr):
        by_name = {s.name: s for s in expr.free_symbols}
        args = [by_name.get(n, sp.Dummy(n)) for n in names]
        # dummify=False: our names are plain identifiers, and dummifying rebuilds the whole
        # expression through SymPy's assumption system (about 0.2 s per expression).
        return sp.lambdify(args, expr, modules="mpmath", dummify=False)

    try:
        fa, fb = compile_(a), compile_(b)
    except Exception:  # e.g. a too deeply nested expression for the code printer
        fa = fb = None
    valid = 0
    if fa is not None:
        rng = np.random.default_rng(seed)
        with mpmath.workdps(30):
            for lo, hi in _RANGES:
                for _point in range(points):
                    point = [mpmath.mpf(float(x)) for x in rng.uniform(lo, hi, len(names))]
                    va, vb = _point_value(fa, point), _point_value(fb, point)
                    if va is None or vb is None:
                        continue
                    if abs(va - vb) > _AGREE_ABS + _AGREE_REL * max(abs(va), abs(vb)):
                        return False
                    valid += 1
                if valid >= MIN_VALID_POINTS:
                    return True
    try:
        if not (_small(a) and _small(b)):
            return False
        return sp.simplify(_realify(a, names) - _realify(b, names)) == 0
    except Exception:  # simplify can fail on odd inputs; then we cannot tell: not equivalent
        return False
