"""conv2d, conv1d and pool2d against torch F.conv2d, F.conv1d, F.max_pool2d, F.avg_pool2d.

Random shapes, strides, paddings (ints, pairs, "same", "valid") and dilations, float64,
unbatched inputs; shapes torch rejects must be rejected by the engine too.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.engines.registry import compute
from grader.errors import EngineError

N_CONV2D = 2500
N_CONV1D = 2000
N_POOL = 3000


def t64(value):
    return torch.tensor(value, dtype=torch.float64)


def draw(rng, shape):
    if rng.random() < 0.5:
        return rng.integers(-3, 6, shape).astype(float)
    return rng.normal(0, 1, shape)


def pair_or_int(rng, low, high):
    if rng.random() < 0.3:
        return [int(v) for v in rng.integers(low, high, 2)]
    return int(rng.integers(low, high))


def as_torch_pair(value):
    return tuple(value) if isinstance(value, list) else value


def check(name, args, torch_fn, *torch_args, **torch_kwargs):
    """Compare engine ``name`` on ``args`` with ``torch_fn(*torch_args, **torch_kwargs)``.

    Both must accept (and agree) or both must refuse. Returns True when they agreed on a value.
    """
    try:
        ref = torch_fn(*torch_args, **torch_kwargs).numpy()
    except RuntimeError:
        ref = None
    try:
        out = compute(name, **args)
    except EngineError as err:
        assert ref is None, f"engine refused what torch accepts: {err.message} {args}"
        return False
    assert ref is not None, f"torch refused what the engine accepts: {args}"
    scale = max(1.0, float(np.abs(ref).max(initial=0.0)))
    np.testing.assert_allclose(out, ref, rtol=1e-9, atol=1e-13 * scale, err_msg=str(args))
    return True


@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_conv2d_random():
    rng = np.random.default_rng(51)
    accepted = 0
    for _ in range(N_CONV2D):
        c_in, c_out = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        h, w = (int(v) for v in rng.integers(1, 9, 2))
        kh, kw = (int(v) for v in rng.integers(1, 5, 2))
        if rng.random() < 0.6:
            kw = kh
        image = draw(rng, (c_in, h, w))
        kernel = draw(rng, (c_out, c_in, kh, kw))
        bias = draw(rng, c_out).tolist() if rng.random() < 0.5 else None
        stride = pair_or_int(rng, 1, 4)
        dilation = pair_or_int(rng, 1, 3) if rng.random() < 0.4 else 1
        padding = pair_or_int(rng, 0, 3)
        if rng.random() < 0.15:
            padding = str(rng.choice(["same", "valid"]))
        args = dict(
            image=image.tolist(),
            kernel=kernel.tolist(),
            bias=bias,
            stride=stride,
            padding=padding,
            dilation=dilation,
        )
        accepted += check(
            "conv2d",
            args,
            F.conv2d,
            t64(image),
            t64(kernel),
            None if bias is None else t64(bias),
            stride=as_torch_pair(stride),
            padding=as_torch_pair(padding),
            dilation=as_torch_pair(dilation),
        )
    assert accepted > N_CONV2D // 2


def test_conv2d_single_channel_shorthand():
    image, kernel = [[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 2.0, 1.0]], [[1.0, -1.0], [0.5, 2.0]]
    out = compute("conv2d", image=image, kernel=kernel, padding=1)
    ref = F.conv2d(t64([image]), t64([[kernel]]), padding=1)[0].numpy()
    np.testing.assert_allclose(out, ref, rtol=1e-13)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_conv1d_random():
    rng = np.random.default_rng(52)
    accepted = 0
    for _ in range(N_CONV1D):
        c_in, c_out = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        length, k = int(rng.integers(1, 12)), int(rng.integers(1, 6))
        x = draw(rng, (c_in, length))
        kernel = draw(rng, (c_out, c_in, k))
        bias = draw(rng, c_out).tolist() if rng.random() < 0.5 else None
        stride = int(rng.integers(1, 4))
        dilation = int(rng.integers(1, 4)) if rng.random() < 0.4 else 1
        padding = int(rng.integers(0, 4))
        if rng.random() < 0.15:
            padding = str(rng.choice(["same", "valid"]))
        args = dict(
            x=x.tolist(),
            kernel=kernel.tolist(),
            bias=bias,
            stride=stride,
            padding=padding,
            dilation=dilation,
        )
        accepted += check(
            "conv1d",
            args,
            F.conv1d,
            t64(x),
            t64(kernel),
            None if bias is None else t64(bias),
            stride=stride,
            padding=padding,
            dilation=dilation,
        )
    assert accepted > N_CONV1D // 2


def test_pool2d_random():
    rng = np.random.default_rng(53)
    accepted = 0
    for i in range(N_POOL):
        mode = "max" if i % 2 else "avg"
        c = int(rng.integers(1, 4))
        h, w = (int(v) for v in rng.integers(1, 9, 2))
        image = draw(rng, (c, h, w))
        if rng.random() < 0.3:
            image = image - 10.0  # all negative: −inf padding must never win the max
        kernel = pair_or_int(rng, 1, 5)
        stride = None if rng.random() < 0.4 else pair_or_int(rng, 1, 4)
        if rng.random() < 0.8:  # mostly paddings torch allows (at most half the window)
            kh, kw = kernel if isinstance(kernel, list) else (kernel, kernel)
            padding = [int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1))]
            if padding[0] == padding[1] and rng.random() < 0.5:
                padding = padding[0]
        else:
            padding = pair_or_int(rng, 0, 3)
        args = dict(image=image.tolist(), kernel=kernel, stride=stride, padding=padding, mode=mode)
        fn = F.max_pool2d if mode == "max" else F.avg_pool2d
        accepted += check(
            "pool2d",
            args,
            fn,
            t64(image),
            as_torch_pair(kernel),
            stride=None if stride is None else as_torch_pair(stride),
            padding=as_torch_pair(padding),
        )
    assert accepted > N_POOL // 2


def test_pool_conventions():
    image = t64([[[-1.0, -2.0], [-3.0, -4.0]]])
    out = compute("pool2d", image=image.tolist(), kernel=2, stride=1, padding=1, mode="max")
    assert out == F.max_pool2d(image, 2, stride=1, padding=1).tolist()
    out = compute("pool2d", image=image.tolist(), kernel=2, stride=1, padding=1, mode="avg")
    ref = F.avg_pool2d(image, 2, stride=1, padding=1)  # count_include_pad=True by default
    np.testing.assert_allclose(out, ref.numpy(), rtol=1e-14)
    assert out[0][0][0] == -0.25
