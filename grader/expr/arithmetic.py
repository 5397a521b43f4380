"""Values of the numeric evaluation and the arithmetic between them, with every bound checked.

A value is an ``int`` (exact, at most 400 digits), a finite ``float``, a ``bool``, a ``str`` (a
string parameter passed through) or a ``numpy`` ``float64`` array. ``+ - *`` and ``^`` with a
non-negative integer exponent keep integers exact; ``/`` gives an ``int`` when the division is
exact (``6/3 = 2``) and a ``float`` otherwise; arrays work elementwise, with a scalar or an
array of the same shape. A power is refused (``too_large``) *before* it is computed when its
result would exceed 1e300 in magnitude. Division by zero, NaN and infinities are ``math_error``.
"""

from __future__ import annotations

import math

import numpy as np

from grader.errors import ParseError
from grader.expr.limits import INT_LIMIT, MAX_INT_DIGITS, MAX_POW_LOG10
from grader.i18n import _

__all__ = [
    "math_error",
    "type_error",
    "too_large",
    "describe_value",
    "check_int",
    "check_float",
    "check_array",
    "normalize",
    "as_number",
    "to_float",
    "scalar_arith",
    "arith",
    "truth",
    "compare",
    "scalar_result",
]


def math_error(message: str):
    raise ParseError(_("Ошибка вычисления: %(message)s") % {"message": message}, code="math_error")


def type_error(message: str):
    raise ParseError(message, code="type_error")


def too_large(message: str | None = None):
    if message is None:
        message = _("результат слишком велик (больше 1e300)")
    raise ParseError(message, code="too_large")


def describe_value(v) -> str:
    if isinstance(v, np.ndarray):
        if v.ndim == 1:
            return _("вектор из %(shape)s элементов") % {"shape": v.shape[0]}
        return _("массив формы %(shape)s") % {"shape": "×".join(str(s) for s in v.shape)}
    if isinstance(v, str):
        return _("строка «%(v)s»") % {"v": v}
    if isinstance(v, bool):
        return _("логическое значение")
    return _("число")


def check_int(v: int) -> int:
    if -INT_LIMIT < v < INT_LIMIT:
        return v
    too_large(_("целое число длиннее %(max_int_digits)s цифр") % {"max_int_digits": MAX_INT_DIGITS})


def check_float(v: float) -> float:
    if math.isfinite(v):
        return v
    math_error(_("получилось бесконечное или неопределённое значение (переполнение или 0/0)"))


def check_array(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        math_error(_("в векторе получилось бесконечное или неопределённое значение"))
    return a


def normalize(value, name: str | None = None):
    """Python/numpy values from an environment or a helper → int, float, bool, str or array."""
    if name is None:
        name = _("значение")
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return check_int(int(value))
    if isinstance(value, (float, np.floating)):
        return check_float(float(value))
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            arr = np.array(value, dtype=float)
        except (TypeError, ValueError, OverflowError):
            type_error(
                _("%(name)s: ожидался числовой вектор или матрица одинаковых по длине строк")
                % {"name": name}
            )
        return check_array(arr)
    if hasattr(value, "numerator") and hasattr(value, "denominator"):  # Fraction and friends
        try:
            return check_float(float(value))
        except (OverflowError, ValueError):
            too_large()
    type_error(
        _("%(name)s: неподдерживаемый тип %(type)s") % {"name": name, "type": type(value).__name__}
    )


def as_number(v, what: str):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float, np.ndarray)):
        return v
    type_error(
        _("%(what)s: ожидалось число или вектор, а получено %(describe_value)s")
        % {"what": what, "describe_value": describe_value(v)}
    )


def to_float(v) -> float:
    try:
        return float(v)
    except OverflowError:
        too_large()


def _short(n: int) -> str:
    text = str(n)
    return (
        text
        if len(text) <= 15
        else _("(%(text)s…, %(n_lstrip)s цифр)")
        % {"text": text[:3], "n_lstrip": len(text.lstrip("-"))}
    )


def _int_pow(a: int, b: int):
    if b >= 0:
        if abs(a) <= 1 or b == 0:
            return a**b if abs(a) <= 1 else 1  # (-1)^b, 0^b, 1^b are cheap for any b
        if b * math.log10(abs(a)) > MAX_POW_LOG10:
            too_large(
                _("степень %(short)s^%(short2)s слишком велика (больше 1e%(max_pow_log10)s)")
                % {"short": _short(a), "short2": _short(b), "max_pow_log10": MAX_POW_LOG10}
            )
        return a**b
    if a == 0:
        math_error(_("ноль нельзя возводить в отрицательную степень"))
    if b * math.log10(abs(a)) < -330:  # underflows to zero: no need to compute it
        return 0.0
    return float(a) ** b


