"""Checks of a bank beyond its schema: many variants of every template (``check_bank_variants``),
short-text answers another answer of the same question already covers (a warning), and
questions that repeat one another, in one bank or across several (``check_near_duplicates``).

What is checked for each question is in grader/checks.py; it runs in the grader's bounded child
processes, one question at a time, so a hostile bank file costs at most its budget.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import gettext

import grader
from grader.errors import SpecError
from grader.kinds.short_text import redundant_pairs
from question_bank.duplicates import near_duplicates
from question_bank.formats.common import ImportResult, Problem, QuestionRef, split_question
from question_bank.formats.yaml_positions import KEY

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

        def report(
            message: str,
            code: str,
            _slug=meta.get("slug"),
            _index=index,
            _spec=spec,
            _at=(line, column),
        ):
            path = _place(_spec, code, message)
            at = _at
            for end in range(len(path), 0, -1):  # the nearest node the file has a place for
                if ("questions", _index, *path[:end]) in result.positions:
                    at = result.positions[("questions", _index, *path[:end])]
                    break
            ref = QuestionRef(
                name=_slug or "", type=_spec.get("kind", ""), line=_at[0], index=_index,
                slug=_slug or "",
            )  # fmt: skip
            problems.append(Problem(filename, *at, f"{_slug}: {message}", code, question=ref))

        # In the grader's bounded child process (grader/checks.py): a question whose checks
        # cost more than their budget is reported as too costly, and this process goes on.
        for message, code in grader.check_question(spec, variants if spec.get("params") else 1):
            report(message, code)
        if spec.get("kind") == "short_text":
            problems.extend(_redundant_answers(spec, filename, meta.get("slug"), line, column))
        if progress is not None:
            progress(index + 1, len(questions))
    return problems


CONSTRAINT_CODES = frozenset(
    {
        "default_violates_constraint",
        "constraints_unsatisfiable",
        "constraints_reject_often",
        "bad_constraint",
    }
)


def _place(spec: dict, code: str, message: str) -> tuple:
    """Where in the question a variant problem is to be fixed (a path below the question).

    A constraint problem belongs at the constraint it names («…» in the message), or at
    ``constraints:`` when it names none (rejecting too often is the sum of them all); every
    other problem at the question.
    """
    if code not in CONSTRAINT_CODES or not spec.get("constraints"):
        return ()
    for j, text in enumerate(spec["constraints"]):
        if f"«{text}»" in message:
            return ("constraints", j)
    return ("constraints", KEY)


def _redundant_answers(spec: dict, filename: str, slug, line, column) -> list[Problem]:
    """A warning per accepted answer that the normaliser makes equal to an earlier one.

    Pure string work on at most a few hundred characters per answer (no dictionary, no
    evaluation), so it runs here rather than in the grader's child process.
    """
    try:
        pairs = redundant_pairs(spec)
    except SpecError:
        return []  # the grader's checks report a broken answer list
    message = gettext(
        "%(slug)s: принимаемый ответ «%(redundant)s» лишний: его и так засчитывает ответ "
        "«%(kept)s» (сравнение не различает регистр, ё, дефисы, кавычки, скобки, похожие "
        "буквы и формы слова)"
    )
    return [
        Problem(
            filename,
            line,
            column,
            message % {"slug": slug, "redundant": redundant, "kept": kept},
            "short_text_redundant",
            "warning",
        )
        for kept, redundant in pairs
    ]


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
