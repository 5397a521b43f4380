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


# --- batchnorm_running: running statistics and the eval-mode output ---------------------------


def random_batches(rng, features_first: bool):
    ndim = int(rng.choice([2, 2, 3, 4]))
    features = int(rng.integers(1, 4))
    count = int(rng.integers(1, 5))
    batches = []
    for _ in range(count):
        n = int(rng.integers(1, 6))
        shape = (n, features) + tuple(int(s) for s in rng.integers(1, 3, ndim - 2))
        if int(np.prod(shape)) // features < 2:
            shape = (n + 1,) + shape[1:]
        if rng.random() < 0.5:
            batches.append(rng.integers(-5, 10, shape).astype(float))
        else:
            batches.append(rng.normal(rng.normal(0, 3), rng.choice([0.1, 1.0, 5.0]), shape))
    return batches, features


def test_running_stats_vs_torch_batch_norm():
    rng = np.random.default_rng(43)
    for _ in range(800):
        batches, features = random_batches(rng, True)
        momentum = float(rng.choice([0.1, 0.2, 0.01, 0.0, 1.0, rng.random()]))
        rm0 = rng.normal(0, 2, features)
        rv0 = rng.uniform(0, 3, features)
        eps = float(rng.choice([1e-5, 1e-3, 0.1]))
        gamma, beta = rng.normal(1, 0.5, features), rng.normal(0, 1, features)
        x = rng.normal(0, 3, (3, features))
        got = compute(
            "batchnorm_running",
            batches=[b.tolist() for b in batches],
            running_mean=rm0.tolist(),
            running_var=rv0.tolist(),
            momentum=momentum,
            x=x.tolist(),
            gamma=gamma.tolist(),
            beta=beta.tolist(),
            eps=eps,
        )
        rm, rv = t64(rm0), t64(rv0)
        for b in batches:
            F.batch_norm(t64(b), rm, rv, None, None, training=True, momentum=momentum, eps=eps)
        np.testing.assert_allclose(got["running_mean"], rm.numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(got["running_var"], rv.numpy(), rtol=1e-12, atol=1e-14)
        ref = F.batch_norm(t64(x), rm, rv, t64(gamma), t64(beta), training=False, eps=eps)
        np.testing.assert_allclose(got["output"], ref.numpy(), rtol=1e-10, atol=1e-12)


def test_running_stats_defaults_vs_nn_batchnorm_module():
    rng = np.random.default_rng(44)
    for _ in range(100):
        batches, features = random_batches(rng, True)
        batches = [b for b in batches if b.ndim == 2] or [rng.normal(0, 1, (4, features))]
        module = torch.nn.BatchNorm1d(features, dtype=torch.float64).train()
        for b in batches:
            module(t64(b))
        x = rng.normal(0, 3, (2, features))
        got = compute("batchnorm_running", batches=[b.tolist() for b in batches], x=x.tolist())
        np.testing.assert_allclose(got["running_mean"], module.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(got["running_var"], module.running_var.numpy(), rtol=1e-12)
        out = module.eval()(t64(x)).detach().numpy()
        np.testing.assert_allclose(got["output"], out, rtol=1e-10, atol=1e-12)


def test_running_stats_vs_keras_batch_normalization():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(45)
    for _ in range(150):
        batches, features = random_batches(rng, False)
        batches = [b for b in batches if b.ndim == batches[0].ndim]
        momentum = float(rng.choice([0.99, 0.9, 0.5, 0.0, 1.0]))
        eps = float(rng.choice([1e-3, 1e-5]))
        channels_last = [np.moveaxis(b, 1, -1) for b in batches]  # Keras normalises axis −1
        layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=eps, dtype="float64")
        layer.build(channels_last[0].shape)
        rm0, rv0 = rng.normal(0, 2, features), rng.uniform(0, 3, features)
        layer.moving_mean.assign(rm0)
        layer.moving_variance.assign(rv0)
        gamma, beta = rng.normal(1, 0.5, features), rng.normal(0, 1, features)
        layer.gamma.assign(gamma)
        layer.beta.assign(beta)
        for b in channels_last:
            layer(t64(b), training=True)
        x = rng.normal(0, 3, (3,) + batches[0].shape[1:])
        got = compute(
            "batchnorm_running",
            batches=[b.tolist() for b in batches],
            running_mean=rm0.tolist(),
            running_var=rv0.tolist(),
            momentum=momentum,
            convention="keras",
            x=x.tolist(),
            gamma=gamma.tolist(),
            beta=beta.tolist(),
            eps=eps,
        )
        mm = keras.ops.convert_to_numpy(layer.moving_mean)
        mv = keras.ops.convert_to_numpy(layer.moving_variance)
        # Keras computes BN in float32 even for float64 layers (result_type(float64, "float32") is
        # float32 in Keras) and its variance is E[x²] − E[x]², which cancels digits when |μ| ≫ σ:
        # float32 tolerances, still far finer than the n/(n − 1) of an unbiased variance.
        scale = 1 + max(
            float(np.max(b.mean(axis=(0,) + tuple(range(2, b.ndim))) ** 2)) for b in batches
        )
        np.testing.assert_allclose(got["running_mean"], mm, rtol=1e-5, atol=1e-6 * scale)
        np.testing.assert_allclose(got["running_var"], mv, rtol=1e-5, atol=1e-6 * scale)
        # the eval formula, on Keras' own (float32-computed) moving statistics
        out = keras.ops.convert_to_numpy(layer(t64(np.moveaxis(x, 1, -1)), training=False))
        mine = compute(
            "batchnorm_running",
            batches=[],
            running_mean=mm.tolist(),
            running_var=mv.tolist(),
            convention="keras",
            x=x.tolist(),
            gamma=gamma.tolist(),
            beta=beta.tolist(),
            eps=eps,
        )["output"]
        np.testing.assert_allclose(np.moveaxis(np.asarray(mine), 1, -1), out, rtol=1e-5, atol=1e-6)


def test_batch_of_one_value_per_feature():
    from grader.errors import EngineError

    rm, rv = t64([0.0]), t64([1.0])
    with pytest.raises(ValueError):  # torch refuses it in training mode
        F.batch_norm(t64([[2.0]]), rm, rv, training=True)
    with pytest.raises(EngineError) as err:
        compute("batchnorm_running", batches=[[2.0]])
    assert (err.value.code, err.value.arg) == ("too_few_values", "batches[0]")
    # Keras accepts it: the biased variance of one value is 0
    got = compute("batchnorm_running", batches=[[2.0]], convention="keras")
    assert got["running_mean"] == pytest.approx([0.02]) and got["running_var"] == pytest.approx(
        [0.99]
    )


# --- layernorm: F.layer_norm over the last axis -----------------------------------------------


def test_layernorm_random():
    rng = np.random.default_rng(46)
    for _ in range(N_VARIANTS):
        ndim = int(rng.choice([1, 2, 2, 2, 3]))
        shape = tuple(int(s) for s in rng.integers(1, 6, ndim - 1)) + (int(rng.integers(1, 7)),)
        kind = rng.integers(4)
        if kind == 0:
            x = rng.integers(-5, 10, shape).astype(float)
        elif kind == 1:
            x = rng.normal(rng.normal(0, 3), rng.choice([0.1, 1.0, 10.0]), shape)
        elif kind == 2:  # constant rows: y = β
            x = np.broadcast_to(rng.normal(0, 5, shape[:-1] + (1,)), shape).copy()
        else:
            x = rng.normal(0, 1, shape) * rng.choice([1e-3, 1e3])
        features = shape[-1]
        gamma = rng.normal(1, 0.5, features) if rng.random() < 0.7 else None
        beta = rng.normal(0, 1, features) if rng.random() < 0.7 else None
        eps = float(rng.choice([1e-5, 1e-5, 1e-3, 0.1, 1e-12, 1.0]))
        args = {"x": x.tolist(), "eps": eps}
        args.update({"gamma": gamma.tolist()} if gamma is not None else {})
        args.update({"beta": beta.tolist()} if beta is not None else {})
        out = np.asarray(compute("layernorm", **args))
        ref = F.layer_norm(
            t64(x),
            (features,),
            None if gamma is None else t64(gamma),
            None if beta is None else t64(beta),
            eps=eps,
        ).numpy()
        # torch computes x·rstd − μ·rstd: tolerance relative to the cancellation, as above
        g = np.ones(features) if gamma is None else gamma
        b = np.zeros(features) if beta is None else beta
        sigma = np.sqrt(x.var(axis=-1) + eps)
        scale = 1.0 + np.max(np.abs(x.mean(axis=-1)) / sigma) * np.abs(g).max() + np.abs(b).max()
        np.testing.assert_allclose(out, ref, rtol=1e-9, atol=1e-14 * scale, err_msg=f"{x}")


def test_layernorm_module_and_constant_rows():
    rng = np.random.default_rng(47)
    for _ in range(200):
        n, features = int(rng.integers(1, 5)), int(rng.integers(1, 6))
        module = torch.nn.LayerNorm(features, dtype=torch.float64)
        with torch.no_grad():
            module.weight.copy_(t64(rng.normal(1, 0.5, features)))
            module.bias.copy_(t64(rng.normal(0, 1, features)))
        x = rng.normal(0, 2, (n, features))
        x[0] = x[0, 0]  # a constant row gives β exactly
        got = compute(
            "layernorm",
            x=x.tolist(),
            gamma=module.weight.tolist(),
            beta=module.bias.tolist(),
        )
        ref = module(t64(x)).detach().numpy()
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)
        np.testing.assert_array_equal(got[0], module.bias.detach().numpy())


def test_layernorm_eps_zero_on_a_constant_row():
    out = F.layer_norm(t64([[2.0, 2.0]]), (2,), eps=0.0).numpy()
    assert np.all(np.isnan(out))  # torch: 0/0
    from grader.errors import EngineError

    with pytest.raises(EngineError) as err:
        compute("layernorm", x=[[2.0, 2.0]], eps=0)
    assert err.value.arg == "eps"
