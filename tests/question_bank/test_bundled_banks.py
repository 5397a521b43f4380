"""Every bundled bank loads, validates, and grades right answers and typical mistakes correctly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import grader
from grader import kinds
from grader.errors import GraderError
from grader.grading import mistake_value
from grader.variants import variant
from question_bank.formats.common import split_question
from question_bank.formats.native import parse_bank
from question_bank.validation import check_bank_variants
from tests.question_bank.banks import BANKS_DIR

FILES = sorted(BANKS_DIR.glob("*.yaml"))
SAMPLE_VARIANTS = 25
# Validation (keys computable, mistakes distinct from the key, solutions render) on as many variants
# as `manage.py validate_bank --variants 200`, the bar every template of issue 15 had to pass.
VALIDATE_VARIANTS = 200

# The topics the banks must cover (issue: "cover every topic in the seeds, each bank a file").
REQUIRED_BANKS = {
    "perceptron", "activations", "losses", "optimization", "backprop", "regularization",
    "batchnorm", "initialization", "cnn", "cnn-architectures", "detection", "rnn",
    "embeddings", "keras",
    "transformers",  # issue 15: the modern deep-learning exam
}  # fmt: skip


def _parsed(path: Path):
    return parse_bank(path.read_bytes(), path.name)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_bank_parses_and_validates(path):
    result = _parsed(path)
    assert [str(p) for p in result.problems] == []
    problems = check_bank_variants(result, path.name, variants=VALIDATE_VARIANTS)
    assert [str(p) for p in problems] == []


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_right_answers_and_typical_mistakes_on_sampled_variants(path):
    for entry in _parsed(path).bank["questions"]:
        meta, spec = split_question(entry)
        if not spec.get("params"):
            continue
        kind = kinds.get(spec["kind"])
        for seed in [None, *range(0, 1000, 1000 // SAMPLE_VARIANTS)]:
            values = variant(spec, seed).values
            expected = kind.expected(spec, values)
            right = grader.grade(spec, seed, kind.self_test(spec, expected).correct)
            assert right.correct, (meta["slug"], seed, right.feedback)
            for index, mistake in enumerate(spec.get("mistakes") or []):
                try:
                    wrong = mistake_value(kind, spec, index, values)
                except GraderError:
                    continue  # not computable for this variant (validation rejects dead ones)
                result = grader.grade(spec, seed, _typed(wrong))
                assert not result.correct, (meta["slug"], seed, mistake.get("id"))
                assert result.mistake is not None, (meta["slug"], seed, mistake.get("id"))


def _typed(value) -> str:
    """How a student would type a value: decimal comma, vectors and matrices with ';'."""
    if hasattr(value, "free_symbols"):
        from grader.kinds.expression import typed

        return typed(value)
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return repr(float(array)).replace(".", ",")
    if array.ndim == 1:
        return "[" + "; ".join(repr(float(x)) for x in array) + "]"
    return "[" + "; ".join(" ".join(repr(float(x)) for x in row) for row in array) + "]"


def test_banks_cover_every_topic_and_reach_the_targets():
    questions = templates = 0
    slugs = set()
    for path in FILES:
        bank = _parsed(path).bank
        slugs.add(bank["bank"]["slug"])
        questions += len(bank["questions"])
        templates += sum(1 for q in bank["questions"] if q.get("params"))
    assert REQUIRED_BANKS <= slugs, REQUIRED_BANKS - slugs
    # Issue 15: at least 700 questions, with 200 new (80 templates) over the 484 (221) before it.
    assert questions >= 700, questions
    assert templates >= 221 + 80, templates
