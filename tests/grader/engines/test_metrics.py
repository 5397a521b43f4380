"""Unit tests of roc_auc: pair counts by hand, ties, refused arguments.

Agreement with sklearn.metrics.roc_auc_score: tests/reference/test_metrics_reference.py.
"""

import pytest

from grader.engines.metrics import roc_auc
from grader.engines.registry import compute
from grader.errors import EngineError


def test_pairs_counted_by_hand():
    # positives 0.35, 0.8; negatives 0.1, 0.4: pairs won 0.35>0.1, 0.8>0.1, 0.8>0.4 → 3 of 4
    assert compute("roc_auc", scores=[0.1, 0.4, 0.35, 0.8], labels=[0, 0, 1, 1]) == 0.75


def test_perfect_and_reversed_rankings():
    assert roc_auc(scores=[1, 2, 3, 4], labels=[0, 0, 1, 1]) == 1.0
    assert roc_auc(scores=[1, 2, 3, 4], labels=[1, 1, 0, 0]) == 0.0


def test_a_tie_between_a_positive_and_a_negative_counts_half():
    # pairs: (0.5 vs 0.5) tie → ½, (0.5 vs 0.2) won → 1; (1.5)/2
    assert roc_auc(scores=[0.5, 0.5, 0.2], labels=[1, 0, 0]) == 0.75


def test_all_scores_equal_give_one_half():
    assert roc_auc(scores=[0.3] * 5, labels=[1, 0, 1, 0, 0]) == 0.5


def test_ties_among_positives_do_not_matter():
    # both positives beat the only negative: ties inside a class are not pairs
    assert roc_auc(scores=[0.9, 0.9, 0.1], labels=[1, 1, 0]) == 1.0


def test_only_the_order_of_scores_matters():
    a = roc_auc(scores=[0.2, 0.7, 0.4, 0.9, 0.1], labels=[0, 1, 0, 1, 1])
    b = roc_auc(scores=[-3, 8, 0, 100, -50], labels=[0, 1, 0, 1, 1])
    assert a == b == pytest.approx(4 / 6)


def test_exact_fraction():
    # the positive beats 1 of 3 negatives: the answer is the float nearest 1/3
    assert roc_auc(scores=[2, 1, 3, 4], labels=[1, 0, 0, 0]) == 1 / 3


def test_float_labels_are_accepted():
    assert roc_auc(scores=[1, 2], labels=[0.0, 1.0]) == 1.0


@pytest.mark.parametrize(
    ("args", "arg", "code"),
    [
        ({"scores": [0.1, 0.2], "labels": [1, 1]}, "labels", "single_class"),
        ({"scores": [0.1], "labels": [0]}, "labels", "single_class"),
        ({"scores": [0.1, 0.2], "labels": [0, 2]}, "labels", "bad_arg"),
        ({"scores": [0.1, 0.2], "labels": [0, 0.5]}, "labels", "bad_arg"),
        ({"scores": [0.1, 0.2], "labels": [0, 1, 1]}, "labels", "bad_arg"),
        ({"scores": [], "labels": []}, "scores", "bad_arg"),
        ({"scores": [[0.1, 0.2]], "labels": [0, 1]}, "scores", "bad_arg"),
        ({"scores": [0.1, "x"], "labels": [0, 1]}, "scores", "bad_arg"),
        ({"scores": [0.1, 0.2], "labels": [False, True]}, "labels", "bad_arg"),
    ],
)
def test_bad_args(args, arg, code):
    with pytest.raises(EngineError) as err:
        compute("roc_auc", **args)
    assert (err.value.arg, err.value.code) == (arg, code)


def test_single_class_message_says_why():
    with pytest.raises(EngineError) as err:
        roc_auc(scores=[0.1, 0.2], labels=[0, 0])
    assert "только класс 0" in err.value.message and "ROC" in err.value.message
