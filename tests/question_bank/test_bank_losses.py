"""Bank «losses» (03-losses.yaml): seed examples, seed corrections, and the unseeded questions.

The questions on logits, the cross-entropy gradient, log-sum-exp, label smoothing, class
imbalance and BCE with logits have no seed: each default key is checked against a second
computation (NumPy's logaddexp, numerical derivatives), and typical mistakes by their ids.
"""

import json

import numpy as np
import pytest

from grader import kinds
from grader.variants import variant
from tests.question_bank.banks import graders, spec_of

BANK = "03-losses"


grade, mistake_id = graders(BANK)


def _key(slug, seed=None):
    """The key of a variant as the grader computes it (the default variant by default)."""
    spec = spec_of(BANK, slug)
    key = kinds.get(spec["kind"]).expected(spec, variant(spec, seed).values)
    return np.asarray(key, dtype=float).tolist()


def test_softmax_seed_logits():
    # 004, гл. 2, упр. 3а: logits (1, -2, 0) and (0.5, -1, 0)
    assert grade("softmax-probs", "[0.7054; 0.0351; 0.2595]").correct
    assert mistake_id("softmax-probs", "[0.731; 0.119; 0.5]") == "sigmoid"
    assert grade("softmax-two-observations", "[0.7054 0.0351 0.2595; 0.5465 0.1220 0.3315]").correct


def test_softmax_logloss_seed():
    # 004, гл. 2, упр. 3б: first is a whale, second a beaver; mean of -ln p
    assert grade("softmax-logloss", "0.7266").correct
    assert mistake_id("softmax-logloss", "1.453") == "sum"


def test_temperature_seed():
    # 004, гл. 5, упр. 4а–в: logits (1, 2, 5) at T = 10, 1, 0.1
    right = "[0.278 0.3072 0.4147; 0.01715 0.04661 0.9362; 0 0 1]"
    assert grade("softmax-temperature", right).correct
    wrong = "[0 0 1; 0.01715 0.04661 0.9362; 0.2780 0.3072 0.4147]"
    assert not grade("softmax-temperature", wrong).correct


def test_logloss_whales_ants_seed():
    # 004, гл. 2, упр. 2а: x = (1, 2, 3), y = (1, 0, 0)
    key = "-ln(f(b + w)) - ln(1 - f(b + 2*w)) - ln(1 - f(b + 3*w))"
    assert grade("logloss-whales-ants", key).correct
    assert mistake_id("logloss-whales-ants", f"({key})/3") == "mean"
    assert grade("logloss-at-weights", "ln(2)").correct
    assert grade("logloss-minimum", "0").correct
    assert grade("logloss-separable-limit", "[0.3832; 0.2250; 0.08544]").correct


def test_pokemons_seed():
    # 004, гл. 5, упр. 5: y = (6, 6, 10); the ridge part (5а–г) is in 06-regularization
    assert grade("best-constant", "[22/3; 6]").correct


def test_other_defaults():
    assert grade("sigmoid-equivalent-logit", "2").correct
    assert mistake_id("sigmoid-equivalent-logit", "1.5") == "first_logit"
    assert grade("binary-logloss", "0.3375").correct
    assert grade("multilabel-bce", "0.3635").correct
    assert mistake_id("multilabel-bce", "1.0906") == "sum"
    assert grade("poisson-loss", "-12.61").correct
    assert grade("mse-mae-rmse", "[3.5; 1.5; 1.871]").correct
    assert grade("output-multilabel", "0, 3").correct  # the label powerset is right too
    assert not grade("output-multilabel", "0").correct


def test_seed_correction_mse_constant_gradient():
    # 003, вопрос 2 lists «постоянные градиенты ±1» among the drawbacks of MSE;
    # that is a property of MAE (d|e|/de = ±1), the MSE gradient 2e is proportional to the error.
    assert grade("constant-gradient-loss", "0").correct  # option 0: MAE
    assert not grade("constant-gradient-loss", "1").correct, "seed attributes it to MSE"
    assert grade("mse-vs-mae", "0, 1, 2").correct
    assert not grade("mse-vs-mae", "0, 1, 2, 3").correct


# ---------------------------------------------------------------- issue 15: logits, log-sum-exp
# The new questions have no seed: the defaults are our own numbers, and each key is checked here
# against a second computation (NumPy's logaddexp, a one-hot softmax), not the YAML expression.


