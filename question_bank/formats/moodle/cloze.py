"""Moodle cloze («вложенные ответы», ``<question type="cloze">``) ↔ multipart questions.

A cloze text embeds its fields as ``{weight:TYPE:answers}`` (Moodle's «Embedded answers»):
``answers`` are alternatives separated by ``~``, each ``=`` (right, 100 %) or ``%n%`` (a grade
in percent) or nothing (0 %), then the answer, then ``#feedback``; a NUMERICAL answer is
``value:tolerance``; ``\\}``, ``\\#``, ``\\~``, ``\\/``, ``\\"`` and ``\\\\`` are the characters
themselves. Types (and their short names): NUMERICAL (NM); SHORTANSWER (SA, MW), and
SHORTANSWER_C (SAC, MWC) which is case-sensitive; MULTICHOICE (MC) and its layouts _V (MCV), _H
(MCH) with shuffled forms _S (MCS), _VS (MCVS), _HS (MCHS); MULTIRESPONSE (MR), _H (MRH), _S
(MRS), _HS (MRHS).

Import: each field becomes a part ``p1``, ``p2``… (numeric, short_text, single_choice,
multiple_choice) marked ``[[p1]]`` where it stood; the weight is the part's weight. Right answers
are the 100 % ones; a 0 % answer with feedback becomes a typical mistake (choice: the option's
feedback); every other grade is kept as Moodle scores it — a partial or negative option's
``fraction``, a numeric alternative, a short answer worth a share — through the helpers the
Moodle XML and GIFT importers share (question_bank/formats/fractions.py).

Our own export of a vector or matrix (one NUMERICAL field per element) carries machine tags
(``nz-kind:vector``, ``nz-shape:2x3``, ``nz-tolerance:rel=0.01``) so that it is read back as the
same kind; a multipart question's part names travel in ``nz-parts:h,p``. Tags starting with
``nz-`` are never imported as tags.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from question_bank.formats.common import (
    NumberError,
    clip,
    parse_number,
)
from question_bank.formats.fractions import graded_options, numeric_answers, short_text_answers
from question_bank.formats.moodle.question import (
    Context,
    QuestionError,
    common_fields,
    solution,
    with_solution,
)
from question_bank.formats.moodle.reader import Element
from question_bank.formats.text import convert_text

__all__ = [
    "MACHINE_TAG",
    "Alternative",
    "Field",
    "escape",
    "field_text",
    "import_cloze",
    "is_machine_tag",
    "machine_tags",
    "parse_fields",
    "tolerance_of_tag",
]

MACHINE_TAG = "nz-"
TYPES = {
    "NUMERICAL": "numerical", "NM": "numerical",
    "SHORTANSWER": "short", "SA": "short", "MW": "short",
    "SHORTANSWER_C": "short_case", "SAC": "short_case", "MWC": "short_case",
    "MULTICHOICE": "single", "MC": "single", "MULTICHOICE_V": "single", "MCV": "single",
    "MULTICHOICE_H": "single", "MCH": "single",
    "MULTICHOICE_S": "single_shuffled", "MCS": "single_shuffled",
    "MULTICHOICE_VS": "single_shuffled", "MCVS": "single_shuffled",
    "MULTICHOICE_HS": "single_shuffled", "MCHS": "single_shuffled",
    "MULTIRESPONSE": "multiple", "MR": "multiple", "MULTIRESPONSE_H": "multiple", "MRH": "multiple",
    "MULTIRESPONSE_S": "multiple_shuffled", "MRS": "multiple_shuffled",
    "MULTIRESPONSE_HS": "multiple_shuffled", "MRHS": "multiple_shuffled",
}  # fmt: skip
# The start of a field: Moodle's own test (digits, a colon, an upper-case type, a colon).
_START = re.compile(r"\{(\d*):([A-Z_]+):")
_FRACTION = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_ESCAPED = {"}": "}", "#": "#", "~": "~", "/": "/", '"': '"', "\\": "\\"}
MAX_FIELDS = 100
MAX_WEIGHT = 1000  # the native schema's limit of a part's weight


@dataclass
class Alternative:
    text: str  # unescaped, still HTML
    fraction: float
    feedback: str  # unescaped, still HTML


@dataclass
class Field:
    number: int
    weight: int
    type: str  # as written (NUMERICAL, MCS…)
    alternatives: list[Alternative] = field(default_factory=list)

    @property
    def family(self) -> str:
        return TYPES[self.type]


def _error(number: int, message: str, code: str = "bad_cloze") -> QuestionError:
    return QuestionError(
        _("поле %(number)s: %(message)s") % {"number": number, "message": message}, code
    )


def _split(text: str, separator: str) -> list[str]:
    """Split at ``separator`` where it is not escaped with a backslash (escapes stay)."""
    pieces, current, i = [], [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if char == separator:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    pieces.append("".join(current))
    return pieces


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPED.get(m.group(1), m.group(0)), text, flags=re.S)


def _field_end(source: str, start: int) -> int:
    """The index of the field's closing ``}`` (not escaped), or -1."""
    i = start
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source[i] == "}":
            return i
        i += 1
    return -1


