"""grader.expr.nodes: canonical and pretty text (round trips), free names."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.errors import ParseError
from grader.expr import names_in, parse_expression
from tests.grader.expr.helpers import ALPHABET


@pytest.mark.parametrize(
    "text, canonical, pretty",
    [
        ("f(t)*(1-f(t))", "f(t)*(1 - f(t))", "f(t)·(1 − f(t))"),
        ("x / (1 - rate)", "x/(1 - rate)", "x/(1 − rate)"),
        ("-2^2", "-2^2", "−2^2"),
        ("(-2)^2", "(-2)^2", "(−2)^2"),
        ("(a^b)^c", "(a^b)^c", "(a^b)^c"),
        ("a^b^c", "a^b^c", "a^b^c"),
        ("a-(b-c)", "a - (b - c)", "a − (b − c)"),
        ("(a-b)-c", "a - b - c", "a − b − c"),
        ("a/(b*c)", "a/(b*c)", "a/(b·c)"),
        ("2^-x", "2^-x", "2^−x"),
        ("a<=b", "a <= b", "a ≤ b"),
        ("x if x>0 else -x", "x if x > 0 else -x", "x if x > 0 else −x"),
        ("(a if b else c) + 1", "(a if b else c) + 1", "(a if b else c) + 1"),
        ("not (a and b)", "not (a and b)", "not (a and b)"),
        ("[1,2][0]", "[1, 2][0]", "[1, 2][0]"),
        ("(x+1)[0]", "(x + 1)[0]", "(x + 1)[0]"),
        ("√x", "sqrt(x)", "sqrt(x)"),
        ("x²", "x^2", "x^2"),
        ("- -x", "-(-x)", "−(−x)"),
    ],
)
def test_printing(text, canonical, pretty):
    node = parse_expression(text)
    assert str(node) == canonical
    assert node.to_text(pretty=True) == pretty
    assert parse_expression(str(node)) == node


@settings(
    max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.text(alphabet=ALPHABET, max_size=40), st.booleans())
def test_printing_round_trips(text, decimal_comma):
    try:
        node = parse_expression(text, decimal_comma=decimal_comma)
    except ParseError:
        return
    assert parse_expression(str(node)) == node
    # the pretty form also parses back (it only uses operators the tokenizer knows)
    assert parse_expression(node.to_text(pretty=True)) == node


def test_names_in():
    assert names_in(parse_expression("max(a, b) * exp(-x) + v[i]")) == {"a", "b", "x", "v", "i"}
    assert names_in(parse_expression("3 * 4")) == set()
