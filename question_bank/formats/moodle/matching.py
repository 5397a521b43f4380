"""Moodle's ``matching`` and ``ddmatch`` (drag-and-drop matching) questions → ``matching``;
``description`` → ``description``.

Both matching types list ``<subquestion>`` elements, each a stem (``<text>``, in the element's
``format``) and its answer (``<answer><text>``: plain text in ``matching``, the answer's own
``format`` in ``ddmatch``). A subquestion with an empty stem is an extra wrong answer; one with
neither stem nor answer is ignored, as Moodle does. ``<shuffleanswers>`` becomes ``shuffle``
(Moodle shuffles the stems by it and the answers always; here both follow it). Moodle's
combined feedback (``correctfeedback``…) has no place in the native kind and is not carried, as
for multiple choice; the general feedback is the solution. Moodle grades a matching question by
the share of stems matched right, and so does ``grader.kinds.matching``.

A description has its text, hints and general feedback, and nothing to answer.
"""

from __future__ import annotations

from question_bank.formats.matching import MatchingError, matching_entry
from question_bank.formats.moodle.question import (
    Context,
    QuestionError,
    common_fields,
    is_true,
    solution,
    with_solution,
)
from question_bank.formats.moodle.reader import Element

__all__ = ["import_matching", "import_description"]


def import_matching(element: Element, ctx: Context) -> dict:
    entry = common_fields(element, ctx)
    pairs = []
    for sub in element.findall("subquestion"):
        answer = sub.find("answer")
        # ddmatch writes its answers in a format; matching's are plain text
        fmt = answer.attrs.get("format") if answer is not None else None
        pairs.append((ctx.text(sub), ctx.text(answer, fmt=fmt or "plain_text")))
    try:
        fields = matching_entry(pairs, [], shuffle=is_true(element.value("shuffleanswers"), True))
    except MatchingError as exc:
        raise QuestionError(exc.message, exc.code) from None
    fields.pop("kind")
    return with_solution({"kind": "matching", **entry, **fields}, solution(element, ctx))


def import_description(element: Element, ctx: Context) -> dict:
    entry = common_fields(element, ctx)
    return with_solution({"kind": "description", **entry}, solution(element, ctx))