def _float_pow(a: float, b: float) -> float:
    if a == 0:
        if b < 0:
            math_error(_("ноль нельзя возводить в отрицательную степень"))
        return 1.0 if b == 0 else 0.0
    if a < 0 and not b.is_integer():
        math_error(_("отрицательное число нельзя возводить в дробную степень"))
    est = b * math.log10(abs(a))
    if est > MAX_POW_LOG10:
        too_large(
            _("степень слишком велика (больше 1e%(max_pow_log10)s)")
            % {"max_pow_log10": MAX_POW_LOG10}
        )
    if est < -330:
        return 0.0
    try:
        return check_float(math.pow(a, b))
    except OverflowError:
        too_large()


def scalar_arith(op: str, a, b):
    if isinstance(a, bool):
        a = int(a)
    if isinstance(b, bool):
        b = int(b)
    both_int = isinstance(a, int) and isinstance(b, int)
    if op == "^":
        if both_int:
            return _int_pow(a, b)
        return _float_pow(to_float(a), to_float(b))
    if op == "/":
        if b == 0:
            math_error(_("деление на ноль"))
        if both_int:
            if a % b == 0:
                return a // b
            try:
                return check_float(a / b)
            except OverflowError:
                too_large()
    if op == "*" and both_int:
        if a.bit_length() + b.bit_length() > INT_LIMIT.bit_length() + 1:
            too_large(
                _("целое число длиннее %(max_int_digits)s цифр")
                % {"max_int_digits": MAX_INT_DIGITS}
            )
    try:
        if op == "+":
            result = a + b
        elif op == "-":
            result = a - b
        elif op == "*":
            result = a * b
        else:
            result = a / b
    except OverflowError:
        too_large()
    if isinstance(result, int):
        return check_int(result)
    return check_float(result)


def _array_arith(op: str, a, b):
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape != b.shape:
        type_error(
            _(
                "размеры не согласованы: %(describe_value)s и %(describe_value2)s "
                "(поэлементные операции требуют одинаковых размеров)"
            )
            % {"describe_value": describe_value(a), "describe_value2": describe_value(b)}
        )
    fa = a if isinstance(a, np.ndarray) else to_float(a)
    fb = b if isinstance(b, np.ndarray) else to_float(b)
    with np.errstate(all="ignore"):
        if op == "+":
            result = np.add(fa, fb)
        elif op == "-":
            result = np.subtract(fa, fb)
        elif op == "*":
            result = np.multiply(fa, fb)
        elif op == "/":
            if np.any(np.asarray(fb) == 0):
                math_error(_("деление на ноль"))
            result = np.divide(fa, fb)
        else:
            result = np.power(fa, fb)
    return check_array(np.asarray(result, dtype=float))


def arith(op: str, a, b):
    """``a op b`` for ``+ - * / ^`` on numbers and arrays, under the rules above.

    >>> arith("/", 6, 3), arith("/", 3, 4), arith("^", 2, 10)
    (2, 0.75, 1024)
    """
    a = as_number(a, _("левая часть «%(op)s»") % {"op": op})
    b = as_number(b, _("правая часть «%(op)s»") % {"op": op})
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return _array_arith(op, a, b)
    return scalar_arith(op, a, b)


def truth(v) -> bool:
    if isinstance(v, (bool, int, float)):
        return bool(v)
    type_error(
        _("условие должно быть числом или сравнением, а получено %(describe_value)s")
        % {"describe_value": describe_value(v)}
    )


def compare(op: str, a, b):
    if isinstance(a, str) or isinstance(b, str):
        if op in ("==", "!="):
            return (a == b) == (op == "==")
        type_error(_("строки можно сравнивать только на равенство (== и !=)"))
    a = as_number(a, _("левая часть «%(op)s»") % {"op": op})
    b = as_number(b, _("правая часть «%(op)s»") % {"op": op})
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape != b.shape:
            type_error(
                _("нельзя сравнить %(describe_value)s и %(describe_value2)s")
                % {"describe_value": describe_value(a), "describe_value2": describe_value(b)}
            )
        fa = a if isinstance(a, np.ndarray) else to_float(a)
        fb = b if isinstance(b, np.ndarray) else to_float(b)
        result = {
            "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
            "==": np.equal, "!=": np.not_equal,
        }[op](fa, fb)  # fmt: skip
        return np.asarray(result, dtype=float)
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "==":
        return a == b
    return a != b


def scalar_result(v):
    """numpy 0-d results → Python float/int."""
    if isinstance(v, np.ndarray) and v.ndim == 0:
        v = v[()]
    if isinstance(v, (np.integer,)):
        return check_int(int(v))
    if isinstance(v, np.floating):
        return check_float(float(v))
    return v
