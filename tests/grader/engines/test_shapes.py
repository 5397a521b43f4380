"""Unit tests of grader.engines.shapes: hand-computed values, edge cases and refused arguments."""

import pytest

from grader.engines import shapes
from grader.engines.registry import compute
from grader.errors import EngineError


def error(name, **args) -> EngineError:
    with pytest.raises(EngineError) as info:
        compute(name, **args)
    return info.value


# --- dense_params ---------------------------------------------------------------------------


def test_dense_seed_example():
    assert compute("dense_params", sizes=[12, 300, 200, 100, 1]) == 84301
    assert compute("dense_params", sizes=[12, 300, 200, 100, 1], bias=False) == 84301 - 601


def test_dense_single_layer_and_big_ints():
    assert shapes.dense_params(sizes=[1, 1]) == 2
    big = 10**12
    assert compute("dense_params", sizes=[big, big]) == big * big + big
    assert isinstance(compute("dense_params", sizes=[3.0, 2]), int)


@pytest.mark.parametrize(
    ("args", "code", "arg"),
    [
        ({"sizes": [5]}, "bad_arg", "sizes"),
        ({"sizes": []}, "bad_arg", "sizes"),
        ({"sizes": [5, 0]}, "bad_arg", "sizes[1]"),
        ({"sizes": [5, -3]}, "bad_arg", "sizes[1]"),
        ({"sizes": [5, 2.5]}, "bad_arg", "sizes[1]"),
        ({"sizes": "5,3"}, "bad_arg", "sizes"),
        ({"sizes": [5, 3], "bias": 1}, "bad_arg", "bias"),
        ({"sizes": [2] * 1001}, "too_large", "sizes"),
    ],
)
def test_dense_bad_args(args, code, arg):
    err = error("dense_params", **args)
    assert (err.code, err.arg) == (code, arg)


def test_unknown_and_missing_args():
    assert error("dense_params", sizes=[1, 2], bais=True).code == "unknown_arg"
    assert error("conv2d_params", c_in=3, kernel=3).arg == "c_out"


# --- conv2d_params / separable_conv2d_params ------------------------------------------------


def test_conv2d_params():
    assert compute("conv2d_params", c_in=3, c_out=64, kernel=3) == 64 * 27 + 64
    assert compute("conv2d_params", c_in=3, c_out=64, kernel=[3, 5], bias=False) == 64 * 45
    # grouped: each of the 4 groups maps 2 channels to 4
    assert compute("conv2d_params", c_in=8, c_out=16, kernel=3, groups=4) == 16 * 2 * 9 + 16
    assert compute("conv2d_params", c_in=1, c_out=1, kernel=1) == 2


@pytest.mark.parametrize(
    ("args", "code", "arg"),
    [
        ({"c_in": 6, "c_out": 8, "kernel": 3, "groups": 4}, "not_divisible", "groups"),
        ({"c_in": 8, "c_out": 6, "kernel": 3, "groups": 4}, "not_divisible", "groups"),
        ({"c_in": 8, "c_out": 8, "kernel": 3, "groups": 0}, "bad_arg", "groups"),
        ({"c_in": 0, "c_out": 8, "kernel": 3}, "bad_arg", "c_in"),
        ({"c_in": 3, "c_out": 8, "kernel": 0}, "bad_arg", "kernel"),
        ({"c_in": 3, "c_out": 8, "kernel": [3, 3, 3]}, "bad_arg", "kernel"),
    ],
)
def test_conv2d_params_bad_args(args, code, arg):
    err = error("conv2d_params", **args)
    assert (err.code, err.arg) == (code, arg)


def test_separable_conv2d_params():
    # depthwise 3·3·16 = 144, pointwise 16·32 + 32 = 544
    assert compute("separable_conv2d_params", c_in=16, c_out=32, kernel=3) == 688
    assert compute("separable_conv2d_params", c_in=16, c_out=32, kernel=3, bias=False) == 656
    # multiplier 2: depthwise 3·3·16·2 = 288, pointwise 32·32 + 32 = 1056
    assert (
        compute("separable_conv2d_params", c_in=16, c_out=32, kernel=[3, 3], depth_multiplier=2)
        == 1344
    )
    err = error("separable_conv2d_params", c_in=16, c_out=32, kernel=3, depth_multiplier=0)
    assert err.arg == "depth_multiplier"


