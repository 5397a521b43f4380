"""Shared pieces of the answer kinds."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Outcome", "SelfTest", "moodle_score"]


@dataclass(frozen=True)
class Outcome:
    score: float
    parts: list = field(default_factory=list)  # per component: True/False (vectors, options)
    message: str = ""  # e.g. a shape mismatch, in Russian
    # The author's feedback on the answer that matched (a Moodle answer's own feedback).
    feedback: str = ""
    # Whether ``parts`` says how the partial credit was earnt («2 из 3»); an answer worth a
    # fraction as a whole (Moodle's graded options and alternatives) says its share instead.
    partial_by_parts: bool = True

    @property
    def correct(self) -> bool:
        return self.score >= 1.0


def moodle_score(fraction: float) -> float:
    """A grade as Moodle's ``question_state::graded_state_for_fraction`` reads it: above
    0.999999 is right (three options at 33.33333 % make 100 %), clamped to [0, 1].

    >>> moodle_score(3 * 0.3333333), moodle_score(-0.5), moodle_score(0.5)
    (1.0, 0.0, 0.5)
    """
    if fraction > 0.999999:
        return 1.0
    return max(0.0, float(fraction))


@dataclass(frozen=True)
class SelfTest:
    correct: str
    wrong: str
    invalid: str | None
