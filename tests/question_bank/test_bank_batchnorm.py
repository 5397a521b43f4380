"""Bank «BatchNorm» (question_bank/banks/07-batchnorm.yaml).

The seeds (003, BatchNorm section; 004, гл. 5.3 — only a heading) give formulas but no numeric
examples, so the defaults are our own numbers; keys come from the batchnorm engine (torch
batch_norm, biased batch variance) or expressions.
"""

import numpy as np

import grader
from tests.question_bank.banks import spec_of

BANK = "07-batchnorm"


def grade(slug, answer, seed=None):
    return grader.grade(spec_of(BANK, slug), seed, answer)


def test_batch_stats_biased_variance():
    assert grade("bn-batch-stats", "[4; 5]").correct
    assert grade("bn-batch-stats", "[4; 20/3]").mistake["id"] == "unbiased_variance"


def test_normalize_element():
    assert grade("bn-normalize-element", "-1/sqrt(5)").correct
    assert grade("bn-normalize-element", "-0.2").mistake["id"] == "no_sqrt"


def test_output_vector():
    assert grade("bn-output-vector", "[1 - 2*sqrt(2); 1; 1; 1 + 2*sqrt(2)]").correct
    assert grade("bn-output-vector", "[-1.414; 0; 0; 1.414]").mistake["id"] == "no_affine"


def test_output_matrix_matches_engine():
    spec = spec_of(BANK, "bn-output-matrix")
    result = grader.grade(spec, None, "[-1.2247 -1.4495; 0 3.4495; 1.2247 1]")
    assert result.correct
    assert (
        grader.grade(spec, None, "[-1.2247 -1.2247; 0 1.2247; 1.2247 0]").mistake["id"]
        == "no_affine"
    )


def test_running_statistics():
    assert grade("bn-running-mean", "0.4").correct
    assert grade("bn-running-mean", "3.6").mistake["id"] == "keras_convention"
    assert grade("bn-running-var", "1.5667").correct
    assert grade("bn-running-var", "1.4").mistake["id"] == "biased_variance"


def test_inference_and_counts():
    assert grade("bn-inference", "2").correct
    assert grade("bn-params-count", "128").correct
    assert grade("bn-params-count", "256").mistake["id"] == "counted_running_stats"
    assert grade("bn-values-per-channel", "25088").correct
    assert grade("bn-values-per-channel", "32").mistake["id"] == "batch_only"


def test_choice_keys():
    spec = spec_of(BANK, "bn-eval-stats-choice")
    assert grader.grade(spec, None, "0").correct
    spec = spec_of(BANK, "bn-advantages-choice")
    assert grader.grade(spec, None, "0,1,2,3").correct


# ---------------------------------------------------------------- LayerNorm, GroupNorm, InstanceNorm
# Second computations: rows standardized with NumPy (ddof=0), never the layernorm engine.


def _layer_norm(x, gamma=1.0, beta=0.0):
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(x.var(axis=-1, keepdims=True)) * gamma + beta


def _typed(matrix) -> str:
    return "[" + "; ".join(" ".join(repr(float(v)) for v in row) for row in matrix) + "]"


def test_layernorm_vector_with_gamma_and_beta():
    y = _layer_norm([3, 1, 5, -1], np.array([1, 2, 0.5, 1]), np.array([0, 1, 0, -1]))
    # mu = 2, sigma^2 = 5: x_hat = (1, -1, 3, -3)/sqrt(5)
    assert np.allclose(y, [1 / 5**0.5, 1 - 2 / 5**0.5, 1.5 / 5**0.5, -3 / 5**0.5 - 1])
    typed = "[1/sqrt(5); 1 - 2/sqrt(5); 1,5/sqrt(5); -3/sqrt(5) - 1]"
    assert grade("ln-vector", typed).correct
    assert grade("ln-vector", "[1/sqrt(5); -1/sqrt(5); 3/sqrt(5); -3/sqrt(5)]").mistake["id"] == (
        "no_affine"
    )
    unbiased = (y - [0, 1, 0, -1]) * np.sqrt(3 / 4) + [0, 1, 0, -1]
    typed = "[" + "; ".join(repr(float(v)) for v in unbiased) + "]"
    assert grade("ln-vector", typed).mistake["id"] == "unbiased_variance"


def test_layernorm_normalizes_rows_not_columns():
    x = [[1, 2, 6], [4, 0, 2]]
    assert grade("ln-matrix", _typed(_layer_norm(x))).correct
    assert grade("ln-matrix", "[-1 1 1; 1 -1 -1]").mistake["id"] == "batchnorm_axes"
    # row 2 of [[2, 4, 0], [5, 1, 3], [6, 2, 7]] is (5, 1, 3): (5 - 3)/sqrt(8/3)
    assert grade("ln-vs-bn-element", "2/sqrt(8/3)").correct
    column = np.array([2, 5, 6])
    as_batchnorm = float((5 - column.mean()) / column.std())
    assert grade("ln-vs-bn-element", repr(as_batchnorm)).mistake["id"] == "batchnorm_axes"


def test_layernorm_counts():
    assert grade("ln-params-count", str(2 * 16 * 8 * 8)).correct
    assert grade("ln-params-count", "32").mistake["id"] == "per_channel"
    assert grade("ln-stats-count", "[400; 512]").correct
    assert grade("ln-stats-count", "[512; 400]").mistake["id"] == "batchnorm_axes"
    # GroupNorm(8, 32) on 16x32x14x14: 4 channels of 14*14 values per group
    values = np.zeros((16, 32, 14, 14)).reshape(16, 8, -1)
    assert grade("groupnorm-values", str(values.shape[-1])).correct
    assert grade("groupnorm-values", str(32 * 14 * 14)).mistake["id"] == "layer_norm"
    assert grade("groupnorm-values", str(14 * 14)).mistake["id"] == "instance_norm"
    assert grade("groupnorm-values", str(16 * 14 * 14)).mistake["id"] == "batch_norm"


def test_instance_norm_uses_one_channel():
    a, b = np.array([[1, 3], [5, 7]]), np.array([[2, 0], [4, 6]])
    expected = _layer_norm(a.reshape(-1)).reshape(2, 2)
    assert grade("instancenorm-map", _typed(expected)).correct
    assert grade("instancenorm-map", "[-3/sqrt(5) -1/sqrt(5); 1/sqrt(5) 3/sqrt(5)]").correct
    both = _layer_norm(np.concatenate([a.reshape(-1), b.reshape(-1)]))[:4].reshape(2, 2)
    assert grade("instancenorm-map", _typed(both)).mistake["id"] == "layer_norm"


def test_layernorm_choice_keys():
    for slug in ("ln-axes-choice", "ln-train-eval-choice", "ln-batch-one-choice"):
        assert grade(slug, "0").correct, slug
        assert not grade(slug, "1").correct, slug
    assert grade("ln-why-transformers", "0,1,2").correct
    assert not grade("ln-why-transformers", "0,1,2,3").correct
    assert grade("norm-running-stats-choice", "0,1").correct
    assert not grade("norm-running-stats-choice", "0,1,4").correct
    matching = '{"0": "0", "1": "1", "2": "2", "3": "3"}'
    assert grade("norm-axes-matching", matching).correct
    swapped = '{"0": "1", "1": "0", "2": "2", "3": "3"}'
    assert grade("norm-axes-matching", swapped).mistake["id"] == "bn_ln_swapped"
