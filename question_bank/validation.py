"""Checks of a bank beyond its schema: many variants of every template (``check_bank_variants``)
and questions that repeat one another, in one bank or across several (``check_near_duplicates``).

What is checked for each question is in grader/checks.py; it runs in the grader's bounded child
processes, one question at a time, so a hostile bank file costs at most its budget.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import gettext

import grader
from question_bank.duplicates import near_duplicates
from question_bank.formats.common import ImportResult, Problem, split_question

__all__ = ["check_bank_variants", "check_near_duplicates", "DEFAULT_VARIANTS"]

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


def check_near_duplicates(
    banks: Iterable[tuple[str, ImportResult]], *, others: Iterable[tuple[str, str, dict]] = ()
) -> list[Problem]:
    """Warnings for questions that ask what another one asks (question_bank.duplicates).

    ``banks``: (file name, parsed bank) pairs, compared within and across; ``others``: stored
    ``(bank slug, question slug, spec)`` of other banks to compare them with (not with each
    other). Each pair is reported once, at the question of the files that comes later.
    """
    entries, where = [], {}
    for filename, result in banks:
        bank = result.bank["bank"]["slug"]
        for index, entry in enumerate(result.bank["questions"]):
            meta, spec = split_question(entry)
            entries.append((bank, meta["slug"], spec))
            line, column = result.positions.get(("questions", index), (None, None))
            where[(bank, meta["slug"])] = (filename, line, column)
    files = {bank for bank, _slug, _spec in entries}
    stored = [(bank, slug, spec) for bank, slug, spec in others if bank not in files]
    problems = []
    for pair in near_duplicates(entries + stored):
        if pair.first not in where and pair.second not in where:
            continue  # two stored questions: not this check's business
        here, there = (
            (pair.second, pair.first) if pair.second in where else (pair.first, pair.second)
        )
        filename, line, column = where[here]
        message = gettext(
            "%(slug)s: почти повторяет вопрос «%(other)s» банка «%(bank)s» (сходство %(ratio)s); "
            "оставьте один из них"
        ) % {"slug": here[1], "other": there[1], "bank": there[0], "ratio": f"{pair.ratio:.2f}"}
        problems.append(Problem(filename, line, column, message, "near_duplicate", "warning"))
    return problems
