"""Unit tests of conv2d, conv1d, pool2d and pool2d_backward (torch checks in tests/reference)."""

import pytest

from grader.engines.convolution import conv1d, conv2d, pool2d, pool2d_backward
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


# --- pool2d_backward --------------------------------------------------------------------------


def test_max_backward_routes_each_upstream_value_to_its_window_maximum():
    image = [[1, 2, 0, 7], [4, 3, 5, 6], [9, 0, 1, 1], [2, 8, 3, 0]]
    got = pool2d_backward(image=image, upstream=[[10, 20], [30, 40]], kernel=2, mode="max")
    # maxima: 4 at (1, 0), 7 at (0, 3), 9 at (2, 0), 3 at (3, 2)
    assert got == [[0, 0, 0, 20], [10, 0, 0, 0], [30, 0, 0, 0], [0, 0, 40, 0]]


def test_max_backward_tie_goes_to_the_first_in_row_major_order():
    got = pool2d_backward(image=[[5, 5], [5, 5]], upstream=[[1]], kernel=2, mode="max")
    assert got == [[1, 0], [0, 0]]
    got = pool2d_backward(image=[[0, 3], [3, 3]], upstream=[[2]], kernel=2, mode="max")
    assert got == [[0, 2], [0, 0]]


def test_max_backward_overlapping_windows_add_up():
    # stride 1, kernel 2 over [1, 9, 2]: both windows pick the 9
    got = pool2d_backward(image=[[1, 9, 2]], upstream=[[3, 4]], kernel=[1, 2], stride=1, mode="max")
    assert got == [[0, 7, 0]]


def test_avg_backward_spreads_evenly_and_overlaps_add_up():
    # 3×3 image, 2×2 windows, stride 1: the centre is in all four windows
    got = pool2d_backward(
        image=[[0] * 3] * 3, upstream=[[4, 8], [12, 16]], kernel=2, stride=1, mode="avg"
    )
    assert got == [[1, 3, 2], [4, 10, 6], [3, 7, 4]]


def test_avg_backward_with_padding_divides_by_the_full_window():
    # padding 1, stride 2 on a 2×2 image: each of the four windows holds one real cell of 4
    got = pool2d_backward(
        image=[[1, 2], [3, 4]],
        upstream=[[4, 8], [12, 16]],
        kernel=2,
        stride=2,
        padding=1,
        mode="avg",
    )
    assert got == [[1, 2], [3, 4]]


def test_max_backward_padding_never_wins():
    image = [[-1, -2], [-3, -4]]
    got = pool2d_backward(
        image=image,
        upstream=[[1, 1, 1], [1, 1, 1], [1, 1, 1]],
        kernel=2,
        stride=1,
        padding=1,
        mode="max",
    )
    # forward: [[-1, -1, -2], [-1, -1, -2], [-3, -3, -4]] — the 4 windows on −1 add up
    assert got == [[4, 2], [2, 1]]


def test_backward_non_square_kernel_channels_and_uncovered_cells():
    image = [[[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]], [[5, 4, 3, 2, 1], [0, 0, 0, 0, 0]]]
    got = compute(
        "pool2d_backward", image=image, upstream=[[[1, 2]], [[3, 4]]], kernel=[2, 2], mode="max"
    )
    # the last column lies in no window (floor mode): its gradient is 0
    assert got == [[[0, 0, 0, 0, 0], [0, 1, 0, 2, 0]], [[3, 0, 4, 0, 0], [0, 0, 0, 0, 0]]]
    got = compute(
        "pool2d_backward",
        image=image,
        upstream=[[[6], [6]], [[6], [6]]],
        kernel=[1, 3],
        stride=[1, 3],
        mode="avg",
    )
    assert got[0] == [[2, 2, 2, 0, 0], [2, 2, 2, 0, 0]]


@pytest.mark.parametrize(
    ("kw", "arg", "code"),
    [
        ({"upstream": [[1, 2]]}, "upstream", "bad_arg"),
        ({"upstream": [[[1]]]}, "upstream", "bad_arg"),
        ({"upstream": [[float("nan")]]}, "upstream", "bad_arg"),
        ({"kernel": 4}, "kernel", "kernel_too_large"),
        ({"padding": 2}, "padding", "bad_arg"),
        ({"mode": "sum"}, "mode", "bad_arg"),
        ({"stride": 0}, "stride", "bad_arg"),
        ({"image": [1, 2, 3]}, "image", "bad_arg"),
    ],
)
def test_pool2d_backward_bad_args(kw, arg, code):
    args = {"image": IMG, "upstream": [[1]], "kernel": 2, "mode": "max", **kw}
    with pytest.raises(EngineError) as err:
        compute("pool2d_backward", **args)
    assert (err.value.arg, err.value.code) == (arg, code)


def test_pool2d_backward_upstream_message_names_both_shapes():
    with pytest.raises(EngineError) as err:
        pool2d_backward(image=[IMG], upstream=[[1, 2]], kernel=2, mode="avg")
    assert "1×2" in err.value.message and "1×1×1" in err.value.message


def test_pool2d_backward_work_guard():
    with pytest.raises(EngineError) as err:
        pool2d_backward(
            image=[[0.0] * 1000] * 1000,
            upstream=[[0.0] * 901] * 901,
            kernel=100,
            stride=1,
            mode="max",
        )
    assert err.value.code == "too_large"
