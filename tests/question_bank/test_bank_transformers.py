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
    q = rng.normal(0, math.sqrt(0.5), size=(200_000, 64))
    k = rng.normal(0, math.sqrt(0.5), size=(200_000, 64))
    simulated = np.var(np.sum(q * k, axis=1))
    assert simulated == pytest.approx(16, rel=0.02)  # 64 · 0.5²
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
