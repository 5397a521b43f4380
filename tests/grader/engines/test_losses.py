"""Unit tests of softmax, cross_entropy, softmax_cross_entropy and binary_logloss (torch
cross-checks: tests/reference)."""

import math

import pytest

from grader.engines.losses import binary_logloss, cross_entropy, softmax, softmax_cross_entropy
from grader.engines.registry import compute
from grader.errors import EngineError


def manual_softmax(z, t=1.0):
    e = [math.exp(v / t) for v in z]
    return [v / sum(e) for v in e]


# --- softmax ---------------------------------------------------------------------------------


def test_softmax_seed_logits():
    # seed: logits [1, −2, 0] and [0.5, −1, 0]
    assert softmax(z=[1, -2, 0]) == pytest.approx(
        [0.7053845126982412, 0.03511902695933973, 0.25949646034241913], rel=1e-12
    )
    assert softmax(z=[0.5, -1, 0]) == pytest.approx(
        [0.5465493872661796, 0.12195165230972885, 0.3314989604240915], rel=1e-12
    )
    assert softmax(z=[1, -2, 0]) == pytest.approx(manual_softmax([1, -2, 0]), rel=1e-12)


def test_softmax_temperature_divides_logits():
    # [1, −2, 0] at T = 2 is [0.5, −1, 0] at T = 1
    assert softmax(z=[1, -2, 0], temperature=2) == pytest.approx(softmax(z=[0.5, -1, 0]))
    assert softmax(z=[3, 1], temperature=0.5) == pytest.approx(manual_softmax([3, 1], 0.5))


def test_softmax_is_stable_for_large_logits_and_fair_on_ties():
    assert softmax(z=[1000, 999, 1000]) == pytest.approx(
        [1 / (2 + math.exp(-1)), math.exp(-1) / (2 + math.exp(-1)), 1 / (2 + math.exp(-1))]
    )
    assert softmax(z=[-1000, -1000]) == [0.5, 0.5]
    assert softmax(z=[7]) == [1.0]


def test_softmax_rows_of_a_matrix():
    out = softmax(z=[[1, -2, 0], [0, 0, 0]])
    assert out[0] == pytest.approx(softmax(z=[1, -2, 0]))
    assert out[1] == pytest.approx([1 / 3] * 3)


def test_softmax_tiny_temperature_approaches_argmax():
    assert compute("softmax", z=[1, 2, 0], temperature=1e-3) == [0.0, 1.0, 0.0]


@pytest.mark.parametrize(
    ("args", "arg"),
    [
        ({"z": []}, "z"),
        ({"z": 3}, "z"),
        ({"z": [1, 2], "temperature": 0}, "temperature"),
        ({"z": [1, 2], "temperature": -1}, "temperature"),
        ({"z": [1, 2], "temperature": 1e-320}, "temperature"),
        ({"z": ["a"]}, "z"),
    ],
)
def test_softmax_bad_args(args, arg):
    with pytest.raises(EngineError) as err:
        softmax(**args)
    assert err.value.arg == arg


# --- cross_entropy ---------------------------------------------------------------------------


def test_cross_entropy_is_mean_negative_log_softmax():
    expected = (
        -math.log(manual_softmax([1, -2, 0])[0]) - math.log(manual_softmax([0.5, -1, 0])[2])
    ) / 2
    assert cross_entropy(logits=[[1, -2, 0], [0.5, -1, 0]], targets=[0, 2]) == pytest.approx(
        expected, rel=1e-12
    )
    assert expected == pytest.approx(0.7265714110524574, rel=1e-12)


def test_cross_entropy_single_sample_forms():
    one = cross_entropy(logits=[[2, 1, 0.1]], targets=[0])
    assert one == pytest.approx(-math.log(manual_softmax([2, 1, 0.1])[0]), rel=1e-12)
    assert cross_entropy(logits=[2, 1, 0.1], targets=0) == one
    assert cross_entropy(logits=[2, 1, 0.1], targets=[0]) == one