def _lse(z) -> float:
    return float(np.logaddexp.reduce(np.asarray(z, dtype=float)))


def test_logits_from_probabilities():
    p = np.array([0.6, 0.3, 0.1])
    z = np.log(p) - np.log(p[-1])
    assert np.allclose(np.exp(z) / np.exp(z).sum(), p)
    assert _key("logits-from-probs") == pytest.approx(z.tolist())
    assert grade("logits-from-probs", "[ln(6); ln(3); 0]").correct
    assert grade("logits-from-probs", "[1,792; 1,099; 0]").correct
    assert mistake_id("logits-from-probs", "[-0,511; -1,204; -2,303]") == "log_probs_unshifted"
    assert mistake_id("logits-from-probs", "[0,405; -0,847; -2,197]") == "per_class_log_odds"


def test_logit_of_probability():
    assert _key("logit-of-probability") == pytest.approx(np.log(4))  # p = 0.8: odds 4 : 1
    assert grade("logit-of-probability", "1,386").correct
    assert grade("logit-of-probability", "ln(4)").correct
    assert mistake_id("logit-of-probability", "-0,223") == "log_prob"
    assert mistake_id("logit-of-probability", "-1,386") == "inverted_odds"


def test_logsumexp_of_large_logits():
    z = [1000, 1002, 999]
    with np.errstate(over="ignore"):  # why the question exists: float32 overflows
        assert np.isinf(np.log(np.sum(np.exp(np.float32(z)))))
    assert _key("logsumexp-large") == pytest.approx(_lse(z), abs=1e-9)
    assert grade("logsumexp-large", "1002,170").correct
    assert not grade("logsumexp-large", "1002,2").correct  # asked to within 0.001
    assert mistake_id("logsumexp-large", "1002") == "max_only"
    assert mistake_id("logsumexp-large", "0,170") == "forgot_max"


def test_log_softmax_of_large_logits():
    z = np.array([801.0, 798.0, 800.0])
    expected = z - _lse(z)
    assert _key("log-softmax-large") == pytest.approx(expected.tolist(), abs=1e-9)
    assert grade("log-softmax-large", "[-0,349; -3,349; -1,349]").correct
    assert mistake_id("log-softmax-large", "[0,7054; 0,0351; 0,2595]") == "probabilities"
    assert mistake_id("log-softmax-large", "[0; -3; -1]") == "shift_only"


def test_logsumexp_of_equal_logits():
    assert _key("logsumexp-equal-logits") == pytest.approx(_lse([3] * 10))
    assert grade("logsumexp-equal-logits", "3 + ln(10)").correct
    assert grade("logsumexp-equal-logits", "5,303").correct
    assert mistake_id("logsumexp-equal-logits", "4") == "log10"
    assert mistake_id("logsumexp-equal-logits", "3") == "max_only"


def test_softmax_before_cross_entropy_floor():
    onehot = np.eye(10)[0]  # the best the network can output: probability 1 for the true class
    floor = -(onehot - _lse(onehot))[0]
    assert _key("double-softmax-min-loss") == pytest.approx(floor)
    assert grade("double-softmax-min-loss", "ln(e + 9) - 1").correct
    assert grade("double-softmax-min-loss", "1,461").correct
    assert mistake_id("double-softmax-min-loss", "0") == "zero"
    assert mistake_id("double-softmax-min-loss", "2,303") == "uniform"


def test_logits_and_stability_choices():
    assert grade("logits-definition", "0").correct
    assert not grade("logits-definition", "3").correct  # log-probabilities are one normalised set
    assert grade("logits-argmax", "0").correct
    assert grade("float32-exp-overflow", "0").correct
    assert not grade("float32-exp-overflow", "1").correct  # float64's bound
    assert grade("logsumexp-why-max", "0").correct
    assert grade("log-of-softmax-unstable", "0, 1").correct
    assert not grade("log-of-softmax-unstable", "0, 1, 2").correct
    assert grade("double-softmax-bug", "0").correct
    right = json.dumps({"0": "0", "1": "1", "2": "2", "3": "0"})
    assert grade("torch-loss-inputs", right).correct
    swapped = json.dumps({"0": "1", "1": "0", "2": "2", "3": "0"})  # CE and NLL inputs swapped
    assert not grade("torch-loss-inputs", swapped).correct


