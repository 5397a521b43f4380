"""Helpers for tests of the bundled banks."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from question_bank.formats.common import split_question

BANKS_DIR = Path(__file__).resolve().parents[2] / "question_bank" / "banks"


@cache
def load(name: str) -> dict:
    """The parsed bank file ``question_bank/banks/<name>.yaml``."""
    return yaml.safe_load((BANKS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def spec_of(name: str, slug: str) -> dict:
    for entry in load(name)["questions"]:
        if entry["slug"] == slug:
            return split_question(entry)[1]
    raise KeyError(f"{name}: no question {slug}")


def graders(name: str):
    """``grade(slug, raw, seed=None)`` and ``mistake_id(slug, raw)`` bound to one bank file."""
    import grader

    def grade(slug: str, raw: str, seed=None):
        return grader.grade(spec_of(name, slug), seed, raw)

    def mistake_id(slug: str, raw: str):
        result = grade(slug, raw)
        assert not result.correct, f"{slug}: {raw!r} was accepted"
        return (result.mistake or {}).get("id")

    return grade, mistake_id
