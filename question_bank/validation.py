"""Checks of a bank beyond its schema: many variants of every template (``validate_bank``).

For each template, ``variants`` seeds are drawn and the following are errors: constraints that
reject most draws, a key that is not a finite value, keys that are the same for every variant,
a typical mistake equal to the right answer for some variant (a right answer would be called a
mistake), texts that fail to render, and a self-test (a correct, a wrong and an invalid answer)
that grades wrongly.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
from django.utils.translation import gettext as _

import grader
from grader import kinds
from grader.errors import EngineError, GraderError, SpecError
from grader.grading import mistake_value
from grader.variants import variant
from question_bank.formats.common import ImportResult, Problem, split_question

__all__ = ["check_bank_variants", "DEFAULT_VARIANTS", "MAX_MEAN_TRIES"]

DEFAULT_VARIANTS = 200
MAX_MEAN_TRIES = 10  # more means constraints throw away over 90 % of the draws
SELF_TEST_EVERY = 10  # grade the self-test answers on every 10th variant (it is the slow part)


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

        _check_question(spec, variants if spec.get("params") else 1, report)
        if progress is not None:
            progress(index + 1, len(questions))
    return problems


def _check_question(spec: dict, count: int, report) -> None:
    kind = kinds.get(spec["kind"])
    seeds = [None, *range(count)] if spec.get("params") else [None]
    keys, tries, mistakes_hit = set(), [], {}
    mistake_computed, mistake_error = set(), {}
    reported = set()

    def once(code: str, message: str):
        if code not in reported:
            reported.add(code)
            report(message, code)

    for seed in seeds:
        where = _("вариант по умолчанию") if seed is None else f"seed {seed}"
        try:
            var = variant(spec, seed)
            expected = kind.expected(spec, var.values)
            grader.present(spec, seed)
        except EngineError as exc:
            once(exc.code, f"{where}: {exc.message}")
            continue
        except SpecError as exc:
            once(exc.code, f"{where}: {exc.message}")
            if seed is None or exc.code == "constraints_unsatisfiable":
                return
            continue
        tries.append(var.tries)
        keys.add(_key(expected))
        for index, mistake in enumerate(spec.get("mistakes") or []):
            try:
                wrong = mistake_value(kind, spec, index, var.values)
            except GraderError as exc:
                mistake_error.setdefault(index, exc.message)
                continue
            mistake_computed.add(index)
            if kind.matches(_as_parsed(wrong), expected, spec):
                mistakes_hit.setdefault(mistake.get("id") or f"mistakes[{index}]", where)
        if seed is None or seed % SELF_TEST_EVERY == 0:
            _self_test(kind, spec, seed, expected, where, once)
    if tries and seed is not None and np.mean(tries) > MAX_MEAN_TRIES:
        once(
            "constraints_reject_often",
            _("ограничения отбрасывают %(value)s наборов параметров")
            % {"value": format(1 - 1 / np.mean(tries), ".0%")},
        )
    if spec.get("params") and len(keys) == 1 and len(seeds) > 2 and _has_random(spec):
        once("constant_answer", _("у всех вариантов один и тот же ответ"))
    if tries:
        for index, message in mistake_error.items():
            if index not in mistake_computed:
                once(
                    f"mistake_dead_{index}",
                    _(
                        "типичная ошибка mistakes[%(index)s] не вычисляется ни для одного "
                        "варианта, поэтому никогда не будет узнана: %(message)s"
                    )
                    % {"index": index, "message": message},
                )
    for mistake_id, where in mistakes_hit.items():
        once(
            f"mistake_{mistake_id}",
            _(
                "типичная ошибка %(mistake_id)s совпадает с верным ответом (%(where)s): верный "
                "ответ был бы засчитан как ошибка; исключите такие варианты ограничениями"
            )
            % {"mistake_id": mistake_id, "where": where},
        )


def _self_test(kind, spec: dict, seed, expected, where: str, once) -> None:
    test = kind.self_test(spec, expected)
    try:
        right = grader.grade(spec, seed, test.correct)
        wrong = grader.grade(spec, seed, test.wrong)
        invalid = grader.grade(spec, seed, test.invalid) if test.invalid is not None else None
    except GraderError as exc:
        once(exc.code, f"{where}: {exc.message}")
        return
    if not right.correct and spec["kind"] != "flashcard":
        once(
            "self_test_correct",
            _("%(where)s: верный ответ %(correct)r не засчитан")
            % {"where": where, "correct": test.correct},
        )
    if wrong.correct:
        once(
            "self_test_wrong",
            _("%(where)s: неверный ответ %(wrong)r засчитан")
            % {"where": where, "wrong": test.wrong},
        )
    if invalid is not None and invalid.status != "invalid":
        once(
            "self_test_invalid",
            _("%(where)s: некорректный ввод %(invalid)r принят")
            % {"where": where, "invalid": test.invalid},
        )


def _as_parsed(value):
    if isinstance(value, list):
        return SimpleNamespace(value=np.asarray(value, dtype=float))
    return SimpleNamespace(value=value)


def _key(value) -> str:
    if isinstance(value, float):
        return repr(round(value, 9))
    return repr(value)


def _has_random(spec: dict) -> bool:
    return any(p.get("type") != "const" for p in (spec.get("params") or {}).values())