# ---------------------------------------------------------------- cross-entropy gradients
# The softmax_cross_entropy engine gives dL/dlogits from its closed form p − q; the tests
# differentiate the loss numerically instead.


def _ce(z, targets, eps=0.0):
    """Mean F.cross_entropy with label smoothing ε, from log-sum-exp: a plain NumPy loss."""
    z = np.atleast_2d(np.asarray(z, dtype=float))
    c = z.shape[1]
    q = np.full_like(z, eps / c)
    q[np.arange(len(z)), np.atleast_1d(targets)] += 1 - eps
    logp = z - np.logaddexp.reduce(z, axis=1, keepdims=True)
    return float(-(q * logp).sum(axis=1).mean())


def _numeric_grad(f, z, h=1e-6):
    z = np.asarray(z, dtype=float)
    grad = np.zeros_like(z)
    for index in np.ndindex(z.shape):
        step = np.zeros_like(z)
        step[index] = h
        grad[index] = (f(z + step) - f(z - step)) / (2 * h)
    return grad


def test_cross_entropy_gradient_of_one_sample():
    z = [2, 1, -1, 0.5]
    grad = _numeric_grad(lambda v: _ce(v, [1]), z)
    assert _key("ce-grad-logits") == pytest.approx(grad.tolist(), abs=1e-6)
    assert grade("ce-grad-logits", "[0,6095; -0,7758; 0,0303; 0,136]").correct
    assert mistake_id("ce-grad-logits", "[0,6095; 0,2242; 0,0303; 0,136]") == "forgot_onehot"
    assert mistake_id("ce-grad-logits", "[-0,6095; 0,7758; -0,0303; -0,136]") == "sign"


def test_cross_entropy_gradient_of_a_batch_mean():
    z = [[1, 0, -1], [0.5, 1.5, 0]]
    grad = _numeric_grad(lambda v: _ce(v, [0, 2]), z)
    np.testing.assert_allclose(_key("ce-grad-batch-mean"), grad, atol=1e-6)
    assert grade("ce-grad-batch-mean", "[-0,1674 0,1224 0,0450; 0,1156 0,3143 -0,4299]").correct
    summed = "[-0,3348 0,2447 0,0900; 0,2312 0,6285 -0,8598]"
    assert mistake_id("ce-grad-batch-mean", summed) == "no_mean"
    per_element = "[-0,0558 0,0408 0,0150; 0,0385 0,1048 -0,1433]"
    assert mistake_id("ce-grad-batch-mean", per_element) == "mean_over_all_elements"


def test_sgd_step_on_the_output_biases():
    b = np.array([0.5, -0.5, 0])
    expected = b - 0.5 * _numeric_grad(lambda v: _ce(v, [1]), b)
    assert _key("ce-bias-step") == pytest.approx(expected.tolist(), abs=1e-6)
    assert grade("ce-bias-step", "[0,2468; -0,0932; -0,1536]").correct
    assert mistake_id("ce-bias-step", "[0,7532; -0,9068; 0,1536]") == "ascent"
    assert mistake_id("ce-bias-step", "[0,25; 0,25; 0]") == "logits_as_probabilities"


def test_cross_entropy_gradient_by_the_weights_of_the_output_layer():
    x = np.array([1, 2])

    def loss(w):
        return _ce(w @ x, [0])

    grad = _numeric_grad(loss, np.array([[0.5, -1], [0, 1], [-0.5, 0.5]]))
    np.testing.assert_allclose(_key("ce-grad-weights"), grad, atol=1e-6)
    right = "[-0,9759 -1,9518; 0,7979 1,5958; 0,1780 0,3561]"
    assert grade("ce-grad-weights", right).correct
    probabilities_times_x = "[0,0241 0,0482; 0,7979 1,5958; 0,1780 0,3561]"
    assert mistake_id("ce-grad-weights", probabilities_times_x) == "forgot_onehot"


def test_cross_entropy_and_mse_gradients_on_a_confident_mistake():
    def sigmoid(v):
        return 1 / (1 + np.exp(-v))

    z = np.array([-4.0])
    ce = _numeric_grad(lambda v: -np.log(sigmoid(v[0])), z)[0]
    mse = _numeric_grad(lambda v: (sigmoid(v[0]) - 1) ** 2, z)[0]
    assert _key("ce-vs-mse-grad") == pytest.approx([ce, mse], abs=1e-6)
    assert grade("ce-vs-mse-grad", "[-0,982; -0,0347]").correct
    assert mistake_id("ce-vs-mse-grad", "[-0,982; -1,964]") == "mse_without_sigmoid_derivative"


