"""grader.engines.shapes against PyTorch and Keras on thousands of random layers.

Parameter counts are ``sum(p.numel() for p in module.parameters())`` of modules built on the
"meta" device (no memory) and Keras ``count_params()``; shapes are what ``F.conv2d`` /
``F.max_pool2d`` / ``Conv2D.compute_output_shape`` produce; an engine error must coincide with the
library refusing the configuration.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from grader.engines import shapes
from grader.engines.registry import compute
from grader.errors import EngineError

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")

META = torch.device("meta")


def run(name, **args):
    """The engine's answer, or the EngineError code."""
    try:
        return compute(name, **args)
    except EngineError as err:
        return ("error", err.code)


def torch_count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def pair_or_int(rng, low, high):
    """An int or, one time in three, a pair [a, b] — the engine accepts both."""
    if rng.random() < 1 / 3:
        return [int(rng.integers(low, high + 1)), int(rng.integers(low, high + 1))]
    return int(rng.integers(low, high + 1))


def as_tuple(value):
    return tuple(value) if isinstance(value, list) else (value, value)


def check(mismatches):
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:5]}"


def test_dense_params_vs_torch_linear():
    rng = np.random.default_rng(101)
    mismatches = []
    for _ in range(2000):
        sizes = [int(v) for v in rng.integers(1, 300, size=rng.integers(2, 7))]
        bias = bool(rng.integers(2))
        layers = [
            torch.nn.Linear(a, b, bias=bias, device=META)
            for a, b in zip(sizes, sizes[1:], strict=False)
        ]
        want = torch_count(torch.nn.Sequential(*layers))
        got = run("dense_params", sizes=sizes, bias=bias)
        if got != want:
            mismatches.append((sizes, bias, got, want))
    check(mismatches)


def test_conv2d_params_vs_torch_conv2d():
    rng = np.random.default_rng(102)
    mismatches, refused = [], 0
    for _ in range(3000):
        c_in, c_out = (int(v) for v in rng.integers(1, 65, size=2))
        kernel = pair_or_int(rng, 1, 7)
        bias = bool(rng.integers(2))
        groups = int(rng.choice([1, 1, 2, 3, 4, 8, 16]))
        try:
            module = torch.nn.Conv2d(
                c_in, c_out, as_tuple(kernel), bias=bias, groups=groups, device=META
            )
            want = torch_count(module)
        except ValueError:  # "in_channels must be divisible by groups" and the like
            want = ("error", "not_divisible")
            refused += 1
        got = run("conv2d_params", c_in=c_in, c_out=c_out, kernel=kernel, bias=bias, groups=groups)
        if got != want:
            mismatches.append((c_in, c_out, kernel, bias, groups, got, want))
    check(mismatches)
    assert refused > 100  # the refusals were exercised too


def test_separable_conv2d_params_vs_keras():
    rng = np.random.default_rng(103)
    mismatches = []
    for _ in range(400):
        c_in, c_out = (int(v) for v in rng.integers(1, 33, size=2))
        kernel = pair_or_int(rng, 1, 5)
        multiplier = int(rng.integers(1, 4))
        bias = bool(rng.integers(2))
        layer = keras.layers.SeparableConv2D(
            c_out, as_tuple(kernel), depth_multiplier=multiplier, use_bias=bias
        )
        layer.build((None, 8, 8, c_in))
        want = layer.count_params()
        got = run(
            "separable_conv2d_params",
            c_in=c_in,
            c_out=c_out,
            kernel=kernel,
            depth_multiplier=multiplier,
            bias=bias,
        )
        if got != want:
            mismatches.append((c_in, c_out, kernel, multiplier, bias, got, want))
    check(mismatches)


def random_conv(rng):
    h, w = (int(v) for v in rng.integers(1, 40, size=2))
    kernel = pair_or_int(rng, 1, 9)
    stride = pair_or_int(rng, 1, 4)
    dilation = pair_or_int(rng, 1, 3) if rng.random() < 0.5 else 1
    roll = rng.random()
    padding = "same" if roll < 0.2 else "valid" if roll < 0.3 else pair_or_int(rng, 0, 4)
    return {
        "h": h,
        "w": w,
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
    }


