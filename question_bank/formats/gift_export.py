"""A native bank → GIFT, written as Moodle's own GIFT export writes it (``qformat_gift``).

* topics become ``$CATEGORY: $course$/top/<bank title>/<topic>/…`` lines;
* every question starts with ``// [id:slug]`` (and ``// [tag:…]`` per tag), which Moodle 4 and
  our importer read back as the idnumber and the tags, then ``::title::``;
* texts are written as ``[html]`` (``$…$`` → ``\\(…\\)`` for MathJax), the answers of a matching
  question as plain text; the GIFT control characters ``~ = # { } :`` are escaped with a
  backslash, a line break is ``\\n``, and a backslash is doubled where it would otherwise start
  an escape (``\\neq`` → ``\\\\neq``), as Moodle reads it;
* kinds: description → a text without an answer block; matching → ``{=элемент -> ответ …}``
  with ``= -> ответ`` per distractor; single choice → ``{=верный ~неверный#отзыв}``; multiple
  choice → ``~%50%…`` weights (a wrong option takes 1/(number wrong) away, as we score it);
  short text → ``{=ответ …}`` (typical mistakes with their value as ``=%0%ответ#отзыв``);
  numeric → ``{#ответ:допуск}`` (typical mistakes as ``=%0%…#отзыв``); flashcard → an essay
  ``{####оборот}`` tagged ``nz-kind:flashcard``; essay → ``{}`` (its rubric cannot be kept);
  the solution is the general feedback ``####…``.

A template is written with its default variant (reported in ``warnings``); what GIFT cannot hold
is reported too: a matching question's ``shuffle: false`` and typical mistakes, hints, and the
kinds GIFT has no form for (vector, matrix, expression: use Moodle XML).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from grader import kinds
from grader.errors import GraderError
from grader.templating import render
from grader.variants import compute_value, variant
from question_bank.formats.common import CARD_TAG, Problem, split_question
from question_bank.formats.matching import answer_text

# the same nominal half-width as the Moodle XML export writes for our tolerance
from question_bank.formats.moodle.exporter import _absolute_bound
from question_bank.formats.text import native_to_html

__all__ = ["export_gift"]

_NEEDS_ESCAPE = re.compile(r"\\(?=[\\~=#{}:n])")


def _escape(text: str) -> str:
    """Text → GIFT: control characters escaped, line breaks as ``\\n`` (Moodle's ``repchar``)."""
    text = _NEEDS_ESCAPE.sub(r"\\\\", text.replace("\r", ""))
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _html(text: str) -> str:
    return "[html]" + _escape(native_to_html(text)) if text else ""


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _weight(percent: float) -> str:
    return format(percent, ".5f").rstrip("0").rstrip(".")


def export_gift(bank: dict, *, warnings: list | None = None) -> str:
    """A native bank → GIFT text. What GIFT cannot hold goes into ``warnings``."""
    sink = warnings if warnings is not None else []
    meta = bank.get("bank") or {}
    bank_slug = meta.get("slug") or "bank"
    topics = {t["slug"]: t for t in bank.get("topics") or []}

    def path_of(slug: str | None) -> str:
        names, seen = [], set()
        while slug and slug in topics and slug not in seen:
            seen.add(slug)
            names.append(topics[slug]["title"].replace("/", "//"))
            slug = topics[slug].get("parent")
        root = (meta.get("title") or bank_slug).replace("/", "//")
        return "/".join(["$course$", "top", root, *reversed(names)])

    def warn(entry: dict, message: str, code: str = "export"):
        text = _("вопрос %(slug)s: %(message)s") % {"slug": entry.get("slug"), "message": message}
        sink.append(Problem(bank_slug, None, None, text, code, "warning"))

    groups: dict[str | None, list[dict]] = {}
    for entry in bank.get("questions") or []:
        groups.setdefault(entry.get("topic"), []).append(entry)
    out: list[str] = []
    for topic, entries in groups.items():
        out.append(f"$CATEGORY: {path_of(topic)}\n\n")
        for entry in entries:
            try:
                written = _question(entry, warn)
            except GraderError as exc:
                warn(
                    entry,
                    _("не экспортирован: %(message)s") % {"message": exc.message},
                    "export_skipped",
                )
                continue
            if written is not None:
                out.append(written + "\n")
    return "".join(out)


def _question(entry: dict, warn) -> str | None:
    _meta, spec = split_question(entry)
    kind = spec.get("kind")
    if kind in ("vector", "matrix", "expression"):
        warn(
            entry,
            _("тип %(kind)s в GIFT не записать, вопрос пропущен: выгрузите банк в Moodle XML")
            % {"kind": kind},
            "export_skipped",
        )
        return None
    values = variant(spec, None).values
    if spec.get("params"):
        warn(entry, _("шаблон с параметрами экспортирован одним вариантом (по умолчанию)"))
    if spec.get("hints"):
        warn(entry, _("подсказки в GIFT не переносятся"))
    module = kinds.get(kind)
    no_key = ("flashcard", "description", "essay")
    expected = None if kind in no_key else module.expected(spec, values)
    context = {**values, **({"answer": expected} if kind == "numeric" else {})}

    def shown(template: str, where: dict = values) -> str:
        return render(template or "", where)

    head = [f"// [id:{entry.get('slug', '')}]"]
    head += [f"// [tag:{tag}]" for tag in entry.get("tags") or []]
    if kind == "flashcard":
        # GIFT writes a card and an essay alike («{}»): the tag brings the card back as a card.
        head.append(f"// [tag:{CARD_TAG}]")
    if kind == "essay" and spec.get("rubric"):
        warn(entry, _("критерии оценки эссе (rubric) в GIFT не переносятся"))
    title = "::" + _escape(entry.get("title") or entry.get("slug") or "") + "::"
    text = _html(shown(spec.get("front") if kind == "flashcard" else spec.get("text", "")))
    feedback = (
        shown(spec.get("back", ""))
        if kind == "flashcard"
        else shown(spec.get("solution", ""), context)
    )
    general = f"\t####{_html(feedback)}\n" if feedback else ""
    lines = "\n".join(head) + "\n" + title + text
    if kind == "description":
        return lines + "\n"
    if kind in ("flashcard", "essay"):
        return lines + "{" + general.strip() + "}\n"
    body = _body(kind, spec, values, expected, shown, entry, warn)
    opener = "{" if kind == "numeric" else "{\n"  # «{#» as Moodle writes a numerical
    return lines + opener + body + general + "}\n"


def _body(kind, spec, values, expected, shown, entry, warn) -> str:
    rows: list[str] = []
    mistakes = spec.get("mistakes") or []
    if kind == "matching":
        if not spec.get("shuffle", True):
            warn(entry, _("в GIFT нет настройки порядка: Moodle перемешает элементы"))
        if mistakes:
            warn(entry, _("типичные ошибки вопроса на соответствие в GIFT не переносятся"))
        for pair in spec.get("pairs") or []:
            stem = _escape(native_to_html(shown(pair["stem"])))
            rows.append(f"=[html]{stem} -> {_escape(answer_text(shown(pair['answer'])))}")
        rows += [f"= -> {_escape(answer_text(shown(d)))}" for d in spec.get("distractors") or []]
    elif kind in ("single_choice", "multiple_choice"):
        if not spec.get("shuffle", True):
            warn(entry, _("в GIFT нет настройки порядка: Moodle может перемешать варианты"))
        options = spec.get("options") or []
        right = sum(1 for o in options if o.get("correct"))
        wrong = len(options) - right
        for option in options:
            if kind == "single_choice":
                mark = "=" if option.get("correct") else "~"
            elif option.get("correct"):
                mark = f"~%{_weight(100 / right)}%"
            else:
                mark = f"~%-{_weight(100 / wrong)}%"
            row = mark + _html(shown(option.get("text", "")))
            if option.get("feedback"):
                row += "#" + _html(shown(option["feedback"]))
            rows.append(row)
    elif kind == "short_text":
        for accepted in spec.get("answers") or []:
            text = accepted.get("text", "") if isinstance(accepted, dict) else accepted
            rows.append("=" + _escape(str(text)))
        rows += _mistake_rows(spec, values, lambda v: isinstance(v, str), _escape, shown)
    elif kind == "numeric":
        tolerance = spec.get("tolerance") or {}
        if set(k for k, v in tolerance.items() if v is not None) - {"abs"}:
            warn(entry, _("допуск записан абсолютным: в GIFT допуск — «ответ:погрешность»"))
        bound = _absolute_bound(tolerance, expected)
        rows.append(f"={_number(expected)}:{_number(bound)}")
        number = lambda v: isinstance(v, int | float) and not isinstance(v, bool)  # noqa: E731
        rows += _mistake_rows(
            spec, values, number, lambda v: f"{_number(v)}:{_number(bound)}", shown
        )
        if mistakes and not rows[1:]:
            warn(entry, _("типичные ошибки не вычисляются числом и не переносятся"))
        return "#\n" + "".join(f"\t{row}\n" for row in rows)
    else:
        raise GraderError(_("тип %(kind)s не экспортируется") % {"kind": kind}, code="unsupported")
    return "".join(f"\t{row}\n" for row in rows)


def _mistake_rows(spec, values, fits, write, shown) -> list[str]:
    """Typical mistakes with a value of the right sort, as answers worth 0 % with feedback."""
    rows = []
    for mistake in spec.get("mistakes") or []:
        try:
            wrong = compute_value(mistake.get("answer"), values)
        except GraderError:
            continue
        if fits(wrong):
            rows.append(f"=%0%{write(wrong)}#{_html(shown(mistake.get('feedback', '')))}")
    return rows