def test_cross_entropy_gradient_choices():
    assert grade("ce-grad-sum-zero", "0").correct
    assert grade("ce-ignore-index", "0").correct
    assert not grade("ce-ignore-index", "1").correct  # padding is out of the denominator too
    assert grade("ce-grad-confident-wrong", "0").correct
    assert not grade("ce-grad-confident-wrong", "2").correct  # −1/p is the derivative by p
    assert grade("ce-reduction-scale", "0, 1, 2").correct
    assert not grade("ce-reduction-scale", "0, 1").correct


# ---------------------------------------------------------------- label smoothing (torch: ε/C to every class)


def test_label_smoothing_target():
    q = np.full(4, 0.1 / 4)
    q[2] += 0.9
    assert _key("ls-target") == pytest.approx(q.tolist())
    assert grade("ls-target", "[0,025; 0,025; 0,925; 0,025]").correct
    assert grade("ls-target", "[1/40; 1/40; 37/40; 1/40]").correct
    assert mistake_id("ls-target", "[0,0333; 0,0333; 0,9; 0,0333]") == "rest_only"
    assert mistake_id("ls-target", "[0,025; 0,025; 0,9; 0,025]") == "true_class_without_share"


def test_label_smoothing_loss():
    assert _key("ls-loss") == pytest.approx(_ce([1.5, 0, -1], [0], eps=0.1))
    assert grade("ls-loss", "0,3997").correct
    assert mistake_id("ls-loss", str(_ce([1.5, 0, -1], [0])).replace(".", ",")) == "no_smoothing"


def test_label_smoothing_gradient_of_a_batch():
    z = [[2, 0, -1], [0, 1, 0.5]]
    grad = _numeric_grad(lambda v: _ce(v, [0, 1], eps=0.2), z)
    np.testing.assert_allclose(_key("ls-grad-batch"), grad, atol=1e-6)
    assert grade("ls-grad-batch", "[-0,01144 0,02376 -0,01233; 0,05983 -0,1801 0,1203]").correct
    hard = "[-0,0781 0,0571 0,0210; 0,0932 -0,2468 0,1536]"
    assert mistake_id("ls-grad-batch", hard) == "hard_target"


def test_label_smoothing_floor_and_logit_gap():
    q = np.full(10, 0.01)
    q[0] = 0.91
    floor = _ce(np.log(q), [0], eps=0.1)  # the loss where softmax(z) = q
    assert floor == pytest.approx(-(q * np.log(q)).sum())
    assert _key("ls-min-loss") == pytest.approx(floor)
    assert _ce(np.log(q) + 0.05 * np.eye(10)[0], [0], eps=0.1) > floor  # a minimum indeed
    assert grade("ls-min-loss", "0,5003").correct
    assert mistake_id("ls-min-loss", "0") == "zero"
    assert _key("ls-logit-gap") == pytest.approx(np.log(q[0]) - np.log(q[1]))
    assert grade("ls-logit-gap", "ln(91)").correct
    assert mistake_id("ls-logit-gap", "91") == "no_log"
    assert mistake_id("ls-logit-gap", "ln(81)") == "rest_only"


def test_label_smoothing_choices():
    assert grade("ls-effects", "0, 1, 2").correct
    assert not grade("ls-effects", "0, 1, 2, 3").correct
    assert grade("ls-torch-arg", "0").correct


# ---------------------------------------------------------------- class imbalance and BCE with logits


def test_weighted_cross_entropy_divides_by_the_sum_of_weights():
    w, classes, p = [1, 2, 5], [0, 2, 1, 0], [0.7, 0.4, 0.2, 0.9]
    weights = np.array([w[c] for c in classes])
    # torch: reduction='mean' with weight= is the weighted average of the per-sample losses
    expected = np.average(-np.log(p), weights=weights)
    assert _key("wce-mean-torch") == pytest.approx(expected)
    assert grade("wce-mean-torch", "0,918").correct
    assert mistake_id("wce-mean-torch", "2,0655") == "divided_by_batch_size"
    assert mistake_id("wce-mean-torch", "0,747") == "unweighted"


