"""Deterministic variants: same spec and seed → same numbers, forever."""

from __future__ import annotations

import pytest

from grader.errors import SpecError
from grader.variants import MAX_TRIES, variant

SPEC = {
    "params": {
        "n": {"type": "int", "min": 1, "max": 1000, "step": 3, "default": 4},
        "p": {"type": "decimal", "min": 0.05, "max": 0.95, "digits": 2, "default": 0.5},
        "act": {"type": "choice", "values": ["relu", "tanh", "sigmoid"], "default": "relu"},
        "x": {
            "type": "vector",
            "size": 3,
            "of": {"type": "int", "min": -5, "max": 5},
            "default": [1, 2, 3],
        },
        "W": {
            "type": "matrix",
            "rows": 2,
            "cols": 2,
            "of": {"type": "decimal", "min": -1, "max": 1, "digits": 1},
            "default": [[1, 0], [0, 1]],
        },
        "drop": {"type": "subset", "of": [0, 1, 2, 3], "size": [1, 3], "default": [0]},
        "c": {"type": "const", "value": 7},
    },
    "derived": {"m": "n * c"},
    "constraints": ["m > 10"],
}


def test_same_seed_same_numbers_golden():
    # Golden values: if this fails, every stored attempt would change its numbers. Never update
    # them to make a test pass; find what changed the drawing order or the generator instead.
    assert variant(SPEC, 20261122).params == {
        "n": 214,
        "p": 0.05,
        "act": "tanh",
        "x": [1, 4, 5],
        "W": [[0.2, 0.1], [-0.8, -0.9]],
        "drop": [1, 2],
        "c": 7,
    }
    assert variant(SPEC, 20261122) == variant(SPEC, 20261122)


def test_different_seeds_cover_the_range():
    values = {variant(SPEC, seed).params["n"] for seed in range(300)}
    assert len(values) > 150  # 334 possible values; 300 draws cover about 198 on average
    assert all(1 <= n <= 1000 and (n - 1) % 3 == 0 for n in values)
    assert all(variant(SPEC, s).values["m"] > 10 for s in range(100))


def test_decimals_lie_on_the_grid():
    for seed in range(200):
        p = variant(SPEC, seed).params["p"]
        assert 0.05 <= p <= 0.95 and round(p * 100) == pytest.approx(p * 100, abs=1e-9)


def test_subset_is_sorted_and_sized():
    for seed in range(200):
        drop = variant(SPEC, seed).params["drop"]
        assert drop == sorted(set(drop)) and 1 <= len(drop) <= 3


def test_default_variant_uses_defaults():
    v = variant(SPEC, None)
    assert v.params["n"] == 4 and v.params["x"] == [1, 2, 3] and v.values["m"] == 28


def test_default_violating_constraint_is_a_spec_error():
    spec = {**SPEC, "constraints": ["m > 100"]}
    with pytest.raises(SpecError) as err:
        variant(spec, None)
    assert err.value.code == "default_violates_constraint"


def test_unsatisfiable_constraints_stop_after_bounded_tries():
    spec = {**SPEC, "constraints": ["n > 5000"]}
    with pytest.raises(SpecError) as err:
        variant(spec, 1)
    assert err.value.code == "constraints_unsatisfiable"
    assert str(MAX_TRIES) in err.value.message


def test_engine_refusal_redraws():
    spec = {
        "params": {"k": {"type": "int", "min": 1, "max": 9, "default": 3}},
        "derived": {
            "out": {
                "engine": "conv2d_output_shape",
                "args": {"h": 5, "w": 5, "kernel": "k"},
                "pick": 0,
            }
        },
    }
    for seed in range(50):
        v = variant(spec, seed)
        assert v.params["k"] <= 5 and v.values["out"] == 6 - v.params["k"]


@pytest.mark.parametrize(
    "dist",
    [
        {"type": "int", "min": 5, "max": 1},
        {"type": "choice", "values": []},
        {"type": "vector", "size": 10_000, "of": {"type": "int", "min": 0, "max": 1}},
        {"type": "subset", "of": [1, 2], "size": 3},
        {"type": "gaussian"},
    ],
)
def test_bad_distributions(dist):
    with pytest.raises(SpecError) as err:
        variant({"params": {"a": dist}}, 0)
    assert err.value.code == "bad_param"


def test_bad_seed():
    with pytest.raises(SpecError):
        variant(SPEC, -1)


def test_derived_values_keep_their_order_through_the_cache():
    spec = {
        "params": {"a": {"type": "int", "min": 1, "max": 9, "default": 2}},
        "derived": {"z_last": "a + 1", "b_first": "z_last * 10"},
    }
    for seed in (None, 0, 0, 1):
        values = variant(spec, seed).values
        assert values["b_first"] == (values["a"] + 1) * 10
