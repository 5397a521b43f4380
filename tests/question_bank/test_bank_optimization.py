"""Bank «Градиентный спуск и его модификации» (question_bank/banks/04-optimization.yaml).

The default variant of every template reproduces the seed problem (004, гл. 3, упр. 1–2:
x = (1, 2), y = (2, 3), w0 = 0, η = 0.1). The seed prints no numbers for упр. 1, so the keys are
the engine's (torch.optim) values under the convention Q(w) = mean (w·x_i − y_i)².
The training-loop, clipping and schedule questions have no seed: their default keys are checked
against a second computation here (closed forms of torch's schedulers and of clip_grad_norm_).
"""

import json
import math

import numpy as np
import pytest

import grader
from tests.question_bank.banks import spec_of

BANK = "04-optimization"


def grade(slug, answer, seed=None):
    return grader.grade(spec_of(BANK, slug), seed, answer)


def test_ols_estimate_default():
    assert grade("ols-estimate", "8/5").correct
    assert grade("ols-estimate", "1,6").correct
    assert grade("ols-estimate", "5/3").mistake["id"] == "ratio_of_means"
    assert grade("ols-estimate", "1.75").mistake["id"] == "mean_of_ratios"


def test_gd_two_steps_default():
    assert grade("gd-two-steps", "[0,8; 1,2]").correct
    assert grade("gd-two-steps", "[1.6; 1.6]").mistake["id"] == "no_mean"
    assert grade("gd-two-steps", "[0.4; 0.7]").mistake["id"] == "no_factor_two"


def test_sgd_two_steps_default():
    assert grade("sgd-two-steps", "[0.4; 1.28]").correct
    assert grade("sgd-two-steps", "[1.2; 1.36]").mistake["id"] == "wrong_order"
    assert grade("sgd-two-steps", "[0.8; 1.2]").mistake["id"] == "full_batch"


def test_momentum_two_steps_default():
    assert grade("momentum-two-steps", "[0.8; 1.92]").correct
    assert grade("momentum-two-steps", "[0.8; 1.2]").mistake["id"] == "no_momentum"


def test_nesterov_two_steps_default():
    # 003's formula: gradient at the look-ahead point w1 − α·h1 = 1.52
    assert grade("nesterov-two-steps", "[0.8; 1.56]").correct
    assert grade("nesterov-two-steps", "[0.8; 1.92]").mistake["id"] == "gradient_at_current_point"
    assert grade("nesterov-two-steps", "[1.52; 2.244]").mistake["id"] == "pytorch_form"


def test_nesterov_pytorch_default():
    assert grade("nesterov-pytorch", "[1.52; 2.244]").correct
    assert grade("nesterov-pytorch", "[0.8; 1.92]").mistake["id"] == "heavy_ball"


def test_rmsprop_two_steps_default():
    assert grade("rmsprop-two-steps", "[0.3162; 0.5204]").correct
    assert grade("rmsprop-two-steps", "[0.1; 0.1703]").mistake["id"] == "no_one_minus_alpha"


def test_adam_two_steps_default():
    assert grade("adam-two-steps", "[0.1; 0.19995]").correct
    assert grade("adam-two-steps", "[0.0316; 0.0752]").mistake["id"] == "no_bias_correction"


def test_adam_first_step_is_lr():
    assert grade("adam-first-step", "0.01").correct
    assert grade("adam-first-step", "0.12").mistake["id"] == "sgd_step"


def test_adamw_step_default():
    assert grade("adamw-step", "1.09").correct
    assert grade("adamw-step", "1.1").mistake["id"] == "no_weight_decay"


def test_minibatch_step_default():
    assert grade("minibatch-step", "1.225").correct
    assert grade("minibatch-step", "1.9").mistake["id"] == "no_mean"


def test_lr_threshold_default():
    assert grade("lr-stability-threshold", "0.4").correct
    assert grade("lr-stability-threshold", "0.2").mistake["id"] == "monotone_bound"


def test_logreg_step_seed_answer():
    # 004, гл. 3, упр. 2: x = −5, y = 1, w0 = 1, γ = 0.01 → w1 ≈ 0.95
    assert grade("logreg-step", "0,95").correct
    assert grade("logreg-step", "0.9503").correct
    assert grade("logreg-step", "1.05").mistake["id"] == "wrong_sign"
    assert grade("logreg-step", "1.0099").mistake["id"] == "no_x"


