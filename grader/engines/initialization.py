"""Weight initialization scales of ``torch.nn.init`` and Keras' LeCun initializers.

Conventions followed: ``xavier_*`` are ``torch.nn.init.xavier_uniform_`` / ``xavier_normal_`` with
gain 1; ``he_*`` are ``torch.nn.init.kaiming_uniform_`` / ``kaiming_normal_`` with
``mode="fan_in"`` and ``nonlinearity="relu"`` (gain √2). The answer is the bound a of U(−a, a) for
the uniform schemes and the standard deviation for the normal ones, computed with PyTorch's own
sequence of operations. Keras' ``GlorotUniform``/``HeUniform`` give the same bounds, but Keras'
``GlorotNormal``/``HeNormal`` draw from a truncated normal with a different stddev — not this.

PyTorch has no LeCun initializer; ``lecun_*`` follow Keras 3 (``keras.initializers.LecunNormal`` /
``LecunUniform``, i.e. ``VarianceScaling(scale=1, mode="fan_in")``): lecun_uniform is U(−a, a) with
a = √(3·(1/fan_in)); lecun_normal answers σ = √(1/fan_in), the standard deviation of the weights.
Keras draws them from a normal truncated at ±2 of its ``stddev`` argument and passes
``stddev = σ / 0.87962566103423978`` (the std of a standard normal truncated to [−2, 2]), so that
the weights' std is σ. Keras' fan of a convolution kernel (kh, kw, c_in, c_out) is
fan_in = kh·kw·c_in (receptive field × input channels), as PyTorch's.
"""

from __future__ import annotations

import math

from grader.engines._args import as_choice, as_int, fail
from grader.engines.registry import engine
from grader.i18n import _

__all__ = ["init_scale"]

SCHEMES = (
    "xavier_uniform",
    "xavier_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
)
MAX_FAN = 10**15


@engine("init_scale")
def init_scale(*, scheme, fan_in, fan_out=None) -> float:
    """Bound (uniform) or std (normal) of Xavier/He (``torch.nn.init``) or LeCun (Keras) init.

    xavier_uniform: √(6/(fan_in+fan_out)); xavier_normal: √(2/(fan_in+fan_out));
    he_uniform: √(6/fan_in); he_normal: √(2/fan_in); lecun_uniform: √(3/fan_in);
    lecun_normal: √(1/fan_in) (the weights' std; Keras' truncated-normal ``stddev`` argument is
    this divided by 0.87962566103423978). ``fan_out`` is needed for Xavier only.

    >>> init_scale(scheme="xavier_uniform", fan_in=100, fan_out=200)
    0.1414213562373095
    >>> init_scale(scheme="he_normal", fan_in=50)
    0.2
    >>> init_scale(scheme="lecun_normal", fan_in=100), init_scale(scheme="lecun_uniform", fan_in=75)
    (0.1, 0.2)
    """
    scheme = as_choice("scheme", scheme, SCHEMES)
    fan_in = as_int("fan_in", fan_in, min=1, max=MAX_FAN)
    if fan_out is not None:
        fan_out = as_int("fan_out", fan_out, min=1, max=MAX_FAN)
    if scheme.startswith("xavier"):
        if fan_out is None:
            fail("fan_out", _("нужен для схемы Xavier"), "missing_arg")
        std = 1.0 * math.sqrt(2.0 / float(fan_in + fan_out))
    elif scheme.startswith("lecun"):
        # Keras' VarianceScaling: scale = 1/fan_in, then √(3·scale) or √scale
        scale = 1.0 / max(1.0, fan_in)
        return math.sqrt(3.0 * scale) if scheme == "lecun_uniform" else math.sqrt(scale)
    else:
        std = math.sqrt(2.0) / math.sqrt(fan_in)
    # PyTorch derives the uniform bound from the std: a = √3·std
    return math.sqrt(3.0) * std if scheme.endswith("uniform") else std
