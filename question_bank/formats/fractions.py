"""Moodle answers with grades (fractions) → the native partial-credit form, for every importer.

Moodle grades each answer of a question with a fraction of the mark (``fraction="50"`` in Moodle
XML, ``%50%`` in GIFT and cloze). The grader scores those exactly as Moodle does
(grader/kinds/choice.py, numeric.py, short_text.py); the functions here build the spec fields
from the answers as a file lists them, so the Moodle XML, GIFT and cloze importers agree:

- :func:`moodle_fraction`: a grade in percent → a fraction, on Moodle's own grade list when the
  file rounded it (``33.3`` → 0.3333333, so three such options add up to 100 % as meant);
- :func:`graded_options`: multichoice answers → options with ``fraction`` (and ``correct``);
- :func:`numeric_answers`: numerical answers → ``answer``, ``tolerance``, ``alternatives`` and
  typical mistakes;
- :func:`short_text_answers`: short answers → accepted answers with ``fraction`` and mistakes.

Each takes a ``warn(message, code, where)`` callback for what cannot be kept as Moodle has it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from django.utils.translation import gettext as _

from question_bank.formats.common import MAX_TITLE, clip, numeric_mistakes, short_text_mistakes

__all__ = [
    "MOODLE_GRADES",
    "moodle_fraction",
    "graded_options",
    "numeric_answers",
    "short_text_answers",
]

Warn = Callable[[str, str, object], None]

# The grades Moodle's question editor offers (``question_bank::fraction_options_full``): a
# file's rounded percentage (33.3, 16.67) is read as the grade it stands for.
MOODLE_GRADES = (
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
    0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05,
)  # fmt: skip
_SNAP = 0.001  # a tenth of a percentage point


def moodle_fraction(percent: float) -> float:
    """A Moodle grade in percent → a fraction in [−1, 1].

    >>> moodle_fraction(50), moodle_fraction(-33.3), moodle_fraction(16.67), moodle_fraction(42)
    (0.5, -0.3333333, 0.1666667, 0.42)
    """
    fraction = max(-1.0, min(1.0, float(percent) / 100))
    for grade in MOODLE_GRADES:
        if abs(abs(fraction) - grade) <= _SNAP:
            return math.copysign(grade, fraction)
    return round(fraction, 7)


def graded_options(
    options: list[dict], percents: list[float], *, single: bool, warn: Warn, where=None
) -> list[dict]:
    """Multichoice answers (``options`` with their grades in percent) → options as the grader
    scores them Moodle's way.

    Several answers whose grades are the native shares (each right option 1/(number right),
    each other −1/(number wrong), as our exporter writes them) keep the plain form too.
    Single answer: a question whose only graded option is worth 100 % keeps the plain form
    (``correct``, no fractions: the same scores); any other grade (a partial or negative option,
    several 100 % options) is kept as ``fraction`` on every option, ``correct`` on the 100 %
    ones. Several answers: always fractions (Moodle sums the chosen options' grades, so a wrong
    option at 0 % costs nothing, unlike the native rule); ``correct`` marks the positive ones.

    Moodle refuses to save a single-answer question with no 100 % option and a multiple-answer
    one whose positive grades do not add up to 100 %; such a file's question is kept with a
    warning, the best option made worth 100 % (single) or the positive grades scaled to add up
    to 100 % (several answers).
    """
    fractions = [moodle_fraction(p) for p in percents]
    out = [dict(option) for option in options]
    if single:
        best = max(fractions)
        if best < 1:
            top = fractions.index(best)
            warn(
                _(
                    "ни один вариант не даёт 100 %% (Moodle такой вопрос не сохранит); вариант "
                    "«%(clip)s» с наибольшим баллом (%(percent)s%%) засчитывается полностью"
                )
                % {"clip": clip(out[top]["text"], 40), "percent": f"{best * 100:g}"},
                "approximated",
                where,
            )
            fractions = [1.0 if f == best else f for f in fractions]
        plain = sum(f >= 1 for f in fractions) == 1 and all(f == 0 or f >= 1 for f in fractions)
        for option, fraction in zip(out, fractions, strict=True):
            option["correct"] = fraction >= 1
            if not plain:
                option["fraction"] = fraction
        return out
    total = sum(f for f in fractions if f > 0)
    if abs(total - 1) > 1e-6:
        if round(total, 2) != 1:
            warn(
                _(
                    "положительные баллы вариантов дают в сумме %(total)s%%, а не 100 %% (Moodle "
                    "такой вопрос не сохранит); они пересчитаны пропорционально, чтобы все "
                    "верные варианты вместе давали полный балл"
                )
                % {"total": f"{total * 100:g}"},
                "approximated",
                where,
            )
        fractions = [round(f / total, 7) if f > 0 else f for f in fractions]
        # Rounding may leave the sum a hair off 1: the largest share takes up the difference.
        top = fractions.index(max(fractions))
        fractions[top] = round(fractions[top] + 1 - sum(f for f in fractions if f > 0), 7)
    plain = _native_shares(fractions)
    for option, fraction in zip(out, fractions, strict=True):
        option["correct"] = fraction > 0
        if not plain:
            option["fraction"] = fraction
    return out


def _native_shares(fractions: list[float]) -> bool:
    """Whether Moodle's sum gives the native multiple-choice scores: every right option worth
    1/(number right), every other one −1/(number wrong) — what our exporter writes, so a round
    trip keeps the plain form.

    >>> _native_shares([0.5, 0.5, -1.0]), _native_shares([0.5, 0.5, 0.0, 0.0])
    (True, False)
    """
    right = [f for f in fractions if f > 0]
    wrong = [f for f in fractions if f <= 0]
    return all(abs(f - 1 / len(right)) <= 1e-6 for f in right) and all(
        abs(f + 1 / len(wrong)) <= 1e-6 for f in wrong
    )


def numeric_answers(answers: list[tuple], *, prefix: str, warn: Warn, where=None) -> dict | None:
    """Numerical answers ``(percent, value, tolerance, feedback, where)`` in the file's order →
    ``answer``, ``tolerance`` (absolute, Moodle's nominal), ``alternatives`` and ``mistakes``.

    The first 100 % answer is the key; any other answer with a positive grade (a second 100 %
    one too) becomes an alternative worth its fraction, with its feedback; answers graded 0 with
    feedback become typical mistakes. Moodle matches answers in the file's order; the grader
    tries the key first, so a partial answer written before the key whose interval overlaps it
    is reported (values in both are right here, partial in Moodle). ``None`` without a 100 %
    answer.
    """
    graded = [(moodle_fraction(p), v, t, f, w) for p, v, t, f, w in answers]
    full = [i for i, a in enumerate(graded) if a[0] >= 1]
    if not full:
        return None
    key = full[0]
    _fraction, value, tolerance, _feedback, _where = graded[key]
    entry: dict = {"answer": {"value": value}, "tolerance": {"abs": float(tolerance)}}
    alternatives, wrong = [], []
    for index, (fraction, other, other_tolerance, feedback, at) in enumerate(graded):
        if index == key:
            continue
        if fraction <= 0:
            if fraction < 0:
                warn(
                    _("ответ %(value)s в Moodle снимает %(percent)s%% балла; здесь он даёт 0")
                    % {"value": other, "percent": f"{-fraction * 100:g}"},
                    "partial",
                    at,
                )
            if feedback:
                wrong.append((other, feedback, at))
            continue
        overlaps = abs(other - value) <= tolerance + other_tolerance
        if index < key and overlaps and fraction < 1:
            warn(
                _(
                    "ответ %(value)s (%(percent)s%%) стоит в файле раньше верного и его интервал "
                    "пересекается с верным: Moodle дал бы за общие значения %(percent)s%%, здесь "
                    "они засчитываются полностью"
                )
                % {"value": other, "percent": f"{fraction * 100:g}"},
                "approximated",
                at,
            )
        alternative = {
            "answer": {"value": other},
            "tolerance": {"abs": float(other_tolerance)},
            "fraction": fraction,
        }
        if feedback:
            alternative["feedback"] = feedback
        alternatives.append(alternative)
    if alternatives:
        entry["alternatives"] = alternatives
    if mistakes := numeric_mistakes(wrong, value, tolerance, prefix=prefix, warn=warn):
        entry["mistakes"] = mistakes
    return entry


def short_text_answers(
    answers: list[tuple[float, str, str]], *, prefix: str
) -> tuple[list, list[dict]]:
    """Short answers ``(percent, text, feedback)`` → (accepted answers, typical mistakes).

    An answer worth 100 % without feedback stays a plain string; one with feedback or worth a
    part becomes ``{text, fraction, feedback}``; one worth nothing (or less) with feedback
    becomes a typical mistake.
    """
    accepted, wrong = [], []
    for percent, text, feedback in answers:
        fraction = moodle_fraction(percent)
        text = clip(text, MAX_TITLE)
        if fraction <= 0:
            if feedback:
                wrong.append((text, feedback))
            continue
        if fraction >= 1 and not feedback:
            accepted.append(text)
            continue
        answer: dict = {"text": text}
        if fraction < 1:
            answer["fraction"] = fraction
        if feedback:
            answer["feedback"] = feedback
        accepted.append(answer)
    texts = [a["text"] if isinstance(a, dict) else a for a in accepted]
    return accepted, short_text_mistakes(wrong, texts, prefix=prefix)
