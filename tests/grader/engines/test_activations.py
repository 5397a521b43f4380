"""Unit tests of the activation engine (hand-computed values; torch cross-checks live in
tests/reference)."""

import math

import pytest

from grader.engines.activations import activation
from grader.engines.registry import compute
from grader.errors import EngineError


def sig(v):
    return 1 / (1 + math.exp(-v))


def test_sigmoid_values_and_derivative():
    out = activation(name="sigmoid", x=[0, 2, -3])
    assert out["value"] == pytest.approx([0.5, sig(2), sig(-3)], rel=1e-12)
    assert out["grad"] == pytest.approx(
        [0.25, sig(2) * (1 - sig(2)), sig(-3) * (1 - sig(-3))], rel=1e-12
    )


def test_tanh_derivative_is_one_minus_square():
    out = activation(name="tanh", x=[0.5, -1])
    assert out["value"] == pytest.approx([math.tanh(0.5), math.tanh(-1)], rel=1e-12)
    assert out["grad"] == pytest.approx([1 - math.tanh(0.5) ** 2, 1 - math.tanh(1) ** 2], rel=1e-12)


def test_relu_derivative_at_zero_is_zero_like_torch():
    assert activation(name="relu", x=[-2, 0, 0.5]) == {"value": [0, 0, 0.5], "grad": [0, 0, 1]}


def test_leaky_relu_derivative_at_zero_is_alpha_like_torch():
    out = activation(name="leaky_relu", x=[-2, 0, 3], alpha=0.1)
    assert out["value"] == pytest.approx([-0.2, 0, 3])
    assert out["grad"] == pytest.approx([0.1, 0.1, 1])


def test_leaky_relu_default_alpha_is_torch_default():
    assert activation(name="leaky_relu", x=[-1])["grad"] == [0.01]


def test_saturated_units_have_zero_derivative():
    out = activation(name="tanh", x=[30, -30])
    assert out["value"] == [1.0, -1.0]
    assert out["grad"] == [0.0, 0.0]
    out = compute("activation", name="sigmoid", x=[-800, 800])
    assert out == {"value": [0.0, 1.0], "grad": [0.0, 0.0]}


def test_scalar_and_matrix_shapes_are_kept():
    assert activation(name="relu", x=-1) == {"value": 0.0, "grad": 0.0}
    out = activation(name="relu", x=[[1, -1], [0, 2]])
    assert out["grad"] == [[1, 0], [0, 1]]


def test_compute_output_is_json_clean():
    out = compute("activation", name="leaky_relu", x=[-0.0, -1.0], alpha=0.5)
    assert out == {"value": [0.0, -0.5], "grad": [0.5, 0.5]}
    assert all(type(v) is float for v in out["value"])


@pytest.mark.parametrize(
    ("args", "arg"),
    [
        ({"name": "softplus", "x": [1]}, "name"),
        ({"name": "relu", "x": "1, 2"}, "x"),
        ({"name": "relu", "x": [1, float("nan")]}, "x"),
        ({"name": "relu", "x": [[1, 2], [3]]}, "x"),
        ({"name": "leaky_relu", "x": [1], "alpha": "0.1"}, "alpha"),
    ],
)
def test_bad_args(args, arg):
    with pytest.raises(EngineError) as err:
        activation(**args)
    assert err.value.code == "bad_arg"
    assert err.value.arg == arg
