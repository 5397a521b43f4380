"""softmax, cross_entropy, softmax_cross_entropy and binary_logloss against PyTorch on thousands of
random cases.

Torch convention notes checked here: softmax(z / T) is stable for huge logits; F.cross_entropy
averages over the batch; F.binary_cross_entropy clamps each log at −100 (so p ∈ {0, 1} gives a
finite loss) and uses log1p(−p) for the second log.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.engines.registry import compute

N_VARIANTS = 2000


def t64(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def random_logits(rng, shape):
    kind = rng.integers(4)
    if kind == 0:
        return rng.integers(-4, 5, shape) / rng.choice([1.0, 2.0, 10.0])  # ties are common
    if kind == 1:
        return rng.normal(0, 2, shape)
    if kind == 2:
        return rng.normal(0, 300, shape)  # large logits: overflow without the max trick
    return rng.normal(0, 1, shape) + rng.choice([-1000.0, 1000.0])


def test_softmax_random():
    rng = np.random.default_rng(1)
    for _ in range(N_VARIANTS):
        shape = (int(rng.integers(1, 7)),)
        if rng.random() < 0.3:
            shape = (int(rng.integers(1, 4)), *shape)
        z = random_logits(rng, shape)
        temperature = float(rng.choice([1.0, 0.5, 2.0, 0.1, 10.0, rng.uniform(0.05, 5)]))
        out = compute("softmax", z=z.tolist(), temperature=temperature)
        ref = torch.softmax(t64(z) / temperature, dim=-1).numpy()
        np.testing.assert_allclose(out, ref, rtol=1e-9, atol=1e-300, err_msg=f"{z} T={temperature}")


def test_softmax_default_temperature_and_ties():
    z = [3.0, 3.0, 1.0, 3.0]
    out = compute("softmax", z=z)
    np.testing.assert_allclose(out, torch.softmax(t64(z), dim=0).numpy(), rtol=1e-15)
    assert out[0] == out[1] == out[3]


def test_cross_entropy_random():
    rng = np.random.default_rng(2)
    for _ in range(N_VARIANTS):
        n, c = int(rng.integers(1, 6)), int(rng.integers(1, 7))  # N = 1 and C = 1 included
        logits = random_logits(rng, (n, c))
        targets = rng.integers(0, c, n)
        out = compute("cross_entropy", logits=logits.tolist(), targets=targets.tolist())
        ref = F.cross_entropy(t64(logits), torch.tensor(targets)).item()
        np.testing.assert_allclose(out, ref, rtol=1e-9, atol=1e-13, err_msg=f"{logits} {targets}")


def test_cross_entropy_unbatched_matches_torch_unbatched():
    logits, target = [2.0, 1.0, 0.1], 0
    ref = F.cross_entropy(t64(logits), torch.tensor(target)).item()
    assert compute("cross_entropy", logits=logits, targets=target) == ref


def test_binary_logloss_random():
    rng = np.random.default_rng(3)
    for _ in range(N_VARIANTS):
        size = int(rng.integers(1, 8))
        kind = rng.integers(4)
        if kind == 0:
            p = rng.uniform(0, 1, size)
        elif kind == 1:  # near 0 or 1, including exact 0 and 1 (clamped logs)
            p = rng.choice([0.0, 1.0, 1e-12, 1 - 1e-12, 1e-50, 1e-44, 1e-43, 0.5, 1e-300], size)
        elif kind == 2:
            p = np.round(rng.uniform(0, 1, size), 1)
        else:
            p = 1 / (1 + np.exp(-rng.normal(0, 20, size)))
        y = rng.integers(0, 2, size).astype(float)
        if rng.random() < 0.25:
            y = rng.uniform(0, 1, size)  # soft labels
        out = compute("binary_logloss", y=y.tolist(), p=p.tolist())
        ref = F.binary_cross_entropy(t64(p), t64(y)).item()
        np.testing.assert_allclose(out, ref, rtol=1e-9, atol=1e-13, err_msg=f"y={y} p={p}")


def test_binary_logloss_clamp_edges_exactly():
    for y, p in [([1.0], [0.0]), ([0.0], [1.0]), ([1.0, 0.0], [1.0, 0.0]), ([0.0], [1e-12])]:
        assert compute("binary_logloss", y=y, p=p) == F.binary_cross_entropy(t64(p), t64(y)).item()


# --- softmax_cross_entropy: F.cross_entropy with label smoothing and its autograd ------------


def torch_ce(logits, target, label_smoothing, reduction):
    z = t64(logits).requires_grad_()
    loss = F.cross_entropy(
        z,
        torch.tensor(target, dtype=torch.long),
        label_smoothing=label_smoothing,
        reduction=reduction,
    )
    loss.backward()
    return loss.item(), z.grad.numpy()


def test_softmax_cross_entropy_random():
    rng = np.random.default_rng(5)
    for _ in range(N_VARIANTS):
        c = int(rng.integers(1, 7))
        vector = rng.random() < 0.3
        n = 1 if vector else int(rng.integers(1, 6))
        logits = random_logits(rng, (c,) if vector else (n, c))
        target = int(rng.integers(c)) if vector else [int(t) for t in rng.integers(0, c, n)]
        smoothing = float(rng.choice([0.0, 0.0, 0.1, 0.2, 1.0, rng.random()]))
        reduction = str(rng.choice(["mean", "sum"]))
        got = compute(
            "softmax_cross_entropy",
            logits=logits.tolist(),
            target=target,
            label_smoothing=smoothing,
            reduction=reduction,
        )
        loss, grad = torch_ce(logits, target, smoothing, reduction)
        scale = 1 + np.abs(logits).max()  # the loss grows with the logits, the gradient does not
        assert got["loss"] == pytest.approx(loss, rel=1e-12, abs=1e-13 * scale)
        assert np.shape(got["grad"]) == grad.shape
        np.testing.assert_allclose(got["grad"], grad, rtol=1e-11, atol=1e-15)


def test_softmax_cross_entropy_defaults_and_edges():
    logits = [[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]
    got = compute("softmax_cross_entropy", logits=logits, target=[0, 1])
    loss, grad = torch_ce(logits, [0, 1], 0.0, "mean")
    assert got["loss"] == pytest.approx(loss, rel=1e-14)
    np.testing.assert_allclose(got["grad"], grad, rtol=1e-13)
    # one class: the loss is 0 with or without smoothing; full smoothing: a uniform target
    assert compute("softmax_cross_entropy", logits=[[3.0], [-1.0]], target=[0, 0])["loss"] == 0
    got = compute("softmax_cross_entropy", logits=[1.0, 2.0, 3.0], target=2, label_smoothing=1)
    loss, grad = torch_ce([1.0, 2.0, 3.0], 2, 1.0, "mean")
    assert got["loss"] == pytest.approx(loss, rel=1e-14)
    np.testing.assert_allclose(got["grad"], grad, rtol=1e-13)
    with pytest.raises(RuntimeError):  # torch refuses smoothing above 1, so does the engine
        torch_ce([1.0, 2.0], 0, 1.5, "mean")
    from grader.errors import EngineError

    with pytest.raises(EngineError):
        compute("softmax_cross_entropy", logits=[1.0, 2.0], target=0, label_smoothing=1.5)
