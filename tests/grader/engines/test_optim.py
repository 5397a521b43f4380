"""Unit tests of optimizer_trajectory, logistic_regression_step and clip_grad_norm.

The seed problem: x = [1, 2], y = [2, 3], w0 = 0, lr = 0.1, two steps, loss mean (w·x − y)².
Values below were derived by hand where marked, the others come from the engine and are
cross-checked against torch.optim in tests/reference/test_optim_reference.py.
"""

import math

import pytest

from grader.engines.optim import clip_grad_norm, logistic_regression_step, optimizer_trajectory
from grader.engines.registry import compute
from grader.errors import EngineError

SEED = {"x": [1, 2], "y": [2, 3], "w0": 0, "lr": 0.1, "steps": 2, "reduction": "mean"}


def run(optimizer, batch="full", **kw):
    return optimizer_trajectory(optimizer=optimizer, batch=batch, **{**SEED, **kw})


def test_gradient_descent_seed_by_hand():
    # g1 = mean(2·(0−2)·1, 2·(0−3)·2) = −8 → w = 0.8; g2 = mean(−2.4, −5.6) = −4 → w = 1.2
    assert run("sgd") == pytest.approx([0.8, 1.2], rel=1e-12)


def test_sequential_sgd_seed_by_hand():
    # step 1 on (1, 2): g = −4 → 0.4; step 2 on (2, 3): g = 2·(0.8 − 3)·2 = −8.8 → 1.28
    assert run("sgd", batch="sequential") == pytest.approx([0.4, 1.28], rel=1e-12)


def test_momentum_buffer_starts_at_first_gradient():
    # b1 = g1 = −8 → w = 0.8; b2 = 0.9·(−8) + (−4) = −11.2 → w = 1.92
    assert run("momentum", momentum=0.9) == pytest.approx([0.8, 1.92], rel=1e-12)


def test_nesterov_seed_by_hand():
    # step 1: b = −8, step g + m·b = −15.2 → 1.52; step 2: g = −0.4, b = −7.6,
    # g + m·b = −7.24 → 2.244
    assert run("nesterov", momentum=0.9) == pytest.approx([1.52, 2.244], rel=1e-12)


def test_nesterov_lookahead_seed_by_hand():
    # g(w) = 5w − 8. v0 = 0: step 1 is plain GD, g(0) = −8, v1 = 0.8, w1 = 0.8; step 2 looks
    # ahead to w1 + m·v1 = 0.8 + 0.9·0.8 = 1.52, g(1.52) = −0.4,
    # v2 = 0.9·0.8 + 0.04 = 0.76, w2 = 1.56; step 3: look 1.56 + 0.684 = 2.244, g = 3.22,
    # v3 = 0.684 − 0.322 = 0.362, w3 = 1.922
    got = run("nesterov", momentum=0.9, nesterov_form="lookahead", steps=3)
    assert got == pytest.approx([0.8, 1.56, 1.922], rel=1e-12)


def test_nesterov_forms_are_related_by_the_lookahead_shift():
    classic = run("nesterov", momentum=0.7, nesterov_form="lookahead", steps=6, batch="sequential")
    torch_form = run("nesterov", momentum=0.7, steps=6, batch="sequential")
    previous = [SEED["w0"], *classic[:-1]]
    shifted = [w + 0.7 * (w - p) for w, p in zip(classic, previous, strict=True)]
    assert torch_form == pytest.approx(shifted, rel=1e-12)


def test_nesterov_lookahead_momentum_zero_is_sgd():
    assert run("nesterov", momentum=0, nesterov_form="lookahead") == pytest.approx(run("sgd"))
    with pytest.raises(EngineError) as info:
        run("nesterov", momentum=0)
    assert info.value.arg == "momentum"
    with pytest.raises(EngineError) as info:
        run("nesterov", momentum=0.9, nesterov_form="classic")
    assert (info.value.arg, info.value.code) == ("nesterov_form", "bad_arg")


