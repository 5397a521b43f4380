"""The matching kind: stable indices, parsing, Moodle's partial credit, mistakes, shuffling."""

from __future__ import annotations

import json

import pytest

from grader import kinds
from grader.checks import check_question
from grader.errors import SpecError
from grader.grading import check_spec, grade, present, preview

ACTIVATIONS = {
    "kind": "matching",
    "text": "Сопоставьте функцию активации и область её значений.",
    "pairs": [
        {"stem": "сигмоида", "answer": "(0; 1)"},
        {"stem": "tanh", "answer": "(−1; 1)"},
        {"stem": "ReLU", "answer": "[0; +∞)"},
    ],
    "distractors": ["(−∞; 0]"],
    "solution": "Ответ: {{ answer }}.",
}


def answer(**chosen) -> str:
    return json.dumps({k.removeprefix("s"): v for k, v in chosen.items()})


def test_choices_are_unique_answers_in_first_order_then_distractors():
    spec = {
        "kind": "matching",
        "pairs": [
            {"stem": "a", "answer": "x"},
            {"stem": "b", "answer": "y"},
            {"stem": "c", "answer": "x"},
        ],
        "distractors": ["z", "y"],
    }
    module = kinds.get("matching")
    assert module.choices(spec) == ["x", "y", "z"]
    assert module.expected(spec, {}) == [0, 1, 0]


def test_all_right_scores_one_and_shows_the_pairs():
    result = grade(ACTIVATIONS, None, answer(s0="0", s1="1", s2="2"))
    assert result.status == "graded" and result.correct and result.score == 1.0
    assert result.parts == [True, True, True]
    assert result.expected == [0, 1, 2]
    assert result.expected_display == "сигмоида → (0; 1); tanh → (−1; 1); ReLU → [0; +∞)"
    assert result.solution == "Ответ: сигмоида → (0; 1); tanh → (−1; 1); ReLU → [0; +∞)."


def test_partial_credit_is_the_share_of_stems_matched_right():
    result = grade(ACTIVATIONS, None, answer(s0="1", s1="0", s2="2"))
    assert result.status == "graded" and not result.correct
    assert result.score == pytest.approx(1 / 3)
    assert result.parts == [False, False, True]
    assert "Частично верно: 1 из 3." in result.feedback
    assert result.parsed_display == "сигмоида → (−1; 1); tanh → (0; 1); ReLU → [0; +∞)"


def test_a_distractor_chosen_is_wrong_for_that_stem_only():
    result = grade(ACTIVATIONS, None, answer(s0="3", s1="1", s2="2"))
    assert result.score == pytest.approx(2 / 3) and result.parts == [False, True, True]


@pytest.mark.parametrize(
    "raw",
    [answer(s0="0", s1="1"), answer(s0="0", s1="1", s2=""), '{"0": "0", "1": "1", "2": null}'],
)
def test_an_unanswered_stem_counts_as_not_right_not_invalid(raw):
    result = grade(ACTIVATIONS, None, raw)
    assert result.status == "graded"
    assert result.parts == [True, True, False] and result.score == pytest.approx(2 / 3)
    assert result.parsed_display.endswith("ReLU → —")


def test_nothing_matched_is_graded_zero():
    result = grade(ACTIVATIONS, None, "{}")
    assert result.status == "graded" and result.score == 0.0


def test_integers_are_read_as_indices_too():
    assert grade(ACTIVATIONS, None, '{"0": 0, "1": 1, "2": 2}').correct


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "no_matching"),
        ("0-0, 1-1", "bad_matching"),
        ('["0", "1", "2"]', "bad_matching"),
        ('{"0": "99"}', "bad_matching"),
        ('{"3": "0"}', "bad_matching"),
        ('{"x": "0"}', "bad_matching"),
        ('{"0": "-1"}', "bad_matching"),
        ('{"0": -1}', "bad_matching"),
        ('{"0": true}', "bad_matching"),
        ('{"0": "1.5"}', "bad_matching"),
        ("[" * 1500, "bad_matching"),  # deeper than the recursion limit
    ],
)
def test_unreadable_answers_are_invalid_with_a_code(raw, code):
    result = grade(ACTIVATIONS, None, raw)
    assert result.status == "invalid" and result.error["code"] == code
    assert result.feedback  # a Russian message, not a wrong answer


def test_preview_explains_how_the_answer_was_read():
    shown = preview(ACTIVATIONS, None, answer(s0="0"))
    assert shown == {"ok": True, "display": "сигмоида → (0; 1); tanh → —; ReLU → —"}
    assert preview(ACTIVATIONS, None, '{"0": "7"}')["code"] == "bad_matching"


