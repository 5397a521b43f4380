"""Short answers worth a fraction (grader/kinds/short_text.py), as Moodle's shortanswer."""

from __future__ import annotations

import pytest

import grader
from grader.checks import check_question
from grader.errors import SpecError

# Moodle's examples.txt: «Jesus Christ was from {=Nazareth#Yes! That's right!
# =%75%Nazereth#Right, but misspelled. =%25%Bethlehem#He was born here, but not raised here.}»
NAZARETH = {
    "kind": "short_text",
    "text": "Jesus Christ was from …",
    "typos": False,
    "answers": [
        {"text": "Nazareth", "feedback": "Yes! That's right!"},
        {"text": "Nazereth", "fraction": 0.75, "feedback": "Right, but misspelled."},
        {
            "text": "Bethlehem",
            "fraction": 0.25,
            "feedback": "He was born here, but not raised here.",
        },
    ],
}


def test_each_answer_earns_its_fraction_and_feedback():
    results = [
        grader.grade(NAZARETH, None, r) for r in ("nazareth", "Nazereth", "bethlehem", "Rome")
    ]
    assert [r.score for r in results] == [1.0, 0.75, 0.25, 0.0]
    assert results[0].feedback == "Верно. Yes! That's right!"
    assert results[1].feedback == "Частично верно: 75 % балла. Right, but misspelled."


def test_the_best_matching_answer_counts():
    spec = {
        "kind": "short_text",
        "text": "?",
        "answers": [{"text": "Adam", "fraction": 0.5}, "Adam"],
    }
    assert grader.grade(spec, None, "adam").score == 1.0


def test_key_shown_is_a_full_answer_even_when_a_partial_one_comes_first():
    spec = {
        "kind": "short_text",
        "text": "?",
        "answers": [{"text": "half", "fraction": 0.5}, "full"],
    }
    assert grader.grade(spec, None, "x").expected_display == "full"
    assert grader.check_spec(spec) == []
    assert check_question(spec, 5) == []


def test_a_full_answer_is_required():
    spec = {"kind": "short_text", "text": "?", "answers": [{"text": "half", "fraction": 0.5}]}
    with pytest.raises(SpecError) as raised:
        grader.grade(spec, None, "half")
    assert raised.value.code == "no_full_answer"


def test_plain_strings_are_worth_the_full_mark_as_before():
    spec = {"kind": "short_text", "text": "?", "answers": ["ReLU", "выпрямитель"]}
    assert [grader.grade(spec, None, r).score for r in ("relu", "выпрямитель", "sigmoid")] == [
        1.0,
        1.0,
        0.0,
    ]


def test_a_listed_partial_spelling_is_not_taken_for_a_typo_of_the_full_answer():
    """Moodle compares listed answers as written: «Nazereth» listed at 75 % earns 75 %, though
    it is one letter from «Nazareth»; an unlisted slip is still a typo of the full answer."""
    spec = {
        "kind": "short_text",
        "text": "?",
        "answers": ["Nazareth", {"text": "Nazereth", "fraction": 0.75}],
    }
    assert grader.grade(spec, None, "Nazereth").score == 0.75
    slip = grader.grade(spec, None, "Nazarett")
    assert slip.score == 1.0 and "опечаткой" in slip.feedback