# --- conv2d_output_shape / conv2d_mult_ops ----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "shape"),
    [
        ({"h": 32, "w": 32, "kernel": 3}, [30, 30]),
        ({"h": 32, "w": 32, "kernel": 3, "padding": 1}, [32, 32]),
        ({"h": 224, "w": 224, "kernel": 7, "stride": 2, "padding": 3}, [112, 112]),
        ({"h": 28, "w": 20, "kernel": [5, 3], "stride": [2, 1], "padding": [2, 0]}, [14, 18]),
        ({"h": 10, "w": 10, "kernel": 3, "dilation": 2}, [6, 6]),
        ({"h": 10, "w": 11, "kernel": 3, "stride": 2, "padding": "same"}, [5, 6]),
        ({"h": 10, "w": 11, "kernel": 3, "dilation": 3, "padding": "same"}, [10, 11]),
        ({"h": 2, "w": 2, "kernel": 5, "padding": "same"}, [2, 2]),
        ({"h": 10, "w": 11, "kernel": 3, "stride": 2, "padding": "valid"}, [4, 5]),
        ({"h": 10, "w": 10, "kernel": 3, "stride": 2, "dilation": 2, "padding": "valid"}, [3, 3]),
        ({"h": 3, "w": 3, "kernel": 3}, [1, 1]),
        ({"h": 1, "w": 1, "kernel": 3, "padding": 1}, [1, 1]),
    ],
)
def test_conv2d_output_shape(args, shape):
    assert compute("conv2d_output_shape", **args) == shape


@pytest.mark.parametrize(
    ("args", "code", "arg"),
    [
        ({"h": 2, "w": 5, "kernel": 3}, "kernel_too_large", "kernel"),
        ({"h": 5, "w": 5, "kernel": 3, "dilation": 3}, "kernel_too_large", "kernel"),
        ({"h": 5, "w": 5, "kernel": 8, "padding": 1}, "kernel_too_large", "kernel"),
        ({"h": 5, "w": 5, "kernel": 8, "padding": "valid"}, "kernel_too_large", "kernel"),
        ({"h": 5, "w": 5, "kernel": 3, "stride": 0}, "bad_arg", "stride"),
        ({"h": 5, "w": 5, "kernel": 3, "dilation": 0}, "bad_arg", "dilation"),
        ({"h": 5, "w": 5, "kernel": 3, "padding": -1}, "bad_arg", "padding"),
        ({"h": 5, "w": 5, "kernel": 3, "padding": "full"}, "bad_arg", "padding"),
        (
            {"h": 9, "w": 9, "kernel": 3, "stride": 2, "dilation": 2, "padding": "same"},
            "incompatible",
            "padding",
        ),
        ({"h": 0, "w": 5, "kernel": 3}, "bad_arg", "h"),
        ({"h": 5, "w": True, "kernel": 3}, "bad_arg", "w"),
    ],
)
def test_conv2d_output_shape_bad_args(args, code, arg):
    err = error("conv2d_output_shape", **args)
    assert (err.code, err.arg) == (code, arg)


def test_conv2d_mult_ops():
    # 32×32 output, 16 filters of 3×3×3
    assert compute("conv2d_mult_ops", h=32, w=32, c_in=3, c_out=16, kernel=3, padding=1) == (
        32 * 32 * 16 * 27
    )
    assert compute(
        "conv2d_mult_ops", h=7, w=7, c_in=2, c_out=4, kernel=[3, 1], stride=2, padding="same"
    ) == (4 * 4 * 4 * 3 * 2)
    err = error("conv2d_mult_ops", h=2, w=2, c_in=1, c_out=1, kernel=3)
    assert (err.code, err.arg) == ("kernel_too_large", "kernel")
    assert error("conv2d_mult_ops", h=8, w=8, c_in=1, c_out=0, kernel=3).arg == "c_out"


# --- pool2d_output_shape ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "shape"),
    [
        ({"h": 224, "w": 224, "kernel": 2}, [112, 112]),
        ({"h": 5, "w": 5, "kernel": 2}, [2, 2]),
        ({"h": 5, "w": 5, "kernel": 2, "ceil_mode": True}, [3, 3]),
        # ceil mode: the last window would start in the right padding, so it is dropped
        ({"h": 5, "w": 5, "kernel": 2, "stride": 2, "padding": 1, "ceil_mode": True}, [3, 3]),
        ({"h": 6, "w": 6, "kernel": 3, "stride": 2, "padding": 1, "ceil_mode": True}, [4, 4]),
        ({"h": 112, "w": 112, "kernel": 3, "stride": 2, "padding": 1}, [56, 56]),
        ({"h": 10, "w": 9, "kernel": [3, 2], "stride": [1, 3]}, [8, 3]),
        ({"h": 10, "w": 10, "kernel": 3, "stride": 1, "dilation": 2}, [6, 6]),
        ({"h": 3, "w": 3, "kernel": 3, "stride": None}, [1, 1]),
    ],
)
def test_pool2d_output_shape(args, shape):
    assert compute("pool2d_output_shape", **args) == shape