def test_logreg_gradient_formula():
    assert grade("logreg-gradient-formula", "(sigmoid(w*x) - y)*x").correct
    assert grade("logreg-gradient-formula", "x/(1 + exp(-w*x)) - x*y").correct
    assert grade("logreg-gradient-formula", "(y - sigmoid(w*x))*x").mistake["id"] == "wrong_sign"


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_random_variants_self_consistent(seed):
    spec = spec_of(BANK, "sgd-two-steps")
    key = grader.grade(spec, seed, "0").expected
    assert grader.grade(spec, seed, "[" + "; ".join(map(repr, key)) + "]").correct


def _matching(choices):
    return json.dumps({str(stem): str(choice) for stem, choice in enumerate(choices)})


def test_training_loop_order_is_the_pytorch_one():
    spec = spec_of(BANK, "training-loop-order")
    order = [
        "optimizer.zero_grad()",
        "pred = model(x)",
        "loss = loss_fn(pred, y)",
        "loss.backward()",
        "optimizer.step()",
        "scheduler.step()",
    ]
    ordinals = ["первым", "вторым", "третьим", "четвёртым", "пятым", "шестым"]
    choices = list(dict.fromkeys(pair["answer"] for pair in spec["pairs"]))
    right = [choices.index(ordinals[order.index(pair["stem"])]) for pair in spec["pairs"]]
    assert grade("training-loop-order", _matching(right)).correct
    swapped = right[:]
    backward, step = (
        next(i for i, p in enumerate(spec["pairs"]) if p["stem"] == s) for s in order[3:5]
    )
    swapped[backward], swapped[step] = right[step], right[backward]
    assert grade("training-loop-order", _matching(swapped)).mistake["id"] == "step_before_backward"


def test_eval_and_no_grad_roles():
    eval_, no_grad, neither = 0, 1, 2
    assert grade(
        "eval-vs-no-grad-match", _matching([eval_, eval_, no_grad, no_grad, neither])
    ).correct
    swapped = _matching([no_grad, no_grad, eval_, eval_, neither])
    assert grade("eval-vs-no-grad-match", swapped).mistake["id"] == "swapped"


def test_no_zero_grad_steps_sums_the_gradients():
    # L = (w − 2)², w0 = 0, lr = 0.1: p.grad keeps every backward()'s gradient
    w, buffer, plain = 0.0, 0.0, 0.0
    for _ in range(3):
        buffer += 2 * (w - 2)
        w -= 0.1 * buffer
        plain -= 0.1 * 2 * (plain - 2)
    assert w == pytest.approx(2.016)
    assert grade("no-zero-grad-steps", "2,016").correct
    assert grade("no-zero-grad-steps", repr(plain)).mistake["id"] == "zero_grad_assumed"


def test_grad_accumulation_step_averages_the_micro_batches():
    g = np.array([0.8, -0.4, 1.2, -0.6])
    p_grad = sum(gi / 4 for gi in g)  # (loss / 4).backward() four times
    assert 1 - 0.1 * p_grad == pytest.approx(0.975)
    assert grade("grad-accumulation-step", "0,975").correct
    assert grade("grad-accumulation-step", "0,9").mistake["id"] == "not_divided_by_k"
    assert grade("grad-accumulation-step", "1,06").mistake["id"] == "last_micro_batch_only"


def test_effective_batch_steps_default():
    # 2 GPUs × micro-batch 16 × 4 accumulated = 128 per step; 12 800 objects → 100 steps
    assert grade("effective-batch-steps", json.dumps({"batch": "128", "steps": "100"})).correct
    result = grade("effective-batch-steps", json.dumps({"batch": "64", "steps": "400"}))
    assert [part["mistake"]["id"] for part in result.parts] == [
        "batch:no_gpus",
        "steps:micro_batches_counted",
    ]


def test_linear_scaling_warmup_default():
    target = 0.1 * 8192 / 256
    during = np.interp(2, [0, 5], [0.1, target])
    assert (target, during) == pytest.approx((3.2, 1.34))
    assert grade("linear-scaling-warmup", json.dumps({"target": "3,2", "during": "1,34"})).correct
    result = grade("linear-scaling-warmup", json.dumps({"target": "0,5657", "during": "1,28"}))
    assert [part["mistake"]["id"] for part in result.parts] == [
        "target:sqrt_scaling",
        "during:warmup_from_zero",
    ]


