"""Unit tests of the batchnorm engine (torch F.batch_norm checks in tests/reference)."""

import math

import pytest

from grader.engines.normalization import batchnorm, layernorm
from grader.engines.registry import compute
from grader.errors import EngineError


def test_biased_variance_by_hand():
    # column [1, 2, 3, 6]: mean 3, biased variance (4 + 1 + 0 + 9)/4 = 3.5 (unbiased would be 14/3)
    out = batchnorm(x=[[1], [2], [3], [6]], gamma=[2], beta=[0.5], eps=1e-5)
    d = math.sqrt(3.5 + 1e-5)
    expected = [[2 * (v - 3) / d + 0.5] for v in (1, 2, 3, 6)]
    assert [row[0] for row in out] == pytest.approx([row[0] for row in expected], rel=1e-12)


def test_columns_are_independent_and_defaults():
    out = compute("batchnorm", x=[[1, 10], [3, 10]])
    d = math.sqrt(1 + 1e-5)
    assert out[0] == pytest.approx([-1 / d, 0.0])
    assert out[1] == pytest.approx([1 / d, 0.0])
    assert batchnorm(x=[[1], [3]], eps=0) == [[-1.0], [1.0]]


def test_constant_column_maps_to_beta():
    assert batchnorm(x=[[5, 1], [5, 2]], gamma=[3, 1], beta=[0.7, 0])[0][0] == 0.7


def test_channels_of_images_are_normalized_over_batch_and_space():
    x = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]  # N×C×L = 2×2×2
    out = batchnorm(x=x, gamma=[1, 1], beta=[0, 0], eps=0)
    # channel 0: values 1, 2, 5, 6 (mean 3.5, var 4.25)
    assert out[0][0] == pytest.approx([(1 - 3.5) / math.sqrt(4.25), (2 - 3.5) / math.sqrt(4.25)])


def test_single_sample_with_spatial_values_is_allowed():
    out = batchnorm(x=[[[1, 3]]], eps=0)  # N = 1, C = 1, L = 2: two values per channel
    assert out == [[[-1.0, 1.0]]]


@pytest.mark.parametrize(
    ("kw", "arg"),
    [
        ({"x": [[1, 2]]}, "x"),  # N = 1: torch refuses in training mode
        ({"x": [1, 2]}, "x"),
        ({"x": [[[[[1]]]]]}, "x"),
        ({"gamma": [1, 2, 3]}, "gamma"),
        ({"beta": [0]}, "beta"),
        ({"eps": -1e-5}, "eps"),
        ({"x": [[1, 2], [1, 3]], "eps": 0}, "eps"),
    ],
)
def test_bad_args(kw, arg):
    args = {"x": [[1, 2], [3, 5]], "gamma": [1, 1], "beta": [0, 0], **kw}
    with pytest.raises(EngineError) as err:
        batchnorm(**args)
    assert err.value.code == "bad_arg"
    assert err.value.arg == arg


def test_shape_message_names_both_shapes():
    with pytest.raises(EngineError) as err:
        batchnorm(x=[[1, 2], [3, 5]], gamma=[1, 2, 3])
    assert "(3)" in err.value.message and "(2)" in err.value.message


def test_overflowing_variance_is_refused():
    with pytest.raises(EngineError) as err:
        batchnorm(x=[[1e308], [-1e308]])
    assert err.value.code == "not_finite" and err.value.arg == "x"


# --- batchnorm_running ------------------------------------------------------------------------


def test_running_stats_pytorch_by_hand():
    # batch [1, 3, 5, 7]: μ = 4, unbiased s² = 20/3 (biased would be 5)
    r = compute("batchnorm_running", batches=[[1, 3, 5, 7]], running_mean=[2], running_var=[1])
    assert r["running_mean"] == pytest.approx([0.9 * 2 + 0.1 * 4], rel=1e-15)
    assert r["running_var"] == pytest.approx([0.9 * 1 + 0.1 * 20 / 3], rel=1e-15)
    assert r["output"] is None


def test_running_stats_keras_by_hand():
    r = compute("batchnorm_running", batches=[[1, 3, 5, 7]], convention="keras")
    assert r["running_mean"] == pytest.approx([0.01 * 4], rel=1e-14)
    assert r["running_var"] == pytest.approx([0.99 * 1 + 0.01 * 5], rel=1e-14)


def test_sequence_of_batches_and_momentum_edges():
    batches = [[[1, 10], [3, 10]], [[0, 0], [4, 2]]]
    r = compute("batchnorm_running", batches=batches, momentum=0.5)
    # feature 0: μ 2 then 2, s² 2 then 8; feature 1: μ 10 then 1, s² 0 then 2
    assert r["running_mean"] == pytest.approx([1.5, 3.0])
    assert r["running_var"] == pytest.approx([(0.5 + 1) / 2 + 4, 0.25 + 1])
    frozen = compute("batchnorm_running", batches=batches, momentum=0, running_mean=[7, 8])
    assert frozen["running_mean"] == [7.0, 8.0] and frozen["running_var"] == [1.0, 1.0]
    last = compute("batchnorm_running", batches=batches, momentum=1)
    assert last["running_mean"] == [2.0, 1.0] and last["running_var"] == [8.0, 2.0]


