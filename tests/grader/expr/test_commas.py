"""grader.expr.commas: the decimal comma, and where a comma separates items instead."""

from __future__ import annotations

import math

import pytest

from grader.expr import evaluate, parse_expression
from tests.grader.expr.helpers import ev, parse_code


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0,95", 0.95),
        ("1,5e-3", 0.0015),
        ("-0,5", -0.5),
        ("(0,5 + 1)*2", 3.0),
        ("max(0,5; 1)", 1),
        ("max(0,5, 1)", 1),
        ("max(1,5)", 5),  # a call level with nothing else: the comma separates
        ("exp(0,5)", math.exp(0.5)),  # one-argument functions have no separators
        ("sqrt(2,25)", 1.5),
        ("v[0,0]", None),  # index level: decimal, and 0.0 is a valid integral index
    ],
)
def test_decimal_comma(text, expected):
    value = ev_dc(text)
    if expected is not None:
        assert value == pytest.approx(expected)


def ev_dc(text):
    return evaluate(parse_expression(text, decimal_comma=True), {"v": [7, 8]})


def test_decimal_comma_off_by_default():
    assert parse_code("0,95") == "syntax"
    assert ev("max(1,5)") == 5


def test_decimal_comma_in_lists():
    assert ev_dc("[0,5; 2]").tolist() == [0.5, 2.0]
    assert ev_dc("[0,5, 2]").tolist() == [0.5, 2.0]
    assert ev_dc("[0,5]").tolist() == [0.0, 5.0]
    assert parse_code("1,2,3", decimal_comma=True) == "syntax"
