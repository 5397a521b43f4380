"""Bank «perceptron» (01-perceptron.yaml): seed examples and seed corrections."""

import pytest

from tests.question_bank.banks import graders

BANK = "01-perceptron"


grade, mistake_id = graders(BANK)


def test_cafe_forecast_seed_104_5():
    # 004, гл. 1, упр. 2: Агнесса, митинга нет, 20 градусов -> 104.5 посетителей
    assert grade("cafe-forecast", "104.5").correct
    assert grade("cafe-forecast", "104,5").correct
    assert mistake_id("cafe-forecast", "100.5") == "no_bias"
    assert mistake_id("cafe-forecast", "96.9") == "no_relu"


def test_dense_params_seed_84301():
    # 004, гл. 1, упр. 10: 12 -> 300 -> 200 -> 100 -> 1
    assert grade("dense-params", "84301").correct
    assert grade("dense-params", "(12+1)*300 + (300+1)*200 + (200+1)*100 + (100+1)*1").correct
    assert mistake_id("dense-params", "83700") == "no_bias"
    assert mistake_id("dense-params", "84200") == "no_output"


def test_and_neuron_seed_table():
    # 004, гл. 1, упр. 5: [-1.5 + x1 + x2 > 0] is AND on (1,1), (1,0), (0,1), (0,0)
    assert grade("gate-truth-table", "[1; 0; 0; 0]").correct
    assert mistake_id("gate-truth-table", "[1; 1; 1; 0]") == "no_bias"


def test_xor_via_or_and_seed():
    # 004, гл. 1, упр. 5: y = [1*(x1 OR x2) - 1*(x1 AND x2) - 0.5 > 0] is XOR
    assert grade("xor-via-or-and", "[0; 1; 1; 0]").correct
    assert mistake_id("xor-via-or-and", "[0; 0; 0; 0]") == "inputs_instead_of_hidden"


def test_xor_one_neuron_seed():
    # 004, гл. 1, упр. 6: [x1 + x2 - 2*x1*x2 - 0.5 > 0] is XOR
    assert grade("xor-one-neuron", "[0; 1; 1; 0]").correct
    assert mistake_id("xor-one-neuron", "[1; 1; 1; 0]") == "forgot_x3"


def test_not_neuron_seed():
    # 004, гл. 1, упр. 4а: w1 = 1, w2 <= -1
    assert grade("not-neuron", "0").correct
    assert grade("relu-neuron-outputs", "[1; 0]").correct
    assert mistake_id("relu-neuron-outputs", "[1; -1]") == "no_relu"


def test_triangle_needs_four_neurons():
    # 004, гл. 1, упр. 8а: triangle -> 3 + 1 neurons
    assert grade("convex-polygon-neurons", "4").correct
    assert mistake_id("convex-polygon-neurons", "3") == "no_output"
    assert grade("and-neuron-bias", "-2").correct
    assert mistake_id("and-neuron-bias", "-3") == "minus_n"


def test_other_defaults():
    assert grade("regression-to-network", "[-1; 7]").correct
    assert mistake_id("regression-to-network", "[7; -1]") == "swapped"
    assert grade("sigmoid-network-forward", "3.405").correct
    assert mistake_id("sigmoid-network-forward", "6") == "no_activation"
    assert grade("formula-to-picture-eval", "18").correct
    assert mistake_id("formula-to-picture-eval", "2") == "no_hidden_relu"
    assert grade("linear-layer-params", "7850").correct
    assert mistake_id("linear-layer-params", "7840") == "no_bias"
    assert grade("linear-layer-forward", "[0; 2]").correct
    assert mistake_id("linear-layer-forward", "[-1; 4]") == "no_bias"
    assert grade("two-lines-network", "[1; 1; 1]").correct
    assert grade("step-approx-value", "0.3906").correct
    assert mistake_id("step-approx-value", "0.25") == "left_end"
    assert grade("cafe-formula", "0").correct
    assert grade("formula-to-picture", "0").correct


def test_seed_correction_xor_lecture_network():
    # 003, вопрос 1 writes XOR as s(s(-x1 - x2 + 1) + s(x1 + x2 - 0.5) - 1.5) with a threshold s.
    # With the step [h > 0] this network outputs 0 on all four inputs, not XOR (0, 1, 1, 0):
    # the first neuron needs a free term in (1; 2], e.g. 1.5 (NAND).
    assert grade("xor-lecture-network", "[0; 0; 0; 0]").correct
    result = grade("xor-lecture-network", "[0; 1; 1; 0]")
    assert not result.correct, "the seed claims this network is XOR"
    assert result.mistake["id"] == "assumed_xor"


def test_seed_correction_stripes_output_neuron():
    # 004, гл. 1, упр. 8б proposes w = (1, -2, 4) without a bias for the table
    # (1,1,1) -> 1, (1,0,0) -> 0, (1,1,0) -> 0, (0,0,0) -> 0; but f(1) = [1 > 0] = 1 on (1,0,0).
    assert grade("stripes-output-neuron", "[1; 1; 0; 0]").correct
    assert not grade("stripes-output-neuron", "[1; 0; 0; 0]").correct, "seed's claimed table"


@pytest.mark.parametrize("slug", ["xor-name", "heaviside-name"])
def test_short_text(slug):
    answer = {"xor-name": "xor", "heaviside-name": "функция Хевисайда"}[slug]
    assert grade(slug, answer).correct
