"""Batch normalization: the training-mode output and the running statistics (PyTorch, Keras).

Convention (PyTorch ``F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)``, the
forward of ``nn.BatchNorm1d/2d`` in training mode): for every feature (channel, axis 1) the
batch mean μ and the *biased* variance σ² = mean((x − μ)²) (divisor N, not N − 1) are taken
over the batch (and the spatial axes, if any); y = γ·(x − μ)/√(σ² + eps) + β. Torch refuses a
batch with a single value per channel in training mode, and so does this engine. (The running
variance torch stores for inference is the unbiased one; it does not enter this output.)

Running statistics (``batchnorm_running``), after each training batch, per feature:

* PyTorch (``nn.BatchNorm1d/2d``, default ``momentum=0.1``, ``eps=1e-5``):
  running_mean ← momentum·μ_B + (1 − momentum)·running_mean and
  running_var ← momentum·s²_B + (1 − momentum)·running_var with the *unbiased* batch variance
  s²_B = Σ(x − μ_B)²/(n − 1), n = values per feature in the batch (the output itself is
  normalised with the biased variance). Momentum is the weight of the *new* batch. Torch refuses
  a training batch with one value per feature, and so does this engine.
* Keras (``keras.layers.BatchNormalization``, default ``momentum=0.99``, ``epsilon=1e-3``):
  moving ← momentum·moving + (1 − momentum)·batch_stat — momentum is the weight of the *old*
  value — with the *biased* batch variance (divisor n); a batch of one value is allowed there.
  (Keras' torch backend computes that variance as E[x²] − E[x]²; the engine uses the exact
  Σ(x − μ)²/n, equal up to Keras' rounding.)

Both start from mean 0 and variance 1. In evaluation mode (``model.eval()`` / ``training=False``)
both compute y = γ·(x − running_mean)/√(running_var + eps) + β.

Layer normalization (``layernorm``, PyTorch ``F.layer_norm(x, (F,), gamma, beta, eps)``, the
forward of ``nn.LayerNorm(F)``): every sample (row, the last axis) is standardized with its own
mean and *biased* variance over its F features, y = γ·(x − μ)/√(σ² + eps) + β, γ and β having
one value per feature. It does not depend on the batch: the same in training and evaluation.
"""

from __future__ import annotations

import numpy as np

from grader.engines._args import as_array, as_choice, as_float, as_vector, fail, shape_text
from grader.engines.registry import engine
from grader.i18n import _

__all__ = ["batchnorm", "batchnorm_running", "layernorm", "CONVENTIONS"]

CONVENTIONS = {"pytorch": {"momentum": 0.1, "eps": 1e-5}, "keras": {"momentum": 0.99, "eps": 1e-3}}
MAX_BATCHES = 1000


