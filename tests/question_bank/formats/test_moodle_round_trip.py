"""Every bundled bank exported to Moodle XML and imported back gives the same bank: its slug and
title, the same topic tree (slugs, titles, parents), every question in its topic with the same
kind, and for the default variant the same key, options, accepted answers, tolerance and typical
mistakes' feedback (issue 13, part 8). A template leaves as a Moodle «calculated» question with
a dataset, so its parameters come back as dataset items; its default variant must still show the
same numbers and have the same key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy
import yaml

import grader
from grader.templating import render
from question_bank.formats.common import split_question
from question_bank.formats.moodle import export_moodle_xml, parse_moodle_xml

BANKS = sorted((Path(__file__).resolve().parents[3] / "question_bank" / "banks").glob("*.yaml"))


def _key(spec: dict):
    result = grader.grade(spec, None, "")
    return result.expected


def _same_key(kind: str, after: dict, before: dict) -> bool:
    if kind == "expression":  # the same function, whatever the spelling
        expression = grader.kinds.get("expression")
        a, b = (expression.expected(s, grader.variant(s, None).values) for s in (after, before))
        return sympy.simplify(a - b) == 0
    return _same_number(_key(after), _key(before))


def _same_number(a, b) -> bool:
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same_number(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_number(a[k], b[k]) for k in a)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a))
    return a == b


def _tex(text: str) -> str:
    """Text as TeX reads it: spaces at braces do not count (a bank writes «} }» where «}}»
    would close a placeholder, and the way back adds such spaces too)."""
    return re.sub(r"\s*([{}])\s*", r"\1", " ".join(text.split()))


def _feedbacks(spec: dict) -> list[str]:
    """The typical mistakes' feedback as the default variant shows it."""
    values = grader.variant(spec, None).values
    return [_tex(render(m.get("feedback", ""), values)) for m in spec.get("mistakes") or []]


@pytest.mark.parametrize("path", BANKS, ids=lambda p: p.stem)
def test_a_bundled_bank_comes_back_from_moodle_xml(path):
    bank = yaml.safe_load(path.read_text(encoding="utf-8"))
    warnings: list = []
    result = parse_moodle_xml(export_moodle_xml(bank, variants=3, warnings=warnings), path.name)
    # What Moodle cannot hold is said at export, naming the question.
    lost = {
        w.message.split(":")[0].removeprefix("вопрос ")
        for w in warnings
        if "не переносятся" in w.message
    }
    assert result.ok, [str(p) for p in result.problems if p.severity == "error"]
    back = result.bank
    assert (back["bank"]["slug"], back["bank"]["title"]) == (
        bank["bank"]["slug"],
        bank["bank"]["title"],
    )
    tree = {(t["slug"], t["title"], t.get("parent")) for t in bank.get("topics") or []}
    assert {(t["slug"], t["title"], t.get("parent")) for t in back["topics"]} == tree
    after = {q["slug"]: q for q in back["questions"]}
    assert list(after) == [q["slug"] for q in _in_export_order(bank)]
    for entry in bank["questions"]:
        again = after[entry["slug"]]
        where = entry["slug"]
        assert (again["kind"], again.get("topic"), again["title"]) == (
            entry["kind"],
            entry.get("topic"),
            entry["title"],
        ), where
        before_spec, after_spec = split_question(entry)[1], split_question(again)[1]
        kind = entry["kind"]
        if kind in ("description", "flashcard"):
            continue
        assert _tex(grader.present(after_spec, None).text) == _tex(
            grader.present(before_spec, None).text
        ), where
        assert _same_key(kind, after_spec, before_spec), where
        if kind in ("single_choice", "multiple_choice"):
            assert [_tex(o["text"]) for o in after_spec["options"]] == [
                _tex(o["text"]) for o in before_spec["options"]
            ], where
        if kind in ("numeric", "vector", "matrix"):
            assert after_spec.get("tolerance") == before_spec.get("tolerance"), where
        if where not in lost:
            assert _feedbacks(after_spec) == _feedbacks(before_spec), where


def _in_export_order(bank: dict) -> list[dict]:
    """Moodle XML groups questions by category: those without a topic first, then topic by
    topic in the order of the topic list."""
    order = [None, *(t["slug"] for t in bank.get("topics") or [])]
    return sorted(bank["questions"], key=lambda q: order.index(q.get("topic")))