@pytest.mark.parametrize(
    ("args", "code", "arg"),
    [
        ({"h": 3, "w": 3, "kernel": 5}, "kernel_too_large", "kernel"),
        ({"h": 3, "w": 3, "kernel": 2, "padding": 2}, "padding_too_large", "padding"),
        (
            {"h": 9, "w": 9, "kernel": 3, "padding": 2, "dilation": 2},
            "padding_too_large",
            "padding",
        ),
        ({"h": 9, "w": 9, "kernel": 3, "stride": 0}, "bad_arg", "stride"),
        ({"h": 9, "w": 9, "kernel": 3, "padding": "same"}, "bad_arg", "padding"),
        ({"h": 9, "w": 9, "kernel": 3, "ceil_mode": "yes"}, "bad_arg", "ceil_mode"),
    ],
)
def test_pool2d_output_shape_bad_args(args, code, arg):
    err = error("pool2d_output_shape", **args)
    assert (err.code, err.arg) == (code, arg)


# --- conv_transpose2d_output_shape ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "shape"),
    [
        # (n − 1)·s − 2p + d·(k − 1) + output_padding + 1
        ({"in_h": 16, "in_w": 16, "kernel": 4, "stride": 2, "padding": 1}, [32, 32]),  # 30−2+3+1
        ({"in_h": 3, "in_w": 3, "kernel": 3}, [5, 5]),  # stride 1 undoes a "valid" 3×3 conv
        ({"in_h": 3, "in_w": 3, "kernel": 3, "padding": 1}, [3, 3]),
        ({"in_h": 7, "in_w": 7, "kernel": 3, "stride": 2, "padding": 1}, [13, 13]),
        (
            {"in_h": 7, "in_w": 7, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1},
            [14, 14],
        ),
        (
            {"in_h": 7, "in_w": 5, "kernel": [3, 1], "stride": [2, 3], "output_padding": [1, 2]},
            [16, 15],  # 12 + 2 + 1 + 1; 12 + 0 + 2 + 1
        ),
        # output_padding only needs to be below the stride *or* the dilation
        ({"in_h": 4, "in_w": 4, "kernel": 3, "dilation": 2, "output_padding": 1}, [9, 9]),
        ({"in_h": 1, "in_w": 1, "kernel": 1}, [1, 1]),
        ({"in_h": 2, "in_w": 2, "kernel": 2, "stride": 2, "padding": 1}, [2, 2]),
    ],
)
def test_conv_transpose2d_output_shape(args, shape):
    assert compute("conv_transpose2d_output_shape", **args) == shape


def test_conv_transpose2d_inverts_the_conv2d_shape():
    # a strided conv maps 7 and 8 to 4; output_padding picks which one the transpose gives back
    for n in (7, 8):
        (m, _m) = shapes.conv2d_output_shape(h=n, w=n, kernel=3, stride=2, padding=1)
        back = shapes.conv_transpose2d_output_shape(
            in_h=m, in_w=m, kernel=3, stride=2, padding=1, output_padding=n - 7
        )
        assert back == [n, n]


@pytest.mark.parametrize(
    ("args", "code", "arg"),
    [
        (
            {"in_h": 3, "in_w": 3, "kernel": 3, "output_padding": 1},
            "output_padding_too_large",
            "output_padding",
        ),
        (
            {"in_h": 3, "in_w": 3, "kernel": 3, "stride": 2, "dilation": 2, "output_padding": 2},
            "output_padding_too_large",
            "output_padding",
        ),
        (
            {"in_h": 3, "in_w": 3, "kernel": 3, "stride": [2, 1], "output_padding": [1, 1]},
            "output_padding_too_large",
            "output_padding",
        ),
        ({"in_h": 3, "in_w": 3, "kernel": 3, "padding": 3}, "padding_too_large", "padding"),
        ({"in_h": 2, "in_w": 2, "kernel": 1, "padding": 1}, "padding_too_large", "padding"),
        ({"in_h": 0, "in_w": 3, "kernel": 3}, "bad_arg", "in_h"),
        ({"in_h": 3, "in_w": 3, "kernel": 0}, "bad_arg", "kernel"),
        ({"in_h": 3, "in_w": 3, "kernel": 3, "stride": 0}, "bad_arg", "stride"),
        ({"in_h": 3, "in_w": 3, "kernel": 3, "padding": "same"}, "bad_arg", "padding"),
        ({"in_h": 3, "in_w": 3, "kernel": 3, "output_padding": -1}, "bad_arg", "output_padding"),
        ({"in_h": 3, "in_w": 3, "kernel": 3, "dilation": [1, 2, 3]}, "bad_arg", "dilation"),
    ],
)
def test_conv_transpose2d_output_shape_bad_args(args, code, arg):
    err = error("conv_transpose2d_output_shape", **args)
    assert (err.code, err.arg) == (code, arg)


