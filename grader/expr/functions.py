"""The builtin functions of numeric evaluation: ``exp``, ``log``, ``max``, ``round``, ``dot``...

:data:`FUNCTIONS` maps a name (aliases ``ln``, ``σ``/``sigma``, ``arcsin``... included) to an
implementation taking the list of evaluated arguments. Each checks its own number of arguments
(``bad_call``) and domain (``math_error``: ``sqrt(-1)``, ``log(0)``). One-argument math functions
apply elementwise to arrays. ``abs``, ``min``, ``max``, ``sum``/``prod`` of integers,
``round(x)``, ``floor``, ``ceil`` and ``int`` return exact ``int``; ``round`` rounds halves away
from zero (``round(2.5) = 3``), as people do by hand.

>>> FUNCTIONS["round"]([2.5]), FUNCTIONS["max"]([3, 7]), FUNCTIONS["ln"]([1])
(3, 7, 0.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy as np

from grader.expr.arithmetic import (
    check_array,
    check_float,
    check_int,
    describe_value,
    math_error,
    scalar_arith,
    scalar_result,
    to_float,
    too_large,
    type_error,
)
from grader.expr.limits import fail
from grader.i18n import _, gettext_noop

__all__ = ["FUNCTIONS", "FUNCTION_ALIASES", "arity"]


def arity(name: str, args: list, lo: int, hi: int | None):
    if len(args) < lo or (hi is not None and len(args) > hi):
        if hi is None:
            expected = _("не меньше %(lo)s") % {"lo": lo}
        elif lo == hi:
            expected = str(lo)
        else:
            expected = _("от %(lo)s до %(hi)s") % {"lo": lo, "hi": hi}
        fail(
            "bad_call",
            _("функция %(name)s принимает %(expected)s аргумент(а/ов), передано %(n_args)s")
            % {"name": name, "expected": expected, "n_args": len(args)},
        )


def _one_number(name: str, v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float, np.ndarray)):
        return v
    fail(
        "bad_call",
        _("аргумент функции %(name)s должен быть числом, а не %(describe_value)s")
        % {"name": name, "describe_value": describe_value(v)},
    )


def _scalar_only(name: str, v):
    v = _one_number(name, v)
    if isinstance(v, np.ndarray):
        fail(
            "bad_call",
            _("аргумент функции %(name)s должен быть числом, а не вектором") % {"name": name},
        )
    return v


def _vector_only(name: str, v) -> np.ndarray:
    if not isinstance(v, np.ndarray) or v.ndim == 0:
        fail(
            "bad_call",
            _("аргумент функции %(name)s должен быть вектором, например [1, 2, 3]")
            % {"name": name},
        )
    return v


def _elementwise(name, scalar_fn, array_fn, domain=None, domain_msg=""):
    """Wrap a one-argument math function for scalars (``math``) and arrays (``numpy``)."""

    def impl(args):
        arity(name, args, 1, 1)
        x = _one_number(name, args[0])
        if isinstance(x, np.ndarray):
            if domain is not None and x.size and not np.all(domain(x)):
                math_error(f"{name}: {_(domain_msg)}")
            with np.errstate(all="ignore"):
                return check_array(np.asarray(array_fn(x), dtype=float))
        if domain is not None and not domain(x):
            math_error(f"{name}: {_(domain_msg)}")
        try:
            return check_float(float(scalar_fn(x)))
        except OverflowError:
            too_large(_("%(name)s: результат слишком велик") % {"name": name})
        except ValueError:
            math_error(_("%(name)s: аргумент вне области определения") % {"name": name})

    return impl


def _sigmoid_scalar(x) -> float:
    x = to_float(x)
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _sigmoid_array(x):
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (
        1.0 + np.exp(-np.abs(x))))  # fmt: skip


def _softplus_scalar(x) -> float:
    x = to_float(x)
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _flatten_numbers(name: str, args: list) -> tuple[list, bool]:
    """All arguments flattened: (values, all_ints). Arrays contribute their elements."""
    values, all_ints = [], True
    for a in args:
        a = _one_number(name, a)
        if isinstance(a, np.ndarray):
            values.extend(float(x) for x in a.ravel())
            all_ints = False
        else:
            values.append(a)
            all_ints = all_ints and isinstance(a, int)
    return values, all_ints


def _nonempty_numbers(name: str, args: list) -> tuple[list, bool]:
    """:func:`_flatten_numbers` of one or more arguments holding at least one number."""
    arity(name, args, 1, None)
    values, all_ints = _flatten_numbers(name, args)
    if not values:
        fail("bad_call", _("функция %(name)s: пустой вектор") % {"name": name})
    return values, all_ints


def _min_max(name: str, pick):
    def impl(args):
        values, all_ints = _nonempty_numbers(name, args)
        result = pick(values)
        return result if all_ints else float(result)

    return impl


def _sum(args):
    arity("sum", args, 1, None)
    values, all_ints = _flatten_numbers("sum", args)
    if all_ints:
        return check_int(sum(values))
    return check_float(math.fsum(values))


def _prod(args):
    arity("prod", args, 1, None)
    values, all_ints = _flatten_numbers("prod", args)
    result = 1
    for v in values:
        result = scalar_arith("*", result, v)
    return result if all_ints else check_float(float(result))


def _stat(name: str, fn):
    def impl(args):
        values, _unused = _nonempty_numbers(name, args)
        with np.errstate(all="ignore"):
            return check_float(float(fn(np.array(values, dtype=float))))

    return impl


def _len(args):
    arity("len", args, 1, 1)
    v = _vector_only("len", args[0])
    return int(v.shape[0])


def _round_half_up(x, ndigits: int):
    with localcontext() as ctx:
        ctx.prec = 1000  # enough for any float or 400-digit integer
        if isinstance(x, int):
            if ndigits >= 0:
                return x
            q = 10**-ndigits
            return int((Decimal(x) / q).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * q
        # repr gives the shortest decimal that round-trips: round(2.675, 2) = 2.68, as by hand.
        step = Decimal(1).scaleb(-ndigits)
        return float(Decimal(repr(float(x))).quantize(step, rounding=ROUND_HALF_UP))


def _round(args):
    arity("round", args, 1, 2)
    x = _one_number("round", args[0])
    nd = 0
    if len(args) == 2:
        n = _scalar_only("round", args[1])
        if not float(n).is_integer() or not -20 <= n <= 20:
            fail("bad_call", _("round(x, n): n должно быть целым от -20 до 20"))
        nd = int(n)
    if isinstance(x, np.ndarray):
        scale = 10.0**nd
        with np.errstate(all="ignore"):
            return check_array(np.sign(x) * np.floor(np.abs(x) * scale + 0.5) / scale)
    result = _round_half_up(x, nd)
    if len(args) == 1:
        return int(result)
    return float(result) if isinstance(x, float) else result


def _floor_ceil(name: str, fn, array_fn):
    def impl(args):
        arity(name, args, 1, 1)
        x = _one_number(name, args[0])
        if isinstance(x, np.ndarray):
            return array_fn(x)
        return fn(x) if isinstance(x, int) else int(fn(x))

    return impl


def _abs(args):
    arity("abs", args, 1, 1)
    x = _one_number("abs", args[0])
    return np.abs(x) if isinstance(x, np.ndarray) else abs(x)


def _relu(args):
    arity("relu", args, 1, 1)
    x = _one_number("relu", args[0])
    if isinstance(x, np.ndarray):
        return np.maximum(x, 0.0)
    return x if x > 0 else (0 if isinstance(x, int) else 0.0)


def _sign(args):
    arity("sign", args, 1, 1)
    x = _one_number("sign", args[0])
    if isinstance(x, np.ndarray):
        return np.sign(x)
    return (x > 0) - (x < 0)


def _log(args):
    arity("log", args, 1, 2)
    x = _one_number("log", args[0])
    positive = _("логарифм определён только для положительных чисел")
    if isinstance(x, np.ndarray):
        if not np.all(x > 0):
            math_error(positive)
        result = np.log(x)
    else:
        if x <= 0:
            math_error(positive)
        result = check_float(math.log(x))
    if len(args) == 2:
        base = _scalar_only("log", args[1])
        if base <= 0 or base == 1:
            math_error(_("основание логарифма должно быть положительным и не равным 1"))
        result = result / math.log(base)
    return result


def _softmax(args):
    arity("softmax", args, 1, 1)
    v = _vector_only("softmax", args[0])
    if v.size == 0:
        fail("bad_call", _("функция softmax: пустой вектор"))
    shifted = v - np.max(v, axis=-1, keepdims=True)
    with np.errstate(all="ignore"):
        ex = np.exp(shifted)
        return check_array(ex / np.sum(ex, axis=-1, keepdims=True))


def _dot(args):
    arity("dot", args, 2, 2)
    a = _one_number("dot", args[0])
    b = _one_number("dot", args[1])
    if not isinstance(a, np.ndarray) or not isinstance(b, np.ndarray):
        fail("bad_call", _("dot(a, b): оба аргумента должны быть векторами или матрицами"))
    if a.ndim > 2 or b.ndim > 2:
        fail("bad_call", _("dot(a, b): поддерживаются только векторы и матрицы"))
    try:
        with np.errstate(all="ignore"):
            result = np.dot(a, b)
    except ValueError:
        type_error(
            _("dot: размеры не согласованы (%(describe_value)s и %(describe_value2)s)")
            % {"describe_value": describe_value(a), "describe_value2": describe_value(b)}
        )
    result = np.asarray(result, dtype=float)
    check_array(result)
    return scalar_result(result)


def _clip(args):
    arity("clip", args, 3, 3)
    x = _one_number("clip", args[0])
    lo = _scalar_only("clip", args[1])
    hi = _scalar_only("clip", args[2])
    if lo > hi:
        fail("bad_call", _("clip(x, lo, hi): lo больше hi"))
    if isinstance(x, np.ndarray):
        return np.clip(x, lo, hi)
    return min(max(x, lo), hi)


def _int(args):
    arity("int", args, 1, 1)
    x = _scalar_only("int", args[0])
    return int(x)


def _float(args):
    arity("float", args, 1, 1)
    return to_float(_scalar_only("float", args[0]))


def _arg(name: str, fn):
    def impl(args):
        arity(name, args, 1, 1)
        v = _vector_only(name, args[0])
        if v.size == 0:
            fail("bad_call", _("функция %(name)s: пустой вектор") % {"name": name})
        return int(fn(v.ravel()))

    return impl


def _norm(args):
    arity("norm", args, 1, 1)
    v = _vector_only("norm", args[0])
    with np.errstate(all="ignore"):
        return check_float(float(np.linalg.norm(v)))


def _atan2(args):
    # Moodle's calculated formulas (PHP) have atan2(y, x): the angle of the point (x, y).
    arity("atan2", args, 2, 2)
    y = to_float(_scalar_only("atan2", args[0]))
    x = to_float(_scalar_only("atan2", args[1]))
    return check_float(math.atan2(y, x))


def _fmod(args):
    # C/PHP fmod: the remainder of a/b with the sign of a (unlike Python's %).
    arity("fmod", args, 2, 2)
    a = to_float(_scalar_only("fmod", args[0]))
    b = to_float(_scalar_only("fmod", args[1]))
    if b == 0:
        math_error(_("fmod: деление на ноль"))
    return check_float(math.fmod(a, b))


def _positive(x):
    return x > 0


def _non_negative(x):
    return x >= 0


def _unit(x):
    return (x >= -1) & (x <= 1) if isinstance(x, np.ndarray) else -1 <= x <= 1


def _open_unit(x):
    return (x > -1) & (x < 1) if isinstance(x, np.ndarray) else -1 < x < 1


def _at_least_one(x):
    return x >= 1


_NON_NEG = gettext_noop("корень определён только для неотрицательных чисел")
_POS = gettext_noop("логарифм определён только для положительных чисел")
_UNIT = gettext_noop("аргумент должен лежать в отрезке [-1, 1]")
_OPEN_UNIT = gettext_noop("аргумент должен лежать в интервале (-1, 1)")
_AT_LEAST_ONE = gettext_noop("аргумент должен быть не меньше 1")

FUNCTIONS: dict[str, Callable] = {
    "exp": _elementwise("exp", math.exp, np.exp),
    "log": _log,
    "log10": _elementwise("log10", math.log10, np.log10, _positive, _POS),
    "log2": _elementwise("log2", math.log2, np.log2, _positive, _POS),
    "sqrt": _elementwise("sqrt", math.sqrt, np.sqrt, _non_negative, _NON_NEG),
    "abs": _abs,
    "min": _min_max("min", min),
    "max": _min_max("max", max),
    "sum": _sum,
    "prod": _prod,
    "mean": _stat("mean", np.mean),
    "var": _stat("var", np.var),
    "std": _stat("std", np.std),
    "len": _len,
    "round": _round,
    "floor": _floor_ceil("floor", math.floor, np.floor),
    "ceil": _floor_ceil("ceil", math.ceil, np.ceil),
    "sin": _elementwise("sin", math.sin, np.sin),
    "cos": _elementwise("cos", math.cos, np.cos),
    "tan": _elementwise("tan", math.tan, np.tan),
    "asin": _elementwise("asin", math.asin, np.arcsin, _unit, _UNIT),
    "acos": _elementwise("acos", math.acos, np.arccos, _unit, _UNIT),
    "atan": _elementwise("atan", math.atan, np.arctan),
    "sinh": _elementwise("sinh", math.sinh, np.sinh),
    "cosh": _elementwise("cosh", math.cosh, np.cosh),
    "tanh": _elementwise("tanh", math.tanh, np.tanh),
    "asinh": _elementwise("asinh", math.asinh, np.arcsinh),
    "acosh": _elementwise("acosh", math.acosh, np.arccosh, _at_least_one, _AT_LEAST_ONE),
    "atanh": _elementwise("atanh", math.atanh, np.arctanh, _open_unit, _OPEN_UNIT),
    "atan2": _atan2,
    "fmod": _fmod,
    "sigmoid": _elementwise("sigmoid", _sigmoid_scalar, _sigmoid_array),
    "softplus": _elementwise(
        "softplus", _softplus_scalar, lambda x: np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
    ),
    "relu": _relu,
    "sign": _sign,
    "softmax": _softmax,
    "dot": _dot,
    "clip": _clip,
    "int": _int,
    "float": _float,
    "norm": _norm,
    "argmax": _arg("argmax", np.argmax),
    "argmin": _arg("argmin", np.argmin),
}
FUNCTION_ALIASES = {"ln": "log", "σ": "sigmoid", "sigma": "sigmoid", "arcsin": "asin",
                    "arccos": "acos", "arctan": "atan"}  # fmt: skip
for _a, _t in FUNCTION_ALIASES.items():
    FUNCTIONS[_a] = FUNCTIONS[_t]
