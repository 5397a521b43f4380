"""A multipart question's parts as Moodle cloze fields (the exporter's side of
:mod:`question_bank.formats.moodle.cloze`)."""

from __future__ import annotations

import html

from django.utils.translation import gettext as _

from grader import kinds
from grader.errors import GraderError
from grader.variants import compute_value
from question_bank.formats.moodle.cloze import field_text
from question_bank.formats.moodle.values import (
    absolute_bound as _absolute_bound,
)
from question_bank.formats.moodle.values import (
    expression_spellings as _expression_spellings,
)
from question_bank.formats.moodle.values import (
    number_text as _number_text,
)
from question_bank.formats.moodle.values import (
    render_text as _render,
)
from question_bank.formats.moodle.values import (
    scalar_number as _scalar_number,
)
from question_bank.formats.text import native_to_html

__all__ = ["cloze_part", "cloze_weights"]


def cloze_weights(weights: list[float]) -> tuple[list[int], bool]:
    """Cloze weights are whole numbers: ours scaled to the smallest factor that keeps them."""
    for factor in range(1, 101):
        scaled = [w * factor for w in weights]
        if all(abs(x - round(x)) < 1e-9 and round(x) >= 1 for x in scaled):
            return [round(x) for x in scaled], False
    smallest = min(weights)
    return [max(1, round(w / smallest)) for w in weights], True


def cloze_part(part: dict, pspec: dict, values: dict, weight: int) -> tuple[str, str]:
    """A part → (its cloze field(s), a note on what is approximated or '')."""
    kind = part.get("kind")
    module = kinds.get(kind)
    expected = module.expected(pspec, values)

    def feedback(mistake: dict) -> str:
        return native_to_html(_render(mistake.get("feedback", ""), values), paragraphs=False)

    if kind == "numeric":
        bound = _absolute_bound(pspec.get("tolerance"), expected)
        alternatives = [(100, f"{_number_text(expected)}:{_number_text(bound)}", "")]
        for mistake in pspec.get("mistakes") or []:
            try:
                wrong = compute_value(mistake.get("answer"), values)
            except GraderError:
                continue
            if _scalar_number(wrong):
                text = f"{_number_text(wrong)}:{_number_text(bound)}"
                alternatives.append((0, text, feedback(mistake)))
        return field_text(weight, "NUMERICAL", alternatives), ""
    if kind in ("single_choice", "multiple_choice"):
        options = pspec.get("options") or []
        right = sum(1 for o in options if o.get("correct"))
        wrong_count = len(options) - right
        single = kind == "single_choice"
        alternatives = []
        for option in options:
            if option.get("correct"):
                fraction = 100.0 if single else 100.0 / right
            else:
                fraction = 0.0 if single or not wrong_count else -100.0 / wrong_count
            alternatives.append(
                (
                    fraction,
                    native_to_html(_render(option.get("text", ""), values), paragraphs=False),
                    native_to_html(_render(option.get("feedback", ""), values), paragraphs=False),
                )
            )
        shuffled = "S" if pspec.get("shuffle", True) else ""
        qtype = f"MULTICHOICE_V{shuffled}" if single else f"MULTIRESPONSE{'_S' * bool(shuffled)}"
        return field_text(weight, qtype, alternatives), ""
    if kind in ("short_text", "expression"):
        if kind == "short_text":
            texts = [
                str(a.get("text", "") if isinstance(a, dict) else a)
                for a in pspec.get("answers") or []
            ]
            note = ""
        else:
            texts = _expression_spellings(pspec, values, expected)
            note = _("выражение экспортировано как короткий ответ с текстом эталона")
        alternatives = [(100, _short_text(t), "") for t in texts]
        for mistake in pspec.get("mistakes") or []:
            answer = mistake.get("answer")
            if kind == "short_text" and isinstance(answer, dict):
                if isinstance(answer.get("value"), str):
                    alternatives.append((0, _short_text(answer["value"]), feedback(mistake)))
        return field_text(weight, "SHORTANSWER", alternatives), note
    # vector / matrix: one NUMERICAL field per element, each with the part's weight
    bounds = _absolute_bound(pspec.get("tolerance"), expected, elementwise=True)
    flat = _flat(expected)
    fields = [
        field_text(weight, "NUMERICAL", [(100, f"{_number_text(v)}:{_number_text(b)}", "")])
        for v, b in zip(flat, bounds, strict=True)
    ]
    note = _("по числовому полю на каждый элемент, у каждого — вес поля")
    return "(" + "; ".join(fields) + ")", note


def _short_text(text: str) -> str:
    # HTML inside the question text; Moodle's * is a wildcard, a literal star is \*
    return html.escape(text, quote=False).replace("*", "\\*")


def _flat(value) -> list:
    import numpy as np

    return np.asarray(value).ravel().tolist()
