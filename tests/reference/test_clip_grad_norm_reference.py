"""clip_grad_norm against torch.nn.utils.clip_grad_norm_ (float64 gradients of real parameters).

Random sets of tensors of random shapes, p-norms 1, 2, 3, ½, 2.5 and inf, and max_norm drawn
around the total so that about half the variants are clipped and half left as they are.
"""

import math

import numpy as np
import torch

from grader.engines.registry import compute

N_VARIANTS = 2000
NORM_TYPES = (2, 2, 2, 1, 3, 0.5, 2.5, "inf")


def torch_clip(grads, max_norm, norm_type):
    params = []
    for g in grads:
        p = torch.nn.Parameter(torch.zeros(np.shape(g), dtype=torch.float64))
        p.grad = torch.tensor(g, dtype=torch.float64)
        params.append(p)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    return float(total), [p.grad.numpy() for p in params]


def check(grads, max_norm, norm_type):
    got = compute("clip_grad_norm", grads=grads, max_norm=max_norm, norm_type=norm_type)
    total, clipped = torch_clip(grads, max_norm, math.inf if norm_type == "inf" else norm_type)
    np.testing.assert_allclose(got["total_norm"], total, rtol=1e-13)
    assert len(got["clipped"]) == len(clipped)
    for mine, ref in zip(got["clipped"], clipped, strict=True):
        assert np.shape(mine) == ref.shape
        scale = max(1.0, float(np.abs(ref).max(initial=0.0)))
        np.testing.assert_allclose(mine, ref, rtol=1e-13, atol=1e-15 * scale)
    return got


def test_random_gradients():
    rng = np.random.default_rng(71)
    clipped = 0
    for _ in range(N_VARIANTS):
        grads = []
        for _t in range(int(rng.integers(1, 6))):
            shape = tuple(int(s) for s in rng.integers(1, 5, int(rng.integers(0, 3))))
            if rng.random() < 0.4:
                g = rng.integers(-5, 6, shape).astype(float)
            else:
                g = rng.normal(0, float(rng.choice([0.01, 1.0, 100.0])), shape)
            grads.append(g.tolist())
        norm_type = NORM_TYPES[int(rng.integers(len(NORM_TYPES)))]
        flat = np.concatenate([np.ravel(g) for g in grads])
        p = math.inf if norm_type == "inf" else float(norm_type)
        total = np.linalg.norm(flat, p) if p >= 1 else (np.abs(flat) ** p).sum() ** (1 / p)
        max_norm = float(max(total, 1e-3) * rng.uniform(0.05, 2.0))
        if rng.random() < 0.05:
            max_norm = float(total)  # at max_norm exactly: the 1e-6 still scales it
        got = check(grads, max_norm, norm_type)
        if got["clipped"] != grads:
            clipped += 1
    assert N_VARIANTS * 0.3 < clipped < N_VARIANTS * 0.9


def test_norm_below_max_norm_leaves_gradients_exactly_unchanged():
    grads = [[0.1, -0.2], [[0.3, 0.0], [0.05, 0.0]]]
    got = check(grads, 10.0, 2)
    assert got["clipped"] == grads


def test_zero_gradients():
    got = check([[0.0, 0.0], [0.0]], 1.0, 2)
    assert got == {"total_norm": 0.0, "clipped": [[0.0, 0.0], [0.0]]}
    check([[0.0]], 1.0, "inf")


def test_inf_norm_and_several_tensors():
    got = check([[1.0, -7.0], [3.0], [[2.0, 6.5]]], 2.0, "inf")
    assert got["total_norm"] == 7.0
    check([[1.0, -7.0], [3.0], [[2.0, 6.5]]], 100.0, "inf")


def test_scalar_gradients():
    check([3.0, 4.0], 1.0, 2)
    check([[3.0], 4.0, [[[5.0]]]], 1.0, 1)
