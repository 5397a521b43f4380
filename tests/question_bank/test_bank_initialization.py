"""Bank «Инициализация весов» (question_bank/banks/08-initialization.yaml).

Seeds: 003 (вопрос 3: Xavier U[−√6/√(n_j + n_{j+1}), …], He N(0, 2/n)) and 004 (гл. 5,
упр. 8–9: U[−1/√n, 1/√n] shrinks the variance three times per layer; a ReLU neuron with 10
inputs). The seeds print no numbers, so the keys are init_scale's (torch.nn.init) or expressions.
"""

import grader
from tests.question_bank.banks import spec_of

BANK = "08-initialization"


def grade(slug, answer, seed=None):
    return grader.grade(spec_of(BANK, slug), seed, answer)


def test_xavier_uniform_default():
    # √6/√(100 + 200) = √0.02 ≈ 0.1414 (torch.nn.init.xavier_uniform_)
    assert grade("xavier-uniform-bound", "sqrt(6)/sqrt(300)").correct
    assert grade("xavier-uniform-bound", "0,1414").correct
    assert grade("xavier-uniform-bound", "0.02").mistake["id"] == "no_sqrt"
    assert grade("xavier-uniform-bound", "sqrt(6/100)").mistake["id"] == "fan_in_only"


def test_xavier_normal_default():
    assert grade("xavier-normal-std", "sqrt(2/96)").correct
    assert grade("xavier-normal-std", "2/96").mistake["id"] == "variance_not_std"


def test_he_normal_relu_neuron_with_10_inputs():
    # 004, гл. 5, упр. 9: ReLU, 10 inputs → He: N(0, 2/10), σ ≈ 0.447
    assert grade("he-normal-std", "0.447").correct
    assert grade("he-normal-std", "0.2").mistake["id"] == "variance_not_std"
    assert grade("he-normal-std", "sqrt(1/10)").mistake["id"] == "no_factor_two"


def test_he_uniform_default():
    assert grade("he-uniform-bound", "sqrt(6/27)").correct
    assert grade("he-uniform-bound", "sqrt(2/27)").mistake["id"] == "normal_std"


def test_variance_preservation_exercise_8():
    # 004, гл. 5, упр. 8а: U[−1/√n, 1/√n] multiplies the variance by n·(1/(3n)) = 1/3 per layer
    assert grade("uniform-fanin-decay", "1/3").correct
    assert grade("uniform-fanin-decay", "1").mistake["id"] == "uniform_variance_b2"
    # 8б: b = √(3/n); 8в: σ = 1/√n
    assert grade("uniform-preserving-bound", "sqrt(3/100)").correct
    assert grade("uniform-preserving-bound", "0.1").mistake["id"] == "one_over_sqrt_n"
    assert grade("normal-preserving-std", "0.1").correct
    assert grade("normal-preserving-std", "0.01").mistake["id"] == "variance_not_std"


def test_neuron_variance_and_relu_moment():
    assert grade("neuron-output-variance", "1").correct
    assert grade("neuron-output-variance", "0.01").mistake["id"] == "forgot_n"
    assert grade("relu-second-moment", "1").correct
    assert grade("relu-second-moment", "2").mistake["id"] == "forgot_half"


def test_relu_zero_probability_choice():
    spec = spec_of(BANK, "relu-zero-prob-choice")
    assert grader.grade(spec, None, "0").correct
    assert not grader.grade(spec, None, "1").correct
