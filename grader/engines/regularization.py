"""Regularization: inverted dropout, ridge shrinkage of a mean, statistics of a dropout mask.

Conventions followed:

* ``dropout`` is inverted dropout as ``torch.nn.Dropout`` and ``keras.layers.Dropout``: during
  training a kept element is divided by 1 − rate, a dropped one becomes 0; at inference the input
  passes unchanged. ``rate`` is the probability to drop. Which elements are dropped is given
  explicitly (flat indices in row-major order, as ``numpy.ravel`` / ``torch.flatten``).
* ``ridge_mean`` is the L2-penalised least-squares estimate of a constant (ridge regression on a
  column of ones without intercept).
* ``dropout_layer_stats`` treats each of n neurons as dropped independently with probability p.
"""

from __future__ import annotations

import math

from grader.engines._args import as_array, as_bool, as_float, as_int, as_int_list, fail
from grader.engines.registry import engine
from grader.i18n import _

__all__ = ["dropout", "ridge_mean", "dropout_layer_stats"]

MAX_NEURONS = 10**12  # p**n and n·p stay well inside float range


@engine("dropout")
def dropout(*, x, rate, dropped, training=True):
    """Inverted dropout of ``x`` (any shape) with the dropped elements given by flat indices.

    Training: dropped elements → 0, kept elements → x / (1 − rate) (``torch.nn.Dropout``,
    ``keras.layers.Dropout``). ``training=False``: ``x`` unchanged (``dropped`` is still checked).
    With rate 0 nothing can be dropped.

    >>> dropout(x=[1, 0.5, -1], rate=0.75, dropped=[0, 2])
    [0.0, 2.0, 0.0]
    >>> dropout(x=[[1, 2], [3, 4]], rate=0.5, dropped=[1], training=False)
    [[1.0, 2.0], [3.0, 4.0]]
    """
    array = as_array("x", x)
    rate = as_float("rate", rate, min=0.0, max=1.0, max_open=True)
    training = as_bool("training", training)
    if isinstance(dropped, (list, tuple)) and len(dropped) > array.size:
        fail(
            "dropped",
            _("индексов (%(n_dropped)s) больше, чем элементов x (%(size)s)")
            % {"n_dropped": len(dropped), "size": array.size},
        )
    indices = as_int_list("dropped", dropped, min=0)
    for i, index in enumerate(indices):
        if index >= array.size:
            fail(
                f"dropped[{i}]",
                _("индекс %(index)s вне x: у x %(size)s элементов (индексы с 0)")
                % {"index": index, "size": array.size},
                "out_of_range",
            )
    if len(set(indices)) != len(indices):
        fail("dropped", _("индексы не должны повторяться"), "duplicate")
    if rate == 0 and indices:
        fail("dropped", _("при rate = 0 ни один элемент не может быть выключен"), "inconsistent")
    if not training:
        return array.tolist()
    # a flat copy: indexing a 0-d array would not work and x must not be modified
    out = array.reshape(-1) / (1.0 - rate)
    out[indices] = 0.0
    return out.reshape(array.shape).tolist()


@engine("ridge_mean")
def ridge_mean(*, y, lam) -> float:
    """Ridge estimate of a constant: argmin_β Σ(y_i − β)² + λβ² = Σy / (n + λ).

    λ = 0 gives the ordinary mean; it is the ridge solution (XᵀX + λI)⁻¹Xᵀy with X a column of
    ones.

    >>> ridge_mean(y=[1, 2, 3, 4], lam=4)
    1.25
    """
    values = as_array("y", y, ndim=1)
    lam = as_float("lam", lam, min=0.0)
    if values.size == 0:
        fail("y", _("нужно хотя бы одно наблюдение"), "empty")
    return math.fsum(values.tolist()) / (values.size + lam)


@engine("dropout_layer_stats")
def dropout_layer_stats(*, n, p) -> dict:
    """Statistics of dropout over n neurons: P(all dropped), mean and variance of the number kept.

    Each neuron is dropped independently with probability p, so the number kept is
    Binomial(n, 1 − p): p_all_dropped = pⁿ, mean_kept = n(1 − p), var_kept = np(1 − p).

    >>> dropout_layer_stats(n=4, p=0.5)
    {'p_all_dropped': 0.0625, 'mean_kept': 2.0, 'var_kept': 1.0}
    """
    n = as_int("n", n, min=1, max=MAX_NEURONS)
    p = as_float("p", p, min=0.0, max=1.0)
    return {"p_all_dropped": p**n, "mean_kept": n * (1.0 - p), "var_kept": n * p * (1.0 - p)}