def test_eval_output_uses_running_stats():
    r = compute(
        "batchnorm_running",
        batches=[],
        running_mean=[1],
        running_var=[3],
        x=[2, 4],
        gamma=[2],
        beta=[0.5],
        eps=1,
    )
    assert r["output"] == pytest.approx([2 * 1 / 2 + 0.5, 2 * 3 / 2 + 0.5])
    one_sample = compute("batchnorm_running", batches=[], running_mean=[0, 1], x=[3, 3], eps=0)
    assert one_sample["output"] == [3.0, 2.0]


def test_channels_are_pooled_over_batch_and_space():
    r = compute("batchnorm_running", batches=[[[[1, 2]], [[3, 6]]]], momentum=1)  # N×C×L 2×1×2
    assert r["running_mean"] == [3.0]
    assert r["running_var"] == pytest.approx([(4 + 1 + 0 + 9) / 3])


@pytest.mark.parametrize(
    ("args", "code", "arg"),
    [
        ({"batches": [[2]]}, "too_few_values", "batches[0]"),
        ({"batches": [[[1, 2]]]}, "too_few_values", "batches[0]"),
        ({"batches": [[1, 2], [[1, 2], [3, 4]]]}, "shape_mismatch", "batches[1]"),
        ({"batches": [[1, 2]], "momentum": 1.5}, "bad_arg", "momentum"),
        ({"batches": [[1, 2]], "convention": "tf"}, "bad_arg", "convention"),
        ({"batches": [[1, 2]], "running_var": [-1]}, "bad_arg", "running_var"),
        ({"batches": [[1, 2]], "running_mean": [0, 0]}, "bad_arg", "running_mean"),
        ({"batches": "1 2"}, "bad_arg", "batches"),
        ({"batches": [], "running_var": [0], "x": [1], "eps": 0}, "bad_arg", "eps"),
        ({"batches": [[1, 2]], "x": [[1, 2]]}, "bad_arg", "x"),
    ],
)
def test_running_bad_args(args, code, arg):
    with pytest.raises(EngineError) as info:
        compute("batchnorm_running", **args)
    assert (info.value.code, info.value.arg) == (code, arg)


def test_keras_allows_one_value():
    r = compute("batchnorm_running", batches=[[5]], convention="keras", momentum=0.5)
    assert r["running_mean"] == [2.5] and r["running_var"] == [0.5]


# --- layernorm --------------------------------------------------------------------------------


def test_layernorm_rows_by_hand():
    # row [1, 2, 3, 6]: mean 3, biased variance 3.5; row [0, 0, 4, 4]: mean 2, variance 4
    out = compute("layernorm", x=[[1, 2, 3, 6], [0, 0, 4, 4]], eps=1e-5)
    d0, d1 = math.sqrt(3.5 + 1e-5), math.sqrt(4 + 1e-5)
    assert out[0] == pytest.approx([(v - 3) / d0 for v in (1, 2, 3, 6)], rel=1e-13)
    assert out[1] == pytest.approx([(v - 2) / d1 for v in (0, 0, 4, 4)], rel=1e-13)


def test_layernorm_gamma_beta_per_feature_and_batch_independence():
    out = layernorm(x=[[1, 3], [10, 30]], gamma=[2, 3], beta=[1, -1], eps=0)
    assert out == [[-1.0, 2.0], [-1.0, 2.0]]  # each row: (−1, 1) · γ + β
    assert layernorm(x=[[1, 3]], eps=0) == [[-1.0, 1.0]]  # a batch of one is fine


def test_layernorm_constant_row_gives_beta_and_vector_and_sequences():
    assert layernorm(x=[[5, 5, 5]], beta=[0.5, 0, -1]) == [[0.5, 0.0, -1.0]]
    assert layernorm(x=[2, 4], eps=0) == [-1.0, 1.0]
    seq = layernorm(x=[[[1, 3], [0, 4]]], eps=0)  # N×L×F: over the last axis
    assert seq == [[[-1.0, 1.0], [-1.0, 1.0]]]


def test_layernorm_eps_enters_under_the_root():
    out = layernorm(x=[[0, 2]], eps=3)  # variance 1: (x − 1)/√4
    assert out == [[-0.5, 0.5]]


@pytest.mark.parametrize(
    ("kw", "arg", "code"),
    [
        ({"x": []}, "x", "bad_arg"),
        ({"x": 3}, "x", "bad_arg"),
        ({"x": [[[[1]]]]}, "x", "bad_arg"),
        ({"gamma": [1]}, "gamma", "bad_arg"),
        ({"beta": [0, 0, 0]}, "beta", "bad_arg"),
        ({"eps": -1}, "eps", "bad_arg"),
        ({"x": [[1, 1]], "eps": 0}, "eps", "bad_arg"),
        ({"x": [[1e308, -1e308]]}, "x", "not_finite"),
        ({"x": [[1, float("nan")]]}, "x", "bad_arg"),
    ],
)
def test_layernorm_bad_args(kw, arg, code):
    args = {"x": [[1, 2], [3, 5]], **kw}
    with pytest.raises(EngineError) as err:
        layernorm(**args)
    assert (err.value.arg, err.value.code) == (arg, code)


def test_layernorm_constant_row_is_exactly_beta_whatever_its_value():
    # 0.1 + 0.1 + 0.1 ≠ 0.3 in floating point: a plain mean would leave a residue of ~1e-17
    # that eps = 1e-12 would blow up to ~1e-11
    out = layernorm(x=[[0.1, 0.1, 0.1], [-1.0367920863581523] * 3], beta=[1, 2, 3], eps=1e-12)
    assert out == [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]
