"""Softmax and the classification losses, as PyTorch computes them.

Convention (PyTorch):

* ``softmax`` is ``torch.softmax(z / T, dim=-1)``: the temperature divides the logits first, and
  the maximum is subtracted before ``exp``, so large logits do not overflow.
* ``cross_entropy`` is ``F.cross_entropy(logits, targets)`` with the default mean reduction over
  the samples: the mean of −log softmax(logits)[n, targets[n]]. The log-softmax is computed as
  z − max − log Σ exp(z − max), so it is exact for large logits too.
* ``binary_logloss`` is ``F.binary_cross_entropy(p, y)`` with mean reduction. Like torch, each log
  is clamped at −100, so p = 0 or p = 1 gives a finite loss (at most 100 per sample) instead of
  infinity, and log(1 − p) is computed as ``log1p(−p)``. Soft targets y ∈ [0, 1] are allowed.
* ``softmax_cross_entropy`` is ``F.cross_entropy(logits, target, label_smoothing=ε,
  reduction=...)`` together with the gradient autograd leaves in ``logits.grad``. With C classes
  the smoothed target is q = (1 − ε)·onehot(target) + ε/C, the loss of a sample is
  −Σ_c q_c·log softmax(z)_c and its gradient softmax(z) − q; "mean" divides the sum over the
  samples (and the gradient) by N. A vector of logits with an int target is one sample, as torch's
  unbatched input.
"""

from __future__ import annotations

import numpy as np

from grader.engines._args import (
    as_array,
    as_choice,
    as_float,
    as_int,
    as_int_list,
    fail,
    shape_text,
)
from grader.engines.registry import engine
from grader.i18n import _

__all__ = [
    "softmax",
    "cross_entropy",
    "softmax_cross_entropy",
    "binary_logloss",
    "log_softmax",
    "bce_elementwise",
]

LOG_CLAMP = -100.0  # torch clamps both logs of binary_cross_entropy at −100


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax along the last axis, stable for large |z|."""
    with np.errstate(over="ignore", invalid="ignore"):  # a non-finite result is refused later
        shifted = z - z.max(axis=-1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def bce_elementwise(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per-element binary cross-entropy with torch's −100 clamp of both logs."""
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), LOG_CLAMP)
        log_q = np.maximum(np.log1p(-p), LOG_CLAMP)
    # torch's kernel: (y − 1)·max(log1p(−p), −100) − y·max(log p, −100)
    return (y - 1.0) * log_q - y * log_p


@engine("softmax")
def softmax(*, z, temperature=1):
    """Softmax of the logits ``z`` at temperature T, along the last axis (torch.softmax(z / T)).

    ``z`` is a vector, or a matrix whose rows are normalized separately. T > 0; a larger T
    flattens the distribution, T → 0 approaches argmax. Equal logits get equal probabilities.

    >>> [round(v, 6) for v in softmax(z=[1, -2, 0])]
    [0.705385, 0.035119, 0.259496]
    >>> softmax(z=[1000, 1000])
    [0.5, 0.5]
    """
    zs = as_array("z", z)
    if zs.ndim == 0 or zs.shape[-1] == 0:
        fail("z", _("ожидался непустой вектор (или матрица) логитов"))
    t = as_float("temperature", temperature, min=0, min_open=True)
    with np.errstate(over="ignore", under="ignore"):
        scaled = zs / t
    if not np.all(np.isfinite(scaled)):
        fail("temperature", _("слишком маленькая температура: z / T не помещается в float64"))
    shifted = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    return (shifted / shifted.sum(axis=-1, keepdims=True)).tolist()


def _logits_and_targets(logits, targets, arg: str) -> tuple[np.ndarray, list[int], bool]:
    """Logits as an N×C matrix (a vector is one sample), N class indices, and whether the logits
    were a vector."""
    z = as_array("logits", logits)
    vector = z.ndim == 1
    if vector:
        z = z[np.newaxis, :]
        if isinstance(targets, (list, tuple)):
            t = as_int_list(arg, targets, min=0)
        else:
            t = [as_int(arg, targets, min=0)]
    elif z.ndim == 2:
        t = as_int_list(arg, targets, min=0)
    else:
        fail(
            "logits",
            _("ожидалась матрица N×C (или вектор C), получена форма %(shape_text)s")
            % {"shape_text": shape_text(z)},
        )
    n, c = z.shape
    if n == 0 or c == 0:
        fail("logits", _("пустая матрица логитов (форма %(n)s×%(c)s)") % {"n": n, "c": c})
    if len(t) != n:
        fail(
            arg,
            _("число меток (%(n_t)s) не совпадает с числом строк logits (форма %(n)s×%(c)s)")
            % {"n_t": len(t), "n": n, "c": c},
        )
    for i, k in enumerate(t):
        if k >= c:
            fail(
                f"{arg}[{i}]",
                _("номер класса %(k)s вне диапазона 0…%(c)s (классов %(c2)s)")
                % {"k": k, "c": c - 1, "c2": c},
            )
    return z, t, vector