def _feature_vector(arg: str, value, features: int, default: float) -> np.ndarray:
    return as_vector(
        arg,
        value,
        features,
        default=default,
        mismatch=lambda got: (
            _("длина %(arg)s (%(got)s) не совпадает с числом признаков x (%(features)s)")
            % {"arg": arg, "got": got, "features": features}
        ),
    )


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
        fail(
            "x",
            _("ожидалась матрица N×F (или N×C×L, N×C×H×W), получена форма %(shape_text)s")
            % {"shape_text": shape_text(xs)},
        )
    features = xs.shape[1]
    per_feature = xs.size // features if features else 0
    if features == 0 or per_feature < 2:
        fail(
            "x",
            _(
                "в режиме обучения нужно больше одного значения на признак (форма x "
                "%(shape_text)s); при N = 1 batch norm не определён"
            )
            % {"shape_text": shape_text(xs)},
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
            fail(
                "x", _("слишком большие значения: дисперсия не помещается в float64"), "not_finite"
            )
        denom = np.sqrt(var + eps)
        if np.any(denom == 0):
            fail("eps", _("дисперсия признака равна нулю, а eps = 0: деление на ноль"))
        return (centered / denom * g.reshape(shape) + b.reshape(shape)).tolist()


def _stat_batch(arg: str, value) -> np.ndarray:
    """A batch as N×F (a plain vector is N values of one feature), N×C×L or N×C×H×W."""
    xs = as_array(arg, value)
    if xs.ndim == 1:
        xs = xs[:, np.newaxis]
    if xs.ndim < 2 or xs.ndim > 4 or 0 in xs.shape:
        fail(
            arg,
            _(
                "ожидался вектор значений или матрица N×F (N×C×L, N×C×H×W), получена форма "
                "%(shape_text)s"
            )
            % {"shape_text": shape_text(xs)},
        )
    return xs


@engine("batchnorm_running")
def batchnorm_running(
    *,
    batches,
    running_mean=None,
    running_var=None,
    momentum=None,
    convention="pytorch",
    x=None,
    gamma=None,
    beta=None,
    eps=None,
) -> dict:
    """Running mean and variance of BatchNorm after training batches, and its eval-mode output.

    ``batches`` is a list of training batches, each a vector of values of one feature or an N×F
    matrix (N×C×L, N×C×H×W: per channel); the running statistics start from ``running_mean``
    and ``running_var`` (defaults 0 and 1, as both libraries) and are updated after every batch
    by the ``convention``: "pytorch" (momentum = weight of the new batch, default 0.1, unbiased
    batch variance) or "keras" (momentum = weight of the old value, default 0.99, biased variance);
    see the module docstring. If ``x`` is given, ``output`` is the eval-mode result
    γ·(x − running_mean)/√(running_var + eps) + β (eps defaults to 1e-5 / 1e-3); a vector ``x``
    holds values of a single feature, or one sample when there are several features.
    Returns ``{"running_mean": [...], "running_var": [...], "output": ... or null}``.

    >>> r = batchnorm_running(batches=[[1, 3, 5, 7]])
    >>> [round(v, 6) for v in r["running_mean"]], [round(v, 6) for v in r["running_var"]]
    ([0.4], [1.566667])
    >>> r = batchnorm_running(batches=[[1, 3, 5, 7]], convention="keras", momentum=0.9)
    >>> [round(v, 6) for v in r["running_mean"]], [round(v, 6) for v in r["running_var"]]
    ([0.4], [1.4])
    """
    convention = as_choice("convention", convention, tuple(CONVENTIONS))
    defaults = CONVENTIONS[convention]
    momentum = defaults["momentum"] if momentum is None else momentum
    momentum = as_float("momentum", momentum, min=0, max=1)
    eps = as_float("eps", defaults["eps"] if eps is None else eps, min=0)
    if not isinstance(batches, (list, tuple)):
        fail("batches", _("ожидался список батчей (каждый — вектор значений или матрица N×F)"))
    if len(batches) > MAX_BATCHES:
        fail(
            "batches",
            _("слишком много батчей (%(n_batches)s)") % {"n_batches": len(batches)},
            "too_large",
        )
    clean = [_stat_batch(f"batches[{i}]", b) for i, b in enumerate(batches)]
    features = None
    if clean:
        features = clean[0].shape[1]
    elif running_mean is not None:
        features = np.atleast_1d(as_array("running_mean", running_mean)).size
    elif running_var is not None:
        features = np.atleast_1d(as_array("running_var", running_var)).size
    elif x is not None:
        features = _stat_batch("x", x).shape[1] if np.ndim(x) != 1 else 1
    else:
        features = 1
    for i, b in enumerate(clean):
        if b.shape[1] != features:
            fail(
                f"batches[{i}]",
                _("число признаков (%(shape)s) не совпадает с первым батчем (%(features)s)")
                % {"shape": b.shape[1], "features": features},
                "shape_mismatch",
            )
        if convention == "pytorch" and b.size // features < 2:
            fail(
                f"batches[{i}]",
                _(
                    "в PyTorch батч с одним значением на признак в режиме обучения не допускается "
                    "(несмещённая дисперсия с делителем n − 1 не определена)"
                ),
                "too_few_values",
            )
    mean = _feature_vector("running_mean", running_mean, features, 0.0)
    var = _feature_vector("running_var", running_var, features, 1.0)
    if np.any(var < 0):
        fail("running_var", _("дисперсия не может быть отрицательной"))

    with np.errstate(over="ignore", invalid="ignore"):
        for b in clean:
            axes = (0,) + tuple(range(2, b.ndim))
            n = b.size // features
            batch_mean = b.mean(axis=axes)
            shape = (1, features) + (1,) * (b.ndim - 2)
            centered = b - batch_mean.reshape(shape)
            var_sum = (centered * centered).sum(axis=axes)
            if convention == "pytorch":
                # the order of torch's batch_norm_cpu_update_stats_template
                mean = momentum * batch_mean + (1 - momentum) * mean
                var = momentum * (var_sum / (n - 1)) + (1 - momentum) * var
            else:
                mean = mean * momentum + batch_mean * (1.0 - momentum)
                var = var * momentum + (var_sum / n) * (1.0 - momentum)
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(var))):
            fail(
                "batches",
                _("слишком большие значения: статистики не помещаются в float64"),
                "not_finite",
            )
        output = None
        if x is not None:
            xs = as_array("x", x)
            vector = xs.ndim == 1
            if vector:
                xs = xs[:, np.newaxis] if features == 1 else xs[np.newaxis, :]
            if xs.ndim < 2 or xs.ndim > 4 or xs.shape[1] != features:
                fail(
                    "x",
                    _("ожидалось %(features)s признак(ов) на объект, получена форма %(shape_text)s")
                    % {"features": features, "shape_text": shape_text(xs)},
                )
            g = _feature_vector("gamma", gamma, features, 1.0)
            b_ = _feature_vector("beta", beta, features, 0.0)
            shape = (1, features) + (1,) * (xs.ndim - 2)
            denom = np.sqrt(var + eps)
            if np.any(denom == 0):
                fail("eps", _("скользящая дисперсия равна нулю, а eps = 0: деление на ноль"))
            y = (xs - mean.reshape(shape)) / denom.reshape(shape) * g.reshape(shape) + b_.reshape(
                shape
            )
            if vector:
                y = y[:, 0] if features == 1 else y[0]
            output = y.tolist()
    return {"running_mean": mean.tolist(), "running_var": var.tolist(), "output": output}