def test_conv_transpose2d_output_padding_message_names_the_axis():
    err = error("conv_transpose2d_output_shape", in_h=3, in_w=3, kernel=3, output_padding=[0, 1])
    assert "оси w" in err.message and "stride (1)" in err.message


# --- receptive_field --------------------------------------------------------------------------


def test_receptive_field():
    assert compute("receptive_field", layers=[{"kernel": 3}]) == 3
    assert compute("receptive_field", layers=[{"kernel": 3}] * 3) == 7
    # conv 3 → pool 2/2 → conv 3: 3 + 1 + 2·2 = 8
    layers = [{"kernel": 3}, {"kernel": 2, "stride": 2}, {"kernel": 3}]
    assert compute("receptive_field", layers=layers) == 8
    # dilations 1, 2, 4 of a 3×3 kernel (WaveNet-like): 1 + 2 + 4 + 8
    layers = [{"kernel": 3, "dilation": d} for d in (1, 2, 4)]
    assert compute("receptive_field", layers=layers) == 15
    assert compute("receptive_field", layers=[{"kernel": 1, "stride": 5, "padding": [1, 2]}]) == 1


@pytest.mark.parametrize(
    ("layers", "code", "arg"),
    [
        ([], "bad_arg", "layers"),
        ([{"kernel": 0}], "bad_arg", "layers[0].kernel"),
        ([{"kernel": 3}, {"kernel": 3, "stride": 0}], "bad_arg", "layers[1].stride"),
        ([{"kernel": 3, "dilation": -1}], "bad_arg", "layers[0].dilation"),
        ([{"kernel": 3, "strides": 2}], "bad_arg", "layers[0]"),
        ([{"stride": 2}], "bad_arg", "layers[0]"),
        ([3, 3], "bad_arg", "layers[0]"),
        ([{"kernel": 3}] * 1001, "too_large", "layers"),
    ],
)
def test_receptive_field_bad_args(layers, code, arg):
    err = error("receptive_field", layers=layers)
    assert (err.code, err.arg) == (code, arg)


# --- rnn_params -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "count"),
    [
        # PyTorch: g·h·(in + h) + 2·g·h
        ({"cell": "rnn", "input_size": 10, "hidden_size": 20}, 20 * 30 + 40),
        ({"cell": "lstm", "input_size": 10, "hidden_size": 20}, 4 * 20 * 30 + 160),
        ({"cell": "gru", "input_size": 10, "hidden_size": 20}, 3 * 20 * 30 + 120),
        ({"cell": "lstm", "input_size": 10, "hidden_size": 20, "bias": False}, 2400),
        # second layer gets 20 inputs
        ({"cell": "rnn", "input_size": 10, "hidden_size": 20, "num_layers": 2}, 640 + 840),
        # bidirectional: second layer gets 2·20 inputs
        (
            {
                "cell": "rnn",
                "input_size": 10,
                "hidden_size": 20,
                "num_layers": 2,
                "bidirectional": True,
            },
            2 * 640 + 2 * (20 * 60 + 40),
        ),
        # Keras: one bias row, GRU (reset_after=True) two
        ({"cell": "rnn", "input_size": 10, "hidden_size": 20, "convention": "keras"}, 620),
        ({"cell": "lstm", "input_size": 10, "hidden_size": 20, "convention": "keras"}, 2480),
        ({"cell": "gru", "input_size": 10, "hidden_size": 20, "convention": "keras"}, 1920),
        (
            {
                "cell": "gru",
                "input_size": 10,
                "hidden_size": 20,
                "convention": "keras",
                "bias": False,
            },
            1800,
        ),
        (
            {
                "cell": "lstm",
                "input_size": 3,
                "hidden_size": 2,
                "num_layers": 2,
                "bidirectional": True,
                "convention": "keras",
            },
            2 * (8 * 5 + 8) + 2 * (8 * 6 + 8),
        ),
    ],
)
def test_rnn_params(args, count):
    assert compute("rnn_params", **args) == count


