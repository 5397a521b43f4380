"""grader.expr.symbolic: SymPy expressions built node by node, and their errors."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.errors import ParseError, SpecError
from grader.expr import parse_expression, to_sympy
from tests.grader.expr.helpers import code_of


def sym(text, variables=("t",), functions=None):
    return to_sympy(
        parse_expression(text, decimal_comma=True), variables=list(variables), functions=functions
    )


def test_to_sympy_builds_expressions():
    t = sp.Symbol("t")
    assert sym("f(t)", functions={"f": "sigmoid"}) == 1 / (1 + sp.exp(-t))
    assert sym("σ(t)") == sym("sigma(t)") == sym("sigmoid(t)")
    assert sym("e^t") == sp.exp(t)
    assert sym("2*pi") == 2 * sp.pi
    assert sym("0,5*t") == t / 2  # decimals become exact rationals
    assert sym("1.5e-3") == sp.Rational(3, 2000)
    assert sym("log(t, 2)") == sp.log(t, 2)
    assert sym("relu(t)") == sp.Max(0, t)
    assert sym("t if t > 0 else 0") == sp.Piecewise((t, t > 0), (0, True))
    assert sym("abs(t) + sqrt(t) + ln(t)") == sp.Abs(t) + sp.sqrt(t) + sp.log(t)


def test_to_sympy_variables_forms():
    x = sp.Symbol("x", positive=True)
    assert to_sympy(parse_expression("x^2"), variables={"x": x}) == x**2
    assert to_sympy(parse_expression("x^2"), variables=[x]) == x**2
    assert to_sympy(parse_expression("n*x"), variables={"n": 3, "x": x}) == 3 * x
    alpha = sp.Symbol("alpha")
    assert to_sympy(parse_expression("α*2"), variables=["alpha"]) == 2 * alpha
    assert to_sympy(parse_expression("alpha"), variables=["α"]) == sp.Symbol("α")


def test_to_sympy_unknown_names_list_allowed_variables():
    with pytest.raises(ParseError) as err:
        sym("x + t")
    assert err.value.code == "unknown_name" and "можно использовать переменные: t" in str(err.value)
    with pytest.raises(ParseError) as err:
        sym("xy", variables=("x", "y"))
    assert "x*y" in err.value.message
    with pytest.raises(ParseError) as err:
        sym("g(t)")
    assert err.value.code == "unknown_function" and "sigmoid" in err.value.message
    with pytest.raises(ParseError) as err:
        sym("t(1 - t)")
    assert err.value.code == "implicit_mul" and "t*(" in err.value.message
    with pytest.raises(ParseError) as err:
        sym("sigmoid + 1")
    assert err.value.code == "unknown_name" and "скобки" in err.value.message


@pytest.mark.parametrize(
    "text, code",
    [
        ("[t, 1]", "unsupported"),
        ("sum(t)", "unknown_function"),
        ("exp(t, 1)", "bad_call"),
        ("1/0", "math_error"),
        ("t/(t - t)", "math_error"),
        ("2^(10^300)", "too_large"),
        ("t + 9^9^9^9", "too_large"),
        ("floor(exp(exp(100)))", "too_large"),
        ("sqrt(-2)^(10^300)", "too_large"),
        ("(10^300)*(10^300)", "too_large"),
        ("t and 1", "type_error"),
        ("1 if t else 0", "type_error"),
        ("not t", "type_error"),
        ("(t > 1) + 1", "type_error"),
    ],
)
def test_to_sympy_errors(text, code):
    assert code_of(sym, text) == code


@pytest.mark.parametrize(
    "text",
    [
        "(2*t)^(10^300)",  # SymPy would compute 2^(10^300): the production memory bomb
        "(2*t)^(10^9)",
        "t^(10^300)",
        "t^(10^10)",
        "(t/3)^(-10^9)",
        "((t^99)^99)^99",  # nested: 99^3
        "(t^50)^50",
        "sqrt(t)^(10^300)",
        "exp(t^(10^5))",
        "t^(t^(t^99))",  # a tower of three powers
        "t^t^t^t",
    ],
)
def test_to_sympy_refuses_powers_sympy_cannot_build(text):
    assert code_of(sym, text) == "too_large"


def test_to_sympy_ordinary_powers_still_build():
    t = sp.Symbol("t")
    assert sym("t^1000") == t**1000
    assert sym("(2*t)^1000") == (2 * t) ** 1000
    assert sym("t^(1/2)") == sp.sqrt(t)
    assert sym("(1+e^(-t))^(-1)") == 1 / (1 + sp.exp(-t))
    assert sym("e^(-e^(-t))") == sp.exp(-sp.exp(-t))  # Gumbel: two powers stacked are fine
    assert sym("t^(t^2)") == t ** (t**2)
    assert sym("2^10 * t") == 1024 * t


def test_to_sympy_bad_function_alias_is_a_spec_error():
    with pytest.raises(SpecError):
        to_sympy(parse_expression("f(t)"), variables=["t"], functions={"f": "eval"})
    with pytest.raises(SpecError):
        to_sympy(parse_expression("t"), variables=[3])


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.text(alphabet="0123456789.+-*/^() txe<>σfsqrtlogexp,", max_size=30))
def test_to_sympy_gives_expr_or_parse_error(text):
    try:
        node = parse_expression(text, decimal_comma=True)
    except ParseError:
        return
    try:
        result = to_sympy(node, variables=["t", "x"], functions={"f": "sigmoid"})
    except ParseError as exc:
        assert exc.code
        return
    assert isinstance(result, sp.Basic)
