"""Unit tests of attention, mha_params, transformer_layer_params and positional_encoding (torch
cross-checks: tests/reference/test_attention_reference.py)."""

import math

import pytest

from grader.engines.attention import (
    attention,
    mha_params,
    positional_encoding,
    transformer_layer_params,
)
from grader.engines.registry import compute
from grader.errors import EngineError

Q = [[1, 0], [0, 2]]
K = [[1, 0], [0, 1], [1, 1]]
V = [[1, 0], [0, 1], [2, 2]]


def softmax(row):
    e = [math.exp(s) for s in row]
    return [x / sum(e) for x in e]


def weighted(weights, v):
    return [sum(w * vj[c] for w, vj in zip(weights, v, strict=True)) for c in range(len(v[0]))]


# --- attention -------------------------------------------------------------------------------


def test_attention_by_hand_default_scale():
    r = compute("attention", q=Q, k=K, v=V)
    s = 1 / math.sqrt(2)
    # q0·k = [1, 0, 1], q1·k = [0, 2, 2], each times 1/√d
    w0, w1 = softmax([s, 0, s]), softmax([0, 2 * s, 2 * s])
    assert r["weights"][0] == pytest.approx(w0, rel=1e-13)
    assert r["weights"][1] == pytest.approx(w1, rel=1e-13)
    assert r["output"][0] == pytest.approx(weighted(w0, V), rel=1e-13)
    assert r["output"][1] == pytest.approx(weighted(w1, V), rel=1e-13)


def test_attention_custom_scale_and_uniform_weights():
    r = attention(q=Q, k=K, v=V, scale=0)
    assert r["weights"] == [[1 / 3] * 3, [1 / 3] * 3]
    assert r["output"][0] == pytest.approx([1.0, 1.0])
    r = attention(q=[[1, 0]], k=[[1, 0], [0, 1]], v=[[1, 2], [3, 4]], scale=math.log(3))
    assert r["weights"][0] == pytest.approx([0.75, 0.25], rel=1e-14)


def test_attention_mask_true_means_not_allowed():
    r = attention(q=Q, k=K, v=V, mask=[[False, True, False], [True, False, False]])
    assert r["weights"][0][1] == 0.0 and r["weights"][1][0] == 0.0
    assert r["weights"][0] == pytest.approx([0.5, 0.0, 0.5])  # two equal scores s
    assert r["weights"][1] == pytest.approx([0.0, 0.5, 0.5])
    assert r["output"][0] == pytest.approx([1.5, 1.0])
    same = attention(q=Q, k=K, v=V, mask=[[0, 1, 0], [1, 0, 0]])  # 1/0 mean true/false
    assert same == r
    computed = attention(q=Q, k=K, v=V, mask=[[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])  # expressions
    assert computed == r


def test_attention_causal_square_and_rectangular():
    r = attention(q=Q, k=K, v=V, causal=True)
    assert r["weights"][0] == [1.0, 0.0, 0.0]  # query 0 sees key 0 only
    assert r["weights"][1][2] == 0.0
    assert r["weights"][1][:2] == pytest.approx(softmax([0, 2 / math.sqrt(2)]))
    # Lq = 3 > Lk = 2: tril of the 3×2 matrix, so queries 1 and 2 both see keys 0 and 1
    tall = attention(q=[[0, 0]] * 3, k=[[1, 0], [0, 1]], v=[[2], [4]], causal=True)
    assert tall["weights"] == [[1.0, 0.0], [0.5, 0.5], [0.5, 0.5]]
    assert tall["output"] == [[2.0], [3.0], [3.0]]
    # Lq = 2 < Lk = 4: top-left aligned, query 0 sees key 0, query 1 keys 0 and 1
    wide = attention(q=[[0]] * 2, k=[[1]] * 4, v=[[1], [2], [3], [4]], causal=True)
    assert wide["weights"] == [[1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0]]


def test_attention_mask_and_causal_together():
    r = attention(q=[[0]] * 3, k=[[1]] * 3, v=[[1], [2], [3]], causal=True, mask=[
        [False, False, False],
        [True, False, False],
        [False, False, True],
    ])  # fmt: skip
    assert r["weights"] == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]]


