"""conv1d_params and conv1d_output_shape against torch.nn.Conv1d and keras.layers.Conv1D.

torch: the parameter count of the module and the length F.conv1d gives on the "meta" device
(nothing is allocated). Keras: ``count_params()`` and ``compute_output_shape`` of a built Conv1D
for "valid", "same" and "causal" (Keras refuses stride > 1 with dilation > 1, so does the engine
for its string paddings).
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.engines.registry import compute
from grader.errors import EngineError

keras = pytest.importorskip("keras")


def test_conv1d_vs_torch():
    rng = np.random.default_rng(601)
    refused = 0
    for _ in range(2000):
        groups = int(rng.choice([1, 1, 2, 4]))
        c_in = groups * int(rng.integers(1, 9))
        c_out = groups * int(rng.integers(1, 9))
        k, s, d, p = (
            int(v)
            for v in (
                rng.integers(1, 8),
                rng.integers(1, 4),
                rng.integers(1, 4),
                rng.integers(0, 4),
            )
        )
        length = int(rng.integers(1, 60))
        bias = bool(rng.random() < 0.7)
        module = torch.nn.Conv1d(
            c_in, c_out, k, stride=s, padding=p, dilation=d, groups=groups, bias=bias, device="meta"
        )
        want = sum(t.numel() for t in module.parameters())
        assert (
            compute("conv1d_params", c_in=c_in, c_out=c_out, kernel=k, bias=bias, groups=groups)
            == want
        )
        x = torch.empty(1, c_in, length, device="meta")
        try:
            want_len = F.conv1d(
                x, module.weight, stride=s, padding=p, dilation=d, groups=groups
            ).shape[-1]
        except RuntimeError:
            want_len = None
        try:
            got = compute(
                "conv1d_output_shape", length=length, kernel=k, stride=s, padding=p, dilation=d
            )
        except EngineError as err:
            assert err.code == "kernel_too_large" and want_len is None, (length, k, s, p, d)
            refused += 1
            continue
        assert got == want_len, (length, k, s, p, d)
    assert refused > 50


def test_conv1d_same_vs_torch_stride_one():
    for length in range(1, 30):
        for k in range(1, 8):
            for d in (1, 2, 3):
                x = torch.empty(1, 1, length, device="meta")
                w = torch.empty(1, 1, k, device="meta")
                want = F.conv1d(x, w, padding="same", dilation=d).shape[-1]
                assert (
                    compute(
                        "conv1d_output_shape", length=length, kernel=k, padding="same", dilation=d
                    )
                    == want
                )


def test_conv1d_vs_keras():
    rng = np.random.default_rng(602)
    for _ in range(300):
        padding = str(rng.choice(["valid", "same", "causal"]))
        k, s = int(rng.integers(1, 8)), int(rng.integers(1, 4))
        d = 1 if s > 1 else int(rng.integers(1, 4))
        length = int(rng.integers(1, 60))
        c_in, filters = int(rng.integers(1, 50)), int(rng.integers(1, 20))
        layer = keras.layers.Conv1D(filters, k, strides=s, padding=padding, dilation_rate=d)
        layer.build((None, None, c_in))  # the kernel does not depend on the length
        assert compute("conv1d_params", c_in=c_in, c_out=filters, kernel=k) == layer.count_params()
        try:
            want = layer.compute_output_shape((None, length, c_in))[1]
        except ValueError:
            want = None
        if want is not None and want < 1:
            want = None
        try:
            got = compute(
                "conv1d_output_shape",
                length=length,
                kernel=k,
                stride=s,
                padding=padding,
                dilation=d,
            )
        except EngineError as err:
            assert err.code == "kernel_too_large" and want is None, (length, k, s, d, padding)
            continue
        assert got == want, (length, k, s, d, padding)
    with pytest.raises(ValueError):
        keras.layers.Conv1D(1, 3, strides=2, dilation_rate=2, padding="causal")
    with pytest.raises(EngineError) as err:
        compute("conv1d_output_shape", length=10, kernel=3, stride=2, dilation=2, padding="causal")
    assert err.value.code == "incompatible"
