"""Mastery of a topic: an estimate of the share of right answers, with its uncertainty.

One right answer out of one is not «100 %»: it says almost nothing. The evidence is the newest
graded answers of the topic (``MASTERY_WINDOW``), each older one weighing ``MASTERY_DECAY`` times
the next (mastery follows recent work); partial credit counts as that share of a right answer.
With weights ``w`` and scores ``x`` in [0, 1] the evidence is ``s = Σ w·x`` right and
``f = Σ w·(1 − x)`` wrong out of ``n = s + f`` effective answers.

- The estimate is the posterior mean under a uniform prior Beta(1, 1) (Laplace's rule of
  succession): ``(s + 1) / (n + 2)``. The uniform prior claims nothing about the student; a prior
  centred on the student's overall rate would move a topic's figure whenever other topics are
  practised, and a topic's figure should say what its own answers show.
- The range is the Wilson score interval at ``CREDIBILITY`` (90 %). Its centre is the posterior
  mean under the prior Beta(z²/2, z²/2) (z²/2 ≈ 1.35, nearly the uniform one), and unlike the
  normal approximation it stays inside [0, 1] and keeps its coverage at small ``n`` and at 0 %
  and 100 %. It needs only the standard library (SciPy, with an exact Beta quantile, is not a
  dependency; mpmath's incomplete beta is ~1 ms a call, too slow for an index of topics).
- Fewer than ``MIN_ANSWERS`` answers are «мало данных»: no figure is shown for them.

>>> m = mastery_of([1.0], decay=1.0)
>>> (m.enough, m.percent, m.low_percent, m.high_percent)
(False, 67, 26, 100)
>>> m = mastery_of([1.0] * 45 + [0.0] * 5, decay=1.0)
>>> (m.enough, m.percent, m.low_percent, m.high_percent)
(True, 88, 80, 96)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

__all__ = ["CREDIBILITY", "MIN_ANSWERS", "Mastery", "mastery_of", "weakest_first"]

MIN_ANSWERS = 5  # below: «мало данных»
CREDIBILITY = 0.90
_Z = NormalDist().inv_cdf(0.5 + CREDIBILITY / 2)


@dataclass(frozen=True)
class Mastery:
    answers: int  # graded answers counted (the newest of the window)
    share: float | None  # the estimate (posterior mean); None without answers
    low: float | None  # the range at CREDIBILITY
    high: float | None

    @property
    def enough(self) -> bool:
        """Enough answers to show a figure (otherwise «мало данных»)."""
        return self.answers >= MIN_ANSWERS

    @property
    def min_answers(self) -> int:
        return MIN_ANSWERS

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(100 * self.share)

    @property
    def low_percent(self) -> int | None:
        return None if self.low is None else math.floor(100 * self.low)

    @property
    def high_percent(self) -> int | None:
        return None if self.high is None else math.ceil(100 * self.high)


NO_ANSWERS = Mastery(answers=0, share=None, low=None, high=None)


def mastery_of(scores: Sequence[float], *, decay: float) -> Mastery:
    """The mastery shown for ``scores`` (newest first, each in [0, 1]); see the module doc."""
    if not scores:
        return NO_ANSWERS
    weights = [decay**k for k in range(len(scores))]
    n = sum(weights)
    right = sum(w * min(max(x, 0.0), 1.0) for w, x in zip(weights, scores, strict=True))
    low, high = _wilson(right, n)
    return Mastery(answers=len(scores), share=(right + 1) / (n + 2), low=low, high=high)


def _wilson(right: float, n: float) -> tuple[float, float]:
    p, z2 = right / n, _Z * _Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = _Z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def weakest_first(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Rows ``{"mastery": Mastery, …}`` split into the rated ones, weakest first, and those with
    too little data (most answers first).

    The rated ones are ranked by the upper end of the range: a topic comes first when even the
    most favourable reading of its answers is low. A short unlucky run (2 of 5) may hide a
    mastered topic and is not put above a long poor record (18 of 40); a record too short to
    rate (1 of 1) is not ranked at all, neither as strong nor as weak, but listed apart.
    Ties: the lower estimate first.
    """
    rated = [r for r in rows if r["mastery"].enough]
    rated.sort(key=lambda r: (r["mastery"].high, r["mastery"].share))
    scarce = [r for r in rows if 0 < r["mastery"].answers < MIN_ANSWERS]
    scarce.sort(key=lambda r: -r["mastery"].answers)
    return rated, scarce