def torch_conv_shape(h, w, kernel, stride, padding, dilation, c_in=1, c_out=1):
    x = torch.empty(1, c_in, h, w, device=META)
    weight = torch.empty(c_out, c_in, *as_tuple(kernel), device=META)
    pad = padding if isinstance(padding, str) else as_tuple(padding)
    out = F.conv2d(x, weight, stride=as_tuple(stride), padding=pad, dilation=as_tuple(dilation))
    return list(out.shape[2:])


def keras_conv_shape(h, w, kernel, stride, padding, dilation):
    layer = keras.layers.Conv2D(
        1,
        as_tuple(kernel),
        strides=as_tuple(stride),
        padding=padding,
        dilation_rate=as_tuple(dilation),
    )
    return list(layer.compute_output_shape((None, h, w, 1))[1:3])


def reference_conv_shape(args):
    """PyTorch for numeric padding (and "valid"/"same" where it accepts them), Keras for strings."""
    answers = []
    padding = args["padding"]
    torch_accepts = padding != "same" or max(as_tuple(args["stride"])) == 1
    if torch_accepts:
        try:
            answers.append(torch_conv_shape(**args))
        except RuntimeError:  # "Kernel size can't be greater than actual input size"
            answers.append(("error", "kernel_too_large"))
    if isinstance(padding, str):
        try:
            answers.append(keras_conv_shape(**args))
        except ValueError as err:
            code = "kernel_too_large" if "zero or negative" in str(err) else "incompatible"
            if code == "kernel_too_large" or not torch_accepts:
                answers.append(("error", code))
    return answers


def test_conv2d_output_shape_vs_torch_and_keras():
    rng = np.random.default_rng(104)
    mismatches, compared = [], 0
    for _ in range(3000):
        args = random_conv(rng)
        got = run("conv2d_output_shape", **args)
        for want in reference_conv_shape(args):
            compared += 1
            if got != want:
                mismatches.append((args, got, want))
    check(mismatches)
    assert compared > 3000


