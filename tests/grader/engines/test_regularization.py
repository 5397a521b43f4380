"""Unit tests of grader.engines.regularization: seed example, edge cases, refused arguments."""

import math

import pytest

from grader.engines import regularization
from grader.engines.registry import compute
from grader.errors import EngineError


def error(name, **args) -> EngineError:
    with pytest.raises(EngineError) as info:
        compute(name, **args)
    return info.value


# --- dropout ----------------------------------------------------------------------------------


def test_dropout_seed_example():
    assert compute("dropout", x=[1, 0.5, -1], rate=0.75, dropped=[0, 2]) == [0.0, 2.0, 0.0]


def test_dropout_shapes_and_flat_indices():
    x = [[1, 2, 3], [4, 5, 6]]
    # flat index 4 is x[1][1] (row-major)
    assert compute("dropout", x=x, rate=0.5, dropped=[4, 0]) == [[0, 4, 6], [8, 0, 12]]
    assert compute("dropout", x=[[[2.0]]], rate=0.2, dropped=[]) == [[[2.5]]]
    assert compute("dropout", x=3.0, rate=0.5, dropped=[0]) == 0.0
    assert compute("dropout", x=[], rate=0.5, dropped=[]) == []
    # the dropped zero is a plain 0.0, not -0.0
    assert math.copysign(1, compute("dropout", x=[-1.0], rate=0.5, dropped=[0])[0]) == 1


def test_dropout_rate_zero_and_inference():
    assert compute("dropout", x=[1, 2], rate=0, dropped=[]) == [1.0, 2.0]
    assert compute("dropout", x=[1, 2], rate=0.9, dropped=[1], training=False) == [1.0, 2.0]
    assert regularization.dropout(x=[[1, 2]], rate=0.5, dropped=[], training=False) == [[1, 2]]


def test_dropout_everything_dropped():
    assert compute("dropout", x=[1, 2, 3], rate=0.99, dropped=[2, 1, 0]) == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("args", "code", "arg"),
    [
        ({"rate": 1.0}, "bad_arg", "rate"),
        ({"rate": -0.1}, "bad_arg", "rate"),
        ({"rate": "half"}, "bad_arg", "rate"),
        ({"dropped": [3]}, "out_of_range", "dropped[0]"),
        ({"dropped": [-1]}, "bad_arg", "dropped[0]"),
        ({"dropped": [1, 1]}, "duplicate", "dropped"),
        ({"dropped": [0, 1, 2, 0]}, "bad_arg", "dropped"),
        ({"dropped": 1}, "bad_arg", "dropped"),
        ({"dropped": [0.5]}, "bad_arg", "dropped[0]"),
        ({"rate": 0, "dropped": [1]}, "inconsistent", "dropped"),
        ({"x": [[1, 2], [3]]}, "bad_arg", "x"),
        ({"x": [1, "a", 3]}, "bad_arg", "x"),
        ({"x": [1, float("nan"), 3]}, "bad_arg", "x"),
        ({"training": "false"}, "bad_arg", "training"),
        ({"x": [[0.0] * 1001] * 1000}, "too_large", "x"),
    ],
)
def test_dropout_bad_args(args, code, arg):
    full = {"x": [1, 2, 3], "rate": 0.5, "dropped": [], **args}
    err = error("dropout", **full)
    assert (err.code, err.arg) == (code, arg)


# --- ridge_mean -------------------------------------------------------------------------------


def test_ridge_mean():
    assert compute("ridge_mean", y=[1, 2, 3, 4], lam=4) == 1.25
    assert compute("ridge_mean", y=[1, 2, 3, 4], lam=0) == 2.5  # the plain mean
    assert compute("ridge_mean", y=[5], lam=0.5) == pytest.approx(5 / 1.5, rel=1e-15)
    assert compute("ridge_mean", y=[-2, 2], lam=10) == 0.0
    # the sum is exact: no cancellation error
    assert compute("ridge_mean", y=[1e16, 1, -1e16], lam=0) == pytest.approx(1 / 3, rel=1e-15)


@pytest.mark.parametrize(
    ("args", "code", "arg"),
    [
        ({"y": [], "lam": 1}, "empty", "y"),
        ({"y": [1, 2], "lam": -1}, "bad_arg", "lam"),
        ({"y": [[1, 2]], "lam": 1}, "bad_arg", "y"),
        ({"y": 3, "lam": 1}, "bad_arg", "y"),
        ({"y": [1, 2], "lam": float("inf")}, "bad_arg", "lam"),
    ],
)
def test_ridge_mean_bad_args(args, code, arg):
    err = error("ridge_mean", **args)
    assert (err.code, err.arg) == (code, arg)


# --- dropout_layer_stats ----------------------------------------------------------------------


def test_dropout_layer_stats():
    assert compute("dropout_layer_stats", n=4, p=0.5) == {
        "p_all_dropped": 0.0625,
        "mean_kept": 2.0,
        "var_kept": 1.0,
    }
    out = compute("dropout_layer_stats", n=10, p=0.2)
    assert out["p_all_dropped"] == pytest.approx(0.2**10, rel=1e-15)
    assert out["mean_kept"] == pytest.approx(8.0, rel=1e-15)
    assert out["var_kept"] == pytest.approx(1.6, rel=1e-15)
    assert compute("dropout_layer_stats", n=3, p=0) == {
        "p_all_dropped": 0.0,
        "mean_kept": 3.0,
        "var_kept": 0.0,
    }
    assert compute("dropout_layer_stats", n=3, p=1) == {
        "p_all_dropped": 1.0,
        "mean_kept": 0.0,
        "var_kept": 0.0,
    }
    # underflows to 0 instead of failing
    assert compute("dropout_layer_stats", n=10**6, p=0.5)["p_all_dropped"] == 0.0


@pytest.mark.parametrize(
    ("args", "arg"),
    [
        ({"n": 0, "p": 0.5}, "n"),
        ({"n": 2.5, "p": 0.5}, "n"),
        ({"n": 10**13, "p": 0.5}, "n"),
        ({"n": 3, "p": 1.5}, "p"),
        ({"n": 3, "p": -0.5}, "p"),
    ],
)
def test_dropout_layer_stats_bad_args(args, arg):
    err = error("dropout_layer_stats", **args)
    assert (err.code, err.arg) == ("bad_arg", arg)
