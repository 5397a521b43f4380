"""Unit tests of the batchnorm engine (torch F.batch_norm checks in tests/reference)."""

import math

import pytest

from grader.engines.normalization import batchnorm
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
