"""Gradient-descent optimizers on one-weight models, exactly as ``torch.optim`` updates them.

Convention (PyTorch ``torch.optim``, defaults ``dampening=0``, ``maximize=False``):

* sgd: w ← w − lr·g.
* momentum (``SGD(momentum=m)``): the buffer starts as the *first gradient itself* (not as
  (1 − m)·g and not as 0), then b ← m·b + g; w ← w − lr·b.
* nesterov (``SGD(momentum=m, nesterov=True)``): same buffer, w ← w − lr·(g + m·b). This is
  ``nesterov_form="pytorch"`` (the default). ``nesterov_form="lookahead"`` is the classic form
  (Sutskever et al. 2013): v ← m·v − lr·∇f(w + m·v), w ← w + v, v₀ = 0 — the gradient is taken
  at the look-ahead point. Both describe the same method, but PyTorch stores the look-ahead
  weights w + m·v instead of w: its weights are w_t + m·(w_t − w_{t−1}) of the classic sequence,
  so the numbers differ from the first step on. Momentum 0 is allowed for the look-ahead form
  (plain SGD) and refused for torch's, as torch does.
* rmsprop (``RMSprop(alpha, eps)``): s ← α·s + (1 − α)·g², w ← w − lr·g / (√s + eps); no bias
  correction, eps is added *outside* the square root.
* adam (``Adam(betas=(β1, β2), eps)``): m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g²,
  w ← w − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps): eps is added to the bias-corrected √v̂
  (Keras adds it to the uncorrected √v, which differs slightly).
* adamw (``AdamW``): first w ← w·(1 − lr·weight_decay) (decoupled decay), then the Adam step.
  ``weight_decay`` is used by adamw only.

``optimizer_trajectory`` fits y ≈ w·x (no intercept) with the squared error (w·x − y)² reduced
over the batch by mean, sum or ½·sum; ``logistic_regression_step`` runs plain gradient descent on
the binary cross-entropy of σ(w·x + b).

``clip_grad_norm`` follows ``torch.nn.utils.clip_grad_norm_``: the total norm is the p-norm of the
vector of the tensors' own p-norms (the same as the norm of all gradients concatenated; for
p = inf the largest |g|), and every gradient is multiplied by max_norm / (total + 1e-6) only when
that coefficient is below 1 — so a total equal to max_norm (or up to 1e-6 under it) is still
scaled, and the clipped norm is max_norm·total/(total + 1e-6), a little under max_norm.
"""

from __future__ import annotations

import math

import numpy as np

from grader.engines._args import MAX_ELEMENTS, as_array, as_choice, as_float, as_int, fail
from grader.engines.activations import sigmoid
from grader.engines.registry import engine
from grader.i18n import _

__all__ = ["optimizer_trajectory", "logistic_regression_step", "clip_grad_norm", "OPTIMIZERS"]

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
MAX_STEPS = 10_000
MAX_TENSORS = 10_000  # gradients one clip_grad_norm call may take


def _data(x, y):
    xs = as_array("x", x)
    ys = as_array("y", y)
    if xs.ndim == 0:
        xs = xs.reshape(1)
    if ys.ndim == 0:
        ys = ys.reshape(1)
    if xs.ndim != 1:
        fail("x", _("ожидался вектор значений признака"))
    if ys.shape != xs.shape:
        fail(
            "y",
            _("длина y (%(size)s) не совпадает с длиной x (%(size2)s)")
            % {"size": ys.size, "size2": xs.size},
        )
    if xs.size == 0:
        fail("x", _("нужна хотя бы одна точка данных"))
    return xs, ys


def _lerp(start, end, weight):
    # torch's lerp switches formulas at weight 0.5 to stay exact at both ends; exp_avg uses it.
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


def _diverged(arg: str):
    fail(
        arg,
        _(
            "веса перестали быть конечными числами (траектория расходится или при eps = 0 "
            "случилось деление на ноль)"
        ),
        code="not_finite",
    )


