"""roc_auc against sklearn.metrics.roc_auc_score.

Random scores (continuous, and small integers so that positives and negatives tie often) and
labels of both classes; the engine's exact pair count must agree with scikit-learn's trapezoids.
"""

import numpy as np
import pytest

from grader.engines.registry import compute
from grader.errors import EngineError

metrics = pytest.importorskip("sklearn.metrics")
UndefinedMetricWarning = pytest.importorskip("sklearn.exceptions").UndefinedMetricWarning

N_VARIANTS = 3000


def test_random_scores():
    rng = np.random.default_rng(101)
    for _ in range(N_VARIANTS):
        n = int(rng.integers(2, 60))
        labels = rng.integers(0, 2, n)
        negative, positive = rng.choice(n, 2, replace=False)
        labels[negative], labels[positive] = 0, 1  # both classes present
        kind = rng.random()
        if kind < 0.4:
            scores = rng.integers(0, int(rng.integers(1, 6)), n).astype(float)  # many ties
        elif kind < 0.8:
            scores = rng.random(n)
        else:
            scores = rng.normal(0, 100, n)
        got = compute("roc_auc", scores=scores.tolist(), labels=labels.tolist())
        want = metrics.roc_auc_score(labels, scores)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15, err_msg=f"{scores} {labels}")


def test_ties_and_all_equal_scores():
    for scores, labels in (
        ([0.5, 0.5, 0.2], [1, 0, 0]),
        ([0.3] * 6, [1, 0, 1, 0, 0, 1]),
        ([1, 1, 2, 2], [0, 1, 0, 1]),
    ):
        got = compute("roc_auc", scores=scores, labels=labels)
        assert got == pytest.approx(metrics.roc_auc_score(labels, scores), rel=1e-15)
    assert compute("roc_auc", scores=[0.3] * 6, labels=[1, 0, 1, 0, 0, 1]) == 0.5


def test_a_single_class_is_refused_where_scikit_learn_has_no_number():
    """Older scikit-learn raised ValueError here; 1.9 warns and returns NaN."""
    for labels in ([1, 1, 1], [0, 0, 0]):
        try:
            with pytest.warns(UndefinedMetricWarning):
                assert np.isnan(metrics.roc_auc_score(labels, [0.1, 0.2, 0.3]))
        except ValueError:
            pass
        with pytest.raises(EngineError) as err:
            compute("roc_auc", scores=[0.1, 0.2, 0.3], labels=labels)
        assert (err.value.code, err.value.arg) == ("single_class", "labels")


def test_large_inputs_stay_exact():
    rng = np.random.default_rng(102)
    scores = rng.integers(0, 50, 20000).astype(float)
    labels = rng.integers(0, 2, 20000)
    got = compute("roc_auc", scores=scores.tolist(), labels=labels.tolist())
    np.testing.assert_allclose(got, metrics.roc_auc_score(labels, scores), rtol=1e-12)
