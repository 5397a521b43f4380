"""grader.expr.functions: the builtin numeric functions, scalar and elementwise."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.errors import ParseError
from grader.expr import FUNCTIONS, evaluate, parse_expression
from tests.grader.expr.helpers import code_of, ev


@pytest.mark.parametrize(
    "text, value",
    [
        ("exp(0)", 1.0),
        ("log(e)", 1.0),
        ("ln(e^2)", 2.0),
        ("log(8, 2)", 3.0),
        ("log10(1000)", 3.0),
        ("log2(8)", 3.0),
        ("sqrt(16)", 4.0),
        ("abs(-3)", 3),
        ("min(3, 1, 2)", 1),
        ("max(3, 1, 2)", 3),
        ("max([1, 5, 2])", 5.0),
        ("min([4, 2], 3)", 2.0),
        ("sum([1, 2, 3])", 6.0),
        ("sum(1, 2, 3)", 6),
        ("prod([2, 3])", 6.0),
        ("prod(2, 3)", 6),
        ("mean([1, 2, 3, 4])", 2.5),
        ("var([1, 3])", 1.0),
        ("std([1, 3])", 1.0),
        ("len([1, 2, 3])", 3),
        ("round(2.5)", 3),
        ("round(-2.5)", -3),
        ("round(0.125, 2)", 0.13),
        ("round(2.675, 2)", 2.68),
        ("round(1234, -2)", 1200),
        ("floor(2.7)", 2),
        ("ceil(2.1)", 3),
        ("floor(-2.5)", -3),
        ("sin(0)", 0.0),
        ("cos(0)", 1.0),
        ("tan(0)", 0.0),
        ("tanh(0)", 0.0),
        ("sigmoid(0)", 0.5),
        ("σ(0)", 0.5),
        ("sigma(0)", 0.5),
        ("relu(-3)", 0),
        ("relu(2.5)", 2.5),
        ("softplus(0)", math.log(2)),
        ("clip(5, 0, 3)", 3),
        ("clip(-1.5, 0, 3)", 0),
        ("int(3.7)", 3),
        ("int(-3.7)", -3),
        ("float(3)", 3.0),
        ("sign(-2)", -1),
        ("norm([3, 4])", 5.0),
        ("argmax([1, 5, 2])", 1),
        ("argmin([1, 5, 2])", 0),
        ("dot([1, 2], [3, 4])", 11.0),
        ("atan(1)*4", math.pi),
    ],
)
def test_functions(text, value):
    result = ev(text)
    assert result == pytest.approx(value)
    assert type(result) is type(value)


def test_vector_functions():
    assert ev("softmax([0, 0])").tolist() == [0.5, 0.5]
    assert ev("softmax([1000, 0])").tolist() == pytest.approx([1.0, 0.0])  # stable
    assert ev("sigmoid([-1000, 0, 1000])").tolist() == pytest.approx([0.0, 0.5, 1.0])
    assert ev("relu([-1, 2])").tolist() == [0.0, 2.0]
    assert ev("exp([0, 0])").tolist() == [1.0, 1.0]
    assert ev("clip([-1, 5], 0, 3)").tolist() == [0.0, 3.0]
    assert ev("round([0.5, 1.25], 1)").tolist() == [0.5, 1.3]
    assert ev("dot(W, x)", {"W": [[1, 0], [0, 2]], "x": [3, 4]}).tolist() == [3.0, 8.0]
    assert ev("sigmoid(-1000)") == 0.0 and ev("sigmoid(1000)") == 1.0


def test_every_builtin_function_name_is_callable():
    for name in FUNCTIONS:
        try:
            evaluate(parse_expression(f"{name}([1, 2])"))
        except ParseError:
            pass
        try:
            evaluate(parse_expression(f"{name}(0.5)"))
        except ParseError:
            pass


def test_functions_of_moodle_formulas():
    # atan2, fmod and the inverse hyperbolic functions exist for imported Moodle formulas
    assert ev("atan2(1, -1)") == pytest.approx(3 * math.pi / 4)
    assert ev("atan2(0, 0)") == 0.0
    assert ev("fmod(7.5, 2)") == pytest.approx(1.5)
    assert ev("fmod(-7.5, 2)") == pytest.approx(-1.5)  # the sign of the dividend, as in C
    assert ev("asinh(1)") == pytest.approx(math.asinh(1))
    assert ev("acosh(2)") == pytest.approx(math.acosh(2))
    assert ev("atanh(0.5)") == pytest.approx(math.atanh(0.5))
    assert np.allclose(ev("asinh([0, 1])"), [0, math.asinh(1)])
    assert code_of(ev, "fmod(1, 0)") == "math_error"
    assert code_of(ev, "acosh(0.5)") == "math_error"
    assert code_of(ev, "atanh(1)") == "math_error"
    assert code_of(ev, "atan2(1)") == "bad_call"
    assert code_of(ev, "atan2([1, 2], 1)") == "bad_call"
    assert {"atan2", "fmod", "asinh", "acosh", "atanh"} <= set(FUNCTIONS)


def test_softmax_of_an_empty_vector_is_a_format_error():
    # It used to escape as numpy's ValueError (found by comparing the split with the old module).
    assert code_of(ev, "softmax([])") == "bad_call"
    assert code_of(ev, "softmax([[]])") == "bad_call"