def test_attention_large_scores_do_not_overflow():
    r = attention(q=[[1000]], k=[[1], [1]], v=[[1, 0], [0, 1]], scale=1)
    assert r["weights"] == [[0.5, 0.5]]


@pytest.mark.parametrize(
    ("kw", "arg", "code"),
    [
        ({"q": [1, 2]}, "q", "bad_arg"),
        ({"q": [[]]}, "q", "bad_arg"),
        ({"k": [[1], [2], [3]]}, "k", "shape_mismatch"),
        ({"v": [[1], [2]]}, "v", "shape_mismatch"),
        ({"mask": [[False, False, False]]}, "mask", "bad_arg"),
        ({"mask": [[False, False], [False, False]]}, "mask", "bad_arg"),
        ({"mask": [[False, 2, False], [False] * 3]}, "mask", "bad_arg"),
        ({"mask": [[False, 0.5, False], [False] * 3]}, "mask", "bad_arg"),
        ({"mask": [["no", False, False], [False] * 3]}, "mask", "bad_arg"),
        ({"mask": True}, "mask", "bad_arg"),
        ({"mask": [[True] * 3, [False] * 3]}, "mask", "fully_masked"),
        ({"causal": 1}, "causal", "bad_arg"),
        ({"scale": float("nan")}, "scale", "bad_arg"),
        ({"scale": "auto"}, "scale", "bad_arg"),
        ({"q": [[1e200, 0], [0, 1]], "k": [[1e200, 0]] * 3}, "q", "not_finite"),
        (
            {"q": [[0.0] * 1000] * 100, "k": [[0.0] * 1000] * 200, "v": [[0.0]] * 200},
            "q",
            "too_large",
        ),
        ({"q": [[0.0]] * 1001, "k": [[0.0]] * 1000, "v": [[0.0]] * 1000}, "q", "too_large"),
    ],
)
def test_attention_bad_args(kw, arg, code):
    args = {"q": Q, "k": K, "v": V, **kw}
    with pytest.raises(EngineError) as err:
        compute("attention", **args)
    assert (err.value.arg, err.value.code) == (arg, code)


def test_attention_fully_masked_row_by_causal_and_mask():
    with pytest.raises(EngineError) as err:
        attention(q=Q, k=K, v=V, causal=True, mask=[[True, False, False], [False] * 3])
    assert err.value.code == "fully_masked" and "0" in err.value.message


# --- mha_params ------------------------------------------------------------------------------


def test_mha_params_by_hand():
    # 3·E² in-projection + E² out-projection + 3E + E biases
    assert mha_params(embed_dim=4, num_heads=2) == 4 * 16 + 4 * 4
    assert mha_params(embed_dim=4, num_heads=1, bias=False) == 64
    # separate projections E×E, E×kdim, E×vdim
    assert mha_params(embed_dim=4, num_heads=4, kdim=3, vdim=5) == 16 + 12 + 20 + 16 + 16
    assert compute("mha_params", embed_dim=512, num_heads=8) == 1050624
    assert compute("mha_params", embed_dim=6, num_heads=3, kdim=6) == mha_params(
        embed_dim=6, num_heads=1
    )


@pytest.mark.parametrize(
    ("kw", "arg"),
    [
        ({"embed_dim": 6, "num_heads": 4}, "embed_dim"),
        ({"embed_dim": 0, "num_heads": 1}, "embed_dim"),
        ({"embed_dim": 4, "num_heads": 0}, "num_heads"),
        ({"embed_dim": 4.5, "num_heads": 1}, "embed_dim"),
        ({"embed_dim": 4, "num_heads": 1, "bias": "yes"}, "bias"),
        ({"embed_dim": 4, "num_heads": 1, "kdim": 0}, "kdim"),
        ({"embed_dim": 4, "num_heads": 1, "vdim": -2}, "vdim"),
        ({"embed_dim": 10**7, "num_heads": 1}, "embed_dim"),
    ],
)
def test_mha_params_bad_args(kw, arg):
    with pytest.raises(EngineError) as err:
        compute("mha_params", **kw)
    assert err.value.arg == arg and err.value.code == "bad_arg"


