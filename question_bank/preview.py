"""What an instructor sees of a question before students do: variants with their keys.

Plain data for the preview page: for each seed the parameters, derived values, the rendered
text, the key (exactly as ``grader.grade`` computes it), the worked solution and the answer each
typical mistake would give. Nothing here writes; a variant that fails is shown with its error,
never as a server error.
"""

from __future__ import annotations

import json
import logging
from numbers import Real
from types import SimpleNamespace

import numpy as np
from django.utils.translation import gettext as _

import grader
from grader import kinds
from grader.errors import GraderError
from grader.grading import mistake_value
from grader.kinds import choice as choice_kind
from grader.kinds import multipart
from grader.templating import format_value, render

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_COUNT", "MAX_COUNT", "preview_count", "template_variants", "check_answer"]

DEFAULT_COUNT = 5
MAX_COUNT = 50
MAX_START = 10**9


def preview_count(raw, *, default: int = DEFAULT_COUNT, limit: int = MAX_COUNT) -> int:
    """The ``n`` query parameter: an integer in [1, limit], the default when absent or bad."""
    try:
        return min(max(int(raw), 1), limit)
    except (TypeError, ValueError):
        return default


def preview_start(raw) -> int:
    try:
        return min(max(int(raw), 0), MAX_START)
    except (TypeError, ValueError):
        return 0


def seeds_for(spec: dict, *, count: int, start: int) -> list[int | None]:
    """A template gets ``count`` seeds from ``start``; a question without parameters has one
    variant (its options may still be shuffled per seed, so seed ``start`` shows that)."""
    if spec.get("params"):
        return list(range(start, start + count))
    return [start]


def template_variants(*, spec: dict, seeds: list[int | None]) -> list[dict]:
    return [_variant(spec, seed) for seed in seeds]


def check_answer(*, spec: dict, seed: int | None, raw: str) -> dict:
    """Grade ``raw`` for one variant, as a student's answer would be; errors become a message."""
    try:
        return {"ok": True, **grader.grade(spec, seed, raw).as_dict()}
    except GraderError as exc:
        return {"ok": False, "message": exc.message}
    except Exception:  # an uploaded spec the grader cannot handle must not break the page
        logger.exception("preview check failed")
        return {"ok": False, "message": _("Не удалось проверить ответ: вопрос записан с ошибкой.")}


def _variant(spec: dict, seed: int | None) -> dict:
    shown = {"seed": seed}
    try:
        return {**shown, **_compute(spec, seed)}
    except GraderError as exc:
        return {**shown, "error": exc.message}
    except Exception:  # see check_answer
        logger.exception("preview of seed %s failed", seed)
        return {**shown, "error": _("вариант не вычисляется: вопрос записан с ошибкой")}


def _compute(spec: dict, seed: int | None) -> dict:
    kind = kinds.get(spec.get("kind"))
    var = grader.variant(spec, seed)
    presented = grader.present(spec, seed)
    # The grader's own result for an empty answer carries the key and the worked solution
    # exactly as a student's grading would compute them.
    graded = grader.grade(spec, seed, "")
    choice = spec.get("kind") in ("single_choice", "multiple_choice")
    right = set(graded.expected) if choice else ()
    # Moodle's grades of the options, when the question has them: «50 %», «−100 %».
    weights = choice_kind.fractions(spec) if choice else None
    options = [
        {
            "index": o["index"],
            "text": o["text"],
            "correct": o["index"] in right,
            "share": ""
            if weights is None
            else f"{weights[o['index']] * 100:g} %".replace("-", "−"),
        }
        for o in presented.options
    ]
    return {
        "params": [(name, _shown(value)) for name, value in var.params.items()],
        "derived": [(name, _shown(value)) for name, value in var.derived.items()],
        "tries": var.tries,
        "text": presented.text,
        "options": options,
        "stems": presented.stems,  # matching: the elements, beside the answers in options
        "hints": presented.hints,
        "key": graded.expected,
        "key_json": _json(graded.expected),
        "key_display": graded.expected_display,
        "solution": graded.solution,
        "mistakes": _mistakes(kind, spec, var.values),
        "parts": _parts(spec, var.values, presented, graded),
        # An answer of several fields is one JSON object: the right one, to show the format.
        "raw_example": (
            kind.self_test(spec, graded.expected).correct
            if spec.get("kind") in ("multipart", "matching")
            else ""
        ),
    }


def _parts(spec: dict, values: dict, presented, graded) -> list[dict]:
    """A multipart question's fields: each one's options (right ones marked), key and mistakes."""
    if spec.get("kind") != "multipart":
        return []
    rows = []
    for shown, part, result in zip(
        presented.parts, multipart.parts_of(spec), graded.parts, strict=True
    ):
        key = graded.expected[part["name"]]
        right = set(key) if part.get("kind") in ("single_choice", "multiple_choice") else ()
        pspec = multipart.part_spec(spec, part)
        rows.append(
            {
                **shown,
                "options": [{**o, "correct": o["index"] in right} for o in shown["options"]],
                "weight": part.get("weight", 1),
                "key_display": result["expected_display"],
                "mistakes": _mistakes(multipart.part_kind(part), pspec, values),
            }
        )
    return rows


def _mistakes(kind, spec: dict, values: dict) -> list[dict]:
    rows = []
    key = kind.expected(spec, values)
    for index, mistake in enumerate(spec.get("mistakes") or []):
        row = {"id": mistake.get("id") or f"mistakes[{index}]"}
        try:
            row["feedback"] = render(mistake.get("feedback", ""), values)
            wrong = mistake_value(kind, spec, index, values)
        except GraderError as exc:
            rows.append({**row, "error": exc.message})
            continue
        # Some kinds show the key as the author wrote it (expressions): show the mistake's own.
        row["value_display"] = kind.display(wrong, {**spec, "answer": mistake.get("answer")})
        row["equals_key"] = bool(_same(kind, spec, wrong, key))
        rows.append(row)
    return rows


def _same(kind, spec: dict, wrong, key) -> bool:
    """Whether the mistake's answer would be graded right: the mistake is then never recognised."""
    value = np.asarray(wrong, dtype=float) if isinstance(wrong, list) else wrong
    parsed = SimpleNamespace(value=value)
    try:
        return bool(kind.matches(parsed, key, spec))
    except Exception:  # kinds compare only values of their own shape; anything else differs
        return False


def _shown(value) -> dict:
    """A parameter as LaTeX when it is a number, vector or matrix, else as JSON text."""
    if _numeric(value):
        return {"math": f"${format_value(value)}$", "exact": _json(value)}
    return {"math": "", "exact": _json(value)}


def _numeric(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, Real):
        return True
    if isinstance(value, (list, tuple)) and value:
        return all(_numeric(v) for v in value)
    return False


def _json(value) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)
