"""grader.engines.regularization against PyTorch and Keras.

* ``dropout``: ``torch.nn.functional.dropout`` and ``keras.layers.Dropout`` (float64) are run with
  seeds; the elements they zeroed become ``dropped`` and the engine must reproduce the whole output.
* ``ridge_mean``: the ridge normal equations (XᵀX + λI)β = Xᵀy solved by ``torch.linalg.solve``
  with X a column of ones.
* ``dropout_layer_stats``: ``torch.distributions.Binomial`` of the number of kept neurons.
"""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.engines.registry import compute

keras = pytest.importorskip("keras")


def random_input(rng):
    shape = tuple(int(v) for v in rng.integers(1, 6, size=rng.integers(1, 5)))
    x = rng.normal(0, 3, size=shape)
    x[x == 0] = 1.0  # a zero would hide whether it was dropped
    rate = float(rng.choice([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, rng.uniform(0, 0.99)]))
    return x, rate


def check_dropout(x, rate, out, training=True):
    flat = out.reshape(-1)
    dropped = [int(i) for i in np.flatnonzero(flat == 0)]
    got = np.array(compute("dropout", x=x.tolist(), rate=rate, dropped=dropped, training=training))
    assert got.shape == x.shape
    assert np.all(np.abs(got - out) <= 1e-12 * np.abs(out)), (x, rate, dropped)
    return len(dropped)


def test_dropout_vs_torch():
    rng = np.random.default_rng(301)
    total_dropped = 0
    torch.manual_seed(301)
    for i in range(3000):
        x, rate = random_input(rng)
        training = i % 10 != 0
        out = F.dropout(torch.from_numpy(x), p=rate, training=training).numpy()
        total_dropped += check_dropout(x, rate, out, training)
    assert total_dropped > 10_000


def test_dropout_module_vs_torch():
    rng = np.random.default_rng(302)
    torch.manual_seed(302)
    for _ in range(300):
        x, rate = random_input(rng)
        layer = torch.nn.Dropout(rate)
        check_dropout(x, rate, layer.train()(torch.from_numpy(x)).numpy())
        check_dropout(x, rate, layer.eval()(torch.from_numpy(x)).numpy(), training=False)


def test_dropout_vs_keras():
    rng = np.random.default_rng(303)
    for seed in range(400):
        x, rate = random_input(rng)
        layer = keras.layers.Dropout(rate, seed=seed, dtype="float64")
        training = seed % 10 != 0
        out = layer(torch.from_numpy(x), training=training).detach().numpy()
        check_dropout(x, rate, out, training)


def test_ridge_mean_vs_torch_normal_equations():
    rng = np.random.default_rng(304)
    for _ in range(3000):
        n = int(rng.integers(1, 60))
        y = rng.normal(rng.normal(0, 10), rng.uniform(0.1, 5), size=n)
        lam = float(rng.choice([0.0, rng.uniform(0, 2), rng.exponential(20)]))
        X = torch.ones(n, 1, dtype=torch.float64)
        Y = torch.from_numpy(y)[:, None]
        beta = torch.linalg.solve(X.T @ X + lam * torch.eye(1, dtype=torch.float64), X.T @ Y)
        want = float(beta[0, 0])
        got = compute("ridge_mean", y=y.tolist(), lam=lam)
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12), (y, lam, got, want)


def test_dropout_layer_stats_vs_torch_binomial():
    rng = np.random.default_rng(305)
    for _ in range(3000):
        n = int(rng.integers(1, 400))
        p = float(rng.uniform(0.01, 0.99))
        kept = torch.distributions.Binomial(
            total_count=torch.tensor(float(n), dtype=torch.float64),
            probs=torch.tensor(1 - p, dtype=torch.float64),
        )
        want = {
            "p_all_dropped": float(kept.log_prob(torch.tensor(0.0, dtype=torch.float64)).exp()),
            "mean_kept": float(kept.mean),
            "var_kept": float(kept.variance),
        }
        got = compute("dropout_layer_stats", n=n, p=p)
        for key, value in want.items():
            assert math.isclose(got[key], value, rel_tol=1e-9, abs_tol=1e-300), (n, p, key)