def parse_fields(source: str) -> tuple[str, list[Field]]:
    """A cloze text (HTML) → the text with ``[[pN]]`` where each field stood, and the fields.

    Raises :class:`QuestionError` naming the field and the rule it breaks.
    """
    out, fields, at = [], [], 0
    for match in _START.finditer(source):
        if match.start() < at:
            continue  # inside the previous field
        number = len(fields) + 1
        if number > MAX_FIELDS:
            raise QuestionError(
                _("больше %(max)s полей в одном вопросе") % {"max": MAX_FIELDS}, "too_many_fields"
            )
        kind = match.group(2)
        if kind not in TYPES:
            raise _error(
                number,
                _("неизвестный тип «%(kind)s»; допустимы: %(kinds)s")
                % {"kind": kind, "kinds": ", ".join(sorted(TYPES))},
                "unknown_cloze_type",
            )
        end = _field_end(source, match.end())
        if end < 0:
            raise _error(number, _("нет закрывающей фигурной скобки }"), "unclosed_field")
        weight = int(match.group(1)[:6]) if match.group(1) else 1
        if not 0 < weight <= MAX_WEIGHT or len(match.group(1)) > 6:
            raise _error(
                number,
                _("вес поля %(weight)s: нужен вес от 1 до %(max)s")
                % {"weight": clip(match.group(1), 10), "max": MAX_WEIGHT},
                "bad_weight",
            )
        item = Field(number, weight, kind, _alternatives(number, source[match.end() : end]))
        fields.append(item)
        out += [source[at : match.start()], f"[[p{number}]]"]
        at = end + 1
    out.append(source[at:])
    return "".join(out), fields


def _alternatives(number: int, body: str) -> list[Alternative]:
    found = []
    for raw in _split(body, "~"):
        fraction = 0.0
        if raw.startswith("="):
            fraction, raw = 100.0, raw[1:]
        elif raw.startswith("%"):
            match = _FRACTION.match(raw)
            if match is None:
                raise _error(
                    number,
                    _("после %% ждётся процент и ещё один %% (например %%50%%), а не «%(clip)s»")
                    % {"clip": clip(raw, 20)},
                    "bad_fraction",
                )
            fraction, raw = float(match.group(1)), raw[match.end() :]
            if not -100 <= fraction <= 100:
                raise _error(
                    number,
                    _("балл %(fraction)s%% вне пределов от −100 до 100")
                    % {"fraction": _percent(fraction)},
                    "bad_fraction",
                )
        text, *rest = _split(raw, "#")
        feedback = "#".join(rest)  # a further unescaped # belongs to the feedback
        found.append(Alternative(_unescape(text).strip(), fraction, _unescape(feedback).strip()))
    if not any(a.text for a in found):
        raise _error(number, _("нет ни одного ответа"), "empty_field")
    return found


def _percent(value: float) -> str:
    return f"{value:g}"


def _plain(text: str) -> str:
    """An answer of the text (HTML inside the question text) → plain text."""
    converted, _dropped = convert_text(text, "html")
    return " ".join(converted.split())


def _warn(ctx: Context, number: int):
    """The shared Moodle-grade helpers' warnings, naming the field."""
    return lambda message, code, _where=None: ctx.warn(
        _("поле %(number)s: %(message)s") % {"number": number, "message": message}, code
    )


