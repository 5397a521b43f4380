"""Choice options graded with Moodle's fractions (grader/kinds/choice.py), one test per rule."""

from __future__ import annotations

import pytest

import grader
from grader.errors import SpecError


def choice(kind: str, *fractions, correct=()) -> dict:
    options = [{"text": f"o{i}", "fraction": f} for i, f in enumerate(fractions)]
    for i in correct:
        options[i]["correct"] = True
    return {"kind": kind, "text": "?", "options": options, "shuffle": False}


def scores(spec: dict, answers: list[str]) -> list[float]:
    return [grader.grade(spec, None, a).score for a in answers]


# Moodle's own example (moodle/moodle question/format/gift/examples.txt, «===Multiple Answers===»):
# «What two people are entombed in Grant's tomb? {~No one ~%50%Grant ~%50%Grant's wife
# ~Grant's father}» and the same with «~%-50%No one … ~%-50%Grant's father».
TOMB = ["No one", "Grant", "Grant's wife", "Grant's father"]


def tomb(wrong: float) -> dict:
    spec = choice("multiple_choice", wrong, 0.5, 0.5, wrong)
    for option, text in zip(spec["options"], TOMB, strict=True):
        option["text"] = text
    spec["text"] = "What two people are entombed in Grant's tomb?"
    return spec


def test_grants_tomb_with_wrong_options_at_zero_scores_as_moodle():
    """Moodle's multichoice (several answers) sums the chosen fractions, clamped to [0, 1]: with
    the wrong options at 0 %, all four chosen is 100 % (the native rule gave 0), two right and
    one wrong is 100 % (the native rule gave 0.5)."""
    spec = tomb(0.0)
    assert scores(spec, ["0,1,2,3", "0,1,2", "1,2", "1", "0,3"]) == [1.0, 1.0, 1.0, 0.5, 0.0]
    assert grader.grade(spec, None, "1,2").correct


def test_grants_tomb_with_negative_wrong_options_scores_as_moodle():
    spec = tomb(-0.5)
    assert scores(spec, ["0,1,2,3", "0,1,2", "1,2", "1", "0", "0,3"]) == [
        0.0,
        0.5,
        1.0,
        0.5,
        0.0,  # −50 % floored at 0
        0.0,  # −100 %
    ]


def test_single_choice_scores_the_chosen_options_fraction():
    """``qtype_multichoice_single_question::grade_response``: the chosen answer's fraction."""
    spec = choice("single_choice", 0.0, 0.5, 1.0)
    assert scores(spec, ["0", "1", "2"]) == [0.0, 0.5, 1.0]
    assert grader.grade(spec, None, "2").correct and not grader.grade(spec, None, "1").correct


def test_single_choice_negative_fraction_is_floored_at_zero():
    spec = choice("single_choice", -1.0, 1.0)
    result = grader.grade(spec, None, "0")
    assert result.score == 0.0 and result.status == "graded"


def test_single_choice_may_have_several_full_options_as_moodle_allows():
    spec = choice("single_choice", 1.0, 1.0, 0.0)
    assert scores(spec, ["0", "1", "2"]) == [1.0, 1.0, 0.0]
    assert grader.check_spec(spec) == []


def test_graded_state_threshold_makes_three_thirds_right():
    """``graded_state_for_fraction``: above 0.999999 is right; 3 × 0.3333333 is 100 %."""
    spec = choice("multiple_choice", 0.3333333, 0.3333333, 0.3333333, -1.0)
    result = grader.grade(spec, None, "0,1,2")
    assert result.score == 1.0 and result.correct


def test_multiple_choice_sum_is_clamped_to_one():
    spec = choice("multiple_choice", 1.0, 0.0)
    assert scores(spec, ["0", "0,1"]) == [1.0, 1.0]


def test_partial_credit_feedback_names_the_share_and_the_options_feedback():
    spec = choice("single_choice", 0.0, 0.25, 1.0)
    spec["options"][1]["feedback"] = "Почти."
    result = grader.grade(spec, None, "1")
    assert result.feedback == "Частично верно: 25 % балла. Почти."


def test_without_fractions_the_native_rules_stay():
    """Options without ``fraction``: 1/(number right) per right option, −1/(number wrong) per
    wrong one — the same four choices as the tomb score 0 and 0.5 here, as before."""
    spec = {
        "kind": "multiple_choice",
        "text": "?",
        "options": [{"text": t, "correct": t in ("Grant", "Grant's wife")} for t in TOMB],
    }
    assert scores(spec, ["0,1,2,3", "0,1,2", "1,2"]) == [0.0, 0.5, 1.0]
    single = {
        "kind": "single_choice",
        "text": "?",
        "options": [{"text": "a", "correct": True}, {"text": "b"}],
    }
    assert scores(single, ["0", "1"]) == [1.0, 0.0]


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        (choice("single_choice", 0.5, 0.0), "fraction 1"),
        (choice("multiple_choice", 0.5, 0.25), "в сумме давать 1 (сейчас 0.75)"),
        (choice("multiple_choice", 0.5, 2.0), "от −1 до 1"),
    ],
)
def test_moodle_rules_for_fractions_are_spec_errors(spec, fragment):
    with pytest.raises(SpecError) as raised:
        grader.grade(spec, None, "0")
    assert fragment in raised.value.message


def test_self_test_passes_for_graded_options():
    assert grader.check_spec(tomb(0.0)) == [] and grader.check_spec(tomb(-0.5)) == []
    assert grader.check_spec(choice("single_choice", 0.0, 0.5, 1.0)) == []


def test_typical_mistake_is_only_looked_for_below_full_score():
    spec = choice("single_choice", 0.0, 0.5, 1.0)
    spec["mistakes"] = [{"id": "half", "answer": {"value": [1]}, "feedback": "Половина."}]
    assert grader.grade(spec, None, "1").mistake["id"] == "half"
    assert grader.grade(spec, None, "2").mistake is None