@engine("cross_entropy")
def cross_entropy(*, logits, targets):
    """Mean cross-entropy of logits (N×C) against class indices (F.cross_entropy, mean).

    ``targets[n]`` is the index of the true class of sample n, 0 ≤ targets[n] < C. A single
    sample may be given as a vector of C logits with ``targets`` an int (or a one-element list).
    The loss is mean over n of −log softmax(logits[n])[targets[n]] (natural log).

    >>> round(cross_entropy(logits=[[2, 1, 0.1]], targets=[0]), 6)
    0.41703
    >>> round(cross_entropy(logits=[0, 0, 0, 0], targets=3), 6)
    1.386294
    """
    z, t, _vector = _logits_and_targets(logits, targets, "targets")
    n = z.shape[0]
    logp = log_softmax(z)
    return float(-logp[np.arange(n), t].mean())


@engine("binary_logloss")
def binary_logloss(*, y, p):
    """Mean binary cross-entropy of probabilities ``p`` for labels ``y`` (F.binary_cross_entropy).

    −mean(y·log p + (1 − y)·log(1 − p)) with natural logs, each log clamped at −100 as torch
    does (so p = 0 with y = 1 costs exactly 100, not infinity). ``y`` and ``p`` have the same
    shape and lie in [0, 1]; soft labels are allowed.

    >>> round(binary_logloss(y=[1, 0], p=[0.9, 0.2]), 6)
    0.164252
    >>> binary_logloss(y=[1], p=[0])
    100.0
    """
    ys = as_array("y", y)
    ps = as_array("p", p)
    if ys.shape != ps.shape:
        fail(
            "p",
            _("форма p (%(shape_text)s) не совпадает с формой y (%(shape_text2)s)")
            % {"shape_text": shape_text(ps), "shape_text2": shape_text(ys)},
        )
    if ys.size == 0:
        fail("y", _("пустой массив меток"))
    if np.any((ps < 0) | (ps > 1)):
        fail("p", _("вероятности должны лежать в [0, 1]"))
    if np.any((ys < 0) | (ys > 1)):
        fail("y", _("метки должны лежать в [0, 1]"))
    return float(bce_elementwise(ys, ps).mean())


@engine("softmax_cross_entropy")
def softmax_cross_entropy(*, logits, target, label_smoothing=0, reduction="mean") -> dict:
    """Cross-entropy of logits with label smoothing, and its gradient (F.cross_entropy + autograd).

    ``logits`` is N×C with ``target`` a list of N class indices, or a vector of C logits with an
    int ``target`` (one sample). The target distribution is (1 − ε)·onehot + ε/C with
    ε = ``label_smoothing`` ∈ [0, 1]; ``reduction`` is "mean" (over the samples) or "sum".
    Returns ``{"loss": float, "grad": dL/dlogits}``, the gradient in the shape of ``logits``:
    softmax(z) − target distribution, divided by N for "mean".

    >>> r = softmax_cross_entropy(logits=[0, 0], target=1, label_smoothing=0.2)
    >>> round(r["loss"], 6), r["grad"]
    (0.693147, [0.4, -0.4])
    """
    z, t, vector = _logits_and_targets(logits, target, "target")
    n, c = z.shape
    eps = as_float("label_smoothing", label_smoothing, min=0, max=1)
    reduction = as_choice("reduction", reduction, ("mean", "sum"))
    q = np.full((n, c), eps / c)
    q[np.arange(n), t] += 1.0 - eps
    logp = log_softmax(z)
    losses = -(q * logp).sum(axis=1)
    grad = np.exp(logp) - q
    if reduction == "mean":
        loss, grad = losses.mean(), grad / n
    else:
        loss = losses.sum()
    if vector:
        grad = grad[0]
    return {"loss": float(loss), "grad": grad.tolist()}