def test_balanced_class_weights():
    counts = np.array([900, 80, 20])
    expected = [counts.sum() / (len(counts) * c) for c in counts]
    assert _key("class-weights-balanced") == pytest.approx(expected)
    assert grade("class-weights-balanced", "[10/27; 25/6; 50/3]").correct
    assert mistake_id("class-weights-balanced", "[0,9; 0,08; 0,02]") == "frequencies"
    assert mistake_id("class-weights-balanced", "[1,111; 12,5; 50]") == "forgot_classes"


def test_bce_with_logits_pos_weight_keeps_the_mean_over_elements():
    z, y = np.array([1.5, -0.5, -2, 0.5]), np.array([1, 0, 0, 1])
    # -log σ(z) = log(1 + e^(-z)) and -log(1 - σ(z)) = log(1 + e^z), without a sigmoid
    per_sample = np.where(y == 1, 3 * np.logaddexp(0, -z), np.logaddexp(0, z))
    assert _key("bce-pos-weight") == pytest.approx(per_sample.mean())
    assert grade("bce-pos-weight", "0,6569").correct
    assert mistake_id("bce-pos-weight", "0,3191") == "no_weight"
    assert mistake_id("bce-pos-weight", str(per_sample.sum() / 8).replace(".", ",")) == (
        "divided_by_weights"
    )


def test_binary_focal_loss():
    p, y, alpha, gamma = [0.9, 0.3, 0.6, 0.2], [1, 1, 0, 0], 0.25, 2
    terms = []
    for prob, label in zip(p, y, strict=True):
        if label == 1:
            terms.append(-alpha * (1 - prob) ** gamma * np.log(prob))
        else:
            terms.append(-(1 - alpha) * prob**gamma * np.log(1 - prob))
    assert _key("focal-binary") == pytest.approx(np.mean(terms))
    assert grade("focal-binary", "0,1005").correct
    assert mistake_id("focal-binary", "0,2955") == "no_modulating_factor"


def test_focal_loss_ratio_and_softmax_variant():
    assert _key("focal-easy-ratio") == pytest.approx(100)  # p_t = 0.9, γ = 2
    assert grade("focal-easy-ratio", "100").correct
    assert mistake_id("focal-easy-ratio", "0,01") == "inverted"
    z = np.array([1, 2, -0.5])
    pt = np.exp(z[0] - np.logaddexp.reduce(z))
    assert _key("focal-multiclass") == pytest.approx(-((1 - pt) ** 2) * np.log(pt))
    assert grade("focal-multiclass", "0,7639").correct
    assert mistake_id("focal-multiclass", "1,372") == "cross_entropy"


def test_bce_with_logits_batch_and_gradient():
    z, y = np.array([2, -1, 0.5, -3]), np.array([1, 0, 0, 1])
    expected = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    assert _key("bce-logits-batch") == pytest.approx(expected)
    assert grade("bce-logits-batch", "1,116").correct
    assert mistake_id("bce-logits-batch", "4,463") == "sum"

    z, y = np.array([1, -2, 0.5]), np.array([1, 1, 0])

    def loss(v):
        return np.mean(np.logaddexp(0, v) - v * y)

    grad = _numeric_grad(loss, z)
    assert _key("bce-logits-grad") == pytest.approx(grad.tolist(), abs=1e-6)
    assert grade("bce-logits-grad", "[-0,0896; -0,2936; 0,2075]").correct
    assert mistake_id("bce-logits-grad", "[-0,2689; -0,8808; 0,6225]") == "no_mean"


def test_bce_with_logits_on_a_confident_mistake():
    assert _key("bce-logits-float32") == pytest.approx(float(np.logaddexp(0, 30)), abs=1e-12)
    assert grade("bce-logits-float32", "30").correct
    assert mistake_id("bce-logits-float32", "100") == "float32_clamp"


def test_imbalance_and_bce_choices():
    assert grade("focal-properties", "0, 1, 2").correct
    assert not grade("focal-properties", "0, 1, 2, 3").correct
    assert grade("imbalance-loss-choice", "0, 1, 2").correct
    assert not grade("imbalance-loss-choice", "0, 1, 2, 4").correct
    assert grade("wce-mean-denominator", "0").correct
    assert not grade("wce-mean-denominator", "1").correct  # that is BCEWithLogitsLoss's mean
    assert grade("bce-logits-formula", "0").correct
    assert grade("bce-logits-why", "0, 1, 2").correct