def test_rmsprop_seed():
    # step 1: s = 0.1·64 = 6.4, w = 0.1·8/(√6.4 + 1e-8)
    out = run("rmsprop", alpha=0.9)
    assert out[0] == pytest.approx(0.8 / (math.sqrt(6.4) + 1e-8), rel=1e-12)
    assert out == pytest.approx([0.316227764766838, 0.5204371039317067], rel=1e-12)


def test_adam_seed():
    # first Adam step is lr·g/(|g| + eps) = 0.1·8/(8 + 1e-8)
    out = run("adam", beta1=0.9, beta2=0.9)
    assert out[0] == pytest.approx(0.8 / (8 + 1e-8), rel=1e-12)
    assert out == pytest.approx([0.099999999875, 0.19994797872600606], rel=1e-12)


def test_adamw_decays_before_the_adam_step():
    adam = run("adam", beta1=0.9, beta2=0.9)
    adamw = run("adamw", beta1=0.9, beta2=0.9, weight_decay=0.01)
    assert adamw[0] == adam[0]  # w0 = 0: nothing to decay
    assert adamw[1] == pytest.approx(adam[1] - 0.1 * 0.01 * adam[0], rel=1e-12)


def test_weight_decay_is_ignored_except_by_adamw():
    assert run("adam", weight_decay=0.5) == run("adam")
    assert run("sgd", weight_decay=0.5) == run("sgd")


def test_sequential_seed_values():
    assert run("momentum", batch="sequential") == pytest.approx([0.4, 1.64], rel=1e-12)
    assert run("nesterov", batch="sequential") == pytest.approx([0.76, 2.2088], rel=1e-12)
    assert run("rmsprop", batch="sequential", alpha=0.9) == pytest.approx(
        [0.316227763516838, 0.6097666124316719], rel=1e-12
    )
    assert run("adam", batch="sequential", beta1=0.9, beta2=0.9) == pytest.approx(
        [0.09999999975000001, 0.19079652044423684], rel=1e-12
    )


def test_reductions():
    # sum: g1 = −16 → 1.6, which is the least-squares solution, so the second step stays
    assert run("sgd", reduction="sum") == pytest.approx([1.6, 1.6], rel=1e-12)
    # ½·sum has half the gradient of sum, here equal to mean with n = 2
    assert run("sgd", reduction="half_sum") == pytest.approx(run("sgd"), rel=1e-12)


def test_sequential_cycles_through_the_data():
    out = optimizer_trajectory(
        optimizer="sgd",
        x=[1, 0],
        y=[1, 5],
        w0=0,
        lr=0.5,
        steps=3,
        batch="sequential",
        reduction="half_sum",
    )
    # step 1 on (1, 1): w = 0.5; step 2 on (0, 5): gradient 0; step 3 on (1, 1): w = 0.75
    assert out == pytest.approx([0.5, 0.5, 0.75])


def test_trajectory_length_and_json():
    out = compute("optimizer_trajectory", optimizer="adam", batch="full", **{**SEED, "steps": 7})
    assert len(out) == 7 and all(type(v) is float for v in out)


def test_divergence_is_reported():
    with pytest.raises(EngineError) as err:
        run("sgd", lr=10, steps=2000)
    assert err.value.code == "not_finite"


@pytest.mark.parametrize(
    ("kw", "arg"),
    [
        ({"optimizer": "adagrad"}, "optimizer"),
        ({"lr": 0}, "lr"),
        ({"lr": -0.1}, "lr"),
        ({"steps": 0}, "steps"),
        ({"steps": 10001}, "steps"),
        ({"steps": 2.5}, "steps"),
        ({"batch": "mini"}, "batch"),
        ({"reduction": "max"}, "reduction"),
        ({"y": [1, 2, 3]}, "y"),
        ({"x": [], "y": []}, "x"),
        ({"x": [[1, 2]], "y": [[1, 2]]}, "x"),
        ({"w0": None}, "w0"),
        ({"momentum": -0.1}, "momentum"),
        ({"optimizer": "nesterov", "momentum": 0}, "momentum"),
        ({"beta1": 1}, "beta1"),
        ({"beta2": 1.5}, "beta2"),
        ({"alpha": 1.1}, "alpha"),
        ({"eps": -1e-8}, "eps"),
        ({"weight_decay": -0.01}, "weight_decay"),
    ],
)
def test_optimizer_bad_args(kw, arg):
    args = {"optimizer": "sgd", "batch": "full", **SEED, **kw}
    with pytest.raises(EngineError) as err:
        optimizer_trajectory(**args)
    assert err.value.code == "bad_arg"
    assert err.value.arg == arg