def test_cross_entropy_large_logits_do_not_overflow():
    assert cross_entropy(logits=[[1000, 0]], targets=[1]) == pytest.approx(1000.0, rel=1e-12)
    assert cross_entropy(logits=[[1000, 0]], targets=[0]) == 0.0
    assert cross_entropy(logits=[[5, 5, 5, 5]], targets=[2]) == pytest.approx(math.log(4))


@pytest.mark.parametrize(
    ("args", "arg"),
    [
        ({"logits": [[1, 2]], "targets": [2]}, "targets[0]"),
        ({"logits": [[1, 2], [0, 0]], "targets": [0, -1]}, "targets[1]"),
        ({"logits": [[1, 2], [0, 0]], "targets": [0]}, "targets"),
        ({"logits": [[1, 2]], "targets": [0.5]}, "targets[0]"),
        ({"logits": [[1, 2]], "targets": 0}, "targets"),
        ({"logits": [[[1]]], "targets": [0]}, "logits"),
        ({"logits": [[]], "targets": [0]}, "logits"),
        ({"logits": [1, 2], "targets": 2}, "targets[0]"),
    ],
)
def test_cross_entropy_bad_args(args, arg):
    with pytest.raises(EngineError) as err:
        cross_entropy(**args)
    assert err.value.code == "bad_arg"
    assert err.value.arg == arg


def test_cross_entropy_shape_message_names_both_sizes():
    with pytest.raises(EngineError) as err:
        cross_entropy(logits=[[1, 2], [0, 0]], targets=[0])
    assert "1" in err.value.message and "2×2" in err.value.message


# --- binary_logloss --------------------------------------------------------------------------


def test_binary_logloss_mean():
    expected = -(math.log(0.8) + math.log(0.7) + math.log(0.6)) / 3
    assert binary_logloss(y=[1, 0, 1], p=[0.8, 0.3, 0.6]) == pytest.approx(expected, rel=1e-12)


def test_binary_logloss_soft_labels():
    expected = -(0.3 * math.log(0.6) + 0.7 * math.log(0.4))
    assert binary_logloss(y=[0.3], p=[0.6]) == pytest.approx(expected, rel=1e-12)


def test_binary_logloss_clamps_logs_at_minus_100_like_torch():
    assert binary_logloss(y=[1], p=[0]) == 100.0
    assert binary_logloss(y=[0], p=[1]) == 100.0
    assert binary_logloss(y=[1, 0], p=[1, 0]) == 0.0
    assert binary_logloss(y=[1], p=[1e-50]) == 100.0  # log(1e-50) ≈ −115 is clamped too
    assert binary_logloss(y=[0.5], p=[0]) == 50.0


def test_binary_logloss_uses_log1p_for_tiny_p():
    # −log(1 − 1e-12) computed naively is off by 1e-4 relative; torch uses log1p
    assert binary_logloss(y=[0], p=[1e-12]) == pytest.approx(1.0000000000005e-12, rel=1e-13)


@pytest.mark.parametrize(
    ("args", "arg"),
    [
        ({"y": [1, 0], "p": [0.5]}, "p"),
        ({"y": [1], "p": [1.2]}, "p"),
        ({"y": [1], "p": [-0.1]}, "p"),
        ({"y": [2], "p": [0.5]}, "y"),
        ({"y": [], "p": []}, "y"),
    ],
)
def test_binary_logloss_bad_args(args, arg):
    with pytest.raises(EngineError) as err:
        binary_logloss(**args)
    assert err.value.arg == arg


def test_binary_logloss_shape_message_names_both_shapes():
    with pytest.raises(EngineError) as err:
        binary_logloss(y=[1, 0], p=[0.5])
    assert "(1)" in err.value.message and "(2)" in err.value.message


# --- softmax_cross_entropy -------------------------------------------------------------------