def _numeric_part(item: Field, ctx: Context) -> dict:
    answers = []
    for alt in item.alternatives:
        raw = html.unescape(alt.text)
        feedback = _plain(alt.feedback)
        if raw == "*":
            if feedback:
                ctx.warn(
                    _("поле %(number)s: отзыв на «любой другой ответ» (*) не переносится")
                    % {"number": item.number},
                    "catch_all",
                )
            continue
        value_text, _sep, tolerance_text = raw.partition(":")
        try:
            value = parse_number(value_text)
            tolerance = abs(parse_number(tolerance_text)) if tolerance_text.strip() else 0.0
        except NumberError as exc:
            raise _error(
                item.number,
                _("ответ NUMERICAL пишется «число:допуск», а «%(raw)s»: %(exc)s")
                % {"raw": clip(raw, 30), "exc": exc},
                "bad_number",
            ) from None
        answers.append((alt.fraction, value, tolerance, feedback, None))
    # Moodle's grades are kept: the first 100 % answer is the key, other graded answers are
    # alternatives worth their share, 0 % answers with feedback typical mistakes.
    part = numeric_answers(answers, prefix="moodle", warn=_warn(ctx, item.number))
    if part is None:
        raise _error(item.number, _("нет ответа с баллом 100 %"), "no_correct")
    return {"kind": "numeric", **part}


def _short_part(item: Field, ctx: Context) -> dict:
    if item.family == "short_case":
        ctx.warn(
            _("поле %(number)s: регистр букв в Нейрозачёте не учитывается (в Moodle учитывался)")
            % {"number": item.number},
            "usecase",
        )
    graded = []
    for alt in item.alternatives:
        raw = _plain(alt.text)
        if raw == "*":
            continue  # «any other answer»: ours says «Неверно» by itself
        if "*" in raw.replace("\\*", ""):
            ctx.warn(
                _(
                    "поле %(number)s: ответ «%(clip)s» с подстановочным знаком * не "
                    "переносится: перечислите варианты написания"
                )
                % {"number": item.number, "clip": clip(raw, 40)},
                "wildcard_dropped",
            )
            continue
        text = raw.replace("\\*", "*")
        if text:
            graded.append((alt.fraction, text, _plain(alt.feedback)))
    accepted, mistakes = short_text_answers(graded, prefix="moodle")
    if not any(isinstance(a, str) or a.get("fraction", 1) >= 1 for a in accepted):
        raise _error(item.number, _("нет ни одного ответа с баллом 100 %"), "no_correct")
    part = {"kind": "short_text", "answers": accepted}
    if mistakes:
        part["mistakes"] = mistakes
    return part


def _choice_part(item: Field, ctx: Context) -> dict:
    options = []
    for alt in item.alternatives:
        text = _plain(alt.text)
        if not text:
            raise _error(item.number, _("пустой вариант ответа"), "empty_option")
        option = {"text": text, "correct": False}
        if feedback := _plain(alt.feedback):
            option["feedback"] = feedback
        options.append(option)
    if len(options) < 2:
        raise _error(item.number, _("нужно не меньше двух вариантов ответа"), "too_few_options")
    if not any(a.fraction > 0 for a in item.alternatives):
        raise _error(item.number, _("нет ни одного верного варианта (с баллом больше 0)"))
    family = item.family
    single = family.startswith("single")
    options = graded_options(
        options,
        [a.fraction for a in item.alternatives],
        single=single,
        warn=_warn(ctx, item.number),
    )
    return {
        "kind": "single_choice" if single else "multiple_choice",
        "options": options,
        "shuffle": family.endswith("shuffled"),
    }


def _part(item: Field, ctx: Context) -> dict:
    family = item.family
    if family == "numerical":
        return _numeric_part(item, ctx)
    if family.startswith("short"):
        return _short_part(item, ctx)
    return _choice_part(item, ctx)


def is_machine_tag(tag: str) -> bool:
    return tag.startswith(MACHINE_TAG)


def machine_tags(tags: list[str]) -> dict[str, str]:
    """``["nz-kind:vector", "nz-shape:2x3"]`` → ``{"kind": "vector", "shape": "2x3"}``."""
    found = {}
    for tag in tags:
        if is_machine_tag(tag):
            key, _sep, value = tag[len(MACHINE_TAG) :].partition(":")
            found[key.strip()] = value.strip()
    return found


