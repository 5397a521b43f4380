"""Weight initialization scales of ``torch.nn.init``.

Conventions followed: ``xavier_*`` are ``torch.nn.init.xavier_uniform_`` / ``xavier_normal_`` with
gain 1; ``he_*`` are ``torch.nn.init.kaiming_uniform_`` / ``kaiming_normal_`` with
``mode="fan_in"`` and ``nonlinearity="relu"`` (gain √2). The answer is the bound a of U(−a, a) for
the uniform schemes and the standard deviation for the normal ones, computed with PyTorch's own
sequence of operations. Keras' ``GlorotUniform``/``HeUniform`` give the same bounds, but Keras'
``GlorotNormal``/``HeNormal`` draw from a truncated normal with a different stddev — not this.
"""

from __future__ import annotations

import math

from grader.engines._args import as_choice, as_int, fail
from grader.engines.registry import engine

__all__ = ["init_scale"]

SCHEMES = ("xavier_uniform", "xavier_normal", "he_uniform", "he_normal")
MAX_FAN = 10**15


@engine("init_scale")
def init_scale(*, scheme, fan_in, fan_out=None) -> float:
    """Bound (uniform) or std (normal) of Xavier/He initialization (``torch.nn.init``).

    xavier_uniform: √(6/(fan_in+fan_out)); xavier_normal: √(2/(fan_in+fan_out));
    he_uniform: √(6/fan_in); he_normal: √(2/fan_in). ``fan_out`` is needed for Xavier only.

    >>> init_scale(scheme="xavier_uniform", fan_in=100, fan_out=200)
    0.1414213562373095
    >>> init_scale(scheme="he_normal", fan_in=50)
    0.2
    """
    scheme = as_choice("scheme", scheme, SCHEMES)
    fan_in = as_int("fan_in", fan_in, min=1, max=MAX_FAN)
    if fan_out is not None:
        fan_out = as_int("fan_out", fan_out, min=1, max=MAX_FAN)
    if scheme.startswith("xavier"):
        if fan_out is None:
            fail("fan_out", "нужен для схемы Xavier", "missing_arg")
        std = 1.0 * math.sqrt(2.0 / float(fan_in + fan_out))
    else:
        std = math.sqrt(2.0) / math.sqrt(fan_in)
    # PyTorch derives the uniform bound from the std: a = √3·std
    return math.sqrt(3.0) * std if scheme.endswith("uniform") else std
