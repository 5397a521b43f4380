"""Shared pieces of the answer kinds."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Outcome", "SelfTest"]


@dataclass(frozen=True)
class Outcome:
    score: float
    parts: list = field(default_factory=list)  # per component: True/False (vectors, options)
    message: str = ""  # e.g. a shape mismatch, in Russian

    @property
    def correct(self) -> bool:
        return self.score >= 1.0


@dataclass(frozen=True)
class SelfTest:
    correct: str
    wrong: str
    invalid: str | None
