"""Bank «losses» (03-losses.yaml): seed examples and seed corrections."""

from tests.question_bank.banks import graders

BANK = "03-losses"


grade, mistake_id = graders(BANK)


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
