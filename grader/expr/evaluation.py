"""Numeric evaluation of an AST over an environment of parameters (bank formulas, answers).

Names are looked up in the environment first (a Greek letter and its Latin name are the same
name), then among the constants. Every node and every array element touched costs one unit of
an operation budget (``max_ops``), so no formula can run for long; ``and``/``or``/``if`` only
evaluate the branch they need. Functions given by the caller are called with the evaluated
arguments and may override the builtins; what they return is checked like a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from grader.errors import ParseError
from grader.expr.arithmetic import (
    arith,
    as_number,
    check_array,
    compare,
    describe_value,
    math_error,
    normalize,
    scalar_result,
    too_large,
    truth,
    type_error,
)
from grader.expr.functions import FUNCTIONS
from grader.expr.limits import MAX_OPS, fail
from grader.expr.names import CONSTANTS, alias
from grader.expr.nodes import (
    Binary,
    Call,
    Compare,
    Cond,
    Index,
    ListExpr,
    Name,
    Node,
    Num,
    Unary,
    left_spine,
)
from grader.i18n import _

__all__ = ["evaluate"]


class _Evaluator:
    def __init__(self, env: Mapping, functions: Mapping, max_ops: int):
        self.env = env
        self.functions = functions
        self.max_ops = max_ops
        self.ops = 0

    def charge(self, units: int):
        self.ops += units
        if self.ops > self.max_ops:
            fail("too_complex", _("вычисление слишком сложное (превышен лимит операций)"))

    def charge_value(self, v):
        if isinstance(v, np.ndarray):
            self.charge(int(v.size))

    def lookup(self, name: str):
        for candidate in (name, alias(name)):
            if candidate is not None and candidate in self.env:
                return normalize(
                    self.env[candidate], _("значение «%(candidate)s»") % {"candidate": candidate}
                )
        if name in CONSTANTS:
            return CONSTANTS[name]
        known = sorted(str(k) for k in self.env)
        if len(known) > 15:
            known = known[:15] + ["…"]
        hint = (
            _("; доступны: %(known)s") % {"known": ", ".join(known)}
            if known
            else _("; переменных здесь нет")
        )
        if name in FUNCTIONS or name in self.functions:
            fail(
                "unknown_name",
                _("«%(name)s» — функция, после неё нужны скобки: %(name)s(…)") % {"name": name},
            )
        fail("unknown_name", _("неизвестное имя «%(name)s»%(hint)s") % {"name": name, "hint": hint})

    def eval(self, node: Node):
        self.charge(1)
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Name):
            value = self.lookup(node.name)
            self.charge_value(value)
            return value
        if isinstance(node, Binary):
            # Walk the left spine iteratively: "1+1+...+1" may be hundreds of nodes deep.
            first, links = left_spine(node)
            value = self.eval(first)
            for b in links:
                self.charge(1)
                if b.op == "and":
                    value = truth(value) and truth(self.eval(b.right))
                elif b.op == "or":
                    value = truth(value) or truth(self.eval(b.right))
                else:
                    right = self.eval(b.right)
                    value = arith(b.op, value, right)
                    self.charge_value(value)
            return value
        if isinstance(node, Unary):
            value = self.eval(node.operand)
            if node.op == "not":
                return not truth(value)
            value = as_number(value, _("унарный минус"))
            if isinstance(value, bool):
                value = int(value)
            return -value
        if isinstance(node, Compare):
            left = self.eval(node.operands[0])
            result = True
            for op, operand in zip(node.ops, node.operands[1:], strict=True):
                right = self.eval(operand)
                current = compare(op, left, right)
                if isinstance(current, np.ndarray):
                    if len(node.ops) > 1:
                        type_error(_("цепочки сравнений для векторов не поддерживаются"))
                    return current
                if not current:
                    return False
                left = right
            return result
        if isinstance(node, Cond):
            if truth(self.eval(node.cond)):
                return self.eval(node.then)
            return self.eval(node.orelse)
        if isinstance(node, ListExpr):
            return self.make_list([self.eval(item) for item in node.items])
        if isinstance(node, Index):
            return self.index(self.eval(node.target), self.eval(node.index))
        if isinstance(node, Call):
            return self.call(node)
        raise TypeError(f"not a Node: {node!r}")

    def make_list(self, items: list):
        if not items:
            return np.zeros(0)
        if all(isinstance(v, (bool, int, float)) for v in items):
            try:
                arr = np.array([float(v) for v in items], dtype=float)
            except OverflowError:
                too_large()
            self.charge(arr.size)
            return arr
        if all(isinstance(v, np.ndarray) for v in items):
            shapes = {v.shape for v in items}
            if len(shapes) != 1:
                type_error(_("строки матрицы должны быть одинаковой длины"))
            arr = np.stack(items)
            self.charge(arr.size)
            return arr
        type_error(_("элементы списка должны быть числами или списками одинаковой длины"))

    def index(self, target, idx):
        if not isinstance(target, np.ndarray) or target.ndim == 0:
            type_error(
                _("индексировать можно только вектор, а не %(describe_value)s")
                % {"describe_value": describe_value(target)}
            )
        if isinstance(idx, bool) or not isinstance(idx, (int, float)):
            type_error(
                _("индекс должен быть целым числом, а получено %(describe_value)s")
                % {"describe_value": describe_value(idx)}
            )
        if isinstance(idx, float):
            if not idx.is_integer():
                type_error(_("индекс должен быть целым числом, а получено %(idx)s") % {"idx": idx})
            idx = int(idx)
        n = target.shape[0]
        if not -n <= idx < n:
            fail(
                "index_error",
                _("индекс %(idx)s вне границ: в векторе %(n)s элементов (индексы от 0 до %(n2)s)")
                % {"idx": idx, "n": n, "n2": n - 1},
            )
        return scalar_result(target[idx])

    def call(self, node: Call):
        name = node.func
        impl = self.functions.get(name)
        custom = impl is not None
        if impl is None:
            impl = FUNCTIONS.get(name)
        if impl is None:
            if name in self.env or alias(name) in self.env:
                fail(
                    "implicit_mul",
                    _(
                        "«%(name)s» — не функция; если имелось в виду умножение, напишите "
                        "«%(name)s*(…)»"
                    )
                    % {"name": name},
                )
            known = ", ".join(sorted(set(FUNCTIONS) | set(self.functions)))
            fail(
                "unknown_function",
                _("неизвестная функция «%(name)s»; доступны: %(known)s")
                % {"name": name, "known": known},
            )
        args = [self.eval(a) for a in node.args]
        for a in args:
            self.charge_value(a)
        if custom:
            try:
                result = impl(*args)
            except (ArithmeticError, ValueError) as exc:
                math_error(f"{name}: {exc}")
            result = normalize(result, _("результат %(name)s") % {"name": name})
        else:
            result = impl(args)
        if isinstance(result, np.ndarray):
            result = check_array(np.asarray(result, dtype=float))
            self.charge_value(result)
        return scalar_result(result)


def evaluate(node: Node, env: Mapping | None = None, *, functions: Mapping | None = None,
             max_ops: int = MAX_OPS):  # fmt: skip
    """Compute ``node`` numerically over ``env`` (name → number, list, array or string).

    Returns an ``int``, ``float``, ``bool``, ``str`` (a string parameter passed through) or a
    ``numpy`` ``float64`` array. ``functions`` adds or overrides functions (name → Python
    callable taking the evaluated arguments). See :mod:`grader.expr` for the integer rules.

    >>> from grader.expr import parse_expression
    >>> evaluate(parse_expression("(12 + 1) * 300"))
    3900
    >>> evaluate(parse_expression("6/3")), evaluate(parse_expression("3/4"))
    (2, 0.75)
    >>> evaluate(parse_expression("x / (1 - rate)"), {"x": [1, 2], "rate": 0.5})
    array([2., 4.])
    >>> evaluate(parse_expression("9**9**9**9"))
    Traceback (most recent call last):
    ...
    grader.errors.ParseError: степень 9^387420489 слишком велика (больше 1e300)
    """
    if not isinstance(node, Node):
        raise TypeError("evaluate() expects a Node from parse_expression()")
    try:
        return _Evaluator(env or {}, functions or {}, max_ops).eval(node)
    except RecursionError:
        raise ParseError(_("слишком глубокое выражение"), code="too_deep") from None