def test_conv2d_same_padding_matches_explicit_tf_padding():
    """Keras "same" = TF's asymmetric padding: check the shape by running PyTorch with it."""
    rng = np.random.default_rng(105)
    mismatches = []
    for _ in range(1000):
        args = random_conv(rng)
        args["padding"] = "same"
        if max(as_tuple(args["stride"])) > 1 and max(as_tuple(args["dilation"])) > 1:
            continue
        got = compute("conv2d_output_shape", **args)
        pads = []
        for n, k, s, d in zip(
            (args["h"], args["w"]),
            *map(as_tuple, (args["kernel"], args["stride"], args["dilation"])),
            strict=True,
        ):
            out = -(-n // s)
            total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
            pads.append((total // 2, total - total // 2))
        x = torch.empty(1, 1, args["h"], args["w"], device=META)
        x = F.pad(x, (*pads[1], *pads[0]))
        weight = torch.empty(1, 1, *as_tuple(args["kernel"]), device=META)
        y = F.conv2d(
            x, weight, stride=as_tuple(args["stride"]), dilation=as_tuple(args["dilation"])
        )
        if got != list(y.shape[2:]):
            mismatches.append((args, got, list(y.shape[2:])))
    check(mismatches)


def test_conv2d_mult_ops_vs_torch_flop_counter():
    """FlopCounterMode counts 2 flops (multiply + add) per multiply-accumulate of conv2d."""
    rng = np.random.default_rng(106)
    mismatches = []
    done = 0
    while done < 1000:
        args = random_conv(rng)
        if args["padding"] == "same" and max(as_tuple(args["stride"])) > 1:
            continue  # PyTorch refuses it; the shape is checked against Keras above
        c_in, c_out = (int(v) for v in rng.integers(1, 17, size=2))
        got = run("conv2d_mult_ops", c_in=c_in, c_out=c_out, **args)
        x = torch.empty(1, c_in, args["h"], args["w"], device=META)
        weight = torch.empty(c_out, c_in, *as_tuple(args["kernel"]), device=META)
        pad = args["padding"]
        pad = pad if isinstance(pad, str) else as_tuple(pad)
        try:
            with FlopCounterMode(display=False) as counter:
                F.conv2d(
                    x,
                    weight,
                    stride=as_tuple(args["stride"]),
                    padding=pad,
                    dilation=as_tuple(args["dilation"]),
                )
            want = counter.get_total_flops() // 2
        except RuntimeError:
            want = ("error", "kernel_too_large")
        done += 1
        if got != want:
            mismatches.append((args, c_in, c_out, got, want))
    check(mismatches)


def random_pool(rng):
    h, w = (int(v) for v in rng.integers(1, 30, size=2))
    kernel = pair_or_int(rng, 1, 7)
    stride = None if rng.random() < 0.3 else pair_or_int(rng, 1, 4)
    padding = pair_or_int(rng, 0, 3)
    dilation = pair_or_int(rng, 1, 3) if rng.random() < 0.3 else 1
    ceil_mode = bool(rng.integers(2))
    return {
        "h": h,
        "w": w,
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "ceil_mode": ceil_mode,
        "dilation": dilation,
    }


def torch_pool_shape(args, device):
    x = torch.zeros(1, 1, args["h"], args["w"], device=device)
    stride = None if args["stride"] is None else as_tuple(args["stride"])
    pool = torch.nn.MaxPool2d(
        as_tuple(args["kernel"]),
        stride=stride,
        padding=as_tuple(args["padding"]),
        dilation=as_tuple(args["dilation"]),
        ceil_mode=args["ceil_mode"],
    )
    try:
        return list(pool(x).shape[2:])
    except RuntimeError as err:
        message = str(err)
        return ("error", "padding_too_large" if "pad should" in message else "kernel_too_large")


@pytest.mark.parametrize(("device", "count", "seed"), [("meta", 4000, 107), ("cpu", 600, 108)])
def test_pool2d_output_shape_vs_torch_maxpool2d(device, count, seed):
    rng = np.random.default_rng(seed)
    mismatches, by_kind = [], {"shape": 0, "error": 0, "last_window_dropped": 0}
    for _ in range(count):
        args = random_pool(rng)
        got = run("pool2d_output_shape", **args)
        want = torch_pool_shape(args, device)
        by_kind["error" if isinstance(want, tuple) else "shape"] += 1
        if args["ceil_mode"] and not isinstance(want, tuple):
            n, k, p, d = (
                args["h"],
                *(as_tuple(args[a])[0] for a in ("kernel", "padding", "dilation")),
            )
            s = k if args["stride"] is None else as_tuple(args["stride"])[0]
            rounded_up = (n + 2 * p - d * (k - 1) - 1 + s - 1) // s + 1
            by_kind["last_window_dropped"] += (rounded_up - 1) * s >= n + p
        if got != want:
            mismatches.append((args, got, want))
    check(mismatches)
    assert min(by_kind.values()) > 10, by_kind


def test_receptive_field_vs_torch_gradient_extent():
    """The input rows that influence output pixel 0 of a conv stack span exactly r rows."""
    rng = np.random.default_rng(109)
    mismatches = []
    for _ in range(1200):
        layers = [
            {
                "kernel": int(rng.integers(1, 8)),
                "stride": int(rng.integers(1, 4)),
                "dilation": int(rng.integers(1, 4)),
            }
            for _ in range(rng.integers(1, 6))
        ]
        r = compute("receptive_field", layers=layers)
        # an input of exactly r rows must be enough for one output row
        x = torch.ones(1, 1, r, 1, dtype=torch.float64, requires_grad=True)
        y = x
        for layer in layers:
            weight = torch.ones(1, 1, layer["kernel"], 1, dtype=torch.float64)
            y = F.conv2d(y, weight, stride=(layer["stride"], 1), dilation=(layer["dilation"], 1))
        y[0, 0, 0, 0].backward()
        rows = torch.nonzero(x.grad[0, 0, :, 0]).flatten()
        extent = int(rows.max() - rows.min() + 1)
        if extent != r:
            mismatches.append((layers, r, extent))
    check(mismatches)


TORCH_RNN = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


def test_rnn_params_vs_torch():
    rng = np.random.default_rng(110)
    mismatches = []
    for _ in range(1500):
        cell = str(rng.choice(list(TORCH_RNN)))
        n_in, hidden = (int(v) for v in rng.integers(1, 100, size=2))
        layers = int(rng.integers(1, 5))
        bidirectional, bias = (bool(v) for v in rng.integers(2, size=2))
        module = TORCH_RNN[cell](
            n_in, hidden, num_layers=layers, bias=bias, bidirectional=bidirectional, device=META
        )
        want = torch_count(module)
        got = run(
            "rnn_params",
            cell=cell,
            input_size=n_in,
            hidden_size=hidden,
            num_layers=layers,
            bidirectional=bidirectional,
            bias=bias,
        )
        if got != want:
            mismatches.append((cell, n_in, hidden, layers, bidirectional, bias, got, want))
    check(mismatches)


KERAS_RNN = {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
_keras_cache: dict = {}


def keras_layer_count(cell, n_in, hidden, bidirectional, bias) -> int:
    """count_params() of one Keras recurrent layer (optionally Bidirectional) on n_in features."""
    key = (cell, n_in, hidden, bidirectional, bias)
    if key not in _keras_cache:
        layer = getattr(keras.layers, KERAS_RNN[cell])(hidden, use_bias=bias, return_sequences=True)
        if bidirectional:
            layer = keras.layers.Bidirectional(layer)
        layer.build((None, None, n_in))
        _keras_cache[key] = layer.count_params()
    return _keras_cache[key]


def test_rnn_params_vs_keras_layers():
    """Every layer of the stack is a real Keras layer built on the previous layer's width."""
    rng = np.random.default_rng(111)
    mismatches = []
    for _ in range(500):
        cell = str(rng.choice(list(KERAS_RNN)))
        n_in, hidden = (int(v) for v in rng.integers(1, 9, size=2))
        layers = int(rng.integers(1, 4))
        bidirectional = bool(rng.random() < 0.2)
        bias = bool(rng.random() < 0.7)
        directions = 2 if bidirectional else 1
        want = sum(
            keras_layer_count(
                cell, n_in if i == 0 else hidden * directions, hidden, bidirectional, bias
            )
            for i in range(layers)
        )
        got = run(
            "rnn_params",
            cell=cell,
            input_size=n_in,
            hidden_size=hidden,
            num_layers=layers,
            bidirectional=bidirectional,
            bias=bias,
            convention="keras",
        )
        if got != want:
            mismatches.append((cell, n_in, hidden, layers, bidirectional, bias, got, want))
    check(mismatches)


def test_rnn_params_vs_keras_stacked_models():
    """End to end: a Sequential of stacked (Bidirectional) layers, count_params() of the model."""
    rng = np.random.default_rng(112)
    mismatches = []
    for _ in range(24):
        cell = str(rng.choice(list(KERAS_RNN)))
        n_in, hidden = (int(v) for v in rng.integers(1, 20, size=2))
        layers = int(rng.integers(1, 4))
        bidirectional, bias = (bool(v) for v in rng.integers(2, size=2))
        stack = [keras.Input((None, n_in))]
        for i in range(layers):
            layer = getattr(keras.layers, KERAS_RNN[cell])(
                hidden, use_bias=bias, return_sequences=i < layers - 1
            )
            stack.append(keras.layers.Bidirectional(layer) if bidirectional else layer)
        want = keras.Sequential(stack).count_params()
        got = run(
            "rnn_params",
            cell=cell,
            input_size=n_in,
            hidden_size=hidden,
            num_layers=layers,
            bidirectional=bidirectional,
            bias=bias,
            convention="keras",
        )
        if got != want:
            mismatches.append((cell, n_in, hidden, layers, bidirectional, bias, got, want))
    check(mismatches)


def test_embedding_params_vs_torch():
    rng = np.random.default_rng(113)
    for _ in range(1000):
        vocab, dim = int(rng.integers(1, 200_000)), int(rng.integers(1, 1025))
        want = torch_count(torch.nn.Embedding(vocab, dim, device=META))
        assert shapes.embedding_params(vocab_size=vocab, dim=dim) == want
