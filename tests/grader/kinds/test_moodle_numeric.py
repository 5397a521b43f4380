"""Numeric alternatives and units as Moodle's numerical question grades them
(grader/kinds/numeric.py, grader/units.py), one test per rule."""

from __future__ import annotations

import pytest

import grader
from grader.errors import SpecError
from grader.units import split_unit

AREA_UNITS = [
    {"unit": "м2", "multiplier": 1},
    {"unit": "дм2", "multiplier": 100},
    {"unit": "см2", "multiplier": 10000},
    {"unit": "m2", "multiplier": 1},
    {"unit": "dm2", "multiplier": 100},
]


def area(grading: str, **extra) -> dict:
    return {
        "kind": "numeric",
        "text": "Площадь круга радиусом 5 м?",
        "answer": {"value": 78.5},
        "tolerance": {"abs": 0.05},
        "units": AREA_UNITS,
        "unit_grading": grading,
        **extra,
    }


def score(spec: dict, raw: str, seed=None) -> float:
    return grader.grade(spec, seed, raw).score


# --- alternatives ---------------------------------------------------------------------------


def test_grant_birth_year_alternative_gives_half():
    """Moodle's examples.txt ``{#=1822:0 =%50%1822:2}``: 1822 → 100 %, 1820…1824 → 50 %."""
    spec = {
        "kind": "numeric",
        "text": "When was Ulysses S. Grant born?",
        "answer": {"value": 1822},
        "tolerance": {"abs": 0},
        "alternatives": [
            {
                "answer": {"value": 1822},
                "tolerance": {"abs": 2},
                "fraction": 0.5,
                "feedback": "Близко.",
            }
        ],
    }
    assert [score(spec, y) for y in ("1822", "1820", "1824", "1825")] == [1.0, 0.5, 0.5, 0.0]
    half = grader.grade(spec, None, "1823")
    assert not half.correct and half.feedback == "Частично верно: 50 % балла. Близко."
    assert grader.check_spec(spec) == []


def test_first_matching_alternative_in_order_wins():
    """``get_matching_answer`` returns the first answer whose interval holds the response."""
    spec = {
        "kind": "numeric",
        "text": "?",
        "answer": {"value": 10},
        "alternatives": [
            {"answer": {"value": 12}, "tolerance": {"abs": 1}, "fraction": 0.25},
            {"answer": {"value": 12}, "tolerance": {"abs": 3}, "fraction": 0.75},
        ],
    }
    assert [score(spec, x) for x in ("10", "12", "14", "16")] == [1.0, 0.25, 0.75, 0.0]


def test_alternative_keys_are_computed_for_each_variant():
    spec = {
        "kind": "numeric",
        "text": "{{ a }}·10?",
        "params": {"a": {"type": "int", "min": 2, "max": 9, "default": 3}},
        "answer": {"expr": "a*10"},
        "alternatives": [
            {"answer": {"expr": "a"}, "fraction": 0.25, "feedback": "Забыли ×10: {{ a }}."}
        ],
    }
    for seed in range(5):
        a = grader.present(spec, seed).params["a"]
        result = grader.grade(spec, seed, str(a))
        assert result.score == 0.25 and f"Забыли ×10: {a}." in result.feedback
        assert score(spec, str(a * 10), seed) == 1.0
    assert grader.check_spec(spec) == []


def test_mistake_is_looked_for_only_below_full_score():
    spec = {
        "kind": "numeric",
        "text": "?",
        "answer": {"value": 55},
        "alternatives": [{"answer": {"value": 60}, "fraction": 0.5}],
        "mistakes": [{"id": "no_bias", "answer": {"value": 50}, "feedback": "Смещения."}],
    }
    assert grader.grade(spec, None, "50").mistake["id"] == "no_bias"
    assert grader.grade(spec, None, "55").mistake is None
    assert grader.grade(spec, None, "60").mistake is None


def test_alternative_fraction_out_of_range_is_a_spec_error():
    spec = {"kind": "numeric", "text": "?", "answer": {"value": 1}}
    spec["alternatives"] = [{"answer": {"value": 2}, "fraction": 1.5}]
    with pytest.raises(SpecError):
        grader.grade(spec, None, "2")


# --- reading units ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["78.5 m2", "78,5 м2", "78.5м2", "7850 дм2", "7850 dm2", "785000 см2", "78,5 м²", "78.5"]
)
def test_units_forms_are_read_and_converted(raw):
    """Moodle's multiplier: value in a unit = base value × multiplier (7850 дм2 = 78.5 м2)."""
    result = grader.grade(area("required"), None, raw)
    if raw == "78.5":
        assert result.score == pytest.approx(0.9)  # no unit: the penalty
    else:
        assert result.correct, (raw, result.feedback)