def import_cloze(element: Element, ctx: Context, tags: list[str]) -> dict:
    """A ``cloze`` question → multipart, or the vector/matrix our own export wrote."""
    holder = element.find("questiontext")
    inner = holder.find("text") if holder is not None else None
    source = (inner.text if inner is not None else holder.text) if holder is not None else ""
    text_html, fields = parse_fields(source)
    if not fields:
        raise QuestionError(
            _("в тексте нет ни одного поля вида {1:SHORTANSWER:=ответ}"), "no_cloze_fields"
        )
    marks = machine_tags(tags)
    if marks.get("kind") in ("vector", "matrix"):
        restored = _tensor(element, ctx, source, fields, marks)
        if restored is not None:
            return restored
    fmt = holder.attrs.get("format", "html") if holder is not None else "html"
    fake = Element("questiontext", {"format": fmt}, holder.line if holder is not None else None)
    fake._text.append(text_html)
    entry = common_fields(_with_text(element, fake), ctx)
    names = _part_names(marks.get("parts", ""), len(fields))
    parts = []
    for item, name in zip(fields, names, strict=True):
        part = {"name": name, **_part(item, ctx)}
        if item.weight != 1:
            part["weight"] = item.weight
        parts.append(part)
    text = entry["text"]
    if any(text.count(f"[[p{f.number}]]") != 1 for f in fields):
        # A field inside something the conversion dropped (an image's caption…): list them.
        text = re.sub(r"\[\[p\d+\]\]", "", text)
        ctx.warn(_("метки полей не удалось сохранить в тексте: поля идут после текста"))
    else:
        for item, name in zip(fields, names, strict=True):
            text = text.replace(f"[[p{item.number}]]", f"[[{name}]]")
    entry = {"kind": "multipart", **entry, "text": text, "parts": parts}
    return with_solution(entry, solution(element, ctx))


def _with_text(element: Element, text: Element) -> Element:
    copy = Element(element.tag, element.attrs, element.line)
    copy.children = [text if c.tag == "questiontext" else c for c in element.children]
    return copy


def _part_names(listed: str, count: int) -> list[str]:
    names = [n.strip() for n in listed.split(",")] if listed else []
    ok = (
        len(names) == count
        and len(set(names)) == count
        and all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", n) for n in names)
    )
    return names if ok else [f"p{i}" for i in range(1, count + 1)]


def _tensor(element, ctx, source: str, fields: list[Field], marks: dict) -> dict | None:
    """Our export of a vector/matrix (``nz-kind`` tag): one NUMERICAL field per element."""
    keys, bounds = [], []
    for item in fields:
        right = [a for a in item.alternatives if a.fraction >= 100 - 1e-6]
        if item.family != "numerical" or len(right) != 1:
            return None
        value, _sep, bound = html.unescape(right[0].text).partition(":")
        try:
            keys.append(parse_number(value))
            bounds.append(abs(parse_number(bound)) if bound.strip() else 0.0)
        except NumberError:
            return None
    kind = marks["kind"]
    answer: list = keys
    if kind == "matrix":
        rows, _x, cols = marks.get("shape", "").partition("x")
        if not (rows.isdigit() and cols.isdigit()) or int(rows) * int(cols) != len(keys):
            return None
        answer = [keys[r * int(cols) : (r + 1) * int(cols)] for r in range(int(rows))]
    # Our export put the fields in a paragraph of their own after the text: leave it out.
    first = _START.search(source)
    cut = source.rfind("<p>", 0, first.start()) if first else -1
    fake = Element("questiontext", {"format": "html"}, None)
    fake._text.append(source[:cut] if cut >= 0 else source[: first.start()])
    entry = common_fields(_with_text(element, fake), ctx)
    entry = {"kind": kind, **entry, "answer": {"value": answer}}
    if marks.get("tolerance") != "none":  # none: the question had the default tolerance
        entry["tolerance"] = tolerance_of_tag(marks.get("tolerance", "")) or {"abs": max(bounds)}
    return with_solution(entry, solution(element, ctx))


def tolerance_of_tag(text: str) -> dict:
    """``rel=0.01,abs=0.5`` → ``{"rel": 0.01, "abs": 0.5}`` (only our tolerance's keys)."""
    found = {}
    for pair in text.split(","):
        key, _sep, value = pair.partition("=")
        if key.strip() in ("abs", "rel", "geo", "sig"):
            try:
                number = parse_number(value)
            except NumberError:
                return {}
            found[key.strip()] = int(number) if key.strip() == "sig" else float(number)
    return found


# --- writing fields (the exporter) ----------------------------------------------------------


def escape(text: str) -> str:
    """Text (already HTML) as an answer or feedback inside a field: ``\\``, ``}``, ``#``, ``~``
    are written with a backslash."""
    return re.sub(r"([\\}#~])", r"\\\1", text)


def field_text(weight: int, qtype: str, alternatives: list[tuple[float, str, str]]) -> str:
    """``{weight:TYPE:=a#fb~%0%b}`` from (fraction, answer HTML, feedback HTML)."""
    written = []
    for fraction, answer, feedback in alternatives:
        prefix = "=" if fraction >= 100 else f"%{_percent(round(fraction, 5))}%"
        written.append(prefix + escape(answer) + (f"#{escape(feedback)}" if feedback else ""))
    return "{" + f"{weight}:{qtype}:" + "~".join(written) + "}"
