"""Deterministic variants: same spec and seed → same numbers, forever."""

from __future__ import annotations

import pytest

from grader.errors import SpecError
from grader.variants import MAX_TRIES, derivation_order, variant

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


# --- Derived values in dependency order ------------------------------------------------------
# A database may hand a spec back with its keys reordered (PostgreSQL's jsonb did): a derived
# value listed before the value it uses must still work, and the same numbers must come out.


def test_derived_value_listed_before_the_one_it_uses():
    written = {
        "params": {"a": {"type": "int", "min": 1, "max": 9, "default": 2}},
        "derived": {"b": "a + 1", "blocks": "b * 10"},
    }
    reordered = {**written, "derived": {"blocks": "b * 10", "b": "a + 1"}}
    for seed in (None, 0, 5, 123):
        got, want = variant(reordered, seed), variant(written, seed)
        assert got.values == want.values
        assert got.values["blocks"] == (got.values["a"] + 1) * 10
    # Values are shown in the order the spec lists them.
    assert list(variant(reordered, 0).derived) == ["blocks", "b"]


def test_dependencies_inside_engine_arguments_count():
    # Computed before ``width``, "[width, 1]" would not refer to a known value: a literal string.
    spec = {
        "params": {"n": {"type": "int", "min": 2, "max": 8, "default": 4}},
        "derived": {
            "size": {"engine": "dense_params", "args": {"sizes": "[width, 1]"}},
            "width": "n * 2",
        },
    }
    assert variant(spec, None).values == {"n": 4, "size": 9, "width": 8}


def test_author_order_is_kept_where_it_is_free():
    definitions = {"z": "1", "y": "x + 1", "x": "2", "w": "z", "v": "3"}
    assert derivation_order(definitions) == ["z", "x", "y", "w", "v"]
    written_in_order = {"a": "1", "b": "a", "c": "b + a", "d": "7"}
    assert derivation_order(written_in_order) == list(written_in_order)


def test_a_value_naming_itself_means_the_parameter():
    spec = {
        "params": {"x": {"type": "int", "min": 1, "max": 9, "default": 3}},
        "derived": {"x": "x * 2"},
    }
    assert variant(spec, None).values["x"] == 6


def test_literal_options_are_not_dependencies():
    assert derivation_order({"a": {"engine": "e", "args": {"cell": "lstm"}}, "lstm2": "1"}) == [
        "a",
        "lstm2",
    ]


@pytest.mark.parametrize(
    "derived, cycle",
    [
        ({"a": "b + 1", "b": "a + 1"}, "a → b → a"),
        ({"p": "1", "a": "c", "b": "a", "c": "b * p"}, "a → c → b → a"),
    ],
)
def test_a_cycle_is_a_spec_error(derived, cycle):
    spec = {"params": {"n": {"type": "int", "min": 1, "max": 9, "default": 2}}, "derived": derived}
    for seed in (None, 1):
        with pytest.raises(SpecError) as info:
            variant(spec, seed)
        assert info.value.code == "derived_cycle"
        assert cycle in info.value.message


def test_parameters_keep_the_listed_draw_order():
    # The draw order defines a variant's numbers: swapping two parameters swaps what they get.
    a_first = {
        "params": {
            "a": {"type": "int", "min": 0, "max": 10**6, "default": 0},
            "bb": {"type": "int", "min": 0, "max": 10**6, "default": 0},
        }
    }
    bb_first = {"params": dict(reversed(a_first["params"].items()))}
    first, second = variant(a_first, 99).params, variant(bb_first, 99).params
    assert (first["a"], first["bb"]) == (second["bb"], second["a"])