def test_converted_value_is_shown():
    assert grader.grade(area("none"), None, "7850 дм2").parsed_display == "7850 дм2 = 78.5 м2"


@pytest.mark.parametrize(
    "raw",
    [
        "78.5 km2",
        "78.5 %%",
        "78.5 м2 м2",
        "78.5 " + "ж" * 200,
        "78.5 м2)",
        "1e999 м2",
        "--5 м2",
        "м2",
    ],
)
def test_odd_units_never_crash(raw):
    for grading in ("none", "optional", "required"):
        result = grader.grade(area(grading), None, raw)
        assert result.status in ("graded", "invalid")


def test_split_unit_takes_the_longest_known_unit():
    assert split_unit("5 см2", AREA_UNITS) == ("5", "см2")
    assert split_unit("3/4 м2", AREA_UNITS) == ("3/4", "м2")
    assert split_unit("5 km / h", AREA_UNITS) == ("5", "km/h")


# --- unit grading ----------------------------------------------------------------------------


def test_unit_grading_none_converts_and_ignores_missing_units():
    """Moodle's «units are optional; a unit entered converts the response to unit 1»."""
    spec = area("none")
    assert [score(spec, r) for r in ("78.5", "78.5 м2", "7850 дм2")] == [1.0, 1.0, 1.0]
    # Only the converted value counts: 78.5 дм2 is 0.785 м2.
    assert score(spec, "78.5 дм2") == 0.0


def test_unit_grading_none_unknown_unit_is_unreadable_not_wrong():
    result = grader.grade(area("none"), None, "78.5 km2")
    assert result.status == "invalid" and result.error["code"] == "unknown_unit"
    assert "«km2»" in result.feedback and "м2" in result.feedback


def test_unit_grading_required_penalises_missing_unknown_and_wrong_units():
    """``apply_unit_penalty`` (UNITGRADEDOUTOFMARK): the fraction loses penalty × fraction; as in
    ``get_matching_answer`` the number as typed is tried when the converted value misses."""
    spec = area("required", unit_penalty=0.2)
    assert score(spec, "78.5 м2") == 1.0
    assert score(spec, "78.5") == pytest.approx(0.8)
    assert score(spec, "78.5 km2") == pytest.approx(0.8)
    assert score(spec, "78.5 дм2") == pytest.approx(0.8)
    assert score(spec, "80 м2") == 0.0
    result = grader.grade(spec, None, "78.5")
    assert "Не указана единица измерения" in result.feedback and "штраф 20 %" in result.feedback


def test_unit_penalty_of_the_question_is_subtracted_whole():
    """UNITGRADEDOUTOFMAX: a 50 % answer with a wrong unit loses the whole penalty, 0.5 − 0.2."""
    alternative = {"answer": {"value": 78}, "tolerance": {"abs": 0.4}, "fraction": 0.5}
    by_question = area(
        "required", unit_penalty=0.2, unit_penalty_of="question", alternatives=[alternative]
    )
    by_response = area("required", unit_penalty=0.2, alternatives=[alternative])
    assert score(by_question, "78") == pytest.approx(0.3)
    assert score(by_response, "78") == pytest.approx(0.4)
    assert score(by_question, "78 м2") == 0.5


def test_unit_grading_optional_accepts_a_bare_number_but_penalises_a_wrong_unit():
    spec = area("optional")
    assert score(spec, "78.5") == 1.0
    assert score(spec, "78.5 km2") == pytest.approx(0.9)


def test_units_self_test_and_default_penalty():
    spec = area("required")
    assert grader.check_spec(spec) == []
    assert score(spec, "78.5") == pytest.approx(0.9)  # Moodle's default unitpenalty 0.1


@pytest.mark.parametrize(
    ("units", "fragment"),
    [
        ([{"unit": "м2", "multiplier": 2}], "множитель 1"),
        ([{"unit": "м2"}, {"unit": "м2", "multiplier": 3}], "дважды"),
        ([{"unit": "2м", "multiplier": 1}], "не с цифры"),
        ([{"unit": "м2"}, {"unit": "см2", "multiplier": 0}], "положительное"),
    ],
)
def test_bad_units_are_spec_errors(units, fragment):
    spec = {"kind": "numeric", "text": "?", "answer": {"value": 1}, "units": units}
    with pytest.raises(SpecError) as raised:
        grader.grade(spec, None, "1")
    assert fragment in raised.value.message


def test_without_units_and_alternatives_nothing_changes():
    spec = {"kind": "numeric", "text": "?", "answer": {"value": 78.5}, "tolerance": {"abs": 0.05}}
    assert grader.grade(spec, None, "78.5 м2").status == "invalid"
    assert score(spec, "78,5") == 1.0
