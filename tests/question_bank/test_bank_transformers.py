"""The «Внимание и трансформеры» bank (question_bank/banks/15-transformers.yaml).

The key of each template's default variant is computed here a second time, by hand or with
NumPy, independently of the bank's expressions and of the engines; the right answer is typed as
a student types it, and a typical mistake is recognised by its id.
"""

import math

import numpy as np
import pytest

from grader.variants import variant
from tests.question_bank.banks import graders, load, spec_of

BANK = "15-transformers"

grade, mistake_id = graders(BANK)


def _typed(x: float) -> str:
    return repr(float(x)).replace(".", ",")


def _key(slug: str):
    """The default variant's key as the grader computes it (to compare with ours)."""
    from grader import kinds

    spec = spec_of(BANK, slug)
    return kinds.get(spec["kind"]).expected(spec, variant(spec, None).values)


def _softmax(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------- expression templates


def test_attention_score_default():
    q, k = np.array([1, 2, 0, -1]), np.array([2, 1, 3, -2])
    s = q @ k / 2  # 2 + 2 + 0 + 2 = 6, √4 = 2
    assert s == 3 and _key("attention-score") == pytest.approx(s)
    assert grade("attention-score", "3").correct
    assert grade("attention-score", "6/2").correct
    assert mistake_id("attention-score", "6") == "no_scale"
    assert mistake_id("attention-score", "1,5") == "divided_by_d"


def test_dot_product_variance_default_matches_a_simulation():
    rng = np.random.default_rng(0)
    q = rng.normal(0, math.sqrt(0.5), size=(20_000, 64))
    k = rng.normal(0, math.sqrt(0.5), size=(20_000, 64))
    simulated = np.var(np.sum(q * k, axis=1))
    assert simulated == pytest.approx(16, rel=0.05)  # 64 · 0.5²
    assert _key("dot-product-variance") == pytest.approx(16)
    assert grade("dot-product-variance", "16").correct
    assert mistake_id("dot-product-variance", "32") == "variance_not_squared"
    assert mistake_id("dot-product-variance", "0,25") == "one_term"


def test_softmax_saturation_default():
    weights = _softmax(np.array([16.0, 0.0]) / math.sqrt(64))
    assert _key("softmax-saturation") == pytest.approx(weights[0])
    assert grade("softmax-saturation", "0,881").correct
    assert (
        mistake_id("softmax-saturation", _typed(_softmax(np.array([16.0, 0.0]))[0])) == "no_scale"
    )


def test_causal_allowed_pairs_default():
    allowed = np.tril(np.ones((10, 10), dtype=bool)).sum()
    assert allowed == 55 and _key("causal-allowed-pairs") == allowed
    assert grade("causal-allowed-pairs", "55").correct
    assert mistake_id("causal-allowed-pairs", "45") == "no_diagonal"
    assert mistake_id("causal-allowed-pairs", "100") == "no_mask"


def test_padding_masked_scores_default():
    lengths = [7, 10, 4, 9]
    L = max(lengths)
    key_padding = np.array([[j >= n for j in range(L)] for n in lengths])  # True = ignore
    scores_mask = np.broadcast_to(key_padding[:, None, :], (4, L, L))
    assert scores_mask.sum() == 100
    assert _key("padding-masked-scores") == 100
    assert grade("padding-masked-scores", "100").correct
    assert mistake_id("padding-masked-scores", str(key_padding.sum())) == "mask_entries"
    assert mistake_id("padding-masked-scores", "154") == "masked_queries"  # Σ(100 − l²)


def test_cross_attention_shapes_default():
    assert grade("cross-attention-weights-shape", "[8; 8; 12; 20]").correct
    assert mistake_id("cross-attention-weights-shape", "[8; 8; 20; 12]") == "swapped"
    assert mistake_id("cross-attention-weights-shape", "[8; 12; 20]") == "averaged"
    assert grade("cross-attention-output-shape", "[16; 9; 256]").correct
    assert mistake_id("cross-attention-output-shape", "[16; 30; 256]") == "source_length"
    assert mistake_id("cross-attention-output-shape", "[16; 9; 64]") == "per_head"


def test_residual_gradient_depth_default():
    y0, eps = 1.0, 1e-6

    def net(y):
        for _ in range(6):
            y = y + 0.2 * y
        return y

    numeric = (net(y0 + eps) - net(y0 - eps)) / (2 * eps)
    assert _key("residual-gradient-depth") == pytest.approx(numeric, rel=1e-6)
    assert grade("residual-gradient-depth", "2,986").correct
    assert mistake_id("residual-gradient-depth", "0,000064") == "no_residual"
    assert mistake_id("residual-gradient-depth", "2,2") == "summed"


def test_pe_wavelength_default():
    d, i = 128, 16
    pos = np.arange(0, 200, 0.001)
    values = np.sin(pos / 10000 ** (2 * i / d))
    crossings = pos[1:][(values[:-1] < 0) & (values[1:] >= 0)]  # upward zero crossings
    period = np.diff(crossings).mean()
    assert _key("pe-wavelength") == pytest.approx(period, rel=1e-3)
    assert grade("pe-wavelength", "62,8").correct
    assert mistake_id("pe-wavelength", "10") == "no_two_pi"


def test_bert_embedding_params_default():
    tables = [(30000, 768), (512, 768), (2, 768)]
    assert _key("bert-embedding-params") == sum(r * c for r, c in tables)
    assert grade("bert-embedding-params", "23 434 752").correct
    assert mistake_id("bert-embedding-params", str(30002 * 768)) == "no_positions"


def test_attention_weights_memory_default():
    weights = np.zeros((4, 8, 1024, 1024), dtype=np.float32)
    mib = weights.nbytes / 2**20
    assert mib == 128 and _key("attention-weights-memory") == mib
    assert grade("attention-weights-memory", "128").correct
    assert mistake_id("attention-weights-memory", "16") == "one_head"


def test_attention_length_scaling_default():
    assert _key("attention-length-scaling") == pytest.approx((1536 * 1536) / (512 * 512))
    assert grade("attention-length-scaling", "9").correct
    assert mistake_id("attention-length-scaling", "3") == "linear"


def test_attention_vs_projection_cost_default():
    L, d = 2048, 512
    attention = L * L * d + L * L * d
    projections = 4 * L * d * d
    assert _key("attention-vs-projection-cost") == pytest.approx(attention / projections)
    assert grade("attention-vs-projection-cost", "2").correct
    assert mistake_id("attention-vs-projection-cost", "1") == "scores_only"
    assert mistake_id("attention-vs-projection-cost", "0,5") == "inverted"


def test_kv_cache_memory_default():
    layers, batch, length, d = 24, 4, 2048, 1024
    cache = np.zeros((layers, 2, batch, length, d), dtype=np.float16)  # keys and values
    assert _key("kv-cache-memory") == cache.nbytes / 2**20 == 768
    assert grade("kv-cache-memory", "768").correct
    assert mistake_id("kv-cache-memory", "384") == "keys_only"
    assert mistake_id("kv-cache-memory", "1536") == "float32"


def test_kv_cache_recompute_default():
    prompt, new = 10, 5
    computed = sum(prompt + step - 1 for step in range(1, new + 1))
    assert computed == 60 and _key("kv-cache-recompute") == computed
    assert grade("kv-cache-recompute", "60").correct
    assert mistake_id("kv-cache-recompute", "14") == "with_cache"
    assert mistake_id("kv-cache-recompute", "70") == "full_context_each_step"


# ---------------------------------------------------------------- attention (engine attention)


def _attention(q, k, v, forbidden=None, scale=None):
    """Scaled dot-product attention written out: weights and output."""
    q, k, v = (np.asarray(m, dtype=float) for m in (q, k, v))
    scores = q @ k.T * (1 / math.sqrt(q.shape[1]) if scale is None else scale)
    if forbidden is not None:
        scores = np.where(forbidden, -np.inf, scores)
    weights = _softmax(scores)
    return weights, weights @ v


def _vec(xs) -> str:
    return "[" + "; ".join(_typed(x) for x in xs) + "]"


def _mat(rows) -> str:
    return "[" + "; ".join(" ".join(_typed(x) for x in row) for row in rows) + "]"


def test_attention_weights_row_default():
    K = [[1, 0], [0, 2], [-1, 1]]
    w, _ = _attention([[1, 1]], K, K)
    assert np.allclose(_key("attention-weights-row"), w[0])
    assert w[0].sum() == pytest.approx(1)
    assert grade("attention-weights-row", "[0,284; 0,576; 0,140]").correct
    raw, _ = _attention([[1, 1]], K, K, scale=1)
    assert mistake_id("attention-weights-row", _vec(raw[0])) == "no_scale"


def test_attention_output_row_default():
    K, V = [[1, 0], [0, 1], [1, 1]], [[1, 0], [0, 2], [3, 1]]
    w, out = _attention([[1, 2]], K, V)
    assert np.allclose(_key("attention-output-row"), out[0])
    assert grade("attention-output-row", "[1,868; 1,144]").correct
    assert mistake_id("attention-output-row", _vec(w[0] @ np.array(K))) == "weighted_keys"


def test_attention_output_matrix_default():
    Q, K, V = [[1, 0], [0, 1]], [[2, 1], [0, 1]], [[1, 2], [3, -1]]
    _, out = _attention(Q, K, V)
    assert np.allclose(_key("attention-output-matrix"), out)
    assert grade("attention-output-matrix", _mat(out)).correct
    scores = np.array(Q) @ np.array(K).T / math.sqrt(2)
    by_column = _softmax(scores.T).T  # normalised over the queries
    assert mistake_id("attention-output-matrix", _mat(by_column @ np.array(V))) == "column_softmax"


def test_causal_self_attention_default():
    X = np.array([[1, 0], [0, 1], [1, 1]])
    future = np.triu(np.ones((3, 3), dtype=bool), k=1)
    w, out = _attention(X, X, X, forbidden=future)
    assert np.allclose(_key("causal-self-attention"), out)
    assert np.allclose(out[0], X[0])  # the first position sees only itself
    assert grade("causal-self-attention", "[1 0; 0,3302 0,6698; 0,7517 0,7517]").correct
    full, _ = _attention(X, X, X)
    zeroed = np.where(future, 0, full) @ X
    assert mistake_id("causal-self-attention", _mat(zeroed)) == "zeroed_after_softmax"
    assert mistake_id("causal-self-attention", _mat(_attention(X, X, X)[1])) == "no_mask"


def test_padding_mask_output_default():
    K = [[1, 0], [0, 1], [1, 1], [2, -2]]
    V = [[2, 0], [0, 2], [1, 1], [3, -3]]
    _, out = _attention([[1, -1]], K[:3], V[:3])  # the <PAD> key simply left out
    assert np.allclose(_key("padding-mask-output"), out[0])
    assert grade("padding-mask-output", "[1,436; 0,564]").correct
    _, unmasked = _attention([[1, -1]], K, V)
    assert mistake_id("padding-mask-output", _vec(unmasked[0])) == "no_mask"


# ---------------------------------------------------------------- parameter counts


def _linear(n_in, n_out, bias=True):
    return n_in * n_out + (n_out if bias else 0)


def _mha(E, kdim=None, vdim=None, bias=True):
    kdim, vdim = kdim or E, vdim or E
    # q_proj_weight E×E, k_proj_weight E×kdim, v_proj_weight E×vdim, in_proj_bias 3E, out_proj
    return E * E + E * kdim + E * vdim + (3 * E if bias else 0) + _linear(E, E, bias)


def _encoder_layer(d, ff, bias=True):
    norm = 2 * d if bias else d
    return _mha(d, bias=bias) + _linear(d, ff, bias) + _linear(ff, d, bias) + 2 * norm


def _decoder_layer(d, ff):
    return 2 * _mha(d) + _linear(d, ff) + _linear(ff, d) + 3 * 2 * d


def test_mha_params_defaults():
    assert _key("mha-params") == _mha(512) == 1_050_624
    assert grade("mha-params", "1 050 624").correct
    assert mistake_id("mha-params", str(4 * 512 * 512)) == "no_bias"
    assert mistake_id("mha-params", str(_mha(512) - _linear(512, 512))) == "no_out_proj"
    assert _key("mha-params-no-bias") == _mha(96, bias=False)
    assert mistake_id("mha-params-no-bias", str(_mha(96))) == "with_bias"
    assert _key("mha-params-kdim") == _mha(256, 768, 768)
    assert grade("mha-params-kdim", str(_mha(256, 768, 768))).correct
    assert mistake_id("mha-params-kdim", str(_mha(256))) == "same_dims"


def test_layer_params_defaults():
    assert _key("encoder-layer-params") == _encoder_layer(512, 2048) == 3_152_384
    assert grade("encoder-layer-params", "3152384").correct
    assert mistake_id("encoder-layer-params", str(3_152_384 - 4 * 512)) == "no_norms"
    assert _key("decoder-layer-params") == _decoder_layer(256, 1024)
    assert mistake_id("decoder-layer-params", str(_encoder_layer(256, 1024))) == "as_encoder"
    assert _key("encoder-layer-params-no-bias") == _encoder_layer(128, 512, bias=False)
    no_bias_with_beta = _encoder_layer(128, 512, bias=False) + 2 * 128
    assert mistake_id("encoder-layer-params-no-bias", str(no_bias_with_beta)) == "norm_beta_kept"
    assert _key("encoder-stack-params") == 6 * _encoder_layer(256, 1024) + 2 * 256
    assert mistake_id("encoder-stack-params", str(6 * _encoder_layer(256, 1024))) == "no_final_norm"


def test_ffn_share_default():
    ffn = _linear(512, 2048) + _linear(2048, 512)
    assert _key("ffn-share") == pytest.approx(ffn / _encoder_layer(512, 2048))
    assert grade("ffn-share", "0,666").correct
    assert (
        mistake_id("ffn-share", _typed(_mha(512) / _encoder_layer(512, 2048))) == "attention_share"
    )


def test_transformer_model_params_default():
    # nn.Transformer(512, 8, 6, 6, 2048): the base model of the paper without its embeddings
    total = 6 * _encoder_layer(512, 2048) + 6 * _decoder_layer(512, 2048) + 2 * (2 * 512)
    assert _key("transformer-model-params") == total == 44_140_544
    assert grade("transformer-model-params", "44140544").correct
    assert mistake_id("transformer-model-params", str(total - 4 * 512)) == "no_final_norms"


# ---------------------------------------------------------------- positions and LayerNorm


def _pe(pos: int, d: int) -> np.ndarray:
    """The sinusoidal encoding written from the paper's two formulas, component by component."""
    out = np.empty(d)
    for j in range(d):
        angle = pos / 10000 ** ((j - j % 2) / d)
        out[j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    return out


def _layer_norm(x, eps=1e-5):
    x = np.asarray(x, dtype=float)
    mu = x.mean()
    return (x - mu) / math.sqrt(((x - mu) ** 2).sum() / x.size + eps)


def test_pe_component_default():
    value = _pe(7, 16)[3]  # cos(7 / 10000^(2/16))
    assert _key("pe-component") == pytest.approx(value)
    assert grade("pe-component", "-0,599").correct
    assert mistake_id("pe-component", _typed(math.sin(7 / 10000 ** (2 / 16)))) == "sin_on_odd"
    assert mistake_id("pe-component", _typed(math.cos(7 / 10000 ** (3 / 16)))) == "exponent_j"


def test_pe_vector_default():
    assert np.allclose(_key("pe-vector"), _pe(3, 4))
    assert grade("pe-vector", "[0,141; -0,990; 0,030; 1,000]").correct
    swapped = [math.cos(3), math.sin(3), math.cos(0.03), math.sin(0.03)]
    assert mistake_id("pe-vector", _vec(swapped)) == "swapped"


def test_pe_dot_product_depends_only_on_the_shift():
    assert _key("pe-dot-product") == pytest.approx(_pe(5, 4) @ _pe(7, 4))
    assert _pe(5, 4) @ _pe(7, 4) == pytest.approx(_pe(40, 4) @ _pe(42, 4))
    assert grade("pe-dot-product", "0,584").correct
    assert mistake_id("pe-dot-product", "2") == "same_vectors"


def test_post_ln_output_default():
    x, f = np.array([1, 0, 2, -1]), np.array([1, 2, 0, -3])
    y = _layer_norm(x + f)
    assert np.allclose(_key("post-ln-output"), y)
    assert grade("post-ln-output", "[0,577; 0,577; 0,577; -1,732]").correct
    z = x + f
    unbiased = (z - z.mean()) / math.sqrt(z.var(ddof=1) + 1e-5)
    assert mistake_id("post-ln-output", _vec(unbiased)) == "unbiased_variance"
    assert mistake_id("post-ln-output", _vec(_layer_norm(f))) == "no_residual"


def test_pre_ln_output_default():
    x = np.array([2, 0, -1, 3])
    y = x + 0.5 * _layer_norm(x)
    assert np.allclose(_key("pre-ln-output"), y)
    assert grade("pre-ln-output", _vec(y)).correct
    assert mistake_id("pre-ln-output", _vec(_layer_norm(1.5 * x))) == "post_ln"


# ---------------------------------------------------------------- theory questions


def test_theory_keys():
    assert grade("attention-output-shape-choice", "0").correct
    assert not grade("attention-output-shape-choice", "3").correct
    assert grade("mask-convention-torch", "0").correct
    assert grade("attention-weights-properties", "0, 1, 2").correct
    assert not grade("attention-weights-properties", "0, 1, 3").correct


def test_bank_shape():
    bank = load(BANK)
    topics = {t["slug"] for t in bank["topics"]}
    assert {t.get("parent") for t in bank["topics"]} == {None, "transformers"}
    slugs = [q["slug"] for q in bank["questions"]]
    assert len(slugs) == len(set(slugs))
    assert all(q["topic"] in topics - {"transformers"} for q in bank["questions"])
    templates = [q for q in bank["questions"] if q.get("params")]
    assert all("шаблон" in q.get("tags", []) for q in templates)
    assert all(q.get("solution") and q.get("hints") and q.get("mistakes") for q in templates)
    assert not any("source" in q for q in bank["questions"])  # no seed covers this topic


def test_matching_keys_and_swaps():
    assert grade("architectures-matching", '{"0": "0", "1": "1", "2": "2"}').correct
    swapped = grade("architectures-matching", '{"0": "1", "1": "0", "2": "2"}')
    assert not swapped.correct and swapped.mistake["id"] == "bert_gpt_swapped"
    assert grade("post-ln-vs-pre-ln", '{"0": "0", "1": "1"}').correct
    assert mistake_id("post-ln-vs-pre-ln", '{"0": "1", "1": "0"}') == "swapped"
