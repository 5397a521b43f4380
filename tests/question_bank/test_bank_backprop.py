"""Bank «Обратное распространение ошибки» (question_bank/banks/05-backprop.yaml).

Default variants reproduce the seeds: 003 (вопрос 1, one sigmoid neuron with inputs 0.5 and 0.2,
w = (1, 2), b = −1.1, target 1, loss (t − σ)²/2) and 004 (гл. 4, упр. 1, 3, 4, 5).
"""

import grader
from tests.question_bank.banks import spec_of

BANK = "05-backprop"


def grade(slug, answer, seed=None):
    return grader.grade(spec_of(BANK, slug), seed, answer)


# ---------------------------------------------------------------- 003, вопрос 1
def test_neuron_forward_seed_numbers():
    # the seed prints h = −0.2, σ(−0.2) = 0.45, MSE = 0.15 — these are right
    assert grade("neuron-forward", "[-0,2; 0,45; 0,15]").correct
    assert grade("neuron-forward", "[-0.2; 0.4502; 0.3023]").mistake["id"] == "no_half"


def test_seed_correction_sigmoid_derivative():
    spec = spec_of("02-activations", "sigmoid-derivative-at")  # the copy in 05 was removed
    result = grader.grade(spec, None, "0.2475")
    assert result.correct
    assert abs(result.expected - 0.2475) < 1e-4
    # 003 prints dσ/dh = 0.2025 (that is σ² = 0.45²), wrong: σ(1 − σ) = 0.4502·0.5498 ≈ 0.2475
    wrong = grader.grade(spec, None, "0.2025")
    assert not wrong.correct, "seed value 0.2025 must not be accepted"
    assert wrong.mistake["id"] == "sigma_squared"


def test_seed_correction_grad_w1():
    spec = spec_of(BANK, "neuron-grad-w1")
    result = grader.grade(spec, None, "-0.068")
    assert result.correct
    assert abs(result.expected - (-0.06805)) < 1e-4
    # 003 prints dMSE/dw1 = −0.55·0.2025·0.5 = 0.0557: wrong σ' and a lost sign; right ≈ −0.0680
    wrong = grader.grade(spec, None, "0.0557")
    assert not wrong.correct, "seed value 0.0557 must not be accepted"
    assert wrong.mistake["id"] == "sign_and_sigma_squared"
    assert grade("neuron-grad-w1", "0.068").mistake["id"] == "wrong_sign"
    assert grade("neuron-grad-w1", "-0.0557").mistake["id"] == "sigma_squared"


def test_neuron_grads_all_default():
    assert grade("neuron-grads-all", "[-0.06805; -0.02722; -0.1361]").correct
    assert (
        grade("neuron-grads-all", "[-0.2749; -0.11; -0.5498]").mistake["id"]
        == "no_sigmoid_derivative"
    )


# ---------------------------------------------------------------- 004, гл. 4, упр. 1
def test_graph_partials():
    assert grade("graph-partial-x", "2*x + y + 2*(x + y)").correct
    assert grade("graph-partial-x", "4*x + 2*y").mistake["id"] == "lost_xy_term"
    assert grade("graph-partial-y", "x + 2*(x + y)").correct
    assert grade("graph-gradient-at-point", "[10; 7]").correct
    assert grade("graph-gradient-at-point", "[7; 10]").mistake["id"] == "swapped"


# ---------------------------------------------------------------- 004, гл. 4, упр. 4
def test_linear_forward_seed():
    # x = (1, 2), W = [[1, −1], [0.5, 0]] → (2, −1)
    assert grade("linear-forward", "[2; -1]").correct
    assert grade("linear-forward", "[-1; 0,5]").mistake["id"] == "transposed"


def test_linear_backward_seed():
    # incoming (−1, 0) → (−1, 0)·Wᵀ = (−1, −0.5)
    assert grade("linear-backward", "[-1; -0,5]").correct
    assert grade("linear-backward", "[-1; 1]").mistake["id"] == "no_transpose"


def test_output_layer_seed():
    assert grade("output-layer-forward", "1").correct
    # ŷ = 1, y = 0: the MSE sends +2 (as in mse-gradient), not the source's −2
    assert grade("output-layer-backward", "[1; 2]").correct
    assert grade("output-layer-backward", "[-1; -2]").mistake["id"] == "wrong_sign"
    assert grade("output-layer-backward", "[4; 0]").mistake["id"] == "grad_wrt_weights"


def test_seed_correction_mse_gradient_sign():
    # 004, гл. 4, упр. 4е: «пришёл накопленный градиент −2», but with ŷ = 1 (п. «д») and y = 0
    # (п. «ж») the MSE gradient is 2(ŷ − y) = +2; −2 is the lost-sign mistake 2(y − ŷ)
    spec = spec_of(BANK, "mse-gradient")
    assert grader.grade(spec, None, "[1; 2]").correct
    wrong = grader.grade(spec, None, "[1; -2]")
    assert not wrong.correct, "the seed's −2 is not the MSE gradient for y = 0"
    assert wrong.mistake["id"] == "wrong_sign"


def test_network_gd_step_seed():
    assert grade("network-step-w2", "[-3,5; 1]").correct
    assert grade("network-step-w2", "[4.5; 1]").mistake["id"] == "wrong_sign"
    assert grade("network-step-w1", "[0 -1; -1,5 0]").correct
    assert grade("network-step-w1", "[0 -3; -1.5 -4]").mistake["id"] == "no_relu_mask"


def test_sigmoid_logloss_seed():
    assert grade("sigmoid-logloss-forward", "[0.7311; 1.3133]").correct
    assert grade("sigmoid-logloss-backward", "0.7311").correct
    assert grade("sigmoid-logloss-backward", "3.718").mistake["id"] == "only_dlogloss_dp"


# ---------------------------------------------------------------- 004, гл. 4, упр. 3 и 5
def test_manual_backprop_seed():
    # zero init, x = (1, 5), y = (1, 0), γ = 1, second observation first: the first step does
    # nothing (ŷ = y2 = 0), the second moves only the output layer
    assert grade("manual-backprop-w3", "[0.5; 0.5]").correct
    assert grade("manual-backprop-w3", "[0.25; 0.25]").mistake["id"] == "wrong_order"
    assert grade("manual-backprop-w2", "[0 0; 0 0]").correct
    assert grade("manual-backprop-w2", "[-1/32 -1/32; -1/32 -1/32]").mistake["id"] == "wrong_order"


def test_relu_net_default():
    assert grade("relu-net-grad-first", "[5 5; 10 10]").correct
    assert grade("relu-net-grad-first", "[5 10; 5 10]").mistake["id"] == "transposed"

