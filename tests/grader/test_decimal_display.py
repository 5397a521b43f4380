"""Numbers as a Russian student reads them (issue 12 §3): the decimal mark, vectors with «;»,
keys exact enough to be typed back, cancellation noise shown as 0. Display only: keys used for
grading never change."""

from __future__ import annotations

import grader
from grader.kinds import numeric, tensor
from grader.templating import format_value, localize_text, render
from tests.question_bank.banks import spec_of


def test_a_number_and_a_vector_with_the_decimal_comma():
    assert format_value(0.04, decimal=",") == "0{,}04"
    assert format_value(-1.6, decimal=",") == "-1{,}6"
    assert format_value([-1.6, 1.2, -0.6], decimal=",") == "(-1{,}6; 1{,}2; -0{,}6)"
    assert format_value([[0.5, 1], [2, -3.25]], decimal=",") == (
        "\\begin{pmatrix} 0{,}5 & 1 \\\\ 2 & -3{,}25 \\end{pmatrix}"
    )
    assert format_value(0.0000125, decimal=",") == "1{,}25\\cdot 10^{-5}"
    assert format_value(0.2, ".2f", decimal=",") == "0{,}20"
    # the point stays the canonical form that texts are rendered and stored with
    assert format_value([-1.6, 1.2]) == "(-1.6, 1.2)"


def test_a_key_is_shown_with_the_digits_it_takes_to_be_accepted():
    spec = {"kind": "numeric", "answer": {"value": 9838.5}}
    assert format_value(9838.5) == "9838"  # a solution may round…
    assert numeric.display(9838.5, spec) == "$9838.5$"  # …the key may not
    assert grader.grade(spec, None, "9838,5").correct
    # float noise of the computation is not part of the key
    assert numeric.display(11.032000000000002, {"tolerance": {"rel": 1e-9}}) == "$11.032$"
    vector = {"kind": "vector", "tolerance": {"abs": 0.0001}}
    assert tensor.VECTOR.display([-26.325, 14.1875], vector) == "$(-26.325, 14.1875)$"


def test_dropout_expected_params_key_is_shown_exactly():
    spec = spec_of("06-regularization", "dropout-expected-params")
    for seed in [None, *range(40)]:
        result = grader.grade(spec, seed, "")
        typed = result.expected_display.strip("$")
        # a key as short as 9838.5 is shown as it is, not rounded to 4 digits
        assert float(typed) == result.expected, (seed, result.expected_display)
        assert grader.grade(spec, seed, typed).correct, (seed, result.expected_display)
        assert grader.grade(spec, seed, typed.replace(".", ",")).correct


def test_float_noise_of_a_vector_is_shown_as_zero():
    assert format_value([2.1, -5.551115123125783e-17, -2.6]) == "(2.1, 0, -2.6)"
    # a tiny component that is a real value (not noise at 1e-16 of the largest) stays
    assert format_value([0.4256, 9.358e-14]) == "(0.4256, 9.358\\cdot 10^{-14})"


def test_a_cancelling_sum_is_shown_as_zero_but_a_small_power_is_not():
    assert render("{{ a*(-14) + b }}", {"a": 0.8, "b": 11.2}) == "0"
    assert render("{{ w^40 }}", {"w": 0.5}) == "9.095\\cdot 10^{-13}"
    # the scale of a derived value carries through: w1 = w0 − lr·g/(√G + ε) ≈ 3.7·10⁻⁹ is 0
    spec = spec_of("04-optimization", "rmsprop-two-steps")
    result = grader.grade(spec, 10, "")
    assert "w_1 = 1 - \\frac{ 0.1 }{\\sqrt{ 7.29 }}\\cdot(27) = 0$" in result.solution
    assert "10^{-9}" not in result.solution + result.expected_display
    assert result.expected[0] != 0  # the key used for grading is untouched
    assert grader.grade(spec, 10, result.expected_display.strip("$")).correct


def test_noise_in_bundled_solutions_is_gone():
    cases = [
        ("13-embeddings", "analogy-vector", 3),
        ("04-optimization", "nesterov-pytorch", 340),
        ("05-backprop", "neuron-grads-all", 570),
        ("06-regularization", "l1-sgd-step", 840),
    ]
    for bank, slug, seed in cases:
        result = grader.grade(spec_of(bank, slug), seed, "")
        for noise in ("10^{-15}", "10^{-16}", "10^{-17}"):
            assert noise not in result.solution + result.expected_display, (slug, noise)


def test_plain_text_numbers_and_what_must_not_change():
    assert localize_text("p = 0.2, Правильный ответ: 0.04.", ",") == (
        "p = 0,2, Правильный ответ: 0,04."
    )
    assert localize_text("σ(−0.2) = 0.45 и (1.5, -2, 3)", ",") == "σ(−0,2) = 0,45 и (1,5; -2; 3)"
    untouched = (
        "Python 3.11, torch 2.13, TensorFlow 2.16, файл model2.5.pt, net.eval(), "
        "индексы 1..3, адрес 192.168.0.1, версия 3.11.4, resnet50.pth"
    )
    assert localize_text(untouched, ",") == untouched
    assert localize_text("p = 0.2", ".") == "p = 0.2"
    assert localize_text("порог IoU 0.5", ",") == "порог IoU 0,5"


def test_input_keeps_accepting_both_marks_and_vectors_with_semicolons():
    spec = {"kind": "vector", "answer": {"value": [0.5, -1.25, 2]}}
    for raw in ("[0,5; -1,25; 2]", "(0,5; -1,25; 2)", "0,5; -1,25; 2", "[0.5, -1.25, 2]",
                "0.5 -1.25 2"):  # fmt: skip
        assert grader.grade(spec, None, raw).correct, raw
    number = {"kind": "numeric", "answer": {"value": 0.95}}
    assert grader.grade(number, None, "0,95").correct and grader.grade(number, None, "0.95").correct


def test_the_answer_preview_speaks_the_readers_mark():
    vector = {"kind": "vector", "answer": {"value": [0.5, 1.5]}}
    assert grader.preview(vector, None, "[0,5; 1,5]", decimal=",")["display"].endswith("(0,5; 1,5)")
    matrix = {"kind": "matrix", "answer": {"value": [[0.5, 1.5], [1, 2]]}}
    shown = grader.preview(matrix, None, "[0,5 1,5; 1 2]", decimal=",")["display"]
    assert shown.endswith("[0,5 1,5; 1 2]")
    number = {"kind": "numeric", "answer": {"value": 0.95}}
    assert grader.preview(number, None, "0,95", decimal=",")["display"] == "0,95"
    assert grader.preview(number, None, "0.95", decimal=",")["display"] == "0,95"
    assert grader.preview(number, None, "0,95")["display"] == "0,95 → 0.95"  # API: a point
