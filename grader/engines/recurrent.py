"""One step of a recurrent cell, with PyTorch's weight layout and gate order.

Convention (PyTorch ``nn.RNNCell``, ``nn.LSTMCell``, ``nn.GRUCell``): the weights are
W_ih (k·H × input), W_hh (k·H × H) and biases b_ih, b_hh (k·H), where the k gate blocks are
stacked along the rows in this order:

* RNN (k = 1): h' = act(W_ih·x + b_ih + W_hh·h + b_hh), act = tanh or relu;
* LSTM (k = 4, blocks i, f, g, o): i, f, o = σ(…), g = tanh(…), c' = f∘c + i∘g, h' = o∘tanh(c');
* GRU (k = 3, blocks r, z, n): r, z = σ(W_i·x + b_i + W_h·h + b_h),
  n = tanh(W_in·x + b_in + r∘(W_hn·h + b_hn)) (the reset gate multiplies W_hn·h *including* its
  bias b_hn, unlike the original paper), h' = (1 − z)∘n + z∘h.

Omitted biases are zeros; omitted h (and c) are zeros, as in torch.
"""

from __future__ import annotations

import numpy as np

from grader.engines._args import as_array, as_choice, as_vector, fail
from grader.engines.activations import sigmoid
from grader.engines.registry import engine
from grader.i18n import _

__all__ = ["rnn_cell", "CELLS"]

CELLS = {"rnn": 1, "lstm": 4, "gru": 3}


def _vector(arg: str, value, size: int, what: str) -> np.ndarray:
    return as_vector(
        arg,
        value,
        size,
        mismatch=lambda got: (
            _("ожидался вектор длины %(size)s (%(what)s), получена форма %(got)s")
            % {"size": size, "what": what, "got": got}
        ),
    )


@engine("rnn_cell")
def rnn_cell(*, cell, x, h=None, c=None, W_ih, W_hh, b_ih=None, b_hh=None, nonlinearity="tanh"):
    """New hidden state (and cell state for LSTM) after one step of an RNN/LSTM/GRU cell (torch).

    ``cell`` is "rnn", "lstm" or "gru"; shapes and gate order follow torch's RNNCell, LSTMCell
    and GRUCell (LSTM blocks i, f, g, o; GRU blocks r, z, n). ``nonlinearity`` ("tanh" or
    "relu") applies to "rnn" only; ``c`` is given for "lstm" only. Returns ``{"h": h', "c": c'}``
    with c null except for LSTM.

    >>> rnn_cell(cell="rnn", x=[1], h=[0], W_ih=[[2]], W_hh=[[1]], b_ih=[-2])
    {'h': [0.0], 'c': None}
    >>> r = rnn_cell(cell="lstm", x=[1], W_ih=[[0], [0], [1], [0]], W_hh=[[0]] * 4)
    >>> [round(v, 6) for v in r["c"]], [round(v, 6) for v in r["h"]]
    ([0.380797], [0.1817])
    """
    cell = as_choice("cell", cell, tuple(CELLS))
    k = CELLS[cell]
    xv = as_vector("x", x, mismatch=lambda _shape: _("ожидался непустой вектор входа"))
    w_hh = as_array("W_hh", W_hh, ndim=2)
    rows, hidden = w_hh.shape
    if hidden == 0 or rows != k * hidden:
        fail(
            "W_hh",
            _("для %(cell)s ожидалась форма %(k)s·H×H, получена %(rows)s×%(hidden)s")
            % {"cell": cell, "k": k, "rows": rows, "hidden": hidden}
            + (
                _(" (блоки %(value)s)") % {"value": "i, f, g, o" if cell == "lstm" else "r, z, n"}
                if k > 1
                else ""
            ),
        )
    w_ih = as_array("W_ih", W_ih, ndim=2)
    if w_ih.shape != (k * hidden, xv.size):
        fail(
            "W_ih",
            _("ожидалась форма %(k)s×%(size)s (%(k2)s·H × длина x), получена %(shape)s×%(shape2)s")
            % {
                "k": k * hidden,
                "size": xv.size,
                "k2": k,
                "shape": w_ih.shape[0],
                "shape2": w_ih.shape[1],
            },
        )
    hv = _vector("h", h, hidden, _("размер скрытого состояния H, как у W_hh"))
    bi = _vector("b_ih", b_ih, k * hidden, f"{k}·H")
    bh = _vector("b_hh", b_hh, k * hidden, f"{k}·H")
    nonlinearity = as_choice("nonlinearity", nonlinearity, ("tanh", "relu"))
    if cell != "rnn" and nonlinearity != "tanh":
        fail(
            "nonlinearity",
            _("nonlinearity задаётся только для rnn, не для %(cell)s") % {"cell": cell},
        )
    if cell != "lstm" and c is not None:
        fail("c", _("состояние ячейки c бывает только у lstm"))

    with np.errstate(over="ignore", invalid="ignore"):  # compute() refuses non-finite answers
        gi = w_ih @ xv + bi
        gh = w_hh @ hv + bh
        if cell == "rnn":
            pre = gi + gh
            new_h = np.tanh(pre) if nonlinearity == "tanh" else np.where(pre > 0, pre, 0.0)
            return {"h": new_h.tolist(), "c": None}
        if cell == "lstm":
            cv = _vector("c", c, hidden, _("размер скрытого состояния H"))
            i, f, g, o = np.split(gi + gh, 4)
            new_c = sigmoid(f) * cv + sigmoid(i) * np.tanh(g)
            return {"h": (sigmoid(o) * np.tanh(new_c)).tolist(), "c": new_c.tolist()}
        ir, iz, in_ = np.split(gi, 3)
        hr, hz, hn = np.split(gh, 3)
        r = sigmoid(ir + hr)
        z = sigmoid(iz + hz)
        n = np.tanh(in_ + r * hn)
        # torch's CPU kernel writes h' = (h − n)·z + n, algebraically (1 − z)·n + z·h
        return {"h": ((hv - n) * z + n).tolist(), "c": None}
