"""The checks of one question of a bank: many variants drawn, keys, typical mistakes, texts and
a self-test graded (``check_question``). Pure grader code, so that the app can run it in a
bounded child process (``grader.sandbox.check_question``): a bank file is as untrusted as an
answer.

For each template, ``count`` seeds are drawn and the following are problems: constraints that
reject most draws, a key that is not a finite value, keys that are the same for every variant,
a typical mistake equal to the right answer for some variant (a right answer would be called a
mistake), texts that fail to render, a self-test (a correct, a wrong and an invalid answer)
that grades wrongly, and a short-text answer from the bank's own list that is not accepted.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np

from grader import kinds
from grader.errors import EngineError, GraderError, SpecError
from grader.grading import grade, mistake_value, present
from grader.i18n import _
from grader.kinds import multipart
from grader.kinds.short_text import answers_of
from grader.variants import variant

__all__ = ["check_question", "MAX_MEAN_TRIES", "SELF_TEST_EVERY"]

MAX_MEAN_TRIES = 10  # more means constraints throw away over 90 % of the draws
SELF_TEST_EVERY = 10  # grade the self-test answers on every 10th variant (it is the slow part)


def check_question(spec: dict, count: int) -> list[tuple[str, str]]:
    """The problems of one question (message, code), drawing ``count`` variants."""
    problems: list[tuple[str, str]] = []
    _check_question(spec, count, lambda message, code: problems.append((message, code)))
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
            present(spec, seed)
        except EngineError as exc:
            once(exc.code, f"{where}: {exc.message}")
            continue
        except SpecError as exc:
            # That message names the default variant itself: no «вариант по умолчанию: » twice.
            own = exc.code == "default_violates_constraint"
            once(exc.code, exc.message if own else f"{where}: {exc.message}")
            if seed is None or exc.code == "constraints_unsatisfiable":
                return
            continue
        tries.append(var.tries)
        keys.add(_key(expected))
        for prefix, owner, owner_spec, key in _mistake_owners(kind, spec, expected):
            for index, mistake in enumerate(owner_spec.get("mistakes") or []):
                label = f"{prefix}mistakes[{index}]"
                try:
                    wrong = mistake_value(owner, owner_spec, index, var.values)
                except GraderError as exc:
                    mistake_error.setdefault((prefix, index), exc.message)
                    continue
                mistake_computed.add((prefix, index))
                if owner.matches(_as_parsed(wrong), key, owner_spec):
                    named = prefix + mistake["id"] if mistake.get("id") else label
                    mistakes_hit.setdefault(named, where)
        if seed is None or seed % SELF_TEST_EVERY == 0:
            _self_test(kind, spec, seed, expected, where, once)
        if seed is None and spec["kind"] == "short_text":
            _accepted_accepted(spec, expected, once)
        if seed is None and spec["kind"] == "multipart":
            _parts_accepted(spec, once)
    if tries and seed is not None and np.mean(tries) > MAX_MEAN_TRIES:
        once(
            "constraints_reject_often",
            _("ограничения отбрасывают %(value)s наборов параметров")
            % {"value": format(1 - 1 / np.mean(tries), ".0%")},
        )
    # A key made of positions (which answer goes with which stem) is the same in every variant
    # by design: the texts change, not the pairing. A description has no key at all.
    positional = spec["kind"] in ("matching", "description")
    if (
        not positional
        and spec.get("params")
        and len(keys) == 1
        and len(seeds) > 2
        and _has_random(spec)
    ):
        once("constant_answer", _("у всех вариантов один и тот же ответ"))
    if tries:
        for (prefix, index), message in mistake_error.items():
            if (prefix, index) not in mistake_computed:
                once(
                    f"mistake_dead_{prefix}{index}",
                    _(
                        "типичная ошибка %(label)s не вычисляется ни для одного "
                        "варианта, поэтому никогда не будет узнана: %(message)s"
                    )
                    % {"label": f"{prefix}mistakes[{index}]", "message": message},
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
    if test is None:
        return  # a description: no answer to test
    try:
        right = grade(spec, seed, test.correct)
        wrong = grade(spec, seed, test.wrong)
        invalid = grade(spec, seed, test.invalid) if test.invalid is not None else None
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


def _accepted_accepted(spec: dict, expected: list, once) -> None:
    """Every accepted answer, typed as listed, earns at least its fraction (a right answer is
    never wrong): e.g. an answer with keywords its own text lacks, or one the normaliser reduces
    to nothing."""
    worth = {}
    for answer in answers_of(spec):
        worth[answer.text] = max(worth.get(answer.text, 0.0), answer.fraction)
    for text in expected:
        try:
            result = grade(spec, None, text)
        except GraderError as exc:
            once(exc.code, exc.message)
            return
        if result.score < worth.get(text, 1.0) - 1e-9:
            once(
                "accepted_rejected",
                _("принимаемый ответ %(text)r, набранный как в списке, не засчитан")
                % {"text": text},
            )


def _mistake_owners(kind, spec: dict, expected) -> list[tuple]:
    """(label prefix, kind, spec, key) of whatever has typical mistakes: the question, or each
    field of a question with several (``parts.h.mistakes[0]``)."""
    if spec.get("kind") != "multipart":
        return [("", kind, spec, expected)]
    return [
        (
            f"parts.{part.get('name')}.",
            multipart.part_kind(part),
            multipart.part_spec(spec, part),
            expected[part.get("name")],
        )
        for part in multipart.parts_of(spec)
    ]


def _parts_accepted(spec: dict, once) -> None:
    """Every accepted answer of a short-text field, typed as listed, earns at least its
    fraction in that field (as :func:`_accepted_accepted` for a question)."""
    for number, part in enumerate(multipart.parts_of(spec), start=1):
        if part.get("kind") != "short_text":
            continue
        pspec = multipart.part_spec(spec, part)
        worth: dict[str, float] = {}
        for answer in answers_of(pspec):
            worth[answer.text] = max(worth.get(answer.text, 0.0), answer.fraction)
        for text in multipart.part_kind(part).expected(pspec, {}):
            try:
                result = grade(spec, None, json.dumps({part["name"]: text}, ensure_ascii=False))
            except GraderError as exc:
                once(exc.code, exc.message)
                return
            earned = result.parts[number - 1]["score"] if result.status == "graded" else 0.0
            if earned < worth.get(text, 1.0) - 1e-9:
                once(
                    "accepted_rejected",
                    _(
                        "поле %(name)s: принимаемый ответ %(text)r, набранный как в списке, "
                        "не засчитан"
                    )
                    % {"name": part["name"], "text": text},
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
