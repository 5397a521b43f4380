"""Argument checking shared by all engines.

Every helper either returns a clean value or raises :class:`grader.errors.EngineError` whose message
(in Russian) names the argument, so a bank author or a CLI user sees exactly what is wrong.
Integers stay Python ``int`` (no overflow); real numbers become ``float``; arrays become
``numpy.ndarray`` of ``float64``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Integral, Real

import numpy as np

from grader.errors import EngineError
from grader.i18n import _

__all__ = [
    "as_int",
    "as_float",
    "as_bool",
    "as_choice",
    "as_pair",
    "as_array",
    "as_vector",
    "as_int_list",
    "as_records",
    "fail",
    "shape_text",
]

MAX_ELEMENTS = 1_000_000  # an engine never allocates more than this many numbers


def fail(arg: str, message: str, code: str = "bad_arg"):
    raise EngineError(
        _("аргумент %(arg)s: %(message)s") % {"arg": arg, "message": message}, arg=arg, code=code
    )


def shape_text(array: np.ndarray) -> str:
    """The shape as people write it in messages: ``2×3``; a 0-d array is ``скаляр``.

    >>> shape_text(np.zeros((2, 3))), shape_text(np.float64(1.0))
    ('2×3', 'скаляр')
    """
    return "×".join(str(s) for s in array.shape) or _("скаляр")


def as_int(arg: str, value, *, min: int | None = None, max: int | None = None) -> int:
    """An integer (``True``/``False`` and non-integral floats are refused)."""
    if isinstance(value, bool) or not isinstance(value, (Integral, Real)):
        fail(arg, _("ожидалось целое число, получено %(value)r") % {"value": value})
    if not isinstance(value, Integral):
        if not math.isfinite(value) or value != int(value):
            fail(arg, _("ожидалось целое число, получено %(value)r") % {"value": value})
    value = int(value)
    if min is not None and value < min:
        fail(
            arg,
            _("должно быть не меньше %(min)s, получено %(value)s") % {"min": min, "value": value},
        )
    if max is not None and value > max:
        fail(
            arg,
            _("должно быть не больше %(max)s, получено %(value)s") % {"max": max, "value": value},
        )
    return value


def as_float(
    arg: str,
    value,
    *,
    min: float | None = None,
    max: float | None = None,
    min_open: bool = False,
    max_open: bool = False,
) -> float:
    """A finite real number, optionally within [min, max] (open ends on request)."""
    if isinstance(value, bool) or not isinstance(value, (Integral, Real)):
        fail(arg, _("ожидалось число, получено %(value)r") % {"value": value})
    value = float(value)
    if not math.isfinite(value):
        fail(arg, _("ожидалось конечное число, получено %(value)r") % {"value": value})
    if min is not None and (value < min or (min_open and value == min)):
        fail(
            arg,
            (
                _("должно быть больше %(min)s, получено %(value)s")
                if min_open
                else _("должно быть не меньше %(min)s, получено %(value)s")
            )
            % {"min": min, "value": format(value, "g")},
        )
    if max is not None and (value > max or (max_open and value == max)):
        fail(
            arg,
            (
                _("должно быть меньше %(max)s, получено %(value)s")
                if max_open
                else _("должно быть не больше %(max)s, получено %(value)s")
            )
            % {"max": max, "value": format(value, "g")},
        )
    return value


def as_bool(arg: str, value) -> bool:
    if not isinstance(value, bool):
        fail(arg, _("ожидалось true или false, получено %(value)r") % {"value": value})
    return value


def as_choice(arg: str, value, choices) -> str:
    if value not in choices:
        options = ", ".join(f'"{c}"' for c in choices)
        fail(
            arg,
            _("допустимые значения: %(options)s; получено %(value)r")
            % {"options": options, "value": value},
        )
    return value


def as_pair(arg: str, value, *, min: int | None = None) -> tuple[int, int]:
    """An int or a pair [a, b] of ints (kernel sizes, strides, ...) → (a, b)."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            fail(
                arg,
                _("ожидалось число или пара [a, b], получено %(n_value)s элементов")
                % {"n_value": len(value)},
            )
        return (as_int(arg, value[0], min=min), as_int(arg, value[1], min=min))
    v = as_int(arg, value, min=min)
    return (v, v)