@engine("optimizer_trajectory")
def optimizer_trajectory(
    *,
    optimizer,
    x,
    y,
    w0,
    lr,
    steps,
    batch,
    reduction,
    momentum=0.9,
    alpha=0.99,
    beta1=0.9,
    beta2=0.999,
    eps=1e-8,
    weight_decay=0.01,
    nesterov_form="pytorch",
):
    """Weights after each step of a torch.optim optimizer fitting y ≈ w·x by squared error.

    The loss of a batch is (w·x − y)² reduced by ``reduction``: "mean", "sum" or "half_sum"
    (½·sum, whose gradient is Σ(w·x − y)·x). ``batch="full"`` uses all samples in every step;
    ``batch="sequential"`` uses one sample per step, cycling through the data in order. The
    optimizers follow torch.optim exactly (see the module docstring): sgd, momentum (SGD with
    ``momentum``), nesterov, rmsprop (``alpha``, ``eps``), adam (``beta1``, ``beta2``, ``eps``)
    and adamw (Adam plus decoupled ``weight_decay``). For nesterov, ``nesterov_form`` chooses
    torch's reformulation ("pytorch") or the classic look-ahead update ("lookahead"). Returns
    ``steps`` numbers: w after step 1, 2, …

    >>> [round(w, 6) for w in optimizer_trajectory(optimizer="sgd", x=[1, 2], y=[2, 3],
    ...     w0=0, lr=0.1, steps=2, batch="full", reduction="mean")]
    [0.8, 1.2]
    >>> [round(w, 6) for w in optimizer_trajectory(optimizer="momentum", x=[1, 2], y=[2, 3],
    ...     w0=0, lr=0.1, steps=2, batch="full", reduction="mean", momentum=0.9)]
    [0.8, 1.92]
    >>> [round(w, 6) for w in optimizer_trajectory(optimizer="nesterov", x=[1, 2], y=[2, 3],
    ...     w0=0, lr=0.1, steps=2, batch="full", reduction="half_sum", momentum=0.9,
    ...     nesterov_form="lookahead")]
    [0.8, 1.56]
    """
    optimizer = as_choice("optimizer", optimizer, OPTIMIZERS)
    xs, ys = _data(x, y)
    w = np.float64(as_float("w0", w0))
    lr = as_float("lr", lr, min=0, min_open=True)
    steps = as_int("steps", steps, min=1, max=MAX_STEPS)
    batch = as_choice("batch", batch, ("full", "sequential"))
    reduction = as_choice("reduction", reduction, ("mean", "sum", "half_sum"))
    momentum = as_float("momentum", momentum, min=0, max=1)
    alpha = as_float("alpha", alpha, min=0, max=1)
    beta1 = as_float("beta1", beta1, min=0, max=1, max_open=True)
    beta2 = as_float("beta2", beta2, min=0, max=1, max_open=True)
    eps = as_float("eps", eps, min=0)
    weight_decay = as_float("weight_decay", weight_decay, min=0)
    lookahead = as_choice("nesterov_form", nesterov_form, ("pytorch", "lookahead")) == "lookahead"
    if optimizer == "nesterov" and momentum == 0 and not lookahead:
        fail("momentum", _("для nesterov момент должен быть больше 0 (как в torch.optim.SGD)"))

    n = xs.size
    trajectory = []
    buf = sq = m = v = None
    velocity = np.float64(0.0)
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            if batch == "full":
                bx, by = xs, ys
            else:
                i = (t - 1) % n
                bx, by = xs[i : i + 1], ys[i : i + 1]
            at = w + momentum * velocity if optimizer == "nesterov" and lookahead else w
            r = at * bx - by
            if reduction == "half_sum":
                g = (r * bx).sum()
            else:
                g = (2.0 * r * bx).sum()
                if reduction == "mean":
                    g = g / bx.size

            if optimizer == "sgd":
                w = w - lr * g
            elif optimizer == "nesterov" and lookahead:
                velocity = momentum * velocity - lr * g
                w = w + velocity
            elif optimizer in ("momentum", "nesterov"):
                buf = g if buf is None else buf * momentum + g
                w = w - lr * (g + momentum * buf if optimizer == "nesterov" else buf)
            elif optimizer == "rmsprop":
                sq = (1.0 - alpha) * g * g if sq is None else sq * alpha + (1.0 - alpha) * g * g
                w = w - lr * (g / (np.sqrt(sq) + eps))
            else:
                if optimizer == "adamw":
                    w = w * (1.0 - lr * weight_decay)
                m = _lerp(np.float64(0.0) if m is None else m, g, 1.0 - beta1)
                v = (1.0 - beta2) * g * g if v is None else v * beta2 + (1.0 - beta2) * g * g
                step_size = lr / (1.0 - beta1**t)
                denom = np.sqrt(v) / (1.0 - beta2**t) ** 0.5 + eps
                w = w - step_size * (m / denom)
            if not math.isfinite(w):
                _diverged("lr")
            trajectory.append(float(w))
    return trajectory


