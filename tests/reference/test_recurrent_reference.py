"""The rnn_cell engine against torch.nn.RNNCell, LSTMCell and GRUCell (float64, unbatched)."""

import numpy as np
import pytest
import torch

from grader.engines.registry import compute

N_VARIANTS = 700  # per cell type

GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def t64(value):
    # torch.tensor of Python floats would be float32 (the default dtype): always pass float64
    return torch.tensor(value, dtype=torch.float64)


def torch_cell(cell, x, h, c, w_ih, w_hh, b_ih, b_hh, nonlinearity):
    hidden, size = len(h), len(x)
    kw = {"dtype": torch.float64, "bias": b_ih is not None}
    if cell == "rnn":
        module = torch.nn.RNNCell(size, hidden, nonlinearity=nonlinearity, **kw)
    elif cell == "lstm":
        module = torch.nn.LSTMCell(size, hidden, **kw)
    else:
        module = torch.nn.GRUCell(size, hidden, **kw)
    with torch.no_grad():
        module.weight_ih.copy_(t64(w_ih))
        module.weight_hh.copy_(t64(w_hh))
        if b_ih is not None:
            module.bias_ih.copy_(t64(b_ih))
            module.bias_hh.copy_(t64(b_hh))
        xt = t64(x)
        ht = t64(h)
        if cell == "lstm":
            new_h, new_c = module(xt, (ht, t64(c)))
            return new_h.numpy(), new_c.numpy()
        return module(xt, ht).numpy(), None


def draw(rng, shape):
    if rng.random() < 0.4:
        return rng.integers(-4, 5, shape) / rng.choice([2.0, 4.0, 10.0])
    return rng.normal(0, rng.choice([0.5, 1.0, 3.0]), shape)


@pytest.mark.parametrize("cell", list(GATES))
def test_random_cells(cell):
    rng = np.random.default_rng(30 + GATES[cell])
    k = GATES[cell]
    for _ in range(N_VARIANTS):
        size, hidden = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        x, h = draw(rng, size).tolist(), draw(rng, hidden).tolist()
        c = draw(rng, hidden).tolist() if cell == "lstm" else None
        w_ih = draw(rng, (k * hidden, size)).tolist()
        w_hh = draw(rng, (k * hidden, hidden)).tolist()
        with_bias = rng.random() < 0.7
        b_ih = draw(rng, k * hidden).tolist() if with_bias else None
        b_hh = draw(rng, k * hidden).tolist() if with_bias else None
        nonlinearity = str(rng.choice(["tanh", "relu"])) if cell == "rnn" else "tanh"
        args = dict(x=x, h=h, W_ih=w_ih, W_hh=w_hh, b_ih=b_ih, b_hh=b_hh)
        if cell == "lstm":
            args["c"] = c
        if cell == "rnn":
            args["nonlinearity"] = nonlinearity
        out = compute("rnn_cell", cell=cell, **args)
        ref_h, ref_c = torch_cell(cell, x, h, c, w_ih, w_hh, b_ih, b_hh, nonlinearity)
        np.testing.assert_allclose(out["h"], ref_h, rtol=1e-9, atol=1e-14, err_msg=str(args))
        if cell == "lstm":
            np.testing.assert_allclose(out["c"], ref_c, rtol=1e-9, atol=1e-14, err_msg=str(args))
        else:
            assert out["c"] is None


def test_omitted_state_is_zeros_like_torch():
    w_ih = [[0.3, -0.2]] * 8
    w_hh = [[0.1, 0.4]] * 8
    module = torch.nn.LSTMCell(2, 2, bias=False, dtype=torch.float64)
    with torch.no_grad():
        module.weight_ih.copy_(t64(w_ih))
        module.weight_hh.copy_(t64(w_hh))
        ref_h, ref_c = module(t64([1.0, 2.0]))
    out = compute("rnn_cell", cell="lstm", x=[1, 2], W_ih=w_ih, W_hh=w_hh)
    np.testing.assert_allclose(out["h"], ref_h.numpy(), rtol=1e-12)
    np.testing.assert_allclose(out["c"], ref_c.numpy(), rtol=1e-12)
