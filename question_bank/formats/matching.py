"""Matching questions shared by the importers and exporters (Moodle XML, GIFT, Anki).

Moodle keeps a matching question as subquestions, each a stem and its answer; a subquestion with
an empty stem is an extra wrong answer (a distractor), one with neither is ignored. The native
kind (``grader.kinds.matching``) has ``pairs`` (stems unique, at least two) and ``distractors``.
:func:`matching_entry` turns what a file gives into that, or raises :class:`MatchingError` with
the rule in Russian; :func:`answer_text` writes an answer for Moodle's plain-text answer field.
"""

from __future__ import annotations

import html

from django.utils.translation import gettext as _

from question_bank.formats.common import clip
from question_bank.formats.text import native_to_html

__all__ = ["MatchingError", "matching_entry", "answer_text"]


class MatchingError(ValueError):
    """The pairs cannot make a matching question; ``message`` is Russian, ``code`` for machines."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


def matching_entry(
    pairs: list[tuple[str, str]], distractors: list[str], *, shuffle: bool = True
) -> dict:
    """``pairs`` (stem, answer) and extra wrong answers → the native fields of a matching question.

    A pair with an empty stem and an answer is a distractor (Moodle's way of writing one); a
    distractor that repeats an answer adds nothing and is dropped.
    """
    kept: list[dict] = []
    extra = list(distractors)
    seen: set[str] = set()
    for stem, answer in pairs:
        stem, answer = stem.strip(), answer.strip()
        if not stem:
            if answer:
                extra.append(answer)
            continue
        if not answer:
            raise MatchingError(
                _("у элемента «%(stem)s» нет ответа: каждому элементу нужен ответ")
                % {"stem": clip(stem, 40)},
                "empty_answer",
            )
        if stem in seen:
            raise MatchingError(
                _(
                    "элемент «%(stem)s» повторяется: элементы вопроса на соответствие должны "
                    "различаться"
                )
                % {"stem": clip(stem, 40)},
                "duplicate_stem",
            )
        seen.add(stem)
        kept.append({"stem": stem, "answer": answer})
    if len(kept) < 2:
        raise MatchingError(
            _(
                "в вопросе на соответствие нужно не меньше двух элементов с ответами, здесь "
                "%(count)s"
            )
            % {"count": len(kept)},
            "too_few_pairs",
        )
    answers = [p["answer"] for p in kept]
    wrong = [d for d in dict.fromkeys(d.strip() for d in extra) if d and d not in answers]
    if len(set(answers)) + len(wrong) < 2:
        raise MatchingError(
            _("у всех элементов один и тот же ответ и нет неверных ответов: выбирать не из чего"),
            "too_few_choices",
        )
    entry: dict = {"kind": "matching", "pairs": kept}
    if wrong:
        entry["distractors"] = wrong
    entry["shuffle"] = bool(shuffle)
    return entry


def answer_text(text: str) -> str:
    r"""A native answer for a plain-text field (Moodle's matching answers): ``$x$`` → ``\(x\)``.

    >>> answer_text("$a<b$ & c")
    '\\(a<b\\) & c'
    """
    return html.unescape(native_to_html(text, paragraphs=False).replace("<br>\n", "\n"))
