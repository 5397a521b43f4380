"""Unit tests of grader.engines.initialization."""

import math

import pytest

from grader.engines import initialization
from grader.engines.registry import compute
from grader.errors import EngineError


@pytest.mark.parametrize(
    ("scheme", "fan_in", "fan_out", "expected"),
    [
        ("xavier_uniform", 100, 200, math.sqrt(6 / 300)),
        ("xavier_normal", 100, 200, math.sqrt(2 / 300)),
        ("he_uniform", 100, 200, math.sqrt(6 / 100)),
        ("he_normal", 100, 200, math.sqrt(2 / 100)),
        ("xavier_uniform", 3, 3, 1.0),
        ("he_normal", 2, None, 1.0),
        ("he_uniform", 6, None, 1.0),
        ("xavier_normal", 1, 1, 1.0),
        ("lecun_normal", 100, None, 0.1),
        ("lecun_uniform", 100, None, math.sqrt(3 / 100)),
        ("lecun_uniform", 3, 7, 1.0),  # fan_out plays no part
        ("lecun_normal", 1, None, 1.0),
    ],
)
def test_init_scale(scheme, fan_in, fan_out, expected):
    args = {"scheme": scheme, "fan_in": fan_in}
    if fan_out is not None:
        args["fan_out"] = fan_out
    assert compute("init_scale", **args) == pytest.approx(expected, rel=1e-15)


def test_lecun_uniform_bound_is_sqrt3_times_lecun_normal_std():
    for fan_in in (1, 7, 48, 1000):
        std = initialization.init_scale(scheme="lecun_normal", fan_in=fan_in)
        bound = initialization.init_scale(scheme="lecun_uniform", fan_in=fan_in)
        assert bound == pytest.approx(math.sqrt(3) * std, rel=1e-15)
        assert std == pytest.approx(
            initialization.init_scale(scheme="he_normal", fan_in=fan_in) / math.sqrt(2)
        )


def test_he_ignores_fan_out():
    he = initialization.init_scale(scheme="he_uniform", fan_in=64, fan_out=10)
    assert he == initialization.init_scale(scheme="he_uniform", fan_in=64)


@pytest.mark.parametrize(
    ("args", "code", "arg"),
    [
        ({"scheme": "xavier_uniform", "fan_in": 10}, "missing_arg", "fan_out"),
        ({"scheme": "glorot_normal", "fan_in": 10, "fan_out": 10}, "bad_arg", "scheme"),
        ({"scheme": "he_normal", "fan_in": 0}, "bad_arg", "fan_in"),
        ({"scheme": "he_normal", "fan_in": 10, "fan_out": -1}, "bad_arg", "fan_out"),
        ({"scheme": "xavier_normal", "fan_in": 10, "fan_out": 2.5}, "bad_arg", "fan_out"),
        ({"scheme": "he_normal", "fan_in": 10**16}, "bad_arg", "fan_in"),
    ],
)
def test_init_scale_bad_args(args, code, arg):
    with pytest.raises(EngineError) as info:
        compute("init_scale", **args)
    assert (info.value.code, info.value.arg) == (code, arg)
