"""attention, mha_params, transformer_layer_params and positional_encoding against PyTorch.

Torch convention notes checked here: the boolean ``attn_mask`` of
``F.scaled_dot_product_attention`` means *may attend*, the engine's ``mask`` (like
``nn.MultiheadAttention``'s) means *may not*; ``is_causal`` keeps ``ones(Lq, Lk).tril(0)``, also
when Lq ≠ Lk; torch refuses ``attn_mask`` with ``is_causal`` (the engine combines them); a query
with every key masked gives zeros (torch ≥ 2.5) or NaN in torch, an error in the engine. The
attention weights are read from torch as the output for v = the identity matrix.
"""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from grader.engines.registry import compute
from grader.errors import EngineError

N_VARIANTS = 2000


def t64(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def torch_attention(q, k, v, forbidden=None, causal=False, scale=None):
    """(weights, output) of torch's SDPA; ``forbidden`` is the engine's mask (true = may not)."""
    kwargs = {"scale": scale}
    if forbidden is not None and causal:  # torch refuses both: pass the combined mask
        lq, lk = forbidden.shape
        allowed = ~forbidden & np.tri(lq, lk, dtype=bool)
        kwargs["attn_mask"] = torch.tensor(allowed)
    elif forbidden is not None:
        kwargs["attn_mask"] = torch.tensor(~forbidden)
    elif causal:
        kwargs["is_causal"] = True
    out = F.scaled_dot_product_attention(t64(q), t64(k), t64(v), **kwargs).numpy()
    eye = torch.eye(len(k), dtype=torch.float64)
    weights = F.scaled_dot_product_attention(t64(q), t64(k), eye, **kwargs).numpy()
    return weights, out


def random_matrix(rng, shape):
    kind = rng.integers(3)
    if kind == 0:
        return rng.integers(-3, 4, shape).astype(float)  # ties in the scores
    if kind == 1:
        return rng.normal(0, 1, shape)
    return rng.normal(0, 4, shape)


def random_case(rng):
    lq, lk = int(rng.integers(1, 7)), int(rng.integers(1, 7))
    d, dv = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    q, k, v = random_matrix(rng, (lq, d)), random_matrix(rng, (lk, d)), rng.normal(0, 2, (lk, dv))
    mask = rng.random((lq, lk)) < rng.choice([0.2, 0.5]) if rng.random() < 0.5 else None
    causal = bool(rng.random() < 0.4)
    scale = None if rng.random() < 0.6 else float(rng.choice([0.0, -0.5, 1.0, rng.uniform(0, 3)]))
    return q, k, v, mask, causal, scale


def test_attention_random():
    rng = np.random.default_rng(151)
    checked = refused = 0
    for _ in range(N_VARIANTS):
        q, k, v, mask, causal, scale = random_case(rng)
        args = {"q": q.tolist(), "k": k.tolist(), "v": v.tolist(), "causal": causal}
        if mask is not None:
            args["mask"] = mask.tolist()
        if scale is not None:
            args["scale"] = scale
        forbidden = np.zeros((len(q), len(k)), dtype=bool) if mask is None else mask.copy()
        if causal:
            forbidden |= ~np.tri(len(q), len(k), dtype=bool)
        weights, out = torch_attention(q, k, v, mask, causal, scale)
        if forbidden.all(axis=1).any():
            with pytest.raises(EngineError) as err:
                compute("attention", **args)
            assert err.value.code == "fully_masked"
            rows = forbidden.all(axis=1)
            assert np.all((out[rows] == 0) | np.isnan(out[rows]))
            refused += 1
            continue
        got = compute("attention", **args)
        np.testing.assert_allclose(got["weights"], weights, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(got["output"], out, rtol=1e-11, atol=1e-13)
        assert np.all(np.asarray(got["weights"])[forbidden] == 0)
        checked += 1
    assert checked > 1500 and refused > 50


def test_attention_mask_convention_is_multihead_attentions():
    """With identity projections and one head, nn.MultiheadAttention is the engine's attention:
    its boolean attn_mask (true = not allowed) is passed to the engine unchanged."""
    rng = np.random.default_rng(152)
    for _ in range(300):
        lq, lk, d = int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 5))
        q, k, v = rng.normal(0, 1, (lq, d)), rng.normal(0, 1, (lk, d)), rng.normal(0, 1, (lk, d))
        mask = rng.random((lq, lk)) < 0.4
        mask[np.arange(lq), rng.integers(0, lk, lq)] = False  # every query keeps a key
        mha = nn.MultiheadAttention(d, 1, dtype=torch.float64)
        with torch.no_grad():
            mha.in_proj_weight.copy_(torch.cat([torch.eye(d, dtype=torch.float64)] * 3))
            mha.in_proj_bias.zero_()
            mha.out_proj.weight.copy_(torch.eye(d, dtype=torch.float64))
            mha.out_proj.bias.zero_()
            out, weights = mha(t64(q), t64(k), t64(v), attn_mask=torch.tensor(mask))
        got = compute("attention", q=q.tolist(), k=k.tolist(), v=v.tolist(), mask=mask.tolist())
        np.testing.assert_allclose(got["weights"], weights.numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(got["output"], out.numpy(), rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize(("lq", "lk"), [(5, 2), (2, 5), (4, 4), (1, 3), (3, 1)])
def test_attention_causal_is_top_left_tril(lq, lk):
    rng = np.random.default_rng(lq * 10 + lk)
    q, k, v = rng.normal(0, 1, (lq, 3)), rng.normal(0, 1, (lk, 3)), rng.normal(0, 1, (lk, 2))
    got = compute("attention", q=q.tolist(), k=k.tolist(), v=v.tolist(), causal=True)
    causal = F.scaled_dot_product_attention(t64(q), t64(k), t64(v), is_causal=True).numpy()
    tril = torch.ones(lq, lk, dtype=torch.bool).tril(diagonal=0)
    explicit = F.scaled_dot_product_attention(t64(q), t64(k), t64(v), attn_mask=tril).numpy()
    np.testing.assert_allclose(causal, explicit, rtol=1e-13)
    np.testing.assert_allclose(got["output"], causal, rtol=1e-12, atol=1e-14)
    assert np.all(np.asarray(got["weights"])[~tril.numpy()] == 0)


def test_torch_refuses_mask_with_causal_and_zeroes_a_fully_masked_row():
    q = k = v = t64([[1.0], [2.0]])
    with pytest.raises(RuntimeError):
        F.scaled_dot_product_attention(q, k, v, attn_mask=torch.ones(2, 2).bool(), is_causal=True)
    allowed = torch.tensor([[False, False], [True, True]])
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed).numpy()
    assert np.all((out[0] == 0) | np.isnan(out[0]))  # torch ≥ 2.5: zeros; before: NaN
    with pytest.raises(EngineError) as err:
        compute("attention", q=[[1.0], [2.0]], k=[[1.0], [2.0]], v=[[1.0], [2.0]], mask=[
            [True, True],
            [False, False],
        ])  # fmt: skip
    assert (err.value.arg, err.value.code) == ("mask", "fully_masked")


def test_attention_one_query_one_key_and_default_scale():
    got = compute("attention", q=[[3.0, 4.0]], k=[[1.0, 2.0]], v=[[5.0, -1.0, 2.0]])
    assert got == {"weights": [[1.0]], "output": [[5.0, -1.0, 2.0]]}
    rng = np.random.default_rng(153)
    q, k, v = rng.normal(0, 1, (3, 16)), rng.normal(0, 1, (4, 16)), rng.normal(0, 1, (4, 2))
    got = compute("attention", q=q.tolist(), k=k.tolist(), v=v.tolist())
    with_scale = compute("attention", q=q.tolist(), k=k.tolist(), v=v.tolist(), scale=0.25)
    assert got == with_scale  # 1/√16
    np.testing.assert_allclose(got["output"], torch_attention(q, k, v)[1], rtol=1e-12)


# --- parameter counts ------------------------------------------------------------------------


LAYERS = {"encoder": nn.TransformerEncoderLayer, "decoder": nn.TransformerDecoderLayer}


def torch_count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_mha_params_random_configurations():
    rng = np.random.default_rng(154)
    with torch.device("meta"):  # shapes only: no memory, no initialisation
        for _ in range(N_VARIANTS):
            num_heads = int(rng.integers(1, 9))
            embed_dim = num_heads * int(rng.integers(1, 9))
            kdim = int(rng.integers(1, 20)) if rng.random() < 0.4 else None
            vdim = int(rng.integers(1, 20)) if rng.random() < 0.4 else None
            bias = bool(rng.random() < 0.7)
            module = nn.MultiheadAttention(embed_dim, num_heads, bias=bias, kdim=kdim, vdim=vdim)
            args = {"embed_dim": embed_dim, "num_heads": num_heads, "bias": bias}
            args.update({"kdim": kdim} if kdim is not None else {})
            args.update({"vdim": vdim} if vdim is not None else {})
            assert compute("mha_params", **args) == torch_count(module), args


def test_transformer_layer_params_random_configurations():
    rng = np.random.default_rng(155)
    with torch.device("meta"):
        for _ in range(N_VARIANTS):
            nhead = int(rng.integers(1, 9))
            d_model = nhead * int(rng.integers(1, 9))
            ff = int(rng.integers(1, 65))
            layer = str(rng.choice(["encoder", "decoder"]))
            bias = bool(rng.random() < 0.7)
            module = LAYERS[layer](d_model, nhead, dim_feedforward=ff, bias=bias)
            got = compute(
                "transformer_layer_params",
                d_model=d_model,
                nhead=nhead,
                dim_feedforward=ff,
                layer=layer,
                bias=bias,
            )
            assert got == torch_count(module), (d_model, nhead, ff, layer, bias)


def test_parameter_counts_of_the_papers_sizes_and_torch_refusals():
    with torch.device("meta"):
        assert compute("mha_params", embed_dim=512, num_heads=8) == torch_count(
            nn.MultiheadAttention(512, 8)
        )
        for layer in ("encoder", "decoder"):
            module = LAYERS[layer](512, 8)  # torch's default dim_feedforward is 2048
            got = compute(
                "transformer_layer_params", d_model=512, nhead=8, dim_feedforward=2048, layer=layer
            )
            assert got == torch_count(module)
        with pytest.raises(AssertionError):  # 6 is not divisible by 4 heads
            nn.MultiheadAttention(6, 4)
    with pytest.raises(EngineError) as err:
        compute("mha_params", embed_dim=6, num_heads=4)
    assert err.value.arg == "embed_dim"


# --- positional encoding ---------------------------------------------------------------------


def torch_positional_encoding(position: int, d_model: int, base: float) -> np.ndarray:
    """The PositionalEncoding of the PyTorch tutorial, in float64, extended to an odd d_model."""
    pe = torch.zeros(d_model, dtype=torch.float64)
    div_term = torch.exp(
        torch.arange(0, d_model, 2, dtype=torch.float64) * (-math.log(base) / d_model)
    )
    pe[0::2] = torch.sin(position * div_term)
    pe[1::2] = torch.cos(position * div_term[: d_model // 2])
    return pe.numpy()


def test_positional_encoding_random():
    rng = np.random.default_rng(156)
    for _ in range(N_VARIANTS):
        position = int(rng.choice([0, rng.integers(0, 10), rng.integers(0, 5000)]))
        d_model = int(rng.integers(1, 65))
        base = float(rng.choice([10000.0, 10000.0, 100.0, 2.0, 1.0, rng.uniform(1.5, 20000)]))
        got = compute("positional_encoding", position=position, d_model=d_model, base=base)
        ref = torch_positional_encoding(position, d_model, base)
        # exp(−2i·ln(base)/d) and base^(−2i/d) differ in the last bit: an angle error ≤ ~1e-16·pos
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-15 * (1 + position) * 8)
        assert len(got) == d_model


def test_positional_encoding_position_zero_and_odd_width():
    for d_model in (1, 2, 7, 64):
        got = compute("positional_encoding", position=0, d_model=d_model)
        np.testing.assert_array_equal(got, torch_positional_encoding(0, d_model, 10000.0))
    odd = compute("positional_encoding", position=5, d_model=7)
    assert odd[6] == pytest.approx(math.sin(5 / 10000 ** (6 / 7)), rel=1e-14)
