"""Batch normalization in training mode, as PyTorch computes it.

Convention (PyTorch ``F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)``, the
forward of ``nn.BatchNorm1d/2d`` in training mode): for every feature (channel, axis 1) the
batch mean μ and the *biased* variance σ² = mean((x − μ)²) (divisor N, not N − 1) are taken
over the batch (and the spatial axes, if any); y = γ·(x − μ)/√(σ² + eps) + β. Torch refuses a
batch with a single value per channel in training mode, and so does this engine. (The running
variance torch stores for inference is the unbiased one; it does not enter this output.)
"""

from __future__ import annotations

import numpy as np

from grader.engines._args import as_array, as_float, fail
from grader.engines.registry import engine

__all__ = ["batchnorm"]


def _feature_vector(arg: str, value, features: int, default: float) -> np.ndarray:
    if value is None:
        return np.full(features, default)
    v = as_array(arg, value)
    if v.ndim == 0:
        v = v.reshape(1)
    if v.shape != (features,):
        got = "×".join(map(str, v.shape))
        fail(arg, f"длина {arg} ({got}) не совпадает с числом признаков x ({features})")
    return v


@engine("batchnorm")
def batchnorm(*, x, gamma=None, beta=None, eps=1e-5):
    """Batch normalization of x (N×F) in training mode with biased variance (torch batch_norm).

    Each column is standardized with its batch mean and biased variance (divisor N), then
    scaled by ``gamma`` and shifted by ``beta`` (defaults: ones and zeros). Inputs N×C×L and
    N×C×H×W are normalized per channel over the batch and spatial axes, as in torch. At least
    two values per feature are required.

    >>> batchnorm(x=[[1], [3]], gamma=[1], beta=[0], eps=0)
    [[-1.0], [1.0]]
    """
    xs = as_array("x", x)
    if xs.ndim < 2 or xs.ndim > 4:
        got = "×".join(map(str, xs.shape)) or "скаляр"
        fail("x", f"ожидалась матрица N×F (или N×C×L, N×C×H×W), получена форма {got}")
    features = xs.shape[1]
    per_feature = xs.size // features if features else 0
    if features == 0 or per_feature < 2:
        fail(
            "x",
            "в режиме обучения нужно больше одного значения на признак "
            f"(форма x {'×'.join(map(str, xs.shape))}); при N = 1 batch norm не определён",
        )
    g = _feature_vector("gamma", gamma, features, 1.0)
    b = _feature_vector("beta", beta, features, 0.0)
    eps = as_float("eps", eps, min=0)

    axes = (0,) + tuple(range(2, xs.ndim))
    shape = (1, features) + (1,) * (xs.ndim - 2)
    with np.errstate(over="ignore", invalid="ignore"):  # compute() refuses non-finite answers
        mean = xs.mean(axis=axes, keepdims=True)
        centered = xs - mean
        var = (centered * centered).mean(axis=axes, keepdims=True)
        if not np.all(np.isfinite(var)):
            fail("x", "слишком большие значения: дисперсия не помещается в float64", "not_finite")
        denom = np.sqrt(var + eps)
        if np.any(denom == 0):
            fail("eps", "дисперсия признака равна нулю, а eps = 0: деление на ноль")
        return (centered / denom * g.reshape(shape) + b.reshape(shape)).tolist()
