"""Moodle's ``gapselect`` («выбор пропущенных слов») and ``ddwtos`` («перетаскивание в текст»)
→ ``multipart`` questions whose fields are ``single_choice``.

Both types write the text with gaps ``[[1]]``, ``[[2]]``… where the number is a *choice*
number: the right choice of that gap. The choices are listed in order, each with its text and
group — ``<selectoption><text>…</text><group>1</group></selectoption>`` (gapselect),
``<dragbox><text>…</text><group>1</group><infinite/></dragbox>`` (ddwtos); files of Moodle 2.0
wrote them as ``<answer>`` elements whose feedback is the group (gapselect) or a serialised PHP
object with ``draggroup`` (ddwtos), and those are read too. A gap offers the choices of its
right choice's group.

Import: each gap (each ``[[n]]``, in the text's order) becomes a ``single_choice`` part ``g1``,
``g2``… marked ``[[g1]]`` where it stood; its options are the group's choices in the file's
order, the right one ``correct``; ``<shuffleanswers>`` is the part's ``shuffle``. Moodle grades
each gap right or wrong and scores the share of gaps right: the parts' weights are 1, and the
multipart score (the weighted mean) is that share. Choices of a group with the same text are one
option (Moodle's student cannot tell them apart either). ``<infinite/>`` (a drag box usable
many times) changes nothing here: a field's options are never used up. The general feedback is
the solution, the hints are hints; the combined feedback (correct, partially correct,
incorrect) has no place in the native kinds and is reported when present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from question_bank.formats.common import clip
from question_bank.formats.moodle.question import (
    Context,
    QuestionError,
    common_fields,
    is_true,
    solution,
    with_solution,
)
from question_bank.formats.moodle.reader import Element

__all__ = ["GAP_TYPES", "import_gaps"]

GAP_TYPES = {"gapselect": "selectoption", "ddwtos": "dragbox"}  # type → its choice element
_GAP = re.compile(r"\[\[(\d+)\]\]")
# A ddwtos choice's options as Moodle 2.0 serialised them: draggroup as a string or an integer.
_DRAGGROUP = re.compile(r'"draggroup";(?:s:\d+:"\s*([^"]*)"|i:(-?\d+))')
MAX_GAPS = 100
MAX_CHOICES = 500
MAX_GROUP = 1000
_COMBINED = ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback")


@dataclass
class _Choice:
    number: int
    text: str
    group: int


def _group(raw: str, number: int) -> int:
    raw = (raw or "").strip() or "1"  # Moodle's own default group
    try:
        group = int(raw)
    except ValueError:
        group = 0
    if not 1 <= group <= MAX_GROUP:
        raise QuestionError(
            _("выбор %(number)s: группа «%(raw)s» — нужно целое число от 1 до %(max)s")
            % {"number": number, "raw": clip(raw, 20), "max": MAX_GROUP},
            "bad_group",
        )
    return group


def _legacy_group(answer: Element, qtype: str, number: int) -> str:
    """The group of a Moodle 2.0 ``<answer>``: its feedback (ddwtos: a serialised object)."""
    raw = answer.value("feedback")
    if qtype == "gapselect":
        return raw
    match = _DRAGGROUP.search(raw)
    if match is None:
        raise QuestionError(
            _("выбор %(number)s: в отзыве ответа нет группы (draggroup) перетаскиваемого слова")
            % {"number": number},
            "bad_group",
        )
    return match.group(1) if match.group(1) is not None else match.group(2)


def _choices(element: Element, qtype: str, ctx: Context) -> list[_Choice]:
    modern = element.findall(GAP_TYPES[qtype])
    rows = modern or element.findall("answer")
    if len(rows) > MAX_CHOICES:
        raise QuestionError(
            _("больше %(max)s вариантов выбора в одном вопросе") % {"max": MAX_CHOICES},
            "too_many_choices",
        )
    # gapselect's choices are plain text; ddwtos allows a little HTML (<sub>, <sup>, <b>…).
    fmt = "plain_text" if qtype == "gapselect" else "html"
    choices = []
    for number, row in enumerate(rows, start=1):
        raw_group = row.value("group") if modern else _legacy_group(row, qtype, number)
        group = _group(raw_group, number)
        text = " ".join(ctx.text(row, fmt=fmt).split())
        if not text:
            raise QuestionError(
                _("выбор %(number)s (строка %(line)s): пустой текст")
                % {"number": number, "line": row.line},
                "empty_option",
            )
        choices.append(_Choice(number, text, group))
    if not choices:
        raise QuestionError(
            _("нет ни одного варианта выбора (<%(tag)s>)") % {"tag": GAP_TYPES[qtype]},
            "no_choices",
        )
    return choices


def _gap_part(index: int, number: int, choices: list[_Choice], shuffle: bool) -> dict:
    """The part of the gap ``[[number]]`` (the ``index``-th gap of the text)."""
    if not 1 <= number <= len(choices):
        raise QuestionError(
            _(
                "пропуск [[%(number)s]]: выбора с номером %(number)s нет (выборов в вопросе: "
                "%(count)s)"
            )
            % {"number": number, "count": len(choices)},
            "no_such_choice",
        )
    right = choices[number - 1]
    options, seen = [], set()
    for choice in choices:
        if choice.group != right.group or choice.text in seen:
            continue
        seen.add(choice.text)
        options.append({"text": choice.text, "correct": choice.text == right.text})
    if len(options) < 2:
        raise QuestionError(
            _(
                "пропуск [[%(number)s]]: в группе %(group)s только один вариант («%(clip)s»); "
                "в пропуске должно быть не меньше двух вариантов на выбор"
            )
            % {"number": number, "group": right.group, "clip": clip(right.text, 40)},
            "too_few_options",
        )
    return {"name": f"g{index}", "kind": "single_choice", "options": options, "shuffle": shuffle}


def import_gaps(element: Element, ctx: Context, qtype: str) -> dict:
    """A ``gapselect`` or ``ddwtos`` question → ``multipart`` (entry without meta)."""
    holder = element.find("questiontext")
    inner = holder.find("text") if holder is not None else None
    source = (inner.text if inner is not None else holder.text) if holder is not None else ""
    numbers = [int(m.group(1)[:9]) for m in _GAP.finditer(source)]
    if not numbers:
        raise QuestionError(_("в тексте нет ни одного пропуска вида [[1]]"), "no_gaps")
    if len(numbers) > MAX_GAPS:
        raise QuestionError(
            _("больше %(max)s пропусков в одном вопросе") % {"max": MAX_GAPS}, "too_many_fields"
        )
    choices = _choices(element, qtype, ctx)
    shuffle = is_true(element.value("shuffleanswers"), True)
    parts = [
        _gap_part(index, number, choices, shuffle) for index, number in enumerate(numbers, start=1)
    ]
    # Each gap gets a marker of its own (the same choice may be the key of several gaps).
    counter = iter(range(1, len(numbers) + 1))
    marked = _GAP.sub(lambda _m: f"[[g{next(counter)}]]", source)
    fmt = holder.attrs.get("format", "html") if holder is not None else "html"
    fake = Element("questiontext", {"format": fmt}, holder.line if holder is not None else None)
    fake._text.append(marked)
    copy = Element(element.tag, element.attrs, element.line)
    copy.children = [fake if c.tag == "questiontext" else c for c in element.children]
    entry = common_fields(copy, ctx)
    text = entry["text"]
    if any(text.count(f"[[{p['name']}]]") != 1 for p in parts):
        # A gap inside something the conversion dropped (an image's caption…).
        text = re.sub(r"\[\[g\d+\]\]", "", text)
        ctx.warn(_("места пропусков не удалось сохранить в тексте: поля идут после текста"))
    if not text.strip():
        text = _("Заполните пропуски.")
    combined = [tag for tag in _COMBINED if ctx.text(element.find(tag))]
    if combined:
        ctx.warn(
            _(
                "общие отзывы (%(tags)s) не переносятся: Нейрозачёт сам говорит, какие "
                "пропуски заполнены верно"
            )
            % {"tags": ", ".join(combined)},
            "feedback_dropped",
        )
    entry = {"kind": "multipart", **entry, "text": text, "parts": parts}
    return with_solution(entry, solution(element, ctx))
