"""optimizer_trajectory and logistic_regression_step against torch.optim on random problems.

Every variant builds the same one-weight model in torch (float64), runs the real torch.optim
optimizer (SGD, SGD with momentum / nesterov, RMSprop, Adam, AdamW) and compares the weight after
every step.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.engines.registry import compute
from grader.errors import EngineError

N_PER_OPTIMIZER = 300  # × 6 optimizers, batch and reduction drawn at random

N_LOGISTIC = 800

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")


def torch_optimizer(name, params, lr, hp):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=hp["momentum"])
    if name == "nesterov":
        return torch.optim.SGD(params, lr=lr, momentum=hp["momentum"], nesterov=True)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=hp["alpha"], eps=hp["eps"])
    betas = (hp["beta1"], hp["beta2"])
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas, eps=hp["eps"])
    return torch.optim.AdamW(
        params, lr=lr, betas=betas, eps=hp["eps"], weight_decay=hp["weight_decay"]
    )


def torch_trajectory(name, x, y, w0, lr, steps, batch, reduction, hp):
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    opt = torch_optimizer(name, [w], lr, hp)
    xs = torch.tensor(x, dtype=torch.float64)
    ys = torch.tensor(y, dtype=torch.float64)
    out = []
    for t in range(steps):
        if batch == "full":
            bx, by = xs, ys
        else:
            i = t % len(x)
            bx, by = xs[i : i + 1], ys[i : i + 1]
        opt.zero_grad()
        sq = (w * bx - by) ** 2
        if reduction == "mean":
            loss = sq.mean()
        elif reduction == "sum":
            loss = sq.sum()
        else:
            loss = 0.5 * sq.sum()
        loss.backward()
        opt.step()
        out.append(w.item())
    return out


def random_problem(rng):
    n = int(rng.integers(1, 6))
    if rng.random() < 0.5:  # exam-style small integers
        x = rng.integers(-3, 5, n).astype(float)
        y = rng.integers(-5, 8, n).astype(float)
    else:
        x = rng.normal(0, 2, n)
        y = rng.normal(0, 1, n) + rng.normal() * x
    return x.tolist(), y.tolist()


def random_hp(rng):
    return {
        "momentum": float(rng.choice([0.9, 0.5, 0.99, rng.uniform(0.01, 0.99)])),
        "alpha": float(rng.choice([0.99, 0.9, 0.5, rng.uniform(0, 1)])),
        "beta1": float(rng.choice([0.9, 0.5, 0.3, 0.0, rng.uniform(0, 0.99)])),
        "beta2": float(rng.choice([0.999, 0.9, 0.99, rng.uniform(0, 0.999)])),
        "eps": float(rng.choice([1e-8, 1e-6, 1e-3, 0.1])),
        "weight_decay": float(rng.choice([0.01, 0.1, 0.0, rng.uniform(0, 0.5)])),
    }


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_random_trajectories(name):
    rng = np.random.default_rng(100 + OPTIMIZERS.index(name))
    checked = 0
    for _ in range(N_PER_OPTIMIZER):
        x, y = random_problem(rng)
        w0 = float(rng.choice([0.0, rng.normal(0, 2), float(rng.integers(-3, 4))]))
        lr = float(rng.choice([0.01, 0.05, 0.1, 0.3, 1.0, rng.uniform(0.001, 0.5)]))
        steps = int(rng.integers(1, 16))
        batch = str(rng.choice(["full", "sequential"]))
        reduction = str(rng.choice(["mean", "sum", "half_sum"]))
        hp = random_hp(rng)
        args = dict(x=x, y=y, w0=w0, lr=lr, steps=steps, batch=batch, reduction=reduction)
        ref = torch_trajectory(name, **args, hp=hp)
        try:
            out = compute("optimizer_trajectory", optimizer=name, **args, **hp)
        except EngineError as err:  # plain SGD with a large lr diverges: torch reaches inf/nan
            assert err.code == "not_finite"
            assert not np.all(np.isfinite(ref))
            continue
        scale = max(1.0, abs(w0), *map(abs, ref))
        np.testing.assert_allclose(out, ref, rtol=1e-9, atol=1e-12 * scale, err_msg=f"{args} {hp}")
        checked += 1
    assert checked > 0.9 * N_PER_OPTIMIZER


def test_seed_problem_all_optimizers():
    """The seed: x = [1, 2], y = [2, 3], w0 = 0, lr = 0.1, two steps (values in unit tests)."""
    hp = {
        "momentum": 0.9,
        "alpha": 0.9,
        "beta1": 0.9,
        "beta2": 0.9,
        "eps": 1e-8,
        "weight_decay": 0.01,
    }
    for name in OPTIMIZERS:
        for batch in ("full", "sequential"):
            args = dict(x=[1, 2], y=[2, 3], w0=0, lr=0.1, steps=2, batch=batch, reduction="mean")
            out = compute("optimizer_trajectory", optimizer=name, **args, **hp)
            ref = torch_trajectory(name, **args, hp=hp)
            np.testing.assert_allclose(out, ref, rtol=1e-13, atol=1e-15)


def test_defaults_are_torch_defaults():
    args = dict(x=[1, 2], y=[2, 3], w0=0.5, lr=0.1, steps=5, batch="full", reduction="mean")
    defaults = {"momentum": 0.9}
    torch_defaults = {
        "momentum": 0.9,
        "alpha": 0.99,
        "beta1": 0.9,
        "beta2": 0.999,
        "eps": 1e-8,
        "weight_decay": 0.01,
    }
    for name in OPTIMIZERS:
        out = compute("optimizer_trajectory", optimizer=name, **args)
        ref = torch_trajectory(name, **args, hp=torch_defaults)
        np.testing.assert_allclose(out, ref, rtol=1e-12)
    # torch.optim.RMSprop's, Adam's and AdamW's own defaults agree with ours
    w = torch.zeros((), dtype=torch.float64)
    assert torch.optim.RMSprop([w]).defaults["alpha"] == 0.99
    assert torch.optim.Adam([w]).defaults["betas"] == (0.9, 0.999)
    assert torch.optim.AdamW([w]).defaults["weight_decay"] == 0.01
    assert torch.optim.Adam([w]).defaults["eps"] == 1e-8
    assert defaults


# --- logistic regression ---------------------------------------------------------------------


def torch_logistic(x, y, w0, b0, lr, steps, reduction, with_logits=True):
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    params = [w]
    b = None
    if b0 is not None:
        b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
        params.append(b)
    opt = torch.optim.SGD(params, lr=lr)
    xs = torch.tensor(x, dtype=torch.float64)
    ys = torch.tensor(y, dtype=torch.float64)
    max_logit = 0.0
    for _ in range(steps):
        opt.zero_grad()
        z = w * xs if b is None else w * xs + b
        max_logit = max(max_logit, z.abs().max().item())
        if with_logits:
            loss = F.binary_cross_entropy_with_logits(z, ys, reduction=reduction)
        else:
            loss = F.binary_cross_entropy(torch.sigmoid(z), ys, reduction=reduction)
        loss.backward()
        opt.step()
    return {"w": w.item(), "b": None if b is None else b.item(), "max_logit": max_logit}


def test_logistic_random():
    rng = np.random.default_rng(7)
    for _ in range(N_LOGISTIC):
        n = int(rng.integers(1, 7))
        x = np.round(rng.normal(0, 2, n), int(rng.integers(0, 3))).tolist()
        y = rng.integers(0, 2, n).astype(float)
        if rng.random() < 0.2:
            y = rng.uniform(0, 1, n)
        y = y.tolist()
        w0 = float(rng.normal(0, 1.5))
        b0 = None if rng.random() < 0.4 else float(rng.normal())
        lr = float(rng.choice([0.01, 0.1, 0.5, 1.0, rng.uniform(0.001, 2)]))
        steps = int(rng.integers(1, 12))
        reduction = str(rng.choice(["mean", "sum"]))
        args = dict(x=x, y=y, w0=w0, b0=b0, lr=lr, steps=steps, reduction=reduction)
        out = compute("logistic_regression_step", **args)
        ref = torch_logistic(**args)
        assert set(out) == {"w", "b"}
        assert (out["b"] is None) == (ref["b"] is None)
        for key in ("w", "b"):
            if ref[key] is not None:
                scale = max(1.0, abs(ref[key]))
                np.testing.assert_allclose(out[key], ref[key], rtol=1e-9, atol=1e-12 * scale)
        # BCE(sigmoid(z)) has the same gradient as BCEWithLogits unless torch's 1e-12 clamp of
        # p(1 − p) in the BCE backward kicks in (|z| ≳ 27.6)
        two_step = torch_logistic(**args, with_logits=False)
        if ref["max_logit"] < 25:
            scale = max(1.0, abs(ref["w"]))
            np.testing.assert_allclose(out["w"], two_step["w"], rtol=1e-9, atol=1e-12 * scale)


def test_logistic_seed():
    args = dict(x=[-5], y=[1], w0=1, b0=None, lr=0.01, steps=1, reduction="mean")
    out = compute("logistic_regression_step", **args)
    ref = torch_logistic(**args)
    assert out["w"] == pytest.approx(ref["w"], rel=1e-14) and out["b"] is None
    assert round(out["w"], 4) == 0.9503


# --- Nesterov: the classic look-ahead form -------------------------------------------------------


def lookahead_by_hand(x, y, w0, lr, steps, batch, reduction, momentum):
    """v ← μv − lr·∇f(w + μv), w ← w + v, in Python floats (Sutskever et al. 2013)."""
    w, v, out = float(w0), 0.0, []
    for t in range(steps):
        pts = list(zip(x, y, strict=True)) if batch == "full" else [(x[t % len(x)], y[t % len(x)])]
        ahead = w + momentum * v
        g = sum((ahead * a - b) * a for a, b in pts)
        if reduction != "half_sum":
            g *= 2
        if reduction == "mean":
            g /= len(pts)
        v = momentum * v - lr * g
        w = w + v
        out.append(w)
    return out


def test_nesterov_lookahead_vs_hand_recursion_and_torch_sgd():
    """The look-ahead weights w_t + μ(w_t − w_{t−1}) are exactly what SGD(nesterov=True) stores."""
    rng = np.random.default_rng(150)
    checked = 0
    for _ in range(400):
        x, y = random_problem(rng)
        w0 = float(rng.choice([0.0, rng.normal(0, 2), float(rng.integers(-3, 4))]))
        lr = float(rng.choice([0.01, 0.05, 0.1, 0.3, rng.uniform(0.001, 0.5)]))
        steps = int(rng.integers(1, 16))
        batch = str(rng.choice(["full", "sequential"]))
        reduction = str(rng.choice(["mean", "sum", "half_sum"]))
        momentum = float(rng.choice([0.9, 0.5, 0.99, 1.0, rng.uniform(0.01, 0.99)]))
        args = dict(x=x, y=y, w0=w0, lr=lr, steps=steps, batch=batch, reduction=reduction)
        try:
            out = compute(
                "optimizer_trajectory",
                optimizer="nesterov",
                momentum=momentum,
                nesterov_form="lookahead",
                **args,
            )
        except EngineError as err:
            assert err.code == "not_finite"
            continue
        hand = lookahead_by_hand(**args, momentum=momentum)
        scale = max(1.0, abs(w0), *map(abs, hand))
        np.testing.assert_allclose(out, hand, rtol=1e-9, atol=1e-12 * scale)
        ref = torch_trajectory("nesterov", **args, hp={"momentum": momentum})
        previous = [w0, *out[:-1]]
        shifted = [w + momentum * (w - p) for w, p in zip(out, previous, strict=True)]
        scale = max(scale, *map(abs, ref))
        np.testing.assert_allclose(shifted, ref, rtol=1e-8, atol=1e-11 * scale, err_msg=f"{args}")
        checked += 1
    assert checked > 300