def test_clip_by_value_vector_default():
    g = np.array([2.5, -0.4, -1.8, 0.7])
    assert np.clip(g, -1, 1).tolist() == [1, -0.4, -1, 0.7]
    assert grade("clip-by-value-vector", "[1; -0,4; -1; 0,7]").correct
    by_norm = "[" + "; ".join(repr(float(x)) for x in g / np.linalg.norm(g)) + "]"
    assert grade("clip-by-value-vector", by_norm).mistake["id"] == "norm_clipping"
    assert grade("clip-by-value-vector", "[1; -0,16; -0,72; 0,28]").mistake["id"] == "scaled_to_max"


# Learning-rate schedules: the default keys against torch's documented closed forms.


def test_steplr_value_default():
    # StepLR(step_size=3, gamma=0.5) from 0.1: epoch 7 comes after ⌊7/3⌋ = 2 decays
    assert 0.1 * 0.5 ** (7 // 3) == pytest.approx(0.025)
    assert grade("steplr-value", "0,025").correct
    assert grade("steplr-value", "0,0125").mistake["id"] == "rounded_up"
    assert grade("steplr-value", repr(0.1 * 0.5 ** (7 / 3))).mistake["id"] == "continuous_decay"


def test_multisteplr_values_default():
    # milestones [30, 60], gamma 0.1: the rate changes at the milestone epoch itself
    assert grade("multisteplr-values", "[0,1; 0,01; 0,001]").correct
    assert (
        grade("multisteplr-values", "[0,1; 0,1; 0,01]").mistake["id"] == "milestone_one_epoch_late"
    )
    assert grade("multisteplr-values", "[0,1; 0,01; 0,01]").mistake["id"] == "not_cumulative"


def test_exponentiallr_value_default():
    assert grade("exponentiallr-value", repr(0.1 * 0.9**5)).correct
    assert grade("exponentiallr-value", "0,059049").correct
    assert grade("exponentiallr-value", "0,0531441").mistake["id"] == "one_step_ahead"
    assert grade("exponentiallr-value", "0,05").mistake["id"] == "linear_decay"


def test_cosine_annealing_value_default():
    key = 0.01 + 0.5 * (0.1 - 0.01) * (1 + math.cos(math.pi * 20 / 50))
    assert grade("cosine-annealing-value", f"{key:.5f}".replace(".", ",")).correct
    no_eta_min = 0.05 * (1 + math.cos(math.pi * 20 / 50))
    assert grade("cosine-annealing-value", repr(no_eta_min)).mistake["id"] == "no_eta_min"


def test_warmup_linear_value_default():
    # LinearLR(start_factor=1/8, total_iters=8) on 0.4, after 3 steps
    factor = np.interp(3, [0, 8], [1 / 8, 1])
    assert 0.4 * factor == pytest.approx(0.18125)
    assert grade("warmup-linear-value", "0,18125").correct
    assert grade("warmup-linear-value", "0,15").mistake["id"] == "warmup_from_zero"
    assert grade("warmup-linear-value", "0,2").mistake["id"] == "plus_one_convention"


def test_warmup_cosine_decay_value_default():
    key = 0.05 * (1 + math.cos(math.pi * (12 - 5) / 20))
    assert grade("warmup-cosine-decay-value", repr(key)).correct
    unshifted = 0.05 * (1 + math.cos(math.pi * 12 / 20))
    assert (
        grade("warmup-cosine-decay-value", repr(unshifted)).mistake["id"] == "warmup_not_subtracted"
    )


def test_warmup_after_decay_value_default():
    # The cosine runs first: after 4 steps 0.05·(1 + cos(4π/100)), not the warm-up's 0.046
    key = 0.05 * (1 + math.cos(math.pi * 4 / 100))
    assert grade("warmup-after-decay-value", repr(key)).correct
    assert grade("warmup-after-decay-value", "0,046").mistake["id"] == "warmup_assumed_first"


def test_onecycle_values_default():
    max_lr, n, t = 0.1, 100, 65
    peak = 29  # phase one ends at pct_start·total_steps − 1
    final = max_lr / 25 / 1e4
    later = final + (max_lr - final) * (1 + math.cos(math.pi * (t - peak) / (n - 1 - peak))) / 2
    answer = {"start": "0,004", "peak": "29", "later": repr(later)}
    assert grade("onecycle-values", json.dumps(answer)).correct
    wrong = {"start": "0,1", "peak": "30", "later": "0,05"}
    result = grade("onecycle-values", json.dumps(wrong))
    assert [part["mistake"]["id"] for part in result.parts[:2]] == [
        "start:starts_at_max",
        "peak:off_by_one",
    ]


def test_steplr_per_batch_value_default():
    # ten batches per epoch, step_size 2: the first batch of epoch 1 follows 10 calls, 5 decays
    assert grade("steplr-per-batch-value", repr(0.1 * 0.9**5)).correct
    assert grade("steplr-per-batch-value", "0,1").mistake["id"] == "per_epoch_assumed"


def test_exponential_gamma_for_target_default():
    gamma = math.exp(math.log(0.001 / 0.1) / 50)
    assert 0.1 * gamma**50 == pytest.approx(0.001)
    assert grade("exponential-gamma-for-target", f"{gamma:.4f}".replace(".", ",")).correct
    assert grade("exponential-gamma-for-target", "0,9802").mistake["id"] == "linear_share"


# Clipping by norm: clip_grad_norm_ scales every gradient by max_norm/(total + 1e-6).


def test_clip_total_norm_default():
    total = np.linalg.norm(np.concatenate([[1, 2, 2], [0, -4, 0]]))
    assert total == 5
    assert grade("clip-total-norm", json.dumps({"total": "5", "coef": "0,4"})).correct
    result = grade("clip-total-norm", json.dumps({"total": "7", "coef": "2,5"}))
    assert [part["mistake"]["id"] for part in result.parts] == [
        "total:sum_of_norms",
        "coef:inverted",
    ]


def test_clip_grad_norm_vector_default():
    g1, g2 = np.array([2.0, -1.0, 2.0]), np.array([0.0, 0.0, 4.0])
    total = math.hypot(np.linalg.norm(g1), np.linalg.norm(g2))
    assert (g1 / total).tolist() == pytest.approx([0.4, -0.2, 0.4])
    assert grade("clip-grad-norm-vector", "[0,4; -0,2; 0,4]").correct
    assert grade("clip-grad-norm-vector", "[2/3; -1/3; 2/3]").mistake["id"] == "per_tensor"
    assert grade("clip-grad-norm-vector", "[1; -1; 1]").mistake["id"] == "value_clipping"


def test_clip_inf_norm_default():
    g = np.array([1.5, -4, 0.5, 2])
    assert (g * 2 / np.abs(g).max()).tolist() == [0.75, -2, 0.25, 1]
    assert grade("clip-inf-norm", "[0,75; -2; 0,25; 1]").correct
    l2 = "[" + "; ".join(repr(float(x)) for x in g * 2 / np.linalg.norm(g)) + "]"
    assert grade("clip-inf-norm", l2).mistake["id"] == "l2_norm"
    assert grade("clip-inf-norm", "[1,5; -2; 0,5; 2]").mistake["id"] == "value_clipping"


def test_clip_sgd_step_length_default():
    # ‖(6, −3, 2)‖ = 7 > 1: the step is lr·max_norm
    assert np.linalg.norm([6, -3, 2]) == 7
    assert grade("clip-sgd-step-length", "0,1").correct
    assert grade("clip-sgd-step-length", "0,7").mistake["id"] == "no_clipping"
    assert grade("clip-sgd-step-length", "1").mistake["id"] == "forgot_lr"


def test_clip_two_iterations_leaves_a_small_gradient_alone():
    g1, g2 = np.array([4.0, -4.0, 2.0]), np.array([1.0, 0.0, -2.0])
    assert np.linalg.norm(g1) == 6 and np.linalg.norm(g2) < 3
    assert grade("clip-two-iterations", "[2 -2 1; 1 0 -2]").correct
    stretched = " ".join(repr(float(x)) for x in g2 * 3 / np.linalg.norm(g2))
    result = grade("clip-two-iterations", f"[2 -2 1; {stretched}]")
    assert result.mistake["id"] == "scaled_up_to_max_norm"
    assert grade("clip-two-iterations", "[3 -3 2; 1 0 -2]").mistake["id"] == "value_clipping"


def test_onecycle_total_steps_accumulation_default():
    # 500 micro-batches, 4 per optimizer step, 10 epochs
    assert 10 * (500 // 4) == 1250
    assert grade("onecycle-total-steps-accumulation", "1250").correct
    assert (
        grade("onecycle-total-steps-accumulation", "5000").mistake["id"] == "micro_batches_counted"
    )
    assert grade("onecycle-total-steps-accumulation", "125").mistake["id"] == "one_epoch_only"
