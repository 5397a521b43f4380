"""pool2d_backward against torch's autograd of F.max_pool2d and F.avg_pool2d (float64, CPU).

Images are often small integers, so that windows hold ties and the rule "the first maximum in
row-major order" is exercised; strides below the kernel make windows overlap and their
gradients add up; paddings follow torch's limit (at most half the window) and count in the
average (count_include_pad=True, torch's default).
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.engines.registry import compute
from grader.errors import EngineError

N_VARIANTS = 3000


def t64(value, grad=False):
    return torch.tensor(value, dtype=torch.float64, requires_grad=grad)


def pair_or_int(rng, low, high):
    if rng.random() < 0.4:
        return [int(v) for v in rng.integers(low, high, 2)]
    return int(rng.integers(low, high))


def pair(value):
    return tuple(value) if isinstance(value, list) else (value, value)


def torch_grad(image, upstream, kernel, stride, padding, mode):
    x = t64(image, grad=True)
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    out = pool(
        x, pair(kernel), stride=None if stride is None else pair(stride), padding=pair(padding)
    )
    out.backward(t64(upstream))
    return x.grad.numpy()


def check(image, upstream, kernel, stride, padding, mode):
    args = dict(image=image, upstream=upstream, kernel=kernel, stride=stride, padding=padding)
    got = compute("pool2d_backward", **args, mode=mode)
    ref = torch_grad(image, upstream, kernel, stride, padding, mode)
    scale = max(1.0, float(np.abs(ref).max(initial=0.0)))
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-14 * scale, err_msg=f"{args} {mode}")
    return got


def test_random_pools():
    rng = np.random.default_rng(81)
    done = 0
    for i in range(N_VARIANTS):
        mode = "max" if i % 2 else "avg"
        c = int(rng.integers(1, 4))
        h, w = (int(v) for v in rng.integers(1, 9, 2))
        if rng.random() < 0.6:
            image = rng.integers(0, 3, (c, h, w)).astype(float)  # many ties
        else:
            image = rng.normal(0, 1, (c, h, w)) - (10.0 if rng.random() < 0.3 else 0.0)
        kernel = pair_or_int(rng, 1, 5)
        kh, kw = pair(kernel)
        stride = None if rng.random() < 0.3 else pair_or_int(rng, 1, 4)
        padding = [int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1))]
        if padding[0] == padding[1] and rng.random() < 0.5:
            padding = padding[0]
        sh, sw = (kh, kw) if stride is None else pair(stride)
        ph, pw = pair(padding)
        ho, wo = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
        if ho < 1 or wo < 1:
            with pytest.raises(RuntimeError):  # torch refuses a window larger than the input
                F.max_pool2d(t64(image), (kh, kw), (sh, sw), (ph, pw))
            with pytest.raises(EngineError) as err:
                compute(
                    "pool2d_backward",
                    image=image.tolist(),
                    upstream=[[[0.0]]] * c,
                    kernel=kernel,
                    stride=stride,
                    padding=padding,
                    mode=mode,
                )
            assert err.value.code == "kernel_too_large"
            continue
        if rng.random() < 0.5:
            upstream = rng.integers(-3, 4, (c, ho, wo)).astype(float)
        else:
            upstream = rng.normal(0, 1, (c, ho, wo))
        check(image.tolist(), upstream.tolist(), kernel, stride, padding, mode)
        done += 1
    assert done > N_VARIANTS * 0.7


def test_ties_go_to_the_first_in_row_major_order():
    got = check([[[2.0, 2.0], [2.0, 2.0]]], [[[1.0]]], 2, None, 0, "max")
    assert got == [[[1.0, 0.0], [0.0, 0.0]]]
    image = [[[0.0, 1.0, 1.0], [1.0, 1.0, 0.0], [1.0, 0.0, 1.0]]]
    check(image, [[[1.0, 2.0], [3.0, 4.0]]], 2, 1, 0, "max")
    check([[[5.0] * 6] * 6], np.arange(36.0).reshape(1, 6, 6).tolist(), 3, 1, 1, "max")


def test_overlapping_windows_add_up():
    got = check([[[1.0, 9.0, 2.0, 0.0]]], [[[1.0, 2.0, 4.0]]], [1, 2], 1, 0, "max")
    assert got == [[[0.0, 3.0, 4.0, 0.0]]]
    rng = np.random.default_rng(82)
    image = rng.normal(0, 1, (2, 7, 7)).tolist()
    for mode in ("max", "avg"):
        check(image, rng.normal(0, 1, (2, 5, 3)).tolist(), 3, [1, 2], 0, mode)


def test_avg_padding_counts_in_the_divisor():
    got = check([[[4.0, 8.0], [12.0, 16.0]]], [[[4.0, 4.0], [4.0, 4.0]]], 2, 2, 1, "avg")
    assert got == [[[1.0, 1.0], [1.0, 1.0]]]
    check(
        [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]],
        [[[1.0, 2.0], [3.0, 4.0]]],
        [3, 2],
        [1, 2],
        [1, 1],
        "avg",
    )


def test_non_square_kernels_and_the_unbatched_shorthand():
    rng = np.random.default_rng(83)
    image = rng.integers(0, 2, (5, 8)).astype(float)
    for mode in ("max", "avg"):
        got = compute(
            "pool2d_backward",
            image=image.tolist(),
            upstream=[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
            kernel=[2, 3],
            stride=[3, 2],
            padding=[1, 0],
            mode=mode,
        )
        ref = torch_grad(
            image[None].tolist(), [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [2, 3], [3, 2], [1, 0], mode
        )
        np.testing.assert_allclose(got, ref[0], rtol=1e-13)
