"""Forward and backward pass of a small fully connected network, as PyTorch autograd does it.

Convention (PyTorch): each layer computes y = act(W·x + b) with W of shape out×in
(``nn.Linear`` stores its weight the same way); gradients are what ``loss.backward()`` leaves in
``W.grad``, ``b.grad`` and ``x.grad``. Activation derivatives follow torch (relu'(0) = 0, σ' and
tanh' computed from the output). Losses:

* ``half_sse`` = ½·Σ(y − t)², whose gradient is y − t;
* ``mse`` = mean((y − t)²) (``F.mse_loss``), gradient 2(y − t)/n;
* ``bce`` = ``F.binary_cross_entropy(y, t)`` (mean, logs clamped at −100); its backward divides by
  max(y(1 − y), ε) with torch's ε = float32(1e-12), which only matters for a saturated output.
"""

from __future__ import annotations

import numpy as np

from grader.engines._args import as_array, as_choice, as_records, as_vector, fail, shape_text
from grader.engines.activations import backward, forward
from grader.engines.losses import bce_elementwise
from grader.engines.registry import engine
from grader.i18n import _

__all__ = ["mlp", "LOSSES", "ACTIVATIONS"]

ACTIVATIONS = ("relu", "sigmoid", "tanh", "linear")
LOSSES = ("half_sse", "mse", "bce")
MAX_LAYERS = 100
# torch's binary_cross_entropy_backward clamps y(1 − y) from below by EPSILON = 1e-12, a C++
# *float* constant: in double arithmetic it is float32(1e-12) = 9.999999960041972e-13.
BCE_EPSILON = float(np.float32(1e-12))


@engine("mlp")
def mlp(*, x, layers, target=None, loss=None):
    """Output, loss and gradients of a fully connected network for one input (torch autograd).

    ``layers`` is a list of ``{"W": out×in, "b": [out] (may be omitted: zeros),
    "activation": relu | sigmoid | tanh | linear}``; each layer computes act(W·x + b). Without
    ``target`` only the forward pass is done (loss, grads and input_grad are null). With a
    ``target`` the ``loss`` ("half_sse", "mse" or "bce") is required; the answer then holds the
    loss, the gradients ``grads[k] = {"W": dL/dW, "b": dL/db}`` of each layer and
    ``input_grad`` = dL/dx.

    >>> mlp(x=[20, 0, 1], layers=[
    ...     {"W": [[5, -60, 0.5], [-2, -80, 2]], "b": [0, 0], "activation": "relu"},
    ...     {"W": [[1, 0.2]], "b": [4], "activation": "relu"}])["output"]
    [104.5]
    """
    a = as_vector("x", x, mismatch=lambda _shape: _("ожидался непустой вектор входов"))
    specs = as_records("layers", layers, required=("W", "activation"), optional={"b": None})
    if not specs or len(specs) > MAX_LAYERS:
        fail(
            "layers",
            _("нужно от 1 до %(max_layers)s слоёв, получено %(n_specs)s")
            % {"max_layers": MAX_LAYERS, "n_specs": len(specs)},
        )

    weights, biases, acts = [], [], []
    width = a.size
    for k, spec in enumerate(specs):
        w = as_array(f"layers[{k}].W", spec["W"], ndim=2)
        if w.shape[1] != width or w.shape[0] == 0:
            fail(
                f"layers[{k}].W",
                _(
                    "форма W %(shape)s×%(shape2)s не подходит: на вход слоя приходит "
                    "вектор длины %(width)s, нужна форма out×%(width)s"
                )
                % {"shape": w.shape[0], "shape2": w.shape[1], "width": width},
            )
        if spec["b"] is None:
            b = np.zeros(w.shape[0])
        else:
            b = as_array(f"layers[{k}].b", spec["b"])
            if b.shape != (w.shape[0],):
                fail(
                    f"layers[{k}].b",
                    _("длина b (%(shape_text)s) не совпадает с числом строк W (%(shape)s)")
                    % {"shape_text": shape_text(b), "shape": w.shape[0]},
                )
        act = as_choice(f"layers[{k}].activation", spec["activation"], ACTIVATIONS)
        weights.append(w)
        biases.append(b)
        acts.append(act)
        width = w.shape[0]

    # forward, keeping each layer's input and pre-activation for the backward pass
    inputs, pre, outs = [], [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for w, b, act in zip(weights, biases, acts, strict=True):
            inputs.append(a)
            h = w @ a + b
            a = forward(act, h)
            pre.append(h)
            outs.append(a)
    if not np.all(np.isfinite(a)):
        fail("layers", _("выход сети не является конечным числом"), code="not_finite")

    result = {"output": a.tolist(), "loss": None, "grads": None, "input_grad": None}
    if target is None:
        return result

    t = as_array("target", target)
    if t.ndim == 0:
        t = t.reshape(1)
    if t.shape != a.shape:
        fail(
            "target",
            _("длина target (%(size)s) не совпадает с размером выхода сети (%(size2)s)")
            % {"size": t.size, "size2": a.size},
        )
    if loss is None:
        fail("loss", _('при заданном target нужна функция потерь: "half_sse", "mse" или "bce"'))
    loss = as_choice("loss", loss, LOSSES)

    with np.errstate(over="ignore", invalid="ignore"):
        diff = a - t
        if loss == "half_sse":
            value = 0.5 * float((diff * diff).sum())
            grad = diff
        elif loss == "mse":
            value = float((diff * diff).mean())
            grad = 2.0 * diff / a.size
        else:
            if np.any((a < 0) | (a > 1)):
                fail(
                    "loss",
                    _("для bce выход сети должен лежать в [0, 1] (последний слой — sigmoid)"),
                )
            if np.any((t < 0) | (t > 1)):
                fail("target", _("для bce целевые значения должны лежать в [0, 1]"))
            value = float(bce_elementwise(t, a).mean())
            grad = (1.0 / a.size) * diff / np.maximum((1.0 - a) * a, BCE_EPSILON)

        grads = [None] * len(weights)
        for k in range(len(weights) - 1, -1, -1):
            delta = backward(acts[k], pre[k], outs[k], grad)
            grads[k] = {"W": np.outer(delta, inputs[k]).tolist(), "b": delta.tolist()}
            grad = weights[k].T @ delta
    if not np.all(np.isfinite(grad)):
        fail("layers", _("градиенты не являются конечными числами"), code="not_finite")
    result.update(loss=value, grads=grads, input_grad=grad.tolist())
    return result
