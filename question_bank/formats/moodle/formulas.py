"""Moodle calculated formulas → expressions of our safe language (:mod:`grader.expr`).

A Moodle formula is PHP arithmetic over wildcards ``{a}``; :func:`moodle_formula` parses it with
our own expression parser (never PHP's or Python's ``eval``), rewrites the few Moodle functions we
lack, and refuses whatever cannot keep its meaning. :func:`param_name` turns wildcard names into
parameter names that cannot shadow our functions and constants.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from grader.errors import ParseError
from grader.expr import (
    CONSTANTS,
    FUNCTIONS,
    Binary,
    Call,
    Name,
    Node,
    Num,
    Unary,
    names_in,
    parse_expression,
)
from question_bank.formats.common import clip

__all__ = ["WILDCARD", "TEXT_FORMULA", "FormulaError", "moodle_formula", "param_name"]

# Moodle's qtype_calculated::PLACEHOLDER_REGEX: a wildcard {name}
WILDCARD = re.compile(r"\{([A-Za-z][^>} <{\"']*)\}")
# Moodle's qtype_calculated::FORMULAS_IN_TEXT_REGEX: {=expression} inside the question text
TEXT_FORMULA = re.compile(r"\{=([^{}]*(?:\{[^{}]+\}[^{}]*)*)\}")
_PASS_THROUGH = {
    "abs", "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "cos", "cosh",
    "exp", "floor", "fmod", "log", "log10", "max", "min", "round", "sin", "sinh", "sqrt", "tan",
    "tanh",
}  # fmt: skip
_ARITY = {
    "pi": (0, 0), "pow": (2, 2), "atan2": (2, 2), "fmod": (2, 2), "log": (1, 2),
    "round": (1, 2), "min": (1, None), "max": (1, None), "deg2rad": (1, 1), "rad2deg": (1, 1),
    "expm1": (1, 1), "log1p": (1, 1),
}  # fmt: skip
_PHP_ONLY = {"bindec", "decbin", "decoct", "octdec", "is_finite", "is_infinite", "is_nan"}
_RESERVED_NAMES = (
    {"answer", "item", "and", "or", "not", "if", "else"} | set(CONSTANTS) | set(FUNCTIONS)
)


class FormulaError(ValueError):
    """A Moodle formula that cannot become a safe expression (message in Russian)."""


def moodle_formula(formula: str, names: dict[str, str]) -> str:
    """A Moodle calculated formula → an expression of our safe language.

    ``names`` maps Moodle wildcard names to parameter names. ``{a}`` becomes ``a``; ``pi()`` →
    ``pi``, ``pow(a, b)`` → ``a^b``, ``deg2rad``/``rad2deg``/``expm1``/``log1p`` are rewritten,
    the other Moodle functions (``log`` is natural, ``log(x, b)`` base b, ``atan2``, ``fmod``,
    ``round(x, n)``…) exist in :mod:`grader.expr` under the same names. PHP operators
    without a counterpart (``%``, ``^`` which is XOR in PHP, ``?:``, ``&&``…) are refused.

    >>> moodle_formula("pow({a}, 2) + pi() * log({b})", {"a": "a", "b": "b"})
    'a^2 + pi*log(b)'
    """

    def wildcard(match: re.Match) -> str:
        name = match.group(1)
        if name not in names:
            raise FormulaError(
                _("в формуле подстановка {%(name)s}, для которой нет набора данных")
                % {"name": name}
            )
        return f" {names[name]} "  # spaces: "{a}{b}" must stay two operands (an error), not "ab"

    bare = WILDCARD.sub("1", formula or "")
    for match in re.finditer(r"(?<![\w.])([A-Za-z_]\w*)\s*(\()?", bare):
        if not match.group(2):
            raise FormulaError(
                _(
                    "в формуле имя «%(group)s» без фигурных скобок: переменные записываются "
                    "как {имя}"
                )
                % {"group": match.group(1)}
            )
    text = WILDCARD.sub(wildcard, formula or "")
    for bad, what in (
        ("^", _("«^» в Moodle — побитовое исключающее ИЛИ, а не степень; используйте pow(a, b)")),
        ("%", _("остаток «%» не поддерживается; используйте fmod(a, b)")),
        ("?", _("условный оператор «?:» не поддерживается")),
        ("&", _("логические операторы «&&», «&» не поддерживаются")),
        ("|", _("логические операторы «||», «|» не поддерживаются")),
        ("~", _("оператор «~» не поддерживается")),
        (":", _("оператор «:» не поддерживается")),
        ("{", _("фигурная скобка без имени набора данных")),
    ):
        if bad in text:
            raise FormulaError(what)
    if re.search(r"!(?!=)", text):
        raise FormulaError(_("отрицание «!» не поддерживается"))
    if not text.strip():
        raise FormulaError(_("пустая формула"))
    try:
        node = _rewrite(parse_expression(text))
    except ParseError as exc:
        raise FormulaError(
            _("формула «%(clip)s»: %(message)s")
            % {"clip": clip(formula, 80), "message": exc.message}
        ) from None
    except RecursionError:
        raise FormulaError(_("формула слишком сложная")) from None
    unknown = names_in(node) - set(names.values())
    if unknown:
        raise FormulaError(
            _("в формуле неизвестные имена %(sorted)s: переменные записываются как {имя}")
            % {"sorted": ", ".join(sorted(unknown))}
        )
    result = str(node)
    parse_expression(result)  # the canonical text must parse back
    return result


def _rewrite(node: Node) -> Node:
    if isinstance(node, Num | Name):
        return node
    if isinstance(node, Unary):
        return Unary(node.op, _rewrite(node.operand))
    if isinstance(node, Binary):
        return Binary(node.op, _rewrite(node.left), _rewrite(node.right))
    if isinstance(node, Call):
        name = node.func
        args = tuple(_rewrite(a) for a in node.args)
        if name in _PHP_ONLY:
            raise FormulaError(_("функция %(name)s не поддерживается") % {"name": name})
        if name not in _PASS_THROUGH and name not in _ARITY:
            raise FormulaError(
                _("функция %(name)s не поддерживается в формулах Moodle") % {"name": name}
            )
        lo, hi = _ARITY.get(name, (1, 1))
        if len(args) < lo or (hi is not None and len(args) > hi):
            raise FormulaError(
                _("функция %(name)s: неверное число аргументов (%(n_args)s)")
                % {"name": name, "n_args": len(args)}
            )
        if name == "pi":
            return Name("pi")
        if name == "pow":
            return Binary("^", args[0], args[1])
        if name == "deg2rad":
            return Binary("*", args[0], Binary("/", Name("pi"), Num(180, "180")))
        if name == "rad2deg":
            return Binary("*", args[0], Binary("/", Num(180, "180"), Name("pi")))
        if name == "expm1":
            return Binary("-", Call("exp", args), Num(1, "1"))
        if name == "log1p":
            return Call("log", (Binary("+", Num(1, "1"), args[0]),))
        return Call(name, args)
    raise FormulaError(_("в формулах Moodle нет списков, индексов, сравнений и условий"))


def param_name(wildcard: str, used: set[str]) -> str:
    """A Moodle wildcard name → a parameter name not yet in ``used`` (and added to it).

    Wildcards may hold any character but ``}``; our names are identifiers that must not shadow a
    function, a constant or the reserved names (``answer``, ``item``…).

    >>> used = set()
    >>> param_name("x-1", used), param_name("pi", used), param_name("x_1", used)
    ('x_1', 'pi_w', 'x_1_2')
    """
    name = re.sub(r"[^A-Za-z0-9_]", "_", wildcard)
    name = re.sub(r"_+", "_", name).strip("_")
    if not name or not name[0].isalpha():
        name = "w" + name
    name = name[:36]
    if name in _RESERVED_NAMES:
        name += "_w"
    base, n = name, 2
    while name in used:
        name = f"{base}_{n}"
        n += 1
    used.add(name)
    return name