def test_a_typical_mistake_is_a_list_of_choice_indices():
    spec = {
        **ACTIVATIONS,
        "mistakes": [
            {
                "id": "swapped",
                "answer": {"value": [1, 0, 2]},
                "feedback": "Сигмоида положительна, tanh — нет.",
            }
        ],
    }
    result = grade(spec, None, answer(s0="1", s1="0", s2="2"))
    assert result.mistake["id"] == "swapped" and "tanh" in result.feedback
    assert grade(spec, None, answer(s0="1", s1="0", s2="3")).mistake is None
    assert grade(spec, None, answer(s0="0", s1="1", s2="2")).mistake is None


def test_self_test_and_bank_checks_pass():
    assert check_spec(ACTIVATIONS) == []
    assert check_question(ACTIVATIONS, 20) == []
    test = kinds.get("matching").self_test(ACTIVATIONS, [0, 1, 2])
    assert json.loads(test.wrong) == {"0": "1", "1": "1", "2": "2"}
    assert json.loads(test.invalid) == {"0": "99"}


def test_a_mistake_equal_to_the_key_is_reported_by_the_bank_check():
    spec = {
        **ACTIVATIONS,
        "mistakes": [{"id": "same", "answer": {"value": [0, 1, 2]}, "feedback": "…"}],
    }
    codes = [code for _message, code in check_question(spec, 5)]
    assert "mistake_same" in codes


def test_templates_in_stems_and_answers_are_rendered():
    spec = {
        "kind": "matching",
        "text": "Сопоставьте.",
        "params": {"n": {"type": "int", "min": 2, "max": 9, "default": 3}},
        "pairs": [
            {"stem": "{{ n }} + 1", "answer": "{{ n + 1 }}"},
            {"stem": "2·{{ n }}", "answer": "{{ 2*n }}"},
        ],
    }
    shown = present(spec, None)
    assert shown.stems == [{"index": 0, "text": "3 + 1"}, {"index": 1, "text": "2·3"}]
    assert shown.options == [{"index": 0, "text": "4"}, {"index": 1, "text": "6"}]
    assert check_question(spec, 20) == []  # the same pairing in every variant is no problem


def test_default_variant_is_not_shuffled():
    shown = present(ACTIVATIONS, None)
    assert [s["index"] for s in shown.stems] == [0, 1, 2]
    assert [o["index"] for o in shown.options] == [0, 1, 2, 3]
    assert shown.options[3]["text"] == "(−∞; 0]" and shown.kind == "matching"
    assert shown.input_hint


def test_shuffle_is_stable_per_seed_and_differs_between_seeds():
    first = [present(ACTIVATIONS, seed) for seed in range(30)]
    again = [present(ACTIVATIONS, seed) for seed in range(30)]
    assert [(p.stems, p.options) for p in first] == [(p.stems, p.options) for p in again]
    assert len({tuple(s["index"] for s in p.stems) for p in first}) > 1
    assert len({tuple(o["index"] for o in p.options) for p in first}) > 1
    # every stem and every choice is shown once, with its stable index
    assert all(sorted(s["index"] for s in p.stems) == [0, 1, 2] for p in first)
    assert all(sorted(o["index"] for o in p.options) == [0, 1, 2, 3] for p in first)


def test_stems_and_choices_are_shuffled_by_separate_streams():
    five = {
        **ACTIVATIONS,
        "pairs": [*ACTIVATIONS["pairs"], {"stem": "GELU", "answer": "≈[−0,17; +∞)"}],
    }
    # one more stem reorders the stems only, never the numbers of the parameters or the choices'
    # relative stream; the key stays the same indices
    for seed in range(10):
        assert grade(ACTIVATIONS, seed, answer(s0="0", s1="1", s2="2")).correct
        assert grade(five, seed, answer(s0="0", s1="1", s2="2", s3="3")).correct


def test_shuffle_false_keeps_the_written_order():
    spec = {**ACTIVATIONS, "shuffle": False}
    for seed in range(5):
        shown = present(spec, seed)
        assert [s["index"] for s in shown.stems] == [0, 1, 2]
        assert [o["index"] for o in shown.options] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("pairs", "distractors", "code"),
    [
        ([{"stem": "a", "answer": "x"}], [], "too_few_pairs"),
        ([{"stem": "", "answer": "x"}, {"stem": "b", "answer": "y"}], [], "bad_pair"),
        ([{"stem": "a", "answer": "x"}, {"stem": "b", "answer": " "}], [], "bad_pair"),
        ([{"stem": "a", "answer": "x"}, {"stem": "b", "answer": "x"}], [], "too_few_choices"),
    ],
)
def test_broken_specs_raise_spec_errors(pairs, distractors, code):
    spec = {"kind": "matching", "text": "?", "pairs": pairs, "distractors": distractors}
    with pytest.raises(SpecError) as caught:
        grade(spec, None, "{}")
    assert caught.value.code == code
