"""Knowledge with its uncertainty, and question difficulty from everybody's answers (issue 17,
point 5). Plain NumPy; the database side is in practice.adaptive.

* **Difficulty** (a Rasch model, the one-parameter logistic model of item response theory):
  P(right) = σ(θ_student − b_question), fitted to all students' graded answers (partial credit
  counts as that share of a right answer) by Newton steps on the log-likelihood with a N(0, 1)
  prior on every θ and b (a question answered by few students stays near 0, «average»).
* **Knowledge of a topic** (Elo with uncertainty — Bayesian updating of a Gaussian belief):
  θ ~ N(μ, σ²), prior N(0, 1). After an answer x to a question of difficulty b, with
  p = σ((μ − b)/√(1 + πσ²/8)) (the probit approximation of the expected success), the belief
  is updated by one Laplace step: σ² ← 1/(1/σ² + p(1 − p)), μ ← μ + σ²·(x − p). Between answers
  the belief widens by ``DRIFT`` per day (knowledge changes: forgetting, learning elsewhere).
  Every answer narrows the range; time widens it again.
* **The range shown** is the chance to solve a question of the topic's typical difficulty:
  σ(μ − b̄) with σ(μ ± 1.645σ − b̄) at 90 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["DRIFT", "Belief", "fit_rasch", "update", "success"]

PRIOR_VAR = 1.0
DRIFT = 0.01  # variance added per day
Z90 = 1.6448536269514722


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True)
class Belief:
    mean: float = 0.0
    var: float = PRIOR_VAR
    answers: int = 0

    @property
    def sd(self) -> float:
        return math.sqrt(self.var)

    def chance(self, difficulty: float = 0.0) -> tuple[float, float, float]:
        """(low, estimate, high): the chance to solve a question of this difficulty, at 90 %."""
        f = lambda z: float(_sigmoid(z - difficulty))  # noqa: E731
        return f(self.mean - Z90 * self.sd), success(self, difficulty), f(self.mean + Z90 * self.sd)


def success(belief: Belief, difficulty: float) -> float:
    """The expected chance of a right answer, the uncertainty of θ included."""
    scale = math.sqrt(1 + math.pi * belief.var / 8)
    return float(_sigmoid((belief.mean - difficulty) / scale))


def update(belief: Belief, score: float, difficulty: float, days: float = 0.0) -> Belief:
    """The belief after an answer scored ``score`` (0…1), ``days`` after the previous one."""
    var = belief.var + DRIFT * max(days, 0.0)
    p = success(Belief(belief.mean, var), difficulty)
    var = 1.0 / (1.0 / var + p * (1 - p))
    return Belief(belief.mean + var * (score - p), var, belief.answers + 1)


def fit_rasch(
    students: np.ndarray, questions: np.ndarray, scores: np.ndarray, *, iterations: int = 60
) -> tuple[np.ndarray, np.ndarray]:
    """Abilities θ (per student index) and difficulties b (per question index) of the answers
    ``(students[i], questions[i], scores[i])``; indices run from 0."""
    n_students = int(students.max()) + 1 if students.size else 0
    n_questions = int(questions.max()) + 1 if questions.size else 0
    theta, b = np.zeros(n_students), np.zeros(n_questions)
    for _ in range(iterations):
        p = _sigmoid(theta[students] - b[questions])
        residual, weight = scores - p, p * (1 - p)
        theta += (np.bincount(students, residual, n_students) - theta) / (
            np.bincount(students, weight, n_students) + 1 / PRIOR_VAR
        )
        p = _sigmoid(theta[students] - b[questions])
        residual, weight = scores - p, p * (1 - p)
        b += (-np.bincount(questions, residual, n_questions) - b) / (
            np.bincount(questions, weight, n_questions) + 1 / PRIOR_VAR
        )
    return theta, b
