"""Bank «regularization» (06-regularization.yaml): seed examples reproduced by the default variants."""

from grader.engines import compute
from grader.variants import variant
from tests.question_bank.banks import graders, spec_of

BANK = "06-regularization"


grade, mistake_id = graders(BANK)


def test_dropout_tensor_seed():
    # 000, вопрос 4: [1, 0.5, -1], rate 0.75, отброшены 1-й и 3-й -> [0, 2, 0]
    assert grade("dropout-vector", "[0., 2., 0.]").correct
    assert grade("dropout-vector", "[0; 2; 0]").correct
    assert mistake_id("dropout-vector", "[0; 0,5; 0]") == "no_rescale"
    assert mistake_id("dropout-vector", "[0; 0,125; 0]") == "scaled_by_keep"


def test_pokemon_ridge_seed():
    # 004, гл. 5, упр. 5: y = (6, 6, 10); (а) λ = 0 -> 22/3; (б) 22/(3 + λ)
    assert grade("ridge-pokemon-mean", "22/3").correct
    assert grade("ridge-pokemon-mean", "7,33").correct
    assert grade("ridge-pokemon-formula", "22/(3 + lambda)").correct
    assert grade("ridge-pokemon-formula", "22/(λ + 3)").correct
    assert mistake_id("ridge-pokemon-formula", "22/(1 + lambda)") == "forgot_n"
    assert mistake_id("ridge-pokemon-formula", "22/(3 + lambda/2)") == "half_lambda"


def test_pokemon_leave_one_out_seed():
    # 004, гл. 5, упр. 5в–г: λ_CV = 656/312 - 2 = 4/39, β(λ_CV) = 22/(3 + 4/39) = 78/11
    assert grade("ridge-pokemon-loo-lambda", "4/39").correct
    assert grade("ridge-pokemon-loo-lambda", "0,103").correct
    assert mistake_id("ridge-pokemon-loo-lambda", "4/39 - 1") == "n_instead_of_n_minus_1"
    assert grade("ridge-pokemon-loo-beta", "78/11").correct
    assert grade("ridge-pokemon-loo-beta", "7,09").correct
    assert mistake_id("ridge-pokemon-loo-beta", "22/3") == "plain_mean"
    # λ_CV really minimises the leave-one-out error (checked on a grid)
    y = [6, 6, 10]

    def cv(lam):
        return sum(
            (y[i] - compute("ridge_mean", y=y[:i] + y[i + 1 :], lam=lam)) ** 2 for i in range(3)
        )

    best = min((k / 1000 for k in range(0, 2000)), key=cv)
    assert abs(best - 4 / 39) < 1e-3


def test_early_stopping_matches_ridge():
    # 004, гл. 5, упр. 6 (по мотивам): 3 шага GD с η = 0.1 по данным покемонов
    beta_t = 22 / 3 * (1 - 0.7**3)
    assert grade("early-stopping-gd", f"{beta_t:.4f}").correct
    assert mistake_id("early-stopping-gd", f"{22 / 3 * (1 - 0.9**3):.4f}") == "mean_gradient"
    lam = 3 * 0.7**3 / (1 - 0.7**3)
    assert grade("early-stopping-lambda", f"{lam:.4f}").correct
    assert mistake_id("early-stopping-lambda", "1/(0.1*3)") == "asymptotic"
    values = variant(spec_of(BANK, "early-stopping-lambda"), None).values
    assert abs(compute("ridge_mean", y=[6, 6, 10], lam=values["lam_eq"]) - values["beta_t"]) < 1e-9


def test_masha_dropout_network_seed():
    # 004, гл. 5, упр. 7а–б: 12 входов, слои 300, 200, 100, выход 1
    assert grade("dropout-masha-half", "22151").correct
    assert mistake_id("dropout-masha-half", "42150.5") == "half_total"
    assert mistake_id("dropout-masha-half", "21850") == "no_bias"


def test_masha_dropout_layer_probabilities_seed():
    # 004, гл. 5, упр. 7в–г: p^300 и 1 - (1 - p^300)(1 - p^200)(1 - p^100)
    assert grade("dropout-layer-off", "p^300").correct
    assert mistake_id("dropout-layer-off", "(1 - p)^300") == "keep_prob"
    assert mistake_id("dropout-layer-off", "300*p") == "times_n"
    assert grade("dropout-some-layer-off", "1 - (1 - p^300)*(1 - p^200)*(1 - p^100)").correct
    assert mistake_id("dropout-some-layer-off", "p^300 + p^200 + p^100") == "union_sum"
    assert mistake_id("dropout-some-layer-off", "p^600") == "all_layers"
    # the L-layers form of the brief: 1 - (1 - p^n)^L
    assert grade("dropout-some-layer-off-numeric", "1 - (1 - 0.5^3)^3").correct
    assert mistake_id("dropout-some-layer-off-numeric", "3*0.5^3") == "union_sum"
    assert grade("dropout-layer-off-numeric", "0.6^4").correct


def test_masha_kept_neurons_seed():
    # 004, гл. 5, упр. 7д: 600 нейронов, проредить на четверть -> p = 0.25, E N = 450, D N = 112.5
    assert grade("dropout-kept-moments", "[450; 112,5]").correct
    assert mistake_id("dropout-kept-moments", "[150; 112.5]") == "p_as_keep"
    assert grade("dropout-thin-rate", "0,25").correct
    assert mistake_id("dropout-thin-rate", "0.75") == "keep_share"


def test_masha_expected_parameters_seed():
    # 004, гл. 5, упр. 7е: при p = 1/2 E P совпадает с ответом (б) — 22151
    assert grade("dropout-expected-params", "22151").correct
    assert mistake_id("dropout-expected-params", "42150.5") == "linear_share"
    assert mistake_id("dropout-expected-params", "84301/4") == "all_squared"


def test_standard_and_inverted_dropout_seed():
    # 003, вопрос 4: при eval исходный Dropout умножает на 1 - p, инвертированный ничего не делает
    assert grade("dropout-eval-standard", "[1.6; -0.8; 0.48]").correct
    assert mistake_id("dropout-eval-standard", "[2; -1; 0.6]") == "unchanged"
    assert grade("dropout-eval-inverted", "[1.5; -0.4; 2]").correct
    assert mistake_id("dropout-eval-inverted", "[1.05; -0.28; 1.4]") == "times_keep"
    assert grade("dropout-standard-train", "[0.8; 0; 2.5; 0]").correct
    assert mistake_id("dropout-standard-train", "[1.6; 0; 5; 0]") == "inverted_scaling"
    assert grade("dropout-why", "0").correct
    assert not grade("dropout-why", "3").correct
