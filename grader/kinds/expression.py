"""A symbolic expression, e.g. the derivative of the sigmoid written as ``f(t)*(1-f(t))``.

The spec names the variables the student may use (``variables: [t]``) and function aliases
(``functions: {f: sigmoid}``). The key is written by the bank author in the same safe language;
names in it that are parameters of the variant are replaced by their numbers. Equivalence is
decided by :func:`grader.compare.expressions_equivalent` (random points, SymPy as fallback).
"""

from __future__ import annotations

import re

import sympy

from grader.compare import expressions_equivalent
from grader.errors import ParseError, SpecError
from grader.expr import names_in, parse_expression, to_sympy
from grader.i18n import _, gettext_noop
from grader.kinds.base import Outcome, SelfTest
from grader.parsing import parse_answer

INPUT_HINT = gettext_noop("выражение: f(t)*(1 - f(t)), exp(x)/(1 + exp(x))^2")


def _variables(spec: dict) -> list[str]:
    return list(spec.get("variables") or [])


def _build(text: str, spec: dict, values: dict) -> sympy.Expr:
    node = parse_expression(text)
    variables = _variables(spec)
    params = sorted(names_in(node) - set(variables))
    symbols = {name: sympy.Symbol(name) for name in variables + params}
    expr = to_sympy(node, variables=symbols, functions=spec.get("functions"))
    substitutions = {}
    for name in params:
        if name not in values:
            raise SpecError(
                _("ответ: неизвестное имя %(name)s") % {"name": name}, code="bad_expression"
            )
        substitutions[symbols[name]] = sympy.nsimplify(values[name])
    return expr.subs(substitutions) if substitutions else expr


def value_of(definition, spec: dict, values: dict, *, where: str = "answer"):
    """A symbolic value definition (``{expr: "…"}`` or a string) → SymPy expression."""
    text = definition.get("expr") if isinstance(definition, dict) else definition
    if not isinstance(text, str):
        raise SpecError(
            _("%(where)s: выражение задаётся как expr: «…»") % {"where": where},
            code="bad_value_def",
        )
    try:
        return _build(text, spec, values)
    except ParseError as exc:
        raise SpecError(f"{where}: {exc.message}", code="bad_expression") from exc


def expected(spec: dict, values: dict):
    return value_of(spec.get("answer") or {}, spec, values)


def parse(raw: str, spec: dict, expected):
    return parse_answer(
        raw, "expression", variables=_variables(spec), functions=spec.get("functions")
    )


def matches(parsed, value, spec: dict) -> bool:
    symbols = [sympy.Symbol(v) for v in _variables(spec)]
    return expressions_equivalent(parsed.value, value, symbols)


def score(parsed, expected, spec: dict) -> Outcome:
    ok = matches(parsed, expected, spec)
    return Outcome(score=1.0 if ok else 0.0, parts=[ok])


def display(value, spec: dict) -> str:
    """The key as the author wrote it (``f(t)·(1 − f(t))``), not SymPy's expanded form.

    When the key mentions parameters of the variant, their numbers matter more than the
    author's letters, so the key is shown with the numbers substituted.
    """
    answer = spec.get("answer")
    text = answer.get("expr") if isinstance(answer, dict) else answer
    try:
        node = parse_expression(text)
    except (ParseError, TypeError):
        node = None
    if node is not None and not names_in(node) - set(_variables(spec)):
        return node.to_text(pretty=True)
    return typed(value).replace("**", "^").replace("*", "·")


def typed(expr) -> str:
    """A SymPy expression as a student would type it in our language (``max``, not ``Max``)."""
    text = sympy.sstr(expr)
    for sympy_name, ours in _SYMPY_NAMES.items():
        text = re.sub(rf"\b{sympy_name}\(", f"{ours}(", text)
    return re.sub(r"\bE\b", "e", text)


_SYMPY_NAMES = {"Max": "max", "Min": "min", "Abs": "abs", "floor": "floor", "ceiling": "ceil"}


def self_test(spec: dict, expected) -> SelfTest:
    variables = _variables(spec)
    correct = typed(expected)
    wrong = f"({correct}) + 1" if variables else "1"
    return SelfTest(correct=correct, wrong=wrong, invalid="2 +* x")
