"""conv_transpose2d_output_shape against the output of a real torch.nn.ConvTranspose2d.

Random sizes, kernels, strides, paddings, output paddings and dilations (ints and pairs),
including output paddings torch refuses (not below the stride nor the dilation of their axis)
and paddings that leave no output: the engine must refuse exactly those. A side of exactly 0 is
refused by torch on some kernel paths ("Output size is too small") and returned as an empty
tensor on others (stride 2 below); the engine always refuses it, as every shape engine does
(docstring of grader/engines/shapes.py).
"""

import numpy as np
import pytest
import torch

from grader.engines.registry import compute
from grader.errors import EngineError

N_VARIANTS = 2500


def pair_or_int(rng, low, high):
    if rng.random() < 0.35:
        return [int(v) for v in rng.integers(low, high, 2)]
    return int(rng.integers(low, high))


def as_torch(value):
    return tuple(value) if isinstance(value, list) else value


def torch_shape(h, w, **kw):
    """[h_out, w_out] of nn.ConvTranspose2d, or None when torch refuses the arguments."""
    module = torch.nn.ConvTranspose2d(1, 1, bias=False, **{k: as_torch(v) for k, v in kw.items()})
    try:
        with torch.no_grad():
            return list(module(torch.zeros(1, 1, h, w)).shape[2:])
    except RuntimeError:
        return None


def test_random_transposed_convolutions():
    rng = np.random.default_rng(91)
    refused = {"output_padding_too_large": 0, "padding_too_large": 0}
    for _ in range(N_VARIANTS):
        h, w = (int(v) for v in rng.integers(1, 12, 2))
        args = dict(
            kernel_size=pair_or_int(rng, 1, 6),
            stride=pair_or_int(rng, 1, 4),
            padding=pair_or_int(rng, 0, 4),
            output_padding=pair_or_int(rng, 0, 3) if rng.random() < 0.5 else 0,
            dilation=pair_or_int(rng, 1, 4) if rng.random() < 0.4 else 1,
        )
        want = torch_shape(h, w, **args)
        engine_args = {**args, "kernel": args["kernel_size"]}
        del engine_args["kernel_size"]
        try:
            got = compute("conv_transpose2d_output_shape", in_h=h, in_w=w, **engine_args)
        except EngineError as err:
            assert want is None or 0 in want, f"engine refused what torch accepts: {err.message}"
            refused[err.code] += 1
            continue
        assert got == want, (h, w, args)
    assert all(count > 50 for count in refused.values()), refused


def test_a_side_of_zero():
    assert torch_shape(2, 2, kernel_size=1, padding=1) is None  # 0×0: "too small"
    empty = dict(kernel_size=4, stride=(1, 2), padding=(3, 2))
    assert torch_shape(5, 1, **empty) == [2, 0]  # here torch returns an empty tensor
    for h, w, kw in (
        (2, 2, dict(kernel=1, padding=1)),
        (5, 1, dict(kernel=4, stride=[1, 2], padding=[3, 2])),
    ):
        with pytest.raises(EngineError) as err:
            compute("conv_transpose2d_output_shape", in_h=h, in_w=w, **kw)
        assert (err.value.code, err.value.arg) == ("padding_too_large", "padding")


def test_output_padding_below_stride_or_dilation():
    for stride in (1, 2, 3):
        for dilation in (1, 2, 3):
            for output_padding in range(4):
                kw = dict(kernel_size=3, stride=stride, dilation=dilation)
                want = torch_shape(5, 5, output_padding=output_padding, **kw)
                ok = output_padding < max(stride, dilation)
                assert (want is not None) == ok
                args = dict(
                    kernel=3, stride=stride, dilation=dilation, output_padding=output_padding
                )
                if ok:
                    assert compute("conv_transpose2d_output_shape", in_h=5, in_w=5, **args) == want
                else:
                    with pytest.raises(EngineError) as err:
                        compute("conv_transpose2d_output_shape", in_h=5, in_w=5, **args)
                    assert err.value.code == "output_padding_too_large"
