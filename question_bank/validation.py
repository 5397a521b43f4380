"""Checks of a bank beyond its schema: many variants of every template (``check_bank_variants``).

What is checked for each question is in grader/checks.py; it runs in the grader's bounded child
processes, one question at a time, so a hostile bank file costs at most its budget.
"""

from __future__ import annotations

from collections.abc import Callable

import grader
from question_bank.formats.common import ImportResult, Problem, split_question

__all__ = ["check_bank_variants", "DEFAULT_VARIANTS"]

DEFAULT_VARIANTS = 200


def check_bank_variants(
    result: ImportResult,
    filename: str,
    *,
    variants: int = DEFAULT_VARIANTS,
    progress: Callable[[int, int], None] | None = None,
    only: set[int] | None = None,
) -> list[Problem]:
    """Problems found by drawing variants of every question (or those in ``only``) of a bank."""
    questions = result.bank["questions"]
    problems: list[Problem] = []
    for index, entry in enumerate(questions):
        if only is not None and index not in only:
            continue
        meta, spec = split_question(entry)
        line, column = result.positions.get(("questions", index), (None, None))

        def report(message: str, code: str, _slug=meta.get("slug"), _line=line, _col=column):
            problems.append(Problem(filename, _line, _col, f"{_slug}: {message}", code))

        # In the grader's bounded child process (grader/checks.py): a question whose checks
        # cost more than their budget is reported as too costly, and this process goes on.
        for message, code in grader.check_question(spec, variants if spec.get("params") else 1):
            report(message, code)
        if progress is not None:
            progress(index + 1, len(questions))
    return problems
