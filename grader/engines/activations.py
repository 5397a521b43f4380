"""Elementwise activations and their derivatives, as PyTorch autograd computes them.

Convention (PyTorch): ``torch.sigmoid``, ``torch.tanh``, ``F.relu``, ``F.leaky_relu``; the
derivative is what autograd returns for ``y.sum().backward()``. At the kink torch picks
relu'(0) = 0 and leaky_relu'(0) = alpha (its backward tests ``x > 0``). The sigmoid and tanh
derivatives are computed from the output, as torch does: σ' = (1 − y)·y, tanh' = 1 − y², so a
saturated unit (y rounded to ±1 or 0) has derivative exactly 0.

The helpers ``forward``/``backward`` are shared with the network and recurrent engines.
"""

from __future__ import annotations

import numpy as np

from grader.engines._args import as_array, as_choice, as_float
from grader.engines.registry import engine

__all__ = ["activation", "forward", "backward", "sigmoid", "NAMES"]

NAMES = ("sigmoid", "tanh", "relu", "leaky_relu")


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(−x)) in the form torch's CPU kernel uses (0 where exp overflows)."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def forward(name: str, x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """The activation ``name`` (or ``"linear"``) applied elementwise."""
    if name == "sigmoid":
        return sigmoid(x)
    if name == "tanh":
        return np.tanh(x)
    if name == "relu":
        return np.where(x > 0, x, 0.0)
    if name == "leaky_relu":
        return np.where(x > 0, x, x * alpha)
    if name == "linear":
        return np.array(x, dtype=np.float64, copy=True)
    raise ValueError(name)


def backward(name: str, x: np.ndarray, y: np.ndarray, grad: np.ndarray, alpha: float = 0.01):
    """Autograd's backward of ``name``: input ``x``, output ``y``, upstream gradient ``grad``."""
    if name == "sigmoid":
        return grad * (1.0 - y) * y
    if name == "tanh":
        return grad * (1.0 - y * y)
    if name == "relu":
        # torch's threshold_backward tests the *output* > 0, hence relu'(0) = 0.
        return np.where(y > 0, grad, 0.0)
    if name == "leaky_relu":
        return np.where(x > 0, grad, grad * alpha)
    if name == "linear":
        return np.array(grad, dtype=np.float64, copy=True)
    raise ValueError(name)


@engine("activation")
def activation(*, name, x, alpha=0.01):
    """Value and derivative of an activation at each point of ``x`` (PyTorch autograd).

    ``name`` is sigmoid, tanh, relu or leaky_relu (``alpha`` is torch's ``negative_slope`` and
    is used by leaky_relu only). ``x`` may be a number or an array of any shape; the answer has
    the same shape. Derivatives follow torch: relu'(0) = 0, leaky_relu'(0) = alpha.

    >>> activation(name="relu", x=[-1, 0, 2])
    {'value': [0.0, 0.0, 2.0], 'grad': [0.0, 0.0, 1.0]}
    >>> activation(name="sigmoid", x=0)
    {'value': 0.5, 'grad': 0.25}
    """
    name = as_choice("name", name, NAMES)
    xs = as_array("x", x)
    alpha = as_float("alpha", alpha)
    y = forward(name, xs, alpha)
    g = backward(name, xs, y, np.ones_like(xs), alpha)
    return {"value": y.tolist(), "grad": g.tolist()}
