"""Names: Greek spellings, refused names, constants, Cyrillic lookalikes explained."""

from __future__ import annotations

import math

import pytest

from grader.errors import ParseError
from grader.expr import names_in, parse_expression
from tests.grader.expr.helpers import ev, parse_code


def test_names():
    env = {"x_1": 2, "rate2": 3, "alpha": 0.5, "σ2": 4}
    assert ev("x_1 * rate2", env) == 6
    assert ev("α * 2", env) == 1.0  # Greek letter finds its Latin name
    assert ev("σ2", env) == 4
    assert ev("µ", {"μ": 7}) == 7  # micro sign is the Greek mu


@pytest.mark.parametrize("text", ["_x", "a__b", "__import__('os')", "x" * 51])
def test_bad_names(text):
    assert parse_code(text) == "bad_name"


def test_constants():
    assert ev("e") == math.e and ev("pi") == math.pi and ev("π") == math.pi
    assert ev("e", {"e": 5}) == 5  # a parameter named e wins
    assert names_in(parse_expression("2*pi*r + e")) == {"r"}
    assert names_in(parse_expression("2*pi*r"), include_constants=True) == {"pi", "r"}


def test_cyrillic_letters_are_explained():
    with pytest.raises(ParseError) as err:
        parse_expression("х + 1")  # Cyrillic х
    assert err.value.code == "bad_char"
    assert "латинскую «x»" in err.value.message and "раскладку" in err.value.message
    assert err.value.details["column"] == 1
