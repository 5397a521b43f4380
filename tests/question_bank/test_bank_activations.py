"""Bank «activations» (02-activations.yaml): seed examples and seed corrections."""

from tests.question_bank.banks import graders

BANK = "02-activations"


grade, mistake_id = graders(BANK)


def test_sigmoid_at_zero_seed():
    # 004, гл. 2, упр. 1д: f(0) = 1/2, f'(0) = 1/4, ln f(0) = -ln 2
    assert grade("sigmoid-value-grad", "[0,5; 0,25]").correct
    assert grade("sigmoid-value-grad", "[1/2; 1/4]").correct
    assert mistake_id("sigmoid-value-grad", "[0.5; 0.75]") == "tanh_formula"
    assert grade("sigmoid-log-at-point", "-ln(2)").correct
    assert grade("sigmoid-log-at-point", "-0,693").correct
    assert mistake_id("sigmoid-log-at-point", "-0.301") == "log10"


def test_sigmoid_properties_seed():
    # 004, гл. 2, упр. 1б, г, е, ж
    assert grade("sigmoid-symmetry", "1").correct
    assert grade("sigmoid-derivative-via-f", "f(t)*(1 - f(t))").correct
    assert grade("sigmoid-derivative-via-f", "exp(t)/(1 + exp(t))^2").correct
    assert mistake_id("sigmoid-derivative-via-f", "f(t)*(1 + f(t))") == "plus_instead_of_minus"
    assert grade("sigmoid-inverse", "ln(t/(1 - t))").correct
    assert grade("sigmoid-inverse", "ln(t) - ln(1 - t)").correct
    assert grade("sigmoid-dlog", "f(-t)").correct
    assert grade("sigmoid-dlog", "1 - f(t)").correct
    assert mistake_id("sigmoid-dlog", "1/f(t)") == "forgot_chain"
    assert grade("sigmoid-limits", "0").correct
    assert grade("sigmoid-derivative-symmetry", "0").correct


def test_sigmoid_and_tanh_max_derivative():
    # 004, гл. 5, упр. 1б и 2г: max σ' = 0.25, max tanh' = 1
    assert grade("sigmoid-max-derivative", "0").correct
    assert grade("tanh-derivative-via-f", "1 - f(t)^2").correct
    assert mistake_id("tanh-derivative-via-f", "f(t)*(1 - f(t))") == "sigmoid_formula"
    assert grade("sigmoid-vanishing-chain", "0.25^10").correct
    assert mistake_id("sigmoid-vanishing-chain", "0.5^10") == "used_value"


def test_relu_forward_backward_seed():
    # 004, гл. 4, упр. 4в–г: ReLU(2, -1) = (2, 0); gradient (-1, -2) -> (-1, 0)
    assert grade("relu-forward", "[2; 0]").correct
    assert mistake_id("relu-forward", "[2; 1]") == "abs"
    assert grade("relu-backward", "[-1; 0]").correct
    assert mistake_id("relu-backward", "[-1; -2]") == "no_mask"
    assert mistake_id("relu-backward", "[0; 0]") == "relu_of_gradient"


def test_other_defaults():
    assert grade("sigmoid-backward", "[0.25; -0.0983; 0.21]").correct
    assert grade("tanh-value-grad", "[0.7616; 0.42]").correct
    assert grade("tanh-backward", "[1.573; 0.42; -1]").correct
    assert grade("leaky-relu-value-grad", "[-0.3 -0.05 2; 0.1 0.1 1]").correct
    assert mistake_id("leaky-relu-value-grad", "[0 0 2; 0 0 1]") == "plain_relu"
    assert grade("dead-relu-check", "-0.2").correct
    assert mistake_id("dead-relu-check", "-1.4") == "all_ones"
    assert grade("sigmoid-steepness", "[0.525; 0.731; 1]").correct


def test_seed_correction_sigmoid_derivative_003():
    # 003, вопрос 1 (backprop example): σ(-0.2) ≈ 0.45 and the seed writes σ'(h) = 0.2025,
    # which is σ², not σ(1 - σ). The right value is 0.4502 * 0.5498 ≈ 0.2475.
    assert grade("sigmoid-derivative-at", "0.2475").correct
    result = grade("sigmoid-derivative-at", "0.2025")
    assert not result.correct, "seed value 0.2025 must be rejected"
    assert result.mistake["id"] == "sigma_squared"
