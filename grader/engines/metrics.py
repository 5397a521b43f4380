"""Quality metrics of a classifier computed from its scores.

Convention: ``roc_auc`` is the area under the ROC curve of ``sklearn.metrics.roc_auc_score`` for
binary labels 0/1, i.e. the probability that a randomly drawn positive gets a higher score than a
randomly drawn negative, a tie counting ½ (the Mann–Whitney U statistic divided by
n₊·n₋). Only the order of the scores matters, so scores may be probabilities, logits or ranks.
The count of winning pairs is kept as an exact integer, so the answer is the correctly rounded
fraction. Labels of one class only leave the area undefined: an error, as in scikit-learn.
"""

from __future__ import annotations

import numpy as np

from grader.engines._args import as_vector, fail
from grader.engines.registry import engine
from grader.i18n import _

__all__ = ["roc_auc"]


@engine("roc_auc")
def roc_auc(*, scores, labels) -> float:
    """Area under the ROC curve: P(a random positive outscores a random negative), ties ½.

    ``scores`` are the classifier's outputs (higher means "more likely 1"), ``labels`` the true
    classes 0/1 of the same objects; both classes must occur. Equals
    ``sklearn.metrics.roc_auc_score(labels, scores)``.

    >>> roc_auc(scores=[0.1, 0.4, 0.35, 0.8], labels=[0, 0, 1, 1])
    0.75
    >>> roc_auc(scores=[0.5, 0.5, 0.2], labels=[1, 0, 0])
    0.75
    """
    s = as_vector("scores", scores, mismatch=_no_vector)
    y = as_vector(
        "labels",
        labels,
        s.size,
        mismatch=lambda got: (
            _("длина labels (%(got)s) не совпадает с длиной scores (%(size)s)")
            % {"got": got, "size": s.size}
        ),
    )
    if not np.all((y == 0) | (y == 1)):
        fail("labels", _("метки должны быть 0 или 1"))
    positives, negatives = s[y == 1], np.sort(s[y == 0])
    if positives.size == 0 or negatives.size == 0:
        fail(
            "labels",
            _("среди меток только класс %(label)s: площадь под ROC-кривой не определена")
            % {"label": 0 if positives.size == 0 else 1},
            code="single_class",
        )
    below = np.searchsorted(negatives, positives, side="left")
    not_above = np.searchsorted(negatives, positives, side="right")
    # 2·U: a pair won counts 2, a tie 1; exact integers, one rounding in the division
    twice_u = int(below.sum()) + int(not_above.sum())
    return twice_u / (2 * positives.size * negatives.size)


def _no_vector(got: str) -> str:
    return _("ожидался непустой вектор оценок, получена форма %(got)s") % {"got": got}
