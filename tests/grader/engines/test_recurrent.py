"""Unit tests of the rnn_cell engine (hand-computed; torch cell checks in tests/reference)."""

import math

import pytest

from grader.engines.recurrent import rnn_cell
from grader.engines.registry import compute
from grader.errors import EngineError


def sig(v):
    return 1 / (1 + math.exp(-v))


def test_vanilla_rnn_tanh_by_hand():
    out = rnn_cell(
        cell="rnn", x=[1, 2], h=[0.5], W_ih=[[0.1, 0.2]], W_hh=[[-1]], b_ih=[0.3], b_hh=[0.1]
    )
    assert out["h"] == pytest.approx([math.tanh(0.1 + 0.4 + 0.3 - 0.5 + 0.1)], rel=1e-12)
    assert out["c"] is None


def test_vanilla_rnn_relu():
    common = {"cell": "rnn", "x": [1], "h": [1], "W_ih": [[2]], "W_hh": [[-3]]}
    assert rnn_cell(**common, nonlinearity="relu")["h"] == [0.0]
    assert rnn_cell(**{**common, "W_hh": [[3]]}, nonlinearity="relu")["h"] == [5.0]


def test_lstm_gate_order_is_i_f_g_o():
    # one unit; each gate gets its own pre-activation through W_ih rows i, f, g, o
    out = rnn_cell(cell="lstm", x=[1], h=[0], c=[2], W_ih=[[0.5], [-1], [2], [1.5]], W_hh=[[0]] * 4)
    i, f, g, o = sig(0.5), sig(-1), math.tanh(2), sig(1.5)
    c = f * 2 + i * g
    assert out["c"] == pytest.approx([c], rel=1e-12)
    assert out["h"] == pytest.approx([o * math.tanh(c)], rel=1e-12)


def test_gru_reset_gate_multiplies_hidden_part_including_its_bias():
    # rows r, z, n; h = 1
    out = rnn_cell(
        cell="gru",
        x=[1],
        h=[1],
        W_ih=[[0.2], [-0.3], [0.4]],
        W_hh=[[0.5], [0.1], [-0.6]],
        b_ih=[0, 0, 0.1],
        b_hh=[0, 0, 0.7],
    )
    r, z = sig(0.2 + 0.5), sig(-0.3 + 0.1)
    n = math.tanh(0.4 + 0.1 + r * (-0.6 + 0.7))
    assert out["h"] == pytest.approx([(1 - z) * n + z * 1], rel=1e-12)
    assert out["c"] is None


def test_omitted_state_and_biases_are_zeros():
    full = rnn_cell(
        cell="lstm",
        x=[1, -1],
        h=[0, 0],
        c=[0, 0],
        W_ih=[[0.1, 0.2]] * 8,
        W_hh=[[0.3, 0.4]] * 8,
        b_ih=[0] * 8,
        b_hh=None,
    )
    short = compute(
        "rnn_cell", cell="lstm", x=[1, -1], W_ih=[[0.1, 0.2]] * 8, W_hh=[[0.3, 0.4]] * 8
    )
    assert short == full


@pytest.mark.parametrize(
    ("kw", "arg"),
    [
        ({"cell": "elman"}, "cell"),
        ({"W_hh": [[1, 0]]}, "W_hh"),
        ({"W_ih": [[1, 2]]}, "W_ih"),
        ({"h": [0, 0]}, "h"),
        ({"b_ih": [0, 0]}, "b_ih"),
        ({"b_hh": [0, 0]}, "b_hh"),
        ({"x": []}, "x"),
        ({"c": [0]}, "c"),
        ({"nonlinearity": "sigmoid"}, "nonlinearity"),
        (
            {"cell": "gru", "W_ih": [[1]] * 3, "W_hh": [[1]] * 3, "nonlinearity": "relu"},
            "nonlinearity",
        ),
        ({"cell": "lstm", "W_ih": [[1]] * 3, "W_hh": [[1]] * 3}, "W_hh"),
        ({"cell": "lstm", "W_ih": [[1]] * 4, "W_hh": [[1]] * 4, "c": [0, 0]}, "c"),
    ],
)
def test_bad_args(kw, arg):
    args = {"cell": "rnn", "x": [1], "h": [0], "W_ih": [[1]], "W_hh": [[1]], **kw}
    with pytest.raises(EngineError) as err:
        rnn_cell(**args)
    assert err.value.code == "bad_arg"
    assert err.value.arg == arg


def test_shape_message_names_both_shapes():
    with pytest.raises(EngineError) as err:
        rnn_cell(cell="gru", x=[1, 2], W_ih=[[1, 2, 3]] * 3, W_hh=[[1]] * 3)
    assert "3×2" in err.value.message and "3×3" in err.value.message
