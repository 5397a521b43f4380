"""grader.engines.initialization against ``torch.nn.init``.

The bound / std is read exactly from the ``aten.uniform_`` / ``aten.normal_`` call that
``torch.nn.init`` makes (a TorchDispatchMode records it; the tensors live on the "meta" device, so
nothing is allocated), for Linear-shaped (fan_out, fan_in) and Conv2d-shaped
(c_out, c_in, kh, kw) weights.
"""

import math

import numpy as np
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from grader.engines.registry import compute

INIT = {
    "xavier_uniform": (torch.nn.init.xavier_uniform_, {}),
    "xavier_normal": (torch.nn.init.xavier_normal_, {}),
    "he_uniform": (torch.nn.init.kaiming_uniform_, {"mode": "fan_in", "nonlinearity": "relu"}),
    "he_normal": (torch.nn.init.kaiming_normal_, {"mode": "fan_in", "nonlinearity": "relu"}),
}


class RecordRandomFill(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.calls = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func in (torch.ops.aten.uniform_.default, torch.ops.aten.normal_.default):
            self.calls.append((func, args[1:]))
        return func(*args, **(kwargs or {}))


def torch_scale(scheme, shape) -> float:
    init, options = INIT[scheme]
    with RecordRandomFill() as record:
        init(torch.empty(*shape, device="meta"), **options)
    ((func, (low_or_mean, high_or_std)),) = record.calls
    if func is torch.ops.aten.uniform_.default:
        assert low_or_mean == -high_or_std
    else:
        assert low_or_mean == 0
    return high_or_std


def test_init_scale_vs_torch_nn_init():
    rng = np.random.default_rng(401)
    exact = 0
    for i in range(4000):
        scheme = list(INIT)[i % 4]
        if rng.random() < 0.5:
            fan_out, fan_in = (int(v) for v in rng.integers(1, 5000, size=2))
            shape = (fan_out, fan_in)
        else:
            c_out, c_in, kh, kw = (int(v) for v in rng.integers(1, 64, size=4))
            shape = (c_out, c_in, kh, kw)
            fan_in, fan_out = c_in * kh * kw, c_out * kh * kw
        want = torch_scale(scheme, shape)
        got = compute("init_scale", scheme=scheme, fan_in=fan_in, fan_out=fan_out)
        assert math.isclose(got, want, rel_tol=1e-12), (scheme, shape, got, want)
        exact += got == want
    assert exact == 4000  # the same sequence of float operations as PyTorch


# --- LeCun: keras.initializers.LecunNormal / LecunUniform (Keras 3, torch backend) --------------

KERAS_TRUNCATION = 0.87962566103423978  # keras VarianceScaling: std of N(0, 1) cut at ±2


def keras_lecun(scheme, shape) -> float:
    """The stddev / limit Keras passes to its random call for a kernel of ``shape``."""
    import keras
    from keras.src.initializers import random_initializers

    calls = []
    real = random_initializers.random

    class Recorder:
        def __getattr__(self, name):
            return getattr(real, name)

        def truncated_normal(self, shape, mean, stddev, dtype=None, seed=None):
            calls.append(("truncated_normal", mean, stddev))
            return real.truncated_normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=seed)

        def uniform(self, shape, minval, maxval, dtype=None, seed=None):
            calls.append(("uniform", minval, maxval))
            return real.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=seed)

    random_initializers.random = Recorder()
    try:
        init = {
            "lecun_normal": keras.initializers.LecunNormal,
            "lecun_uniform": keras.initializers.LecunUniform,
        }
        init[scheme](seed=1)(shape)
    finally:
        random_initializers.random = real
    ((kind, a, b),) = calls
    if kind == "uniform":
        assert a == -b
    else:
        assert a == 0.0
    return b


def test_lecun_vs_keras_initializers():
    rng = np.random.default_rng(402)
    for i in range(600):
        scheme = ("lecun_normal", "lecun_uniform")[i % 2]
        if rng.random() < 0.4:
            shape = tuple(int(v) for v in rng.integers(1, 300, size=2))  # Dense (in, out)
            fan_in = shape[0]
        else:
            k = int(rng.integers(1, 4))  # Conv1D/2D/3D kernel (*k, c_in, c_out)
            shape = tuple(int(v) for v in rng.integers(1, 6, size=k)) + tuple(
                int(v) for v in rng.integers(1, 40, size=2)
            )
            fan_in = int(np.prod(shape[:-1]))
        got = compute("init_scale", scheme=scheme, fan_in=fan_in)
        want = keras_lecun(scheme, shape)
        if scheme == "lecun_normal":
            assert got / KERAS_TRUNCATION == want, (shape, got, want)
            assert got == math.sqrt(1 / fan_in)  # the std the truncation constant restores
        else:
            assert got == want, (shape, got, want)
