"""grade(spec, seed, raw) on every kind of the demo bank, plus the seeds' worked examples."""

from __future__ import annotations

import pytest

import grader
from grader.errors import SpecError


def test_every_demo_spec_passes_its_self_test(demo_specs):
    for slug, spec in demo_specs.items():
        assert grader.check_spec(spec, samples=30) == [], slug


def test_default_variants_reproduce_the_seed_numbers(demo_specs):
    assert grader.grade(demo_specs["dense-params"], None, "84301").correct
    assert grader.grade(demo_specs["dropout-vector"], None, "[0; 2; 0]").correct
    assert grader.grade(demo_specs["cafe-network"], None, "104,5").correct


def test_dense_params_without_bias_is_recognised(demo_specs):
    result = grader.grade(demo_specs["dense-params"], None, "83700")
    assert result.status == "graded" and result.score == 0
    assert result.mistake["id"] == "no_bias"
    assert "смещения" in result.feedback


def test_dropout_without_rescaling_is_recognised(demo_specs):
    result = grader.grade(demo_specs["dropout-vector"], None, "0 0,5 0")
    assert result.mistake["id"] == "no_rescale"
    assert result.parts == [True, False, True] and result.score == pytest.approx(2 / 3)


def test_vector_comma_forms(demo_specs):
    spec = demo_specs["dropout-vector"]
    for raw in ["[0; 2; 0]", "0 2 0", "[0, 2, 0]", "(0; 2,0; 0)", "[0,2,0]"]:
        assert grader.grade(spec, None, raw).correct, raw


def test_wrong_shape_is_unreadable_with_message(demo_specs):
    # A format error, not a wrong answer (issue 12): the quiz does not count it as wrong.
    result = grader.grade(demo_specs["dropout-vector"], None, "[0; 2]")
    assert result.status == "invalid" and result.error["code"] == "wrong_shape"
    assert "3" in result.feedback


def test_solution_uses_the_students_numbers(demo_specs):
    spec = demo_specs["dense-params"]
    for seed in range(5):
        params = grader.variant(spec, seed).params
        result = grader.grade(spec, seed, "1")
        assert f"({params['n_in']} + 1)" in result.solution
        assert str(result.expected) in result.solution
        assert result.params == params


def test_symbolic_sigmoid_derivative(demo_specs):
    spec = demo_specs["sigmoid-derivative"]
    for raw in ["f(t)*(1-f(t))", "sigma(t)*(1-sigma(t))", "exp(t)/(1+exp(t))^2", "f(t) - f(t)^2"]:
        assert grader.grade(spec, None, raw).correct, raw
    wrong = grader.grade(spec, None, "f(t)*(1+f(t))")
    assert not wrong.correct and wrong.mistake["id"] == "plus_instead_of_minus"
    assert grader.grade(spec, None, "f(t)*(1-").status == "invalid"


def test_choice_and_text_kinds(demo_specs):
    assert grader.grade(demo_specs["lstm-gates"], 3, "1").correct
    assert not grader.grade(demo_specs["lstm-gates"], 3, "0").correct
    assert "GRU" in grader.grade(demo_specs["lstm-gates"], 3, "0").feedback
    assert grader.grade(demo_specs["bounded-activations"], 1, "0,3").score == 1
    assert grader.grade(demo_specs["bounded-activations"], 1, "0").score == 0.5
    assert grader.grade(demo_specs["bounded-activations"], 1, "0,1,3").score == 0.5
    assert grader.grade(demo_specs["dropout-name"], None, "  Дропаут. ").correct
    assert grader.grade(demo_specs["lstm-gates"], 3, "7").status == "invalid"


def test_option_order_is_shuffled_per_seed_but_stable(demo_specs):
    spec = demo_specs["lstm-gates"]
    orders = {tuple(o["index"] for o in grader.present(spec, s).options) for s in range(30)}
    assert len(orders) > 1
    assert grader.present(spec, 5) == grader.present(spec, 5)
    assert [o["index"] for o in grader.present(spec, None).options] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "raw",
    [
        "__import__('os')",
        "9**9**9**9",
        "1" * 100_000,
        "(" * 10_000,
        "",
        "   ",
        "\x00",
        "сорок два",
    ],
)
def test_hostile_or_garbage_answers_are_invalid_not_errors(demo_specs, raw):
    result = grader.grade(demo_specs["dense-params"], 1, raw)
    assert result.status == "invalid"
    assert result.error["code"] and result.feedback
    assert result.expected is not None  # the key is still known, for the record


def test_present_renders_text_with_numbers(demo_specs):
    presented = grader.present(demo_specs["dense-params"], None)
    assert "$12$" in presented.text and "{{" not in presented.text
    assert presented.input_hint
    assert grader.present(demo_specs["dropout-vector"], None).answer_shape == [3]


def test_broken_spec_raises_spec_error():
    with pytest.raises(SpecError) as err:
        grader.grade({"kind": "numeric", "answer": {"engine": "nope"}}, None, "1")
    assert err.value.code == "unknown_engine"
    with pytest.raises(SpecError) as err:
        grader.grade({"kind": "ordering"}, None, "1")
    assert err.value.code == "unknown_kind"


def test_an_options_feedback_is_rendered_with_the_variants_values():
    options = [
        {"text": "{{ a + b }}", "correct": True},
        {"text": "{{ a * b }}", "correct": False, "feedback": "Это произведение: {{ a * b }}."},
    ]
    spec = {
        "kind": "single_choice",
        "params": {
            "a": {"type": "int", "min": 3, "max": 3, "default": 3},
            "b": {"type": "int", "min": 4, "max": 4, "default": 4},
        },
        "text": "{{ a }} + {{ b }}?",
        "options": options,
        "shuffle": False,
    }
    assert grader.grade(spec, None, "1").feedback.endswith("Это произведение: 12.")
    multipart = {
        "kind": "multipart",
        "params": spec["params"],
        "text": "[[s]]",
        "parts": [{"name": "s", "kind": "single_choice", "options": options, "shuffle": False}],
    }
    [part] = grader.grade(multipart, None, '{"s": "1"}').parts
    assert "Это произведение: 12." in part["feedback"]