def as_array(arg: str, value, *, ndim: int | None = None, shape: tuple | None = None) -> np.ndarray:
    """A numeric array of float64. ``shape`` may contain ``None`` for a free axis.

    Ragged lists, strings, booleans, NaN and infinities are refused.
    """
    if isinstance(value, (str, bytes, bool, dict)) or value is None:
        fail(arg, (_("ожидался числовой массив, получено %(value)r") % {"value": value})[:200])
    _check_leaves(arg, value)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError):
        fail(arg, _("ожидался числовой массив прямоугольной формы"))
    if array.size > MAX_ELEMENTS:
        fail(
            arg,
            _("слишком большой массив (%(size)s элементов)") % {"size": array.size},
            code="too_large",
        )
    if not np.all(np.isfinite(array)):
        fail(arg, _("все элементы должны быть конечными числами"))
    if ndim is not None and array.ndim != ndim:
        fail(
            arg,
            _("ожидался массив размерности %(ndim)s, получена размерность %(ndim2)s")
            % {"ndim": ndim, "ndim2": array.ndim},
        )
    if shape is not None:
        if array.ndim != len(shape) or any(
            want is not None and want != got for want, got in zip(shape, array.shape, strict=True)
        ):
            want_text = "×".join("?" if s is None else str(s) for s in shape)
            fail(
                arg,
                _("ожидалась форма %(want_text)s, получена %(shape_text)s")
                % {"want_text": want_text, "shape_text": shape_text(array)},
            )
    return array


def as_vector(
    arg: str,
    value,
    size: int | None = None,
    *,
    default: float = 0.0,
    mismatch: Callable[[str], str],
) -> np.ndarray:
    """A vector (inputs, biases, γ and β, states); a single number counts as a vector of one.

    With ``size``: exactly ``size`` numbers, and None gives ``default`` repeated. Without: any
    non-empty vector. Anything else is refused with the message ``mismatch(got)``, ``got``
    being the shape found, so that each engine says what the length must agree with.

    >>> as_vector("bias", None, 2, mismatch=str), as_vector("x", 5, mismatch=str)
    (array([0., 0.]), array([5.]))
    """
    if value is None and size is not None:
        return np.full(size, default)
    vector = as_array(arg, value)
    if vector.ndim == 0:
        vector = vector.reshape(1)
    if size is None:
        wrong = vector.ndim != 1 or vector.size == 0
    else:
        wrong = vector.shape != (size,)
    if wrong:
        fail(arg, mismatch(shape_text(vector)))
    return vector


def _check_leaves(arg: str, value) -> None:
    stack = [value]
    count = 0
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
            count += len(item)
            if count > MAX_ELEMENTS:
                fail(arg, _("слишком большой массив"), code="too_large")
        elif isinstance(item, bool) or not isinstance(item, (Integral, Real, np.ndarray)):
            fail(arg, (_("элемент %(item)r не является числом") % {"item": item})[:200])


def as_int_list(arg: str, value, *, min: int | None = None, min_len: int = 0) -> list[int]:
    if not isinstance(value, (list, tuple)):
        fail(arg, (_("ожидался список целых чисел, получено %(value)r") % {"value": value})[:200])
    if len(value) < min_len:
        fail(
            arg,
            _("ожидалось не меньше %(min_len)s элементов, получено %(n_value)s")
            % {"min_len": min_len, "n_value": len(value)},
        )
    return [as_int(f"{arg}[{i}]", v, min=min) for i, v in enumerate(value)]


def as_records(
    arg: str, value, *, required: tuple[str, ...], optional: dict | None = None
) -> list[dict]:
    """A list of objects with the given keys; unknown keys are refused (typos must not pass)."""
    optional = optional or {}
    if not isinstance(value, (list, tuple)):
        fail(arg, _("ожидался список объектов"))
    records = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            fail(f"{arg}[{i}]", _("ожидался объект"))
        unknown = set(item) - set(required) - set(optional)
        if unknown:
            fail(
                f"{arg}[{i}]",
                _("неизвестные поля: %(sorted)s")
                % {"sorted": ", ".join(sorted(map(str, unknown)))},
            )
        missing = [k for k in required if k not in item]
        if missing:
            fail(
                f"{arg}[{i}]", _("не хватает полей: %(missing)s") % {"missing": ", ".join(missing)}
            )
        records.append({**optional, **item})
    return records
