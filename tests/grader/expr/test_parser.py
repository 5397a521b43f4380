"""grader.expr.parser: precedence, AST shapes, syntax errors with columns, limits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.errors import ParseError
from grader.expr import (
    Binary,
    Call,
    Compare,
    Cond,
    Index,
    ListExpr,
    Name,
    Num,
    Unary,
    count_nodes,
    parse_expression,
)
from tests.grader.expr.helpers import ev, parse_code


@pytest.mark.parametrize(
    "text, value",
    [
        ("-2^2", -4),
        ("(-2)^2", 4),
        ("2^3^2", 512),
        ("2^-1", 0.5),
        ("-2^-2", -0.25),
        ("2*3+4", 10),
        ("2*(3+4)", 14),
        ("10-4-3", 3),
        ("2/4/2", 0.25),
        ("--2", 2),
        ("+5", 5),
        ("1 < 2 < 3", True),
        ("1 < 3 < 2", False),
        ("2 == 2.0", True),
        ("not 1 < 2", False),
        ("1 < 2 and 2 < 1", False),
        ("1 < 2 or 2 < 1", True),
        ("10 if 1 > 2 else 20", 20),
        ("1 if 0 else 2 if 0 else 3", 3),
    ],
)
def test_precedence(text, value):
    result = ev(text)
    assert result == value and type(result) is type(value)


def test_ast_shapes():
    assert parse_expression("-2^2") == Unary("-", Binary("^", Num(2, "2"), Num(2, "2")))
    assert isinstance(parse_expression("f(a, b)"), Call)
    assert isinstance(parse_expression("[1, 2]"), ListExpr)
    assert isinstance(parse_expression("v[i]"), Index)
    assert isinstance(parse_expression("a if c else b"), Cond)
    node = parse_expression("0 < p < 1")
    assert isinstance(node, Compare) and node.ops == ("<", "<")
    assert parse_expression("+x") == Name("x")


@pytest.mark.parametrize(
    "text, hint",
    [
        ("2x", "2*x"),
        ("2 x", "2*x"),
        ("2(x+1)", "2*(…)"),
        ("(a)(b)", "(a)*(…)"),
        ("x y", "x*y"),
        ("f(x)(y)", "f(x)*(…)"),
        ("sin x", "sin(x)"),
        ("2e", "2*e"),
        ("3 4", "3*4"),
    ],
)
def test_implicit_multiplication_is_refused_with_a_hint(text, hint):
    with pytest.raises(ParseError) as err:
        parse_expression(text)
    assert err.value.code == "implicit_mul"
    assert hint in err.value.message


@pytest.mark.parametrize(
    "text, column, fragment",
    [
        ("(1 + 2", 7, "«)»"),
        ("1 + ", 5, "оборвалось"),
        ("1 +* 2", 4, "ожидалось число"),
        ("1)", 2, "лишняя закрывающая"),
        ("[1, 2", 6, "«]»"),
        ("f(1,)", 5, "ожидалось число"),
        ("1, 2", 2, "«,»"),
        ("()", 2, "пустые скобки"),
        ("a if b", 7, "else"),
        ("x = 5", 3, "=="),
        ("1.2.3", 4, "лишняя точка"),
        ("x.__class__", 2, "лишняя точка"),
        ("not", 4, "оборвалось"),
    ],
)
def test_syntax_errors_say_what_and_where(text, column, fragment):
    with pytest.raises(ParseError) as err:
        parse_expression(text)
    assert err.value.code == "syntax"
    assert err.value.details["column"] == column
    assert f"Позиция {column}" in err.value.message and fragment in err.value.message


def test_offset_shifts_reported_columns():
    with pytest.raises(ParseError) as err:
        parse_expression("1 +", offset=10)
    assert err.value.details["column"] == 14


@pytest.mark.parametrize(
    "text, code",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("1 + @", "bad_char"),
        ("a\x00b", "bad_char"),
        ("\u202e12", "bad_char"),
        ("{1}", "bad_char"),
        ("5%", "bad_char"),
        ("1e999999", "too_large"),
        ("1e400", "too_large"),
        ("1e-401", "too_large"),
        ("9" * 401, "too_large"),
        ("1" * 2001, "too_long"),
    ],
)
def test_lexical_errors(text, code):
    assert parse_code(text) == code


def test_depth_limit():
    assert parse_code("(" * 41 + "1" + ")" * 41) == "too_deep"
    assert ev("(" * 38 + "1" + ")" * 38) == 1
    assert parse_code("-" * 50 + "1") == "too_deep"
    assert parse_code("2^" * 50 + "2") == "too_deep"
    assert parse_code("not " * 50 + "1") == "too_deep"
    assert parse_code("[" * 10_000 + "1" + "]" * 10_000, max_length=100_000) == "too_deep"
    assert parse_code("(1)", max_depth=1) == "too_deep"


def test_node_limit():
    long_sum = "+".join(["1"] * 600)
    assert parse_code(long_sum) == "too_complex"
    assert parse_code("1+1+1", max_nodes=4) == "too_complex"
    # a long but legal left-associative chain is evaluated and printed without deep recursion
    chain = "+".join(["1"] * 499)
    assert ev(chain) == 499
    assert str(parse_expression(chain)).count("+") == 498
    assert count_nodes(parse_expression(chain)) == 997


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=60))
def test_any_text_parses_or_raises_parse_error(text):
    try:
        parse_expression(text)
    except ParseError as exc:
        assert exc.code and exc.message
