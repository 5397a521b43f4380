"""Unit tests of the mlp engine (forward and backward pass; torch checks in tests/reference)."""

import math

import pytest

from grader.engines.networks import mlp
from grader.engines.registry import compute
from grader.errors import EngineError

CAFE = [
    {"W": [[5, -60, 0.5], [-2, -80, 2]], "b": [0, 0], "activation": "relu"},
    {"W": [[1, 0.2]], "b": [4], "activation": "relu"},
]


def sig(v):
    return 1 / (1 + math.exp(-v))


def test_cafe_network_seed():
    # hidden: relu(100 − 0 + 0.5) = 100.5, relu(−40 − 0 + 2) = 0; output: 100.5 + 0 + 4
    out = compute("mlp", x=[20, 0, 1], layers=CAFE)
    assert out == {"output": [104.5], "loss": None, "grads": None, "input_grad": None}


def test_cafe_network_backward_by_hand():
    out = mlp(x=[20, 0, 1], layers=CAFE, target=[100], loss="half_sse")
    assert out["loss"] == pytest.approx(0.5 * 4.5**2)
    # dL/dy = 4.5; second hidden unit is off, so only its outgoing weight gets a gradient 0
    assert out["grads"][1] == {"W": [[4.5 * 100.5, 0.0]], "b": [4.5]}
    assert out["grads"][0]["b"] == [4.5, 0.0]
    assert out["grads"][0]["W"] == [[90.0, 0.0, 4.5], [0.0, 0.0, 0.0]]
    assert out["input_grad"] == pytest.approx([4.5 * 5, 4.5 * -60, 4.5 * 0.5])


def test_seed_sigmoid_neuron_corrects_the_worked_example():
    """The seed's worked example is wrong; the engine gives the right numbers.

    x = [0.5, 0.2], W = [[1, 2]], b = [−1.1], target 1, half_sse. h = −0.2, σ(h) = 0.450166.
    The seed writes dσ/dh = 0.2025 (that is 0.45², not σ(1 − σ) = 0.45·0.55 ≈ 0.2475) and
    dL/dw1 = 0.0557 (wrong sign and value). Correct: dL/dw1 = (σ − 1)·σ(1 − σ)·x1 ≈ −0.06805.
    """
    out = mlp(
        x=[0.5, 0.2],
        layers=[{"W": [[1, 2]], "b": [-1.1], "activation": "sigmoid"}],
        target=[1],
        loss="half_sse",
    )
    s = sig(-0.2)
    assert out["output"][0] == pytest.approx(0.450166, abs=1e-6)
    assert out["loss"] == pytest.approx(0.15116, abs=1e-5)
    dh = (s - 1) * s * (1 - s)
    assert s * (1 - s) == pytest.approx(0.2475, abs=1e-4)  # not 0.2025
    assert out["grads"][0]["W"][0] == pytest.approx([dh * 0.5, dh * 0.2], rel=1e-12)
    assert out["grads"][0]["W"][0][0] == pytest.approx(-0.068047, abs=1e-6)  # not 0.0557
    assert out["grads"][0]["b"] == pytest.approx([dh], rel=1e-12)
    assert out["input_grad"] == pytest.approx([dh * 1, dh * 2], rel=1e-12)