def test_softmax_cross_entropy_without_smoothing_matches_cross_entropy():
    logits, targets = [[2, 1, 0.1], [0, 3, -1]], [0, 2]
    r = compute("softmax_cross_entropy", logits=logits, target=targets)
    assert r["loss"] == pytest.approx(cross_entropy(logits=logits, targets=targets), rel=1e-14)
    p0, p1 = manual_softmax(logits[0]), manual_softmax(logits[1])
    # mean over N = 2: (softmax − onehot)/2
    assert r["grad"][0] == pytest.approx([(p0[0] - 1) / 2, p0[1] / 2, p0[2] / 2], rel=1e-13)
    assert r["grad"][1] == pytest.approx([p1[0] / 2, p1[1] / 2, (p1[2] - 1) / 2], rel=1e-13)


def test_softmax_cross_entropy_label_smoothing_by_hand():
    # C = 4, ε = 0.2: target distribution 0.05 everywhere, 0.85 on class 1
    z = [1, 2, 0, -1]
    p = manual_softmax(z)
    q = [0.05, 0.85, 0.05, 0.05]
    r = softmax_cross_entropy(logits=z, target=1, label_smoothing=0.2)
    loss = -sum(qc * math.log(pc) for qc, pc in zip(q, p, strict=True))
    assert r["loss"] == pytest.approx(loss, rel=1e-13)
    assert r["grad"] == pytest.approx([pc - qc for pc, qc in zip(p, q, strict=True)], rel=1e-12)
    full = softmax_cross_entropy(logits=[0, 0, 0], target=2, label_smoothing=1)
    assert full["loss"] == pytest.approx(math.log(3)) and full["grad"] == pytest.approx([0] * 3)


def test_softmax_cross_entropy_sum_is_n_times_mean():
    logits, targets = [[1, 0], [0, 1], [2, 2]], [0, 0, 1]
    mean = softmax_cross_entropy(logits=logits, target=targets, label_smoothing=0.1)
    total = softmax_cross_entropy(
        logits=logits, target=targets, label_smoothing=0.1, reduction="sum"
    )
    assert total["loss"] == pytest.approx(3 * mean["loss"], rel=1e-14)
    for row_sum, row_mean in zip(total["grad"], mean["grad"], strict=True):
        assert row_sum == pytest.approx([3 * g for g in row_mean], rel=1e-14)
        assert sum(row_sum) == pytest.approx(0, abs=1e-15)  # softmax and q both sum to 1


def test_softmax_cross_entropy_vector_gives_vector_grad_and_large_logits():
    r = softmax_cross_entropy(logits=[1000, 0], target=0)
    assert r["loss"] == 0.0 and r["grad"] == [0.0, 0.0]
    one_row = softmax_cross_entropy(logits=[[1000, 0]], target=[1])
    assert one_row["loss"] == 1000.0 and one_row["grad"] == [[1.0, -1.0]]


@pytest.mark.parametrize(
    ("args", "arg"),
    [
        ({"logits": [[1, 2]], "target": [2]}, "target[0]"),
        ({"logits": [[1, 2]], "target": 0}, "target"),
        ({"logits": [[1, 2], [0, 0]], "target": [0]}, "target"),
        ({"logits": [1, 2], "target": -1}, "target"),
        ({"logits": [1, 2], "target": True}, "target"),
        ({"logits": [[[1]]], "target": [0]}, "logits"),
        ({"logits": [], "target": 0}, "logits"),
        ({"logits": [1, 2], "target": 0, "label_smoothing": 1.5}, "label_smoothing"),
        ({"logits": [1, 2], "target": 0, "label_smoothing": -0.1}, "label_smoothing"),
        ({"logits": [1, 2], "target": 0, "reduction": "none"}, "reduction"),
    ],
)
def test_softmax_cross_entropy_bad_args(args, arg):
    with pytest.raises(EngineError) as err:
        compute("softmax_cross_entropy", **args)
    assert err.value.arg == arg and err.value.code == "bad_arg"
