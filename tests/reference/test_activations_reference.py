"""The activation engine against PyTorch autograd on thousands of random inputs (float64)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.engines.registry import compute

N_VARIANTS = 600  # per activation

TORCH = {
    "sigmoid": lambda t, a: torch.sigmoid(t),
    "tanh": lambda t, a: torch.tanh(t),
    "relu": lambda t, a: F.relu(t),
    "leaky_relu": lambda t, a: F.leaky_relu(t, negative_slope=a),
}


def torch_value_grad(name, x, alpha):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = TORCH[name](t, alpha)
    y.sum().backward()
    return y.detach().numpy(), t.grad.numpy()


def random_x(rng):
    kind = rng.integers(4)
    size = int(rng.integers(1, 9))
    if kind == 0:  # nice exam numbers, including exact zeros (the kinks)
        return rng.integers(-5, 6, size).astype(float) / rng.choice([1, 2, 4, 10])
    if kind == 1:
        return rng.normal(0, 3, size)
    if kind == 2:  # saturation region
        return rng.uniform(-60, 60, size)
    return np.round(rng.normal(0, 1, size), int(rng.integers(0, 4)))


@pytest.mark.parametrize("name", list(TORCH))
def test_random_inputs(name):
    rng = np.random.default_rng(20240 + len(name))
    for _ in range(N_VARIANTS):
        x = random_x(rng)
        alpha = float(rng.choice([0.01, 0.1, 0.2, 0.3, rng.uniform(-1, 1)]))
        out = compute("activation", name=name, x=x.tolist(), alpha=alpha)
        value, grad = torch_value_grad(name, x, alpha)
        np.testing.assert_allclose(out["value"], value, rtol=1e-9, atol=1e-300, err_msg=f"{x}")
        np.testing.assert_allclose(out["grad"], grad, rtol=1e-9, atol=1e-15, err_msg=f"{x}")


@pytest.mark.parametrize("name", list(TORCH))
def test_kinks_and_extremes(name):
    x = np.array([0.0, -0.0, 1e-300, -1e-300, 36.8, -36.8, 710.0, -710.0, 800.0, -800.0, 20.0])
    out = compute("activation", name=name, x=x.tolist(), alpha=0.3)
    value, grad = torch_value_grad(name, x, 0.3)
    np.testing.assert_allclose(out["value"], value, rtol=1e-12, atol=0)
    np.testing.assert_allclose(out["grad"], grad, rtol=1e-12, atol=0)


def test_torch_derivatives_at_zero():
    assert compute("activation", name="relu", x=[0])["grad"] == [0.0]
    assert torch_value_grad("relu", np.array([0.0]), 0)[1][0] == 0.0
    assert compute("activation", name="leaky_relu", x=[0], alpha=0.2)["grad"] == [0.2]
    assert torch_value_grad("leaky_relu", np.array([0.0]), 0.2)[1][0] == 0.2
