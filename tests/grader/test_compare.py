"""Tolerance semantics, array comparison and symbolic equivalence."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.compare import (
    DEFAULT_ABS,
    DEFAULT_REL,
    ArrayResult,
    Tolerance,
    compare_arrays,
    expressions_equivalent,
    numbers_match,
)
from grader.errors import SpecError
from grader.expr import parse_expression, to_sympy

# ---------------------------------------------------------------------------------------------
# Tolerance specs


def test_from_spec():
    assert Tolerance.from_spec(None) == Tolerance() and Tolerance().is_default
    assert Tolerance.from_spec({}) == Tolerance()
    assert Tolerance.from_spec({"rel": 0.01}) == Tolerance(rel=0.01)
    assert Tolerance.from_spec({"abs": 1, "sig": 3}) == Tolerance(abs=1.0, sig=3)
    tol = Tolerance(abs=0.5)
    assert Tolerance.from_spec(tol) is tol


@pytest.mark.parametrize(
    "spec",
    [
        {"rel": -0.1},
        {"abs": float("nan")},
        {"abs": float("inf")},
        {"abs": "0.1"},
        {"abs": True},
        {"sig": 0},
        {"sig": 2.5},
        {"sig": 16},
        {"relative": 0.1},
        0.01,
        "rel=0.01",
    ],
)
def test_bad_specs(spec):
    with pytest.raises(SpecError) as err:
        Tolerance.from_spec(spec)
    assert err.value.code == "bad_tolerance"


def test_default_policy():
    assert Tolerance().resolve(True) == Tolerance(abs=0.0)
    assert Tolerance().resolve(False) == Tolerance(abs=DEFAULT_ABS, rel=DEFAULT_REL)
    assert Tolerance(rel=0.1).resolve(True) == Tolerance(rel=0.1)


# ---------------------------------------------------------------------------------------------
# numbers_match


@pytest.mark.parametrize(
    "got, expected, ok",
    [
        (84301, 84301, True),
        (84301.0, 84301, True),
        (8.4301e4, 84301, True),
        (84300, 84301, False),  # integer keys are exact by default
        (84301.4, 84301, False),
        (0.95, 0.95033, True),
        (0.9503, 0.95033, True),
        (0.0833, 1 / 12, True),
        (0.083, 1 / 12, True),  # 0.4 % off
        (0.08, 1 / 12, False),  # 4 % off
        (1.0, 1.005, True),  # the worst correct 3-figure rounding
        (1.01, 1.005, True),
        (0.12, 0.1249, False),  # only two figures
        (0.0, 0.0, True),
        (0.0, 1e-17, True),  # numerical noise in the key
        (1e-6, 0.0, False),
        (-0.5, 0.5, False),
    ],
)
def test_default_tolerance(got, expected, ok):
    assert numbers_match(got, expected) is ok
    assert numbers_match(got, expected, None) is ok


@pytest.mark.parametrize(
    "got, expected, spec, ok",
    [
        (1.05, 1.0, {"abs": 0.05}, True),
        (1.06, 1.0, {"abs": 0.05}, False),
        (101, 100, {"rel": 0.01}, True),
        (102, 100, {"rel": 0.01}, False),
        (-101, -100, {"rel": 0.01}, True),
        # significant figures: |got − exp| ≤ 0.5·10^(floor(log10|exp|) − sig + 1)
        (1.3, 1.25, {"sig": 2}, True),  # exactly on the bound
        (1.2, 1.25, {"sig": 2}, True),
        (1.31, 1.25, {"sig": 2}, False),
        (3.14, math.pi, {"sig": 3}, True),
        (3.15, math.pi, {"sig": 3}, False),
        (0.0833, 1 / 12, {"sig": 3}, True),
        (0.083, 1 / 12, {"sig": 3}, False),
        (1000, 1004, {"sig": 3}, True),  # 1000 = 10^3 exactly: log10 must not be off by one
        (1000, 999.6, {"sig": 3}, True),  # 999.6 rounds to 1.00e3
        (1000, 999.4, {"sig": 3}, False),
        (1000, 999.4, {"sig": 1}, True),
        (0.0004, 0.0, {"sig": 3}, True),  # exp = 0: bound 0.5·10^-3
        (0.0006, 0.0, {"sig": 3}, False),
        (12346, 12345, {"sig": 4}, True),
        (12300, 12345, {"sig": 3}, True),
        (12400, 12345, {"sig": 3}, False),
        (12350, 12345, {"sig": 4}, True),
        # any criterion accepts
        (1.5, 1.0, {"abs": 0.1, "rel": 0.6}, True),
        (1.5, 1.0, {"abs": 0.6, "rel": 0.1}, True),
        (1.5, 1.0, {"abs": 0.1, "rel": 0.1, "sig": 1}, True),
        (1.5, 1.0, {"abs": 0.1, "rel": 0.1, "sig": 2}, False),
        # an explicit tolerance applies to integer keys too
        (84300, 84301, {"rel": 1e-3}, True),
        (84300, 84301, {"abs": 0}, False),
    ],
)
def test_tolerance_criteria(got, expected, spec, ok):
    assert numbers_match(got, expected, spec) is ok
    assert numbers_match(got, expected, Tolerance.from_spec(spec)) is ok
    assert Tolerance.from_spec(spec).accepts(got, expected) is ok


def test_special_values():
    assert numbers_match(float("nan"), float("nan")) is False
    assert numbers_match(float("nan"), 1.0) is False
    assert numbers_match(float("inf"), float("inf")) is True
    assert numbers_match(float("inf"), 1e308) is False
    assert numbers_match(1.0, float("-inf")) is False
    assert numbers_match("1", 1) is False
    assert numbers_match(None, 1) is False
    assert numbers_match([1], 1) is False
    assert numbers_match(True, 1) is True
    assert numbers_match(np.float64(0.95), np.float64(0.95)) is True
    assert numbers_match(np.int64(3), 3) is True and numbers_match(3.0, np.int64(3)) is True
    assert numbers_match(np.array(2.0), 2.0) is True


def test_huge_integers():
    assert numbers_match(10**400, 10**400) is True
    assert numbers_match(10**400 + 1, 10**400) is False
    assert numbers_match(10**400 + 1, 10**400, {"rel": 1e-3}) is True
    assert numbers_match(10**400 + 10**398, 10**400, {"sig": 3}) is False
    assert numbers_match(10**400 + 10**396, 10**400, {"sig": 3}) is True
    assert numbers_match(1e300, 10**400) is False


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
    st.integers(1, 15),
)
def test_correct_rounding_to_sig_figures_always_matches(x, sig):
    rounded = float(f"{x:.{sig - 1}e}")
    assert numbers_match(rounded, x, {"sig": sig})
    assert numbers_match(x, x)


@settings(max_examples=300, deadline=None, database=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=1e-200, max_value=1e200))
def test_default_accepts_three_figures(x):
    assert numbers_match(float(f"{x:.2e}"), x)
    assert numbers_match(-float(f"{x:.2e}"), -x)


# ---------------------------------------------------------------------------------------------
# compare_arrays


def test_compare_arrays_scores_components():
    result = compare_arrays([0, 2, 1], [0.0, 2.0, 0.0])
    assert isinstance(result, ArrayResult)
    assert result.shape_ok and result.message == ""
    assert result.score == pytest.approx(2 / 3)
    assert result.correct_mask.tolist() == [True, True, False]
    matrix = compare_arrays(np.array([[1, 2], [3, 4.1]]), [[1.0, 2.0], [3.0, 4.0]])
    assert matrix.score == 0.75 and matrix.correct_mask.shape == (2, 2)


def test_compare_arrays_tolerance():
    expected = [0.1, 0.2]
    assert compare_arrays([0.1004, 0.2], expected).score == 1.0
    assert compare_arrays([0.11, 0.2], expected).score == 0.5
    assert compare_arrays([0.11, 0.2], expected, {"abs": 0.02}).score == 1.0
    assert compare_arrays([0.11, 0.2], expected, Tolerance(sig=1)).score == 1.0
    assert compare_arrays([3.0001, 1], [3, 1]).score == 0.5  # integer arrays are exact
    assert compare_arrays([0.0, 1e-17], [1e-17, 0.0]).score == 1.0


@pytest.mark.parametrize(
    "got, expected, message",
    [
        ([1, 2], [1, 2, 3], "ожидался вектор из 3 элементов, получено 2"),
        ([1], [1, 2], "ожидался вектор из 2 элементов, получен 1"),
        ([1] * 21, [1], "ожидался вектор из 1 элемента, получен 21"),
        ([1] * 12, [1] * 21, "ожидался вектор из 21 элемента, получено 12"),
        ([[1, 2]], [[1, 2], [3, 4]], "ожидалась матрица 2×2, получена матрица 1×2"),
        ([1, 2, 3], [[1, 2], [3, 4]], "ожидалась матрица 2×2, получен вектор из 3 элементов"),
        ([[1, 2], [3, 4]], [1, 2, 3], "ожидался вектор из 3 элементов, получена матрица 2×2"),
        (5, [1, 2], "ожидался вектор из 2 элементов, получено одно число"),
    ],
)
def test_shape_mismatch(got, expected, message):
    result = compare_arrays(got, expected)
    assert not result.shape_ok and result.score == 0.0
    assert result.message == message
    assert result.correct_mask.shape == np.shape(expected) and not result.correct_mask.any()


def test_row_or_column_accepted_for_a_vector():
    assert compare_arrays([[1, 2, 3]], [1.0, 2.0, 3.0]).score == 1.0
    assert compare_arrays([[1], [2], [3]], [1.0, 2.0, 3.0]).score == 1.0


def test_non_finite_components():
    result = compare_arrays([1.0, float("nan"), float("inf")], [1.0, 2.0, float("inf")])
    assert result.correct_mask.tolist() == [True, False, True]
    assert compare_arrays([1.0, float("inf")], [1.0, float("inf")], {"sig": 2}).score == 1.0
    assert compare_arrays([], []).score == 1.0
    mixed = np.array(["a", 1], dtype=object)
    assert compare_arrays(mixed, [1.0, 1.0]).correct_mask.tolist() == [False, True]
    assert compare_arrays([10**30, 1], [10**30, 1]).score == 1.0


# ---------------------------------------------------------------------------------------------
# expressions_equivalent


def build(text, variables=("t",)):
    return to_sympy(
        parse_expression(text, decimal_comma=True),
        variables=list(variables),
        functions={"f": "sigmoid"},
    )


SIGMOID_DERIVATIVE = [
    "f(t)*(1-f(t))",
    "sigma(t)*(1-sigma(t))",
    "σ(t)*(1 − σ(t))",
    "exp(t)/(1+exp(t))^2",
    "e^(-t)/(1+e^(-t))^2",
    "1/(2 + exp(t) + exp(-t))",
    "1/(4*cosh(t/2)^2)",
]


@pytest.mark.parametrize("a", SIGMOID_DERIVATIVE)
@pytest.mark.parametrize("b", SIGMOID_DERIVATIVE[:4])
def test_sigmoid_derivative_forms_are_equivalent(a, b):
    assert expressions_equivalent(build(a), build(b), ["t"])


@pytest.mark.parametrize(
    "wrong",
    ["sigma(t)*(1+sigma(t))", "f(t)^2", "f(t)*(1-f(t)) + 0.001", "exp(t)/(1+exp(t))", "-f(t)"],
)
def test_wrong_forms_are_not_equivalent(wrong):
    assert not expressions_equivalent(build(wrong), build("f(t)*(1-f(t))"), ["t"])


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("(t+1)^2", "t^2 + 2*t + 1", True),
        ("(t+1)^2", "t^2 + 2*t + 1.0001", False),
        ("tanh(t)", "2*sigmoid(2*t) - 1", True),
        ("1 - cos(t)", "2*sin(t/2)^2", True),
        ("log(t^2)", "2*log(t)", True),  # agree wherever both are real
        ("sqrt(t^2)", "abs(t)", True),
        ("relu(t)", "max(t, 0)", True),
        ("relu(t)", "t if t > 0 else 0", True),
        ("1 if t > 0 else 0", "(sign(t) + 1)/2", True),
        ("log(t - 5)", "log(t - 5)", True),  # valid only on t > 5: the [3, 20] range
        ("log(t - 50)", "log(t - 50) + 1", False),  # no valid point: simplify decides
        ("sqrt(-1 - t^2)", "sqrt(-1 - t^2)", True),  # never real: simplify decides
        ("0,5*t", "t/2", True),
        ("2", "1 + 1", True),
    ],
)
def test_equivalence_cases(a, b, same):
    assert expressions_equivalent(build(a), build(b), ["t"]) is same


def test_symbols_match_by_name_and_extra_names_are_bound():
    real_t = sp.Symbol("t", real=True)
    assert expressions_equivalent(build("2*t"), 2 * real_t, [sp.Symbol("t")])
    assert expressions_equivalent(build("x*y", ("x", "y")), build("y*x", ("x", "y")), ["x"])
    assert expressions_equivalent(build("x + y", ("x", "y")), build("y + x", ("x", "y")), {})
    assert not expressions_equivalent(build("x", ("x", "y")), build("y", ("x", "y")), ["x", "y"])


def test_numbers_and_non_expressions():
    assert expressions_equivalent(build("1/2"), 0.5, ["t"])
    assert expressions_equivalent(sp.Integer(3), 3, [])
    assert not expressions_equivalent(build("1/2"), "1/2", ["t"])
    assert not expressions_equivalent(sp.Eq(sp.Symbol("t"), 1), build("t"), ["t"])


def test_equivalence_is_deterministic():
    a, b = build("exp(t)/(1+exp(t))^2"), build("f(t)*(1-f(t))")
    assert all(expressions_equivalent(a, b, ["t"], seed=s, points=12) for s in range(5))


def test_large_expressions_without_valid_points_are_not_simplified():
    never_real = " + ".join(f"sqrt(-{k} - t^2)" for k in range(1, 30))
    a, b = build(never_real + " + (t + 1)^2"), build(never_real + " + t^2 + 2*t + 1")
    assert not expressions_equivalent(a, b, ["t"])
    assert expressions_equivalent(a, build(never_real + " + (1 + t)^2"), ["t"])  # identical


# ---------------------------------------------------------------------------------------------
# Moodle's geometric tolerance (imported calculated questions, tolerance type 3)


@pytest.mark.parametrize(
    ("got", "expected", "geo", "ok"),
    [
        (10.0, 10.0, 0.1, True),
        (11.0, 10.0, 0.1, True),  # 10·1.1: upper end of [10/1.1, 10·1.1]
        (11.01, 10.0, 0.1, False),
        (10 / 1.1, 10.0, 0.1, True),  # lower end: the interval is a ratio, not ±10 %
        (9.05, 10.0, 0.1, False),  # within 10 % below, but below 10/1.1 = 9.0909…
        (9.1, 10.0, 0.1, True),
        (-11.0, -10.0, 0.1, True),  # mirrored for a negative key
        (-9.05, -10.0, 0.1, False),
        (10.0, -10.0, 0.1, False),  # the sign must agree
        (0.0, 0.0, 0.5, True),
        (1e-9, 0.0, 0.5, False),  # a ratio bound around 0 accepts only 0
        (0.0, 10.0, 0.5, False),
    ],
)
def test_geometric_tolerance(got, expected, geo, ok):
    assert numbers_match(got, expected, {"geo": geo}) is ok
    arr = compare_arrays([got], [expected], {"geo": geo})
    assert bool(arr.correct_mask[0]) is ok


def test_geometric_tolerance_spec_and_combination():
    assert Tolerance.from_spec({"geo": 0.1}) == Tolerance(geo=0.1)
    assert not Tolerance(geo=0.1).is_default and not Tolerance(geo=0.0).is_exact
    with pytest.raises(SpecError):
        Tolerance.from_spec({"geo": -1})
    # any criterion accepting is enough: abs covers what the ratio does not
    assert numbers_match(9.05, 10.0, {"geo": 0.1, "abs": 1})
    # huge integers are compared in exact arithmetic
    assert numbers_match(11 * 10**400, 10**401, {"geo": 0.1})
    assert not numbers_match(12 * 10**400, 10**401, {"geo": 0.1})