@pytest.mark.parametrize(
    ("args", "code", "arg"),
    [
        ({"cell": "transformer", "input_size": 3, "hidden_size": 2}, "bad_arg", "cell"),
        ({"cell": "lstm", "input_size": 0, "hidden_size": 2}, "bad_arg", "input_size"),
        ({"cell": "lstm", "input_size": 3, "hidden_size": -2}, "bad_arg", "hidden_size"),
        (
            {"cell": "lstm", "input_size": 3, "hidden_size": 2, "num_layers": 0},
            "bad_arg",
            "num_layers",
        ),
        (
            {"cell": "lstm", "input_size": 3, "hidden_size": 2, "num_layers": 10**6},
            "bad_arg",
            "num_layers",
        ),
        (
            {"cell": "lstm", "input_size": 3, "hidden_size": 2, "convention": "tf"},
            "bad_arg",
            "convention",
        ),
        (
            {"cell": "lstm", "input_size": 3, "hidden_size": 2, "bidirectional": "no"},
            "bad_arg",
            "bidirectional",
        ),
    ],
)
def test_rnn_params_bad_args(args, code, arg):
    err = error("rnn_params", **args)
    assert (err.code, err.arg) == (code, arg)


# --- embedding_params -------------------------------------------------------------------------


def test_embedding_params():
    assert compute("embedding_params", vocab_size=10000, dim=300) == 3_000_000
    assert compute("embedding_params", vocab_size=1, dim=1) == 1
    assert error("embedding_params", vocab_size=0, dim=3).arg == "vocab_size"
    assert error("embedding_params", vocab_size=5, dim=1.5).arg == "dim"


def test_every_answer_is_a_python_int_or_int_list():
    assert type(compute("rnn_params", cell="gru", input_size=3, hidden_size=2)) is int
    shape = compute("pool2d_output_shape", h=8, w=8, kernel=2)
    assert all(type(v) is int for v in shape)


# --- conv1d_params / conv1d_output_shape --------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"c_in": 100, "c_out": 20, "kernel": 5}, 20 * 100 * 5 + 20),  # Conv1D(20, 5) on dim 100
        ({"c_in": 100, "c_out": 20, "kernel": 5, "bias": False}, 10000),
        ({"c_in": 8, "c_out": 4, "kernel": 3, "groups": 4}, 4 * 2 * 3 + 4),
        ({"c_in": 1, "c_out": 1, "kernel": 1}, 2),
    ],
)
def test_conv1d_params(args, expected):
    assert compute("conv1d_params", **args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"length": 100, "kernel": 5}, 96),
        ({"length": 100, "kernel": 5, "padding": 2}, 100),
        ({"length": 10, "kernel": 3, "stride": 2}, 4),
        ({"length": 10, "kernel": 3, "dilation": 2}, 6),  # effective kernel 5
        ({"length": 10, "kernel": 3, "stride": 2, "padding": 1, "dilation": 2}, 4),
        ({"length": 10, "kernel": 3, "padding": "valid"}, 8),
        ({"length": 10, "kernel": 3, "stride": 3, "padding": "same"}, 4),
        ({"length": 10, "kernel": 4, "padding": "causal", "dilation": 3}, 10),
        ({"length": 3, "kernel": 3}, 1),
    ],
)
def test_conv1d_output_shape(args, expected):
    assert compute("conv1d_output_shape", **args) == expected


@pytest.mark.parametrize(
    ("name", "args", "code", "arg"),
    [
        ("conv1d_output_shape", {"length": 3, "kernel": 4}, "kernel_too_large", "kernel"),
        (
            "conv1d_output_shape",
            {"length": 5, "kernel": 3, "dilation": 3},
            "kernel_too_large",
            "kernel",
        ),
        (
            "conv1d_output_shape",
            {"length": 9, "kernel": 3, "stride": 2, "dilation": 2, "padding": "same"},
            "incompatible",
            "padding",
        ),
        (
            "conv1d_output_shape",
            {"length": 9, "kernel": 3, "padding": "full"},
            "bad_arg",
            "padding",
        ),
        ("conv1d_output_shape", {"length": 9, "kernel": [3, 3]}, "bad_arg", "kernel"),
        ("conv1d_output_shape", {"length": 0, "kernel": 1}, "bad_arg", "length"),
        (
            "conv1d_params",
            {"c_in": 6, "c_out": 4, "kernel": 3, "groups": 4},
            "not_divisible",
            "groups",
        ),
        ("conv1d_params", {"c_in": 6, "c_out": 4, "kernel": 0}, "bad_arg", "kernel"),
    ],
)
def test_conv1d_bad_args(name, args, code, arg):
    with pytest.raises(EngineError) as info:
        compute(name, **args)
    assert (info.value.code, info.value.arg) == (code, arg)