def test_length_mismatch_message_names_both_lengths():
    with pytest.raises(EngineError) as err:
        run("sgd", y=[1, 2, 3])
    assert "(3)" in err.value.message and "(2)" in err.value.message


def test_missing_required_args_through_compute():
    with pytest.raises(EngineError) as err:
        compute(
            "optimizer_trajectory",
            optimizer="sgd",
            x=[1],
            y=[1],
            w0=0,
            lr=0.1,
            steps=1,
            batch="full",
        )
    assert err.value.code == "missing_arg" and err.value.arg == "reduction"


# --- logistic regression ---------------------------------------------------------------------


def test_logistic_seed_no_intercept():
    # p = σ(−5) ≈ 0.00669, dL/dw = (p − 1)·(−5) ≈ 4.9665, w = 1 − 0.01·4.9665 ≈ 0.9503
    out = logistic_regression_step(x=[-5], y=[1], w0=1, lr=0.01, reduction="mean")
    p = 1 / (1 + math.exp(5))
    assert out["w"] == pytest.approx(1 - 0.01 * (p - 1) * -5, rel=1e-12)
    assert out["w"] == pytest.approx(0.95033, abs=1e-5)
    assert out["b"] is None


def test_logistic_with_intercept_by_hand():
    x, y, w, b, lr = [1.0, 2.0, -1.0], [1, 0, 1], 0.5, 0.1, 0.5
    for _ in range(3):
        dz = [1 / (1 + math.exp(-(w * xi + b))) - yi for xi, yi in zip(x, y, strict=True)]
        w, b = (
            w - lr * sum(d * xi for d, xi in zip(dz, x, strict=True)),
            b - lr * sum(dz),
        )
    out = logistic_regression_step(x=x, y=y, w0=0.5, b0=0.1, lr=lr, steps=3, reduction="sum")
    assert out == pytest.approx({"w": w, "b": b}, rel=1e-12)
    mean = logistic_regression_step(x=x, y=y, w0=0.5, b0=0.1, lr=lr * 3, reduction="mean")
    once = logistic_regression_step(x=x, y=y, w0=0.5, b0=0.1, lr=lr, reduction="sum")
    assert mean == pytest.approx(once, rel=1e-12)


@pytest.mark.parametrize(
    ("kw", "arg"),
    [
        ({"y": [2]}, "y"),
        ({"y": [1, 0]}, "y"),
        ({"lr": 0}, "lr"),
        ({"steps": 0}, "steps"),
        ({"reduction": "half_sum"}, "reduction"),
        ({"b0": "0"}, "b0"),
    ],
)
def test_logistic_bad_args(kw, arg):
    args = {"x": [-5], "y": [1], "w0": 1, "lr": 0.01, "reduction": "mean", **kw}
    with pytest.raises(EngineError) as err:
        logistic_regression_step(**args)
    assert err.value.arg == arg


# --- clip_grad_norm ------------------------------------------------------------------------


def test_clip_by_total_l2_norm_of_several_tensors():
    # ‖(3, 0, 4)‖ = 5 > 1: every gradient × 1/(5 + 1e-6)
    out = compute("clip_grad_norm", grads=[[3, 0], [4]], max_norm=1)
    coef = 1 / (5 + 1e-6)
    assert out["total_norm"] == 5.0
    assert out["clipped"] == [pytest.approx([3 * coef, 0]), pytest.approx([4 * coef])]
    # the clipped norm is a hair under max_norm because of the 1e-6
    assert math.hypot(*out["clipped"][0], *out["clipped"][1]) == pytest.approx(5 * coef)