# --- transformer_layer_params ----------------------------------------------------------------


def test_transformer_encoder_layer_by_hand():
    d, ff = 4, 8
    attn = 4 * d * d + 4 * d
    feed_forward = d * ff + ff + ff * d + d
    norms = 2 * (d + d)
    assert transformer_layer_params(d_model=d, nhead=2, dim_feedforward=ff) == (
        attn + feed_forward + norms
    )
    # without biases: the LayerNorms keep γ only
    assert transformer_layer_params(d_model=d, nhead=2, dim_feedforward=ff, bias=False) == (
        4 * d * d + 2 * d * ff + 2 * d
    )


def test_transformer_decoder_layer_by_hand():
    d, ff = 4, 8
    expected = 2 * (4 * d * d + 4 * d) + (2 * d * ff + ff + d) + 3 * 2 * d
    assert (
        compute("transformer_layer_params", d_model=d, nhead=4, dim_feedforward=ff, layer="decoder")
        == expected
    )
    assert expected == 260
    assert (
        transformer_layer_params(d_model=512, nhead=8, dim_feedforward=2048, layer="decoder")
        == 4204032
    )


@pytest.mark.parametrize(
    ("kw", "arg"),
    [
        ({"nhead": 3}, "d_model"),
        ({"layer": "both"}, "layer"),
        ({"dim_feedforward": 0}, "dim_feedforward"),
        ({"d_model": -4}, "d_model"),
        ({"nhead": 0}, "nhead"),
        ({"bias": None}, "bias"),
    ],
)
def test_transformer_layer_params_bad_args(kw, arg):
    args = {"d_model": 4, "nhead": 2, "dim_feedforward": 8, **kw}
    with pytest.raises(EngineError) as err:
        compute("transformer_layer_params", **args)
    assert err.value.arg == arg and err.value.code == "bad_arg"


# --- positional_encoding ---------------------------------------------------------------------


def test_positional_encoding_position_zero_and_odd_width():
    assert positional_encoding(position=0, d_model=4) == [0.0, 1.0, 0.0, 1.0]
    assert compute("positional_encoding", position=0, d_model=3) == [0.0, 1.0, 0.0]


def test_positional_encoding_by_hand():
    pe = positional_encoding(position=3, d_model=6)
    angles = [3 / 10000 ** (0 / 6), 3 / 10000 ** (2 / 6), 3 / 10000 ** (4 / 6)]
    expected = [f(a) for a in angles for f in (math.sin, math.cos)]
    assert pe == pytest.approx(expected, rel=1e-13, abs=1e-15)
    odd = positional_encoding(position=2, d_model=5, base=100)
    assert odd[4] == pytest.approx(math.sin(2 / 100 ** (4 / 5)), rel=1e-14)
    assert len(odd) == 5
    assert positional_encoding(position=7, d_model=1) == [math.sin(7)]


@pytest.mark.parametrize(
    ("kw", "arg"),
    [
        ({"position": -1}, "position"),
        ({"position": 1.5}, "position"),
        ({"d_model": 0}, "d_model"),
        ({"d_model": 10**6}, "d_model"),
        ({"base": 0}, "base"),
        ({"base": float("inf")}, "base"),
        ({"base": 1e-310, "d_model": 100, "position": 10**9}, "base"),
    ],
)
def test_positional_encoding_bad_args(kw, arg):
    args = {"position": 1, "d_model": 4, **kw}
    with pytest.raises(EngineError) as err:
        compute("positional_encoding", **args)
    assert err.value.arg == arg and err.value.code == "bad_arg"