@engine("logistic_regression_step")
def logistic_regression_step(*, x, y, w0, b0=None, lr, steps=1, reduction):
    """Weights of a one-feature logistic regression after plain gradient-descent steps.

    The model is p = σ(w·x + b) (without intercept when ``b0`` is null); the loss is the binary
    cross-entropy of p against labels y ∈ [0, 1], reduced over all samples by "mean" or "sum".
    Every step uses all samples: w ← w − lr·Σ(p − y)·x (÷N for mean), b likewise with Σ(p − y).
    This is the gradient torch's autograd gives for ``BCEWithLogitsLoss``. Returns
    ``{"w": …, "b": …}`` with b null for a model without intercept.

    >>> r = logistic_regression_step(x=[-5], y=[1], w0=1, lr=0.01, reduction="mean")
    >>> round(r["w"], 6), r["b"]
    (0.950335, None)
    """
    xs, ys = _data(x, y)
    if np.any((ys < 0) | (ys > 1)):
        fail("y", _("метки должны лежать в [0, 1]"))
    w = np.float64(as_float("w0", w0))
    b = None if b0 is None else np.float64(as_float("b0", b0))
    lr = as_float("lr", lr, min=0, min_open=True)
    steps = as_int("steps", steps, min=1, max=MAX_STEPS)
    reduction = as_choice("reduction", reduction, ("mean", "sum"))
    scale = 1.0 / xs.size if reduction == "mean" else 1.0
    with np.errstate(all="ignore"):
        for _step in range(steps):
            z = w * xs if b is None else w * xs + b
            dz = (sigmoid(z) - ys) * scale
            w = w - lr * (dz * xs).sum()
            if b is not None:
                b = b - lr * dz.sum()
            if not math.isfinite(w) or (b is not None and not math.isfinite(b)):
                _diverged("lr")
    return {"w": float(w), "b": None if b is None else float(b)}


def _norm_type(value) -> float:
    """A p > 0, or infinity given as "inf" (JSON has no infinity) or as a float."""
    if value == "inf" or (isinstance(value, float) and value == math.inf):
        return math.inf
    return as_float("norm_type", value, min=0, min_open=True)


def _gradients(value) -> list[np.ndarray]:
    if not isinstance(value, (list, tuple)) or not value:
        fail("grads", _("ожидался непустой список градиентов (каждый — число или массив)"))
    if len(value) > MAX_TENSORS:
        fail(
            "grads",
            _("слишком много градиентов (%(n)s), допустимо не больше %(max)s")
            % {"n": len(value), "max": MAX_TENSORS},
            code="too_large",
        )
    grads, total = [], 0
    for i, item in enumerate(value):
        g = as_array(f"grads[{i}]", item)
        if g.size == 0:
            fail(f"grads[{i}]", _("пустой градиент"))
        total += g.size
        if total > MAX_ELEMENTS:
            fail("grads", _("слишком много чисел в градиентах"), code="too_large")
        grads.append(g)
    return grads


def _p_norm(values: np.ndarray, p: float) -> np.float64:
    values = np.abs(values.ravel())
    if p == math.inf:
        return values.max()
    if p == 1:
        return values.sum()
    if p == 2:
        return np.sqrt(np.dot(values, values))
    return (values**p).sum() ** (1.0 / p)


@engine("clip_grad_norm")
def clip_grad_norm(*, grads, max_norm, norm_type=2):
    """Gradients clipped by their total norm, as torch.nn.utils.clip_grad_norm_ does it.

    ``grads`` is a list of gradients (each a number, a vector or an array of any shape — the
    flattened tensors of a model); the total norm is the ``norm_type``-norm (p > 0, or "inf" for
    the largest |g|) of all of them together. When max_norm/(total + 1e-6) < 1 every gradient is
    multiplied by it, otherwise all stay as they are. Returns ``{"total_norm": …, "clipped":
    [...]}`` with the gradients in the shapes given.

    >>> out = clip_grad_norm(grads=[[3, 0], [4]], max_norm=1)
    >>> out["total_norm"], [[round(v, 6) for v in g] for g in out["clipped"]]
    (5.0, [[0.6, 0.0], [0.8]])
    >>> clip_grad_norm(grads=[[3, -4]], max_norm=10, norm_type="inf")
    {'total_norm': 4.0, 'clipped': [[3.0, -4.0]]}
    """
    arrays = _gradients(grads)
    max_norm = as_float("max_norm", max_norm, min=0, min_open=True)
    p = _norm_type(norm_type)
    with np.errstate(over="ignore"):  # compute() refuses a non-finite total
        norms = np.array([_p_norm(g, p) for g in arrays])
        total = _p_norm(norms, p)
        coef = min(max_norm / (total + 1e-6), 1.0)
        clipped = [(g * coef).tolist() for g in arrays]
    return {"total_norm": float(total), "clipped": clipped}
