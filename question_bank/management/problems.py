"""How the bank commands print a file's problems: one wording for ``validate_bank`` and
``import_bank``, so a refused import says why as the check does (the questions left out, their
types and lines, are in the problems and in the «нет вопросов» error itself)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from question_bank.formats.common import Problem, count_skipped

__all__ = ["write_problems", "count_skipped"]


def write_problems(write: Callable[[str], object], problems: Iterable[Problem]) -> None:
    """Every problem as ``file:line: message``; a YAML syntax error with its lines and caret.

    Problems without a line (a verdict on the whole file) come after the others.
    """
    problems = list(problems)
    for problem in [p for p in problems if p.line is not None] + [
        p for p in problems if p.line is None
    ]:
        write(str(problem))
        if problem.excerpt:
            write(problem.excerpt)