@engine("layernorm")
def layernorm(*, x, gamma=None, beta=None, eps=1e-5):
    """Layer normalization of every row of x (N×F) over its features (torch F.layer_norm).

    Each row is standardized with its own mean and biased variance (divisor F), then scaled by
    ``gamma`` and shifted by ``beta`` (F values each; defaults: ones and zeros). A vector x is
    one sample; an N×L×F array (a batch of sequences) is normalized over its last axis too.

    >>> y = layernorm(x=[[1, 3], [2, 2]], gamma=[1, 2], beta=[0, 1], eps=0.5)
    >>> [[round(v, 6) for v in row] for row in y]  # row 1: μ = 2, σ² = 1, √(1 + 0.5)
    [[-0.816497, 2.632993], [0.0, 1.0]]
    """
    xs = as_array("x", x)
    if xs.ndim < 1 or xs.ndim > 3 or xs.size == 0:
        fail(
            "x",
            _(
                "ожидалась непустая матрица N×F (или вектор F, или N×L×F), получена форма "
                "%(shape_text)s"
            )
            % {"shape_text": shape_text(xs)},
        )
    features = xs.shape[-1]
    g = _feature_vector("gamma", gamma, features, 1.0)
    b = _feature_vector("beta", beta, features, 0.0)
    eps = as_float("eps", eps, min=0)
    with np.errstate(over="ignore", invalid="ignore"):  # compute() refuses non-finite answers
        # The mean is taken around the row's first value, so a constant row is centred to exact
        # zeros (then y = β exactly, as in torch) and large offsets lose fewer digits.
        first = xs[..., :1]
        centered = xs - (first + (xs - first).mean(axis=-1, keepdims=True))
        var = (centered * centered).mean(axis=-1, keepdims=True)
        if not np.all(np.isfinite(var)):
            fail(
                "x", _("слишком большие значения: дисперсия не помещается в float64"), "not_finite"
            )
        denom = np.sqrt(var + eps)
        if np.any(denom == 0):
            fail("eps", _("все значения строки равны, а eps = 0: деление на ноль"))
        return (centered / denom * g + b).tolist()