def test_norm_below_max_norm_leaves_gradients_unchanged():
    out = clip_grad_norm(grads=[[0.3, -0.4], [[0.1]]], max_norm=1)
    assert out["total_norm"] == pytest.approx(math.sqrt(0.26), rel=1e-15)
    assert out["clipped"] == [[0.3, -0.4], [[0.1]]]


def test_norm_equal_to_max_norm_is_still_scaled_by_the_epsilon():
    out = clip_grad_norm(grads=[[3, 4]], max_norm=5)
    assert out["clipped"][0] == pytest.approx([3 * 5 / (5 + 1e-6), 4 * 5 / (5 + 1e-6)])
    assert out["clipped"][0][0] < 3


def test_zero_gradients():
    out = compute("clip_grad_norm", grads=[[0, 0], [0]], max_norm=0.5)
    assert out == {"total_norm": 0.0, "clipped": [[0.0, 0.0], [0.0]]}


def test_inf_norm_is_the_largest_absolute_value():
    out = compute("clip_grad_norm", grads=[[1, -6], [2]], max_norm=3, norm_type="inf")
    coef = 3 / (6 + 1e-6)
    assert out["total_norm"] == 6.0
    assert out["clipped"] == [pytest.approx([coef, -6 * coef]), pytest.approx([2 * coef])]
    assert clip_grad_norm(grads=[[1, -6]], max_norm=3, norm_type=math.inf) == out | {
        "clipped": out["clipped"][:1]
    }


def test_other_p_norms():
    # p = 1: 1 + 2 + 3 = 6; p = 3: (1 + 8 + 27)^(1/3)
    assert clip_grad_norm(grads=[[1, -2], [3]], max_norm=100, norm_type=1)["total_norm"] == 6
    got = clip_grad_norm(grads=[[1, -2], [3]], max_norm=100, norm_type=3)["total_norm"]
    assert got == pytest.approx(36 ** (1 / 3), rel=1e-14)


def test_shapes_are_kept_and_a_scalar_gradient_is_allowed():
    out = clip_grad_norm(grads=[[[1, 2], [3, 4]], 5], max_norm=1e6)
    assert out["clipped"] == [[[1, 2], [3, 4]], 5]
    assert out["total_norm"] == pytest.approx(math.sqrt(55), rel=1e-15)
    # a flat list is a list of scalar gradients: the same total norm and numbers as one vector
    flat = clip_grad_norm(grads=[3, 4], max_norm=1)
    one = clip_grad_norm(grads=[[3, 4]], max_norm=1)
    assert flat["total_norm"] == one["total_norm"] and flat["clipped"] == one["clipped"][0]


@pytest.mark.parametrize(
    ("kw", "arg", "code"),
    [
        ({"grads": []}, "grads", "bad_arg"),
        ({"grads": "1"}, "grads", "bad_arg"),
        ({"grads": [[1], []]}, "grads[1]", "bad_arg"),
        ({"grads": [[1], ["a"]]}, "grads[1]", "bad_arg"),
        ({"grads": [[1, [2]]]}, "grads[0]", "bad_arg"),
        ({"grads": [[1]] * 10001}, "grads", "too_large"),
        ({"grads": [[0.0] * 600_000, [0.0] * 600_000]}, "grads", "too_large"),
        ({"max_norm": 0}, "max_norm", "bad_arg"),
        ({"max_norm": -1}, "max_norm", "bad_arg"),
        ({"norm_type": 0}, "norm_type", "bad_arg"),
        ({"norm_type": "fro"}, "norm_type", "bad_arg"),
        ({"norm_type": -math.inf}, "norm_type", "bad_arg"),
    ],
)
def test_clip_grad_norm_bad_args(kw, arg, code):
    args = {"grads": [[3, 4]], "max_norm": 1, **kw}
    with pytest.raises(EngineError) as err:
        compute("clip_grad_norm", **args)
    assert (err.value.arg, err.value.code) == (arg, code)
