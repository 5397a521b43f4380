"""Unit tests of conv2d, conv1d and pool2d (torch F.conv*/pool checks in tests/reference)."""

import pytest

from grader.engines.convolution import conv1d, conv2d, pool2d
from grader.engines.registry import compute
from grader.errors import EngineError

IMG = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


def test_conv2d_is_cross_correlation_not_convolution():
    # kernel [[1, 0], [0, −1]] at (0, 0): 1·1 − 5 = −4 (a flipped kernel would give +4)
    assert conv2d(image=IMG, kernel=[[1, 0], [0, -1]]) == [[-4, -4], [-4, -4]]


def test_conv2d_zero_padding_and_stride():
    out = conv2d(image=IMG, kernel=[[1, 1], [1, 1]], padding=1, stride=2)
    # windows of the padded 5×5 at rows/cols 0, 2: sums of the covered image cells
    assert out == [[1, 5], [11, 28]]


def test_conv2d_dilation():
    # a dilated 2×2 kernel covers the corners of the 3×3 image
    assert conv2d(image=IMG, kernel=[[1, 1], [1, 1]], dilation=2) == [[1 + 3 + 7 + 9]]


def test_conv2d_channels_and_bias():
    image = [IMG, [[1, 0, 0], [0, 1, 0], [0, 0, 1]]]  # 2×3×3
    kernel = [
        [[[1]], [[10]]],  # output 0: image0 + 10·image1
        [[[0]], [[-1]]],  # output 1: −image1
    ]
    out = conv2d(image=image, kernel=kernel, bias=[0.5, 1])
    assert out[0] == [[11.5, 2.5, 3.5], [4.5, 15.5, 6.5], [7.5, 8.5, 19.5]]
    assert out[1] == [[0, 1, 1], [1, 0, 1], [1, 1, 0]]


def test_conv2d_pairs_and_same_padding():
    out = conv2d(image=IMG, kernel=[[1, 1]], padding=[0, 1])  # 1×2 kernel, pad columns only
    assert out == [[1, 3, 5, 3], [4, 9, 11, 6], [7, 15, 17, 9]]
    # "same" with an even kernel pads the extra cell at the end (right/bottom), like torch
    assert conv2d(image=IMG, kernel=[[1, 1]], padding="same") == [
        [3, 5, 3],
        [9, 11, 6],
        [15, 17, 9],
    ]
    assert conv2d(image=IMG, kernel=[[1, 1]], padding="valid") == [[3, 5], [9, 11], [15, 17]]
    assert conv2d(image=IMG, kernel=[[1]], stride=[1, 2]) == [[1, 3], [4, 6], [7, 9]]


def test_conv2d_kernel_as_large_as_padded_input():
    assert compute("conv2d", image=[[1, 2], [3, 4]], kernel=[[1] * 4] * 4, padding=1) == [[10.0]]


def test_conv1d():
    assert conv1d(x=[1, 2, 3, 4], kernel=[1, 1], stride=2) == [3, 7]
    # padded [0, 1, 2, 3, 4, 5, 0], taps 0, 2, 4: x[i] − x[i + 4]
    assert conv1d(x=[1, 2, 3, 4, 5], kernel=[1, 0, -1], padding=1, dilation=2) == [-4, -4, 2]
    out = conv1d(x=[[1, 2, 3], [0, 1, 0]], kernel=[[[1], [2]]], bias=[1])
    assert out == [[2, 5, 4]]
    assert conv1d(x=[1, 2, 3], kernel=[1, 1], padding="same") == [3, 5, 3]


def test_pool2d_max_with_padding_uses_minus_infinity():
    image = [[-1, -2], [-3, -4]]
    # with zero padding a window over the corner would give 0; torch pads max pool with −inf
    assert pool2d(image=image, kernel=2, stride=1, padding=1, mode="max") == [
        [-1, -1, -2],
        [-1, -1, -2],
        [-3, -3, -4],
    ]


def test_pool2d_avg_counts_padding_like_torch():
    out = pool2d(image=[[4, 8], [12, 16]], kernel=2, stride=2, padding=1, mode="avg")
    assert out == [[1, 2], [3, 4]]  # each corner window holds one real cell, divided by 4


def test_pool2d_default_stride_is_kernel_and_floor_mode():
    image = [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 14, 15]]
    assert pool2d(image=image, kernel=2, mode="max") == [[7, 9]]
    assert pool2d(image=image, kernel=2, mode="avg") == [[4, 6]]
    assert pool2d(image=[image], kernel=[1, 5], mode="max") == [[[5], [10], [15]]]


@pytest.mark.parametrize(
    ("engine", "kw", "arg", "code"),
    [
        (conv2d, {"image": IMG, "kernel": [[1] * 4] * 4}, "kernel", "kernel_too_large"),
        (
            conv2d,
            {"image": IMG, "kernel": [[1] * 2] * 2, "dilation": 3},
            "kernel",
            "kernel_too_large",
        ),
        (conv2d, {"image": [IMG], "kernel": [[[[1]], [[1]]]]}, "kernel", "bad_arg"),
        (conv2d, {"image": IMG, "kernel": [[1]], "bias": [1, 2]}, "bias", "bad_arg"),
        (conv2d, {"image": IMG, "kernel": [[1]], "stride": 0}, "stride", "bad_arg"),
        (conv2d, {"image": IMG, "kernel": [[1]], "padding": -1}, "padding", "bad_arg"),
        (conv2d, {"image": IMG, "kernel": [[1]], "padding": "full"}, "padding", "bad_arg"),
        (
            conv2d,
            {"image": IMG, "kernel": [[1]], "padding": "same", "stride": 2},
            "padding",
            "bad_arg",
        ),
        (conv2d, {"image": IMG, "kernel": [[1]], "dilation": [1, 2, 3]}, "dilation", "bad_arg"),
        (conv2d, {"image": [1, 2], "kernel": [[1]]}, "image", "bad_arg"),
        (conv2d, {"image": IMG, "kernel": [1]}, "kernel", "bad_arg"),
        (conv2d, {"image": IMG, "kernel": [[1]], "padding": 10**6}, "padding", "too_large"),
        (conv1d, {"x": [1, 2], "kernel": [1, 1, 1]}, "kernel", "kernel_too_large"),
        (conv1d, {"x": [[1, 2]], "kernel": [[[1], [1]]]}, "kernel", "bad_arg"),
        (conv1d, {"x": [1, 2], "kernel": [1], "stride": [1, 1]}, "stride", "bad_arg"),
        (pool2d, {"image": IMG, "kernel": 4, "mode": "max"}, "kernel", "kernel_too_large"),
        (pool2d, {"image": IMG, "kernel": 2, "padding": 2, "mode": "max"}, "padding", "bad_arg"),
        (pool2d, {"image": IMG, "kernel": 2, "mode": "sum"}, "mode", "bad_arg"),
        (pool2d, {"image": IMG, "kernel": 0, "mode": "max"}, "kernel", "bad_arg"),
    ],
)
def test_bad_args(engine, kw, arg, code):
    with pytest.raises(EngineError) as err:
        engine(**kw)
    assert err.value.code == code
    assert err.value.arg == arg


def test_channel_mismatch_message_names_both_shapes():
    with pytest.raises(EngineError) as err:
        conv2d(image=[IMG], kernel=[[[[1]], [[1]]]])
    assert "1×2×1×1" in err.value.message and "1×3×3" in err.value.message


def test_work_guard():
    big = [[0.0] * 1000] * 1000
    with pytest.raises(EngineError) as err:
        conv2d(image=big, kernel=[[1.0] * 100] * 100)
    assert err.value.code == "too_large"
