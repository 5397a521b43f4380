"""The batchnorm engine against torch F.batch_norm in training mode (float64).

Torch computes y = x·(γ/σ) + (β − μ·γ/σ), which loses digits when |μ| ≫ σ; the engine uses
γ·(x − μ)/σ + β. The tolerance is relative to the scale γ·|μ|/σ of that cancellation (it never
matters at exam scales, where both agree to ~1e-15).
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.engines.registry import compute

N_VARIANTS = 2500


@pytest.fixture(autouse=True, scope="module")
def single_thread():
    # Tiny tensors: torch's intra-op thread pool only adds wake-up latency (on a busy 2-core
    # machine F.binary_cross_entropy_with_logits takes ~1.7 ms per call instead of ~20 µs).
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def t64(value):
    return torch.tensor(value, dtype=torch.float64)


def torch_bn(x, gamma, beta, eps):
    return F.batch_norm(t64(x), None, None, t64(gamma), t64(beta), training=True, eps=eps).numpy()


def test_random_batches():
    rng = np.random.default_rng(41)
    for _ in range(N_VARIANTS):
        ndim = int(rng.choice([2, 2, 2, 3, 4]))
        n = int(rng.integers(2, 7)) if ndim == 2 else int(rng.integers(1, 4))
        shape = (n, int(rng.integers(1, 5))) + tuple(int(s) for s in rng.integers(1, 4, ndim - 2))
        if int(np.prod(shape)) // shape[1] < 2:
            continue
        if rng.random() < 0.5:
            x = rng.integers(-5, 10, shape).astype(float)
        else:
            x = rng.normal(rng.normal(0, 3), rng.choice([0.1, 1.0, 10.0]), shape)
        gamma = rng.normal(1, 0.5, shape[1])
        beta = rng.normal(0, 1, shape[1])
        eps = float(rng.choice([1e-5, 1e-3, 0.1, 1e-8]))
        out = np.asarray(
            compute("batchnorm", x=x.tolist(), gamma=gamma.tolist(), beta=beta.tolist(), eps=eps)
        )
        ref = torch_bn(x, gamma, beta, eps)
        axes = (0,) + tuple(range(2, x.ndim))
        sigma = np.sqrt(x.var(axis=axes) + eps)
        scale = 1.0 + np.max(np.abs(gamma) * np.abs(x.mean(axis=axes)) / sigma) + np.abs(beta).max()
        np.testing.assert_allclose(out, ref, rtol=1e-9, atol=1e-14 * scale, err_msg=f"{x}")


def test_biased_variance_and_defaults():
    x = [[1.0, 10.0], [2.0, 10.0], [3.0, 12.0], [6.0, 10.0]]
    out = compute("batchnorm", x=x)
    assert out[2][0] == 0.0  # x = μ exactly; torch's fused form leaves −1.1e-16 here
    ref = torch_bn(x, [1.0, 1.0], [0.0, 0.0], 1e-5)
    np.testing.assert_allclose(out, ref, rtol=1e-13, atol=1e-15)
    module = torch.nn.BatchNorm1d(2, dtype=torch.float64).train()
    np.testing.assert_allclose(out, module(t64(x)).detach().numpy(), rtol=1e-13, atol=1e-15)


def test_torch_refuses_one_value_per_channel():
    with pytest.raises(ValueError):
        torch_bn([[1.0, 2.0]], [1.0, 1.0], [0.0, 0.0], 1e-5)
    from grader.errors import EngineError

    with pytest.raises(EngineError) as err:
        compute("batchnorm", x=[[1.0, 2.0]])
    assert err.value.arg == "x"
