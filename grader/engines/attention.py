"""Attention and the Transformer: scaled dot-product attention, parameter counts, positions.

Conventions (PyTorch):

* ``attention`` is ``F.scaled_dot_product_attention(q, k, v, attn_mask, is_causal, scale)`` for
  one head, q of shape Lq×d, k of shape Lk×d, v of shape Lk×dv: the scores q·kᵀ are multiplied
  by ``scale`` (default 1/√d), masked positions get −∞, each row goes through softmax (the
  attention *weights*), and the output is weights·v. ``mask`` is Lq×Lk with **true = not
  allowed** — the convention of ``nn.MultiheadAttention``'s ``attn_mask`` and of the
  ``src_mask``/``tgt_mask`` of ``nn.Transformer``; a boolean ``attn_mask`` of
  ``scaled_dot_product_attention`` means the opposite (true = may attend), so torch is called
  with ``~mask``. ``causal`` is torch's ``is_causal``: the allowed positions are
  ``ones(Lq, Lk).tril(diagonal=0)``, query i sees keys 0…i, aligned at the top-left corner even
  when Lq ≠ Lk. Torch refuses ``attn_mask`` together with ``is_causal``; the engine allows both
  and forbids a position if either forbids it. A row with every position forbidden has no
  softmax (torch ≥ 2.5 returns zeros there, older versions NaN); the engine refuses it.
* ``mha_params`` is ``sum(p.numel() for p in nn.MultiheadAttention(...).parameters())``:
  projections of q, k, v (E×E, E×kdim, E×vdim), their biases (3E), the output projection E×E
  and its bias E; ``bias=False`` drops all four biases.
* ``transformer_layer_params`` counts ``nn.TransformerEncoderLayer`` (self-attention, the
  feed-forward d→ff→d, two LayerNorms) or ``nn.TransformerDecoderLayer`` (self-attention, the
  attention over the encoder's output, the feed-forward, three LayerNorms); ``bias=False``
  removes the biases of the linear layers and of the LayerNorms (which keep their γ).
* ``positional_encoding`` is the sinusoidal encoding of "Attention Is All You Need":
  PE(pos, 2i) = sin(pos / base^(2i/d)), PE(pos, 2i+1) = cos(pos / base^(2i/d)); with an odd
  d_model the last (even) index is a sine.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from grader.engines._args import (
    MAX_ELEMENTS,
    as_array,
    as_bool,
    as_choice,
    as_float,
    as_int,
    fail,
    shape_text,
)
from grader.engines.registry import engine
from grader.i18n import _

__all__ = ["attention", "mha_params", "transformer_layer_params", "positional_encoding"]

MAX_WORK = 20_000_000  # multiplications of one attention call: Lq·Lk·(d + dv)
MAX_DIM = 1_000_000  # widths of layers whose parameters are counted
MAX_D_MODEL = 100_000  # length of one positional encoding vector
MAX_POSITION = 10**9


def _matrix(arg: str, value) -> np.ndarray:
    m = as_array(arg, value)
    if m.ndim != 2 or 0 in m.shape:
        fail(
            arg,
            _("ожидалась непустая матрица (строки — позиции), получена форма %(shape_text)s")
            % {"shape_text": shape_text(m)},
        )
    return m


def _mask(value, lq: int, lk: int) -> np.ndarray:
    """A Lq×Lk matrix of true/false (or 1/0), true = the position is not allowed."""
    if not isinstance(value, (list, tuple)) or len(value) != lq:
        fail(
            "mask",
            _(
                "ожидалась матрица %(lq)s×%(lk)s из true/false "
                "(строки — запросы q, столбцы — ключи k)"
            )
            % {"lq": lq, "lk": lk},
        )
    rows = []
    for i, row in enumerate(value):
        if not isinstance(row, (list, tuple)) or len(row) != lk:
            fail(
                "mask",
                _("строка %(i)s: ожидалось %(lk)s значений true/false (по числу ключей k)")
                % {"i": i, "lk": lk},
            )
        for item in row:
            if not isinstance(item, (bool, np.bool_)) and not (
                isinstance(item, Real) and item in (0, 1)
            ):
                fail(
                    "mask",
                    (_("ожидались true/false (или 1/0), получено %(item)r") % {"item": item})[:200],
                )
        rows.append([bool(item) for item in row])
    return np.array(rows, dtype=bool).reshape(lq, lk)


@engine("attention")
def attention(*, q, k, v, mask=None, causal=False, scale=None) -> dict:
    """Weights and output of scaled dot-product attention (torch F.scaled_dot_product_attention).

    ``q`` is Lq×d, ``k`` is Lk×d, ``v`` is Lk×dv (rows are positions). The weights are
    softmax(scale·q·kᵀ) row by row, ``scale`` defaulting to 1/√d; ``mask`` (Lq×Lk, true = not
    allowed, as in nn.MultiheadAttention) and ``causal`` (query i sees keys 0…i) forbid
    positions, which get weight 0. Returns ``{"weights": Lq×Lk, "output": Lq×dv}``; a query with
    every key forbidden is an error.

    >>> r = attention(q=[[1, 0]], k=[[1, 0], [0, 1]], v=[[1, 2], [3, 4]], scale=math.log(3))
    >>> [round(w, 6) for w in r["weights"][0]], [round(o, 6) for o in r["output"][0]]
    ([0.75, 0.25], [1.5, 2.5])
    """
    qs, ks, vs = _matrix("q", q), _matrix("k", k), _matrix("v", v)
    (lq, d), (lk, dv) = qs.shape, vs.shape
    if ks.shape[1] != d:
        fail(
            "k",
            _("ширина k (%(dk)s) не совпадает с шириной q (%(d)s): скалярное произведение q·k")
            % {"dk": ks.shape[1], "d": d},
            "shape_mismatch",
        )
    if vs.shape[0] != ks.shape[0]:
        fail(
            "v",
            _("число строк v (%(lv)s) не совпадает с числом ключей k (%(lk)s)")
            % {"lv": vs.shape[0], "lk": ks.shape[0]},
            "shape_mismatch",
        )
    if lq * lk > MAX_ELEMENTS or lq * lk * (d + dv) > MAX_WORK:
        fail(
            "q",
            _(
                "слишком большая задача: Lq·Lk = %(cells)s (не больше %(max_cells)s), "
                "Lq·Lk·(d + dv) = %(work)s (не больше %(max)s)"
            )
            % {
                "cells": lq * lk,
                "max_cells": MAX_ELEMENTS,
                "work": lq * lk * (d + dv),
                "max": MAX_WORK,
            },
            "too_large",
        )
    causal = as_bool("causal", causal)
    scale = 1.0 / math.sqrt(d) if scale is None else as_float("scale", scale)
    forbidden = np.zeros((lq, lk), dtype=bool) if mask is None else _mask(mask, lq, lk)
    if causal:
        forbidden |= ~np.tri(lq, lk, dtype=bool)
    blocked = np.flatnonzero(forbidden.all(axis=1))
    if blocked.size:
        fail(
            "mask" if mask is not None else "causal",
            _(
                "у запроса %(row)s запрещены все ключи: softmax по пустому набору не определён "
                "(PyTorch вернёт нули или NaN)"
            )
            % {"row": int(blocked[0])},
            "fully_masked",
        )
    with np.errstate(over="ignore", invalid="ignore"):  # compute() refuses non-finite answers
        scores = (qs @ ks.T) * scale
        if not np.all(np.isfinite(scores)):
            fail("q", _("слишком большие значения: q·kᵀ не помещается в float64"), "not_finite")
        scores[forbidden] = -np.inf
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        weights = e / e.sum(axis=1, keepdims=True)
        output = weights @ vs
    return {"weights": weights.tolist(), "output": output.tolist()}


def _mha_count(embed_dim: int, num_heads: int, bias: bool, kdim: int, vdim: int) -> int:
    projections = embed_dim * (embed_dim + kdim + vdim) + embed_dim * embed_dim
    return projections + (4 * embed_dim if bias else 0)


def _heads(arg_dim: str, dim: int, num_heads: int) -> None:
    if dim % num_heads:
        fail(
            arg_dim,
            _(
                "%(dim)s не делится на число голов %(heads)s: у каждой головы должно быть "
                "поровну признаков"
            )
            % {"dim": dim, "heads": num_heads},
        )


@engine("mha_params")
def mha_params(*, embed_dim, num_heads, bias=True, kdim=None, vdim=None) -> int:
    """Number of parameters of nn.MultiheadAttention(embed_dim, num_heads, bias, kdim, vdim).

    E·(E + kdim + vdim) weights of the q, k, v projections plus E² of the output projection,
    plus 4E biases (3E of the input projections and E of the output one) unless ``bias`` is
    false. ``kdim`` and ``vdim`` default to ``embed_dim``; the number of heads does not change
    the count but must divide ``embed_dim``.

    >>> mha_params(embed_dim=512, num_heads=8)
    1050624
    >>> mha_params(embed_dim=4, num_heads=2, kdim=3, vdim=5, bias=False)
    64
    """
    embed_dim = as_int("embed_dim", embed_dim, min=1, max=MAX_DIM)
    num_heads = as_int("num_heads", num_heads, min=1, max=MAX_DIM)
    bias = as_bool("bias", bias)
    kdim = embed_dim if kdim is None else as_int("kdim", kdim, min=1, max=MAX_DIM)
    vdim = embed_dim if vdim is None else as_int("vdim", vdim, min=1, max=MAX_DIM)
    _heads("embed_dim", embed_dim, num_heads)
    return _mha_count(embed_dim, num_heads, bias, kdim, vdim)


@engine("transformer_layer_params")
def transformer_layer_params(*, d_model, nhead, dim_feedforward, layer="encoder", bias=True) -> int:
    """Number of parameters of nn.TransformerEncoderLayer or nn.TransformerDecoderLayer.

    An encoder layer (``layer="encoder"``) holds a self-attention block (as ``mha_params``), the
    feed-forward network Linear(d, ff) → Linear(ff, d) and two LayerNorms of d values γ and d
    values β; a decoder layer (``"decoder"``) adds the attention over the encoder's output and a
    third LayerNorm. ``bias=False`` removes every bias and every β, as torch does.

    >>> transformer_layer_params(d_model=512, nhead=8, dim_feedforward=2048)
    3152384
    >>> transformer_layer_params(d_model=512, nhead=8, dim_feedforward=2048, layer="decoder")
    4204032
    """
    d_model = as_int("d_model", d_model, min=1, max=MAX_DIM)
    nhead = as_int("nhead", nhead, min=1, max=MAX_DIM)
    ff = as_int("dim_feedforward", dim_feedforward, min=1, max=MAX_DIM)
    layer = as_choice("layer", layer, ("encoder", "decoder"))
    bias = as_bool("bias", bias)
    _heads("d_model", d_model, nhead)
    attentions, norms = (1, 2) if layer == "encoder" else (2, 3)
    attn = _mha_count(d_model, nhead, bias, d_model, d_model)
    feed_forward = 2 * d_model * ff + ((ff + d_model) if bias else 0)
    norm = 2 * d_model if bias else d_model
    return attentions * attn + feed_forward + norms * norm


@engine("positional_encoding")
def positional_encoding(*, position, d_model, base=10000) -> list[float]:
    """Sinusoidal positional encoding of one position ("Attention Is All You Need").

    Value 2i is sin(pos / base^(2i/d_model)) and value 2i + 1 is cos(pos / base^(2i/d_model)),
    i = 0, 1, …; the result has ``d_model`` values (with an odd d_model the last one is a sine).
    ``position`` counts from 0, where the encoding is [0, 1, 0, 1, …].

    >>> positional_encoding(position=0, d_model=5)
    [0.0, 1.0, 0.0, 1.0, 0.0]
    >>> [round(x, 6) for x in positional_encoding(position=1, d_model=4, base=100)]
    [0.841471, 0.540302, 0.099833, 0.995004]
    """
    position = as_int("position", position, min=0, max=MAX_POSITION)
    d_model = as_int("d_model", d_model, min=1, max=MAX_D_MODEL)
    base = as_float("base", base, min=0, min_open=True)
    pairs = np.arange(0, d_model, 2, dtype=np.float64)
    with np.errstate(over="ignore", under="ignore"):
        angles = position / np.power(base, pairs / d_model)
    if not np.all(np.isfinite(angles)):
        fail("base", _("слишком маленькое основание: pos / base^(2i/d) не помещается в float64"))
    encoding = np.empty(d_model)
    encoding[0::2] = np.sin(angles)
    encoding[1::2] = np.cos(angles[: d_model // 2])
    return encoding.tolist()