def test_tanh_then_linear_with_mse():
    layers = [
        {"W": [[0.5, -1], [1, 1]], "b": [0, 0.1], "activation": "tanh"},
        {"W": [[2, -1], [0, 1]], "activation": "linear"},  # b omitted: zeros
    ]
    out = mlp(x=[1, 0.5], layers=layers, target=[0, 1], loss="mse")
    h = [math.tanh(0.0), math.tanh(1.6)]
    y = [2 * h[0] - h[1], h[1]]
    assert out["output"] == pytest.approx(y, rel=1e-12)
    assert out["loss"] == pytest.approx(((y[0] - 0) ** 2 + (y[1] - 1) ** 2) / 2, rel=1e-12)
    gy = [y[0] - 0, y[1] - 1]  # 2(y − t)/n with n = 2
    assert out["grads"][1]["b"] == pytest.approx(gy, rel=1e-12)
    gh = [2 * gy[0], -gy[0] + gy[1]]
    dz = [gh[0] * (1 - h[0] ** 2), gh[1] * (1 - h[1] ** 2)]
    assert out["grads"][0]["b"] == pytest.approx(dz, rel=1e-12)
    w_grad = out["grads"][0]["W"]
    assert w_grad[0] == pytest.approx([dz[0], dz[0] * 0.5], rel=1e-12)
    assert w_grad[1] == pytest.approx([dz[1], dz[1] * 0.5], rel=1e-12)


def test_bce_loss_with_sigmoid_output():
    out = mlp(
        x=[1, -1],
        layers=[{"W": [[0.3, 0.8]], "b": [0.2], "activation": "sigmoid"}],
        target=[1],
        loss="bce",
    )
    p = sig(0.3 - 0.8 + 0.2)
    assert out["loss"] == pytest.approx(-math.log(p), rel=1e-12)
    # BCE ∘ sigmoid: dL/dz = p − t
    assert out["grads"][0]["b"] == pytest.approx([p - 1], rel=1e-12)


def test_bce_saturated_output_follows_torch_clamps():
    # σ(40) rounds to 1.0: torch clamps log(1 − p) at −100 and divides by max(p(1 − p), 1e-12)
    out = mlp(
        x=[40], layers=[{"W": [[1]], "b": [0], "activation": "sigmoid"}], target=[0], loss="bce"
    )
    assert out["output"] == [1.0]
    assert out["loss"] == 100.0
    assert out["grads"][0]["b"] == [0.0]  # σ'(40) computed as (1 − y)·y = 0


def test_relu_derivative_at_zero_is_zero():
    out = mlp(
        x=[1], layers=[{"W": [[1]], "b": [-1], "activation": "relu"}], target=[1], loss="half_sse"
    )
    assert out["grads"][0] == {"W": [[0.0]], "b": [0.0]}


@pytest.mark.parametrize(
    ("kw", "arg"),
    [
        ({"x": []}, "x"),
        ({"layers": []}, "layers"),
        ({"layers": [{"W": [[1, 2]], "b": [0], "activation": "relu"}]}, "layers[0].W"),
        ({"layers": [{"W": [[1]], "b": [0, 1], "activation": "relu"}]}, "layers[0].b"),
        ({"layers": [{"W": [[1]], "b": [0], "activation": "softmax"}]}, "layers[0].activation"),
        ({"layers": [{"W": [[1]], "b": [0]}]}, "layers[0]"),
        ({"layers": [{"W": [[1]], "activation": "relu", "bias": [0]}]}, "layers[0]"),
        ({"target": [1, 2]}, "target"),
        ({"target": [1], "loss": None}, "loss"),
        ({"target": [1], "loss": "hinge"}, "loss"),
        ({"target": [1], "loss": "bce"}, "loss"),  # relu output 2 is not a probability
    ],
)
def test_bad_args(kw, arg):
    args = {"x": [1], "layers": [{"W": [[2]], "b": [0], "activation": "relu"}], **kw}
    with pytest.raises(EngineError) as err:
        mlp(**args)
    assert err.value.code == "bad_arg"
    assert err.value.arg == arg


def test_shape_message_names_both_shapes():
    with pytest.raises(EngineError) as err:
        mlp(x=[1, 2, 3], layers=[{"W": [[1, 2]], "activation": "relu"}])
    assert "1×2" in err.value.message and "3" in err.value.message


def test_bce_target_out_of_range():
    with pytest.raises(EngineError) as err:
        mlp(x=[1], layers=[{"W": [[1]], "activation": "sigmoid"}], target=[2], loss="bce")
    assert err.value.arg == "target"
