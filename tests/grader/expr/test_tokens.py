"""grader.expr.tokens: number literals, Unicode operators, superscripts, spacing."""

from __future__ import annotations

import pytest

from grader.expr import Num, parse_expression, tokenize
from tests.grader.expr.helpers import ev


@pytest.mark.parametrize(
    "text, value, kind",
    [
        ("12", 12, int),
        ("007", 7, int),
        ("0.95", 0.95, float),
        ("1e-3", 0.001, float),
        ("1E3", 1000.0, float),
        ("1.5e+2", 150.0, float),
        (".5", 0.5, float),
        ("5.", 5.0, float),
        ("1" + "0" * 399, 10**399, int),
    ],
)
def test_number_literals(text, value, kind):
    node = parse_expression(text)
    assert isinstance(node, Num) and node.value == value and type(node.value) is kind


def test_canonical_number_text():
    assert str(parse_expression(".5")) == "0.5"
    assert str(parse_expression("1E+03")) == "1e3"
    assert str(parse_expression("5.")) == "5.0"
    assert str(parse_expression("0,95", decimal_comma=True)) == "0.95"


def test_unicode_operators_and_superscripts():
    assert ev("2×3") == 6 and ev("2·3") == 6 and ev("2⋅3") == 6 and ev("2∙3") == 6
    assert ev("5−7") == -2 and ev("5–7") == -2
    assert ev("6÷4") == 1.5 and ev("6:3") == 2
    assert ev("x²", {"x": 3}) == 9 and ev("10⁻³") == pytest.approx(1e-3)
    assert ev("√16") == 4.0 and ev("√(x+1)", {"x": 8}) == 3.0
    assert ev("2 ≤ 3") is True and ev("2 ≥ 3") is False and ev("2 ≠ 3") is True
    assert ev("2**10") == 1024


def test_tokens_record_spacing():
    tokens = tokenize("a +\n b")
    assert [t.kind for t in tokens] == ["name", "op", "name"]
    assert tokens[1].space_before and not tokens[1].newline_before
    assert tokens[2].newline_before


def test_invisible_spaces_are_spaces():
    assert ev("\ufeff1 +\u200b2") == 3
