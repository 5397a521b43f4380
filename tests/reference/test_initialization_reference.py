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
