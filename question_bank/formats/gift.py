"""GIFT (Moodle's plain-text question format) → the native bank structure.

Conventions, as Moodle's ``qformat_gift`` reads a file:

* questions are separated by blank lines; lines starting with ``//`` are comments (Moodle 4's
  ``// [id:…]`` and ``// [tag:…]`` in them give the slug and tags);
* a block starting with ``$CATEGORY:`` sets the category (``$course$/top/A/B`` → topics A → B)
  for the questions after it;
* ``::title::`` names a question; ``[html]``, ``[moodle]``, ``[plain]``, ``[markdown]`` before the
  text set its format;
* the answer block ``{…}``: ``{}`` essay → flashcard (back: the general feedback ``####…``);
  ``{T}``/``{TRUE}``/``{F}``/``{FALSE}`` with ``#wrong-answer feedback#right-answer feedback`` →
  single choice «Верно»/«Неверно»; ``{=right ~wrong#feedback}`` multiple choice (exactly one
  ``=`` and no positive ``~%w%`` weight → single choice, otherwise multiple choice, right options
  are those with a positive weight); only ``=`` answers → short text (partial ones become typical
  mistakes); ``{#3.14:0.01}``, ``{#1..2}`` (value = middle, tolerance = half-width) and
  ``{# =3.14:0.01 =%50%3.1:0.1#feedback}`` → numeric (the 100 % answer is the key, the others
  become typical mistakes); matching ``{=a -> b}`` is not supported (warning);
* text after the answer block makes a "missing word" question: the block becomes ``_____``;
* escapes ``\\~ \\= \\# \\{ \\} \\:`` give the literal character, ``\\n`` a line break.

Every problem carries the line (and, for the answer block, the column) where it was found; a
broken question is reported and skipped, the others are imported.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from question_bank.formats.common import (
    MAX_SOURCE,
    MAX_TEXT,
    MAX_TITLE,
    ImportResult,
    NumberError,
    Problem,
    TopicTree,
    build_bank,
    category_segments,
    clip,
    numeric_mistakes,
    parse_number,
    question_meta,
    refused,
    short_text_mistakes,
    too_large,
)
from question_bank.formats.slugs import SlugRegistry
from question_bank.formats.text import convert_text
from quizapp.core.errors import ErrorCode

__all__ = ["parse_gift", "MAX_CHARS"]

MAX_CHARS = 5 * 1024 * 1024

# Escaped characters are replaced by private-use characters while the structure is parsed.
_ESCAPES = {":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004", "}": "\ue005",
            "~": "\ue006", "n": "\ue007"}  # fmt: skip
_RESTORE = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_DOUBLE_BACKSLASH = "\ue000"
_FORMATS = {"html": "html", "moodle": "moodle_auto_format", "plain": "plain_text",
            "markdown": "markdown"}  # fmt: skip
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
_TRUEFALSE = re.compile(r"^(T|TRUE|F|FALSE)\s*(#.*)?$", re.I | re.S)


def _protect(text: str) -> str:
    text = text.replace("\\\\", _DOUBLE_BACKSLASH)
    for char, mark in _ESCAPES.items():
        text = text.replace("\\" + char, mark)
    return text


def _restore(text: str) -> str:
    for mark, char in _RESTORE.items():
        text = text.replace(mark, char)
    return text.replace(_DOUBLE_BACKSLASH, "\\\\")  # Moodle keeps \\ as it is (TeX line break)


class _Error(Exception):
    """A question that cannot be imported; ``severity="warning"`` for unsupported types."""

    def __init__(self, message: str, offset=None, code: str = "invalid", severity: str = "error"):
        super().__init__(message)
        self.message, self.offset, self.code, self.severity = message, offset, code, severity


class _Block:
    """One question's lines: protected text without comment lines, and where it starts."""

    def __init__(self, filename: str, first_line: int, lines: list[str]):
        self.filename = filename
        self.first_line = first_line
        kept, self.comments = [], []
        for line in lines:
            if line.lstrip().startswith("//"):
                self.comments.append(line)
                kept.append("")  # keep the line count so offsets map to lines
            else:
                kept.append(line)
        self.text = _protect("\n".join(kept))
        self.name = ""

    def where(self, offset: int | None) -> tuple[int, int | None]:
        if offset is None:
            stripped = self.text.lstrip()
            offset = len(self.text) - len(stripped)
            line = self.first_line + self.text.count("\n", 0, offset)
            return line, None
        line = self.first_line + self.text.count("\n", 0, offset)
        start = self.text.rfind("\n", 0, offset) + 1
        return line, offset - start + 1

    def problem(
        self, message: str, offset=None, code=ErrorCode.INVALID, severity="error"
    ) -> Problem:
        line, column = self.where(offset)
        name = self.name or clip(_restore(self.text).strip(), 40)
        label = _("вопрос «%(clip)s»: ") % {"clip": clip(name, 60)} if name else ""
        return Problem(self.filename, line, column, label + message, code, severity)


def _blocks(text: str, filename: str) -> list[_Block]:
    blocks, current, start = [], [], 1
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append(_Block(filename, start, current))
            current = []
    if current:
        blocks.append(_Block(filename, start, current))
    return blocks


def parse_gift(text: str, filename: str) -> ImportResult:
    """A GIFT file → the native bank structure and every problem found (with line numbers)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return refused(
                filename, _("файл не в кодировке UTF-8: %(exc)s") % {"exc": exc}, "encoding"
            )
    if len(text) > MAX_CHARS:
        return too_large(filename, len(text), MAX_CHARS, _("символов"))
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    problems: list[Problem] = []
    topics = TopicTree()
    slugs = SlugRegistry()
    questions: list[dict] = []
    topic = None
    for block in _blocks(text, filename):
        body = block.text.strip()
        if not body:
            continue  # only comments
        if body.startswith("$CATEGORY:"):
            path = _restore(body[len("$CATEGORY:") :].split("\n", 1)[0]).strip()
            topic = topics.topic_for(category_segments(path))
            continue
        try:
            entry, warnings = _question(block)
        except _Error as exc:
            problems.append(block.problem(exc.message, exc.offset, exc.code, exc.severity))
            continue
        except (ArithmeticError, ValueError, RecursionError) as exc:
            # odd numbers in a damaged file: report the question, keep the others
            problems.append(block.problem(str(exc) or type(exc).__name__, None, "invalid"))
            continue
        problems.extend(warnings)
        if entry is None:
            continue
        questions.append({**_meta(block, entry, slugs, topic), **entry})
    return build_bank(filename, topics, questions, problems, source="GIFT")


def _meta(block: _Block, entry: dict, slugs: SlugRegistry, topic: str | None) -> dict:
    ids, tags = [], []
    for comment in block.comments:
        ids += re.findall(r"\[id:([^\[\]]{1,100})\]", comment)
        tags += re.findall(r"\[tag:([^\[\]]{1,300})\]", comment)
    slug = ids[0].strip() if ids else None
    return question_meta(entry, slugs, slug=slug, name=block.name, topic=topic, tags=tags)


def _question(block: _Block) -> tuple[dict | None, list[Problem]]:
    text = block.text
    position = len(text) - len(text.lstrip())
    if text.startswith("::", position):
        end = text.find("::", position + 2)
        if end < 0:
            raise _Error(_("название не закрыто «::»"), position, "syntax")
        block.name = _restore(text[position + 2 : end]).strip()
        position = end + 2
    fmt = "moodle"
    match = re.compile(r"\s*\[(html|moodle|plain|markdown)\]").match(text, position)
    if match:
        fmt = match.group(1)
        position = match.end()
    open_at = text.find("{", position)
    if open_at < 0:
        return None, [
            block.problem(
                _("нет блока ответов {…}: описания без ответа не импортируются"),
                None,
                "unsupported_type",
                "warning",
            )
        ]
    close_at = text.find("}", open_at + 1)
    if close_at < 0:
        raise _Error(_("блок ответов не закрыт «}»"), open_at, "syntax")
    if text.find("{", open_at + 1, close_at) >= 0:
        raise _Error(
            _("внутри блока ответов «{» без обратной косой черты (пишите \\{)"), open_at, "syntax"
        )
    before, after = text[position:open_at], text[close_at + 1 :]
    if after.strip():
        question_text = before.rstrip() + " _____ " + after.lstrip()
    else:
        question_text = before
    warnings: list[Problem] = []
    converter = _Converter(block, _FORMATS[fmt], warnings)
    entry = {"text": converter(question_text, open_at)}
    body = text[open_at + 1 : close_at]
    separator = body.rfind("####")
    if separator >= 0:
        body, general = body[:separator], body[separator + 4 :]
        if solution := converter(general, open_at):
            entry["solution"] = solution
    base = open_at + 1 + len(body) - len(body.lstrip())  # where the stripped body starts
    entry.update(_answers(body.strip(), entry, block, converter, open_at, warnings, base))
    if not entry.get("text") and entry.get("kind") != "flashcard":
        raise _Error(_("пустой текст вопроса"), None, "empty_text")
    return _ordered(entry), warnings


def _ordered(entry: dict) -> dict:
    order = ["kind", "text", "front", "back", "answer", "tolerance", "options", "shuffle",
             "answers", "mistakes", "solution"]  # fmt: skip
    return {k: entry[k] for k in order if k in entry}


class _Converter:
    def __init__(self, block: _Block, fmt: str, warnings: list):
        self.block, self.fmt, self.warnings = block, fmt, warnings

    def __call__(self, raw: str, offset: int) -> str:
        if len(raw) > MAX_SOURCE:
            raise _Error(
                _("текст длиннее %(max_source)s символов") % {"max_source": MAX_SOURCE},
                offset,
                "too_long",
            )
        text, dropped = convert_text(_restore(raw).strip(), self.fmt)
        for item in dropped:
            self.warnings.append(
                self.block.problem(
                    _("%(item)s удалён(а): файлы и медиа не импортируются") % {"item": item},
                    offset,
                    "media_dropped",
                    "warning",
                )
            )
        if len(text) > MAX_TEXT:
            raise _Error(
                _("текст длиннее %(max_text)s символов") % {"max_text": MAX_TEXT},
                offset,
                "too_long",
            )
        return text


def _answers(body, entry, block, converter, offset, warnings, base) -> dict:
    """The answer block → kind and answers; ``offset`` is where «{» is, ``base`` the body."""
    if not body:  # an essay: the flashcard's back is the general feedback
        front = entry.pop("text")
        back = entry.pop("solution", "")
        if not back:
            raise _Error(
                _("эссе {} станет карточкой, но нет оборота: допишите общий отзыв «{####ответ}»"),
                offset,
                "no_back",
            )
        return {"kind": "flashcard", "front": front, "back": back}
    if body.startswith("#"):
        return _numeric(body[1:], block, converter, offset, warnings, base + 1)
    truefalse = _TRUEFALSE.match(body)
    if truefalse:
        key = truefalse.group(1).upper().startswith("T")
        parts = (truefalse.group(2) or "").split("#")[1:]
        wrong = converter(parts[0], offset) if len(parts) > 0 else ""
        right = converter("#".join(parts[1:]), offset) if len(parts) > 1 else ""
        options = []
        for value, label in ((True, _("Верно")), (False, _("Неверно"))):
            option = {"text": label, "correct": value == key}
            feedback = right if value == key else wrong
            if feedback:
                option["feedback"] = feedback
            options.append(option)
        return {"kind": "single_choice", "options": options, "shuffle": False}
    items = _items(body, base)
    if all(marker == "=" for marker, *_ in items) and any("->" in t for _, t, _ in items):
        raise _Error(
            _("тип «на соответствие» не поддерживается, вопрос пропущен"),
            offset,
            "unsupported_type",
            "warning",
        )
    if any(marker == "~" for marker, *_ in items):
        return _choice(items, block, converter, offset, warnings)
    return _short(items, block, converter, offset, warnings)


def _items(body: str, base: int) -> list[tuple[str, str, int]]:
    """``=a ~b#c`` → [(marker, text, offset of the marker)]."""
    first = re.search(r"[=~]", body)
    if first is None or body[: first.start()].strip():
        raise _Error(
            _("не удалось понять ответы: каждый вариант начинается с «=» (верный) или «~»"),
            base,
            "syntax",
        )
    return [
        (m.group(1), m.group(2), base + m.start()) for m in re.finditer(r"([=~])([^=~]*)", body)
    ]


def _weight(text: str, default: float, offset: int) -> tuple[float, str]:
    match = _WEIGHT.match(text)
    if not match:
        return default, text
    weight = float(match.group(1))
    if not -100 <= weight <= 100:
        raise _Error(
            _("вес %(weight)s%% вне диапазона от −100 до 100") % {"weight": format(weight, "g")},
            offset,
            "bad_weight",
        )
    return weight, text[match.end() :]


def _split_feedback(text: str) -> tuple[str, str]:
    answer, _sep, feedback = text.partition("#")
    return answer, feedback


def _choice(items, block, converter, offset, warnings) -> dict:
    options, weights, equals = [], [], 0
    for marker, raw, at in items:
        weight, rest = _weight(raw, 100.0 if marker == "=" else 0.0, at)
        answer, feedback = _split_feedback(rest)
        text = converter(answer, at)
        if not text:
            raise _Error(_("пустой вариант ответа"), at, "empty_option")
        option = {"text": text, "correct": False}
        if feedback.strip():
            option["feedback"] = converter(feedback, at)
        options.append(option)
        weights.append(weight)
        equals += marker == "="
    if len(options) < 2:
        raise _Error(_("нужно не меньше двух вариантов ответа"), offset, "too_few_options")
    positive = [i for i, w in enumerate(weights) if w > 0]
    if not positive:
        raise _Error(_("нет ни одного верного варианта («=» или «~%50%»)"), offset, "no_correct")
    for i in positive:
        options[i]["correct"] = True
    single = equals == 1 and len(positive) == 1
    if not single and len({weights[i] for i in positive}) > 1:
        warnings.append(
            block.problem(
                _(
                    "у верных вариантов разные веса; в Нейрозачёте каждый верный вариант даёт "
                    "равную долю балла"
                ),
                offset,
                "approximated",
                "warning",
            )
        )
    kind = "single_choice" if single else "multiple_choice"
    return {"kind": kind, "options": options}


def _short(items, block, converter, offset, warnings) -> dict:
    accepted, mistakes = [], []
    for _marker, raw, at in items:
        weight, rest = _weight(raw, 100.0, at)
        answer, feedback = _split_feedback(rest)
        text = " ".join(_restore(answer).split())
        if not text:
            raise _Error(_("пустой ответ"), at, "empty_answer")
        if weight >= 100:
            accepted.append(clip(text, MAX_TITLE))
            continue
        if weight > 0:
            warnings.append(
                block.problem(
                    _(
                        "частичный балл ответа «%(clip)s» не переносится: он станет типичной "
                        "ошибкой с отзывом"
                    )
                    % {"clip": clip(text, 40)},
                    at,
                    "partial",
                    "warning",
                )
            )
        mistakes.append((text, converter(feedback, at) if feedback.strip() else ""))
    if not accepted:
        raise _Error(_("нет ни одного ответа с весом 100 %"), offset, "no_correct")
    entry = {"kind": "short_text", "answers": accepted}
    if kept := short_text_mistakes(mistakes, accepted, prefix="gift"):
        entry["mistakes"] = kept
    return entry


def _number(raw: str, at: int):
    try:
        return parse_number(_restore(raw))
    except NumberError as exc:
        raise _Error(str(exc), at, "bad_number") from None


def _numeric_value(raw: str, at: int) -> tuple[float, float]:
    """``3.14:0.01``, ``1..2`` or ``3.14`` → (value, absolute tolerance)."""
    raw = raw.strip()
    if ".." in raw:
        low_text, high_text = raw.split("..", 1)
        low, high = _number(low_text, at), _number(high_text, at)
        if low > high:
            raise _Error(
                _("в диапазоне %(low)s..%(high)s начало больше конца") % {"low": low, "high": high},
                at,
                "bad_range",
            )
        total = low + high
        middle = total // 2 if isinstance(total, int) and total % 2 == 0 else total / 2
        return middle, (high - low) / 2
    if ":" in raw:
        value_text, tolerance_text = raw.split(":", 1)
        return _number(value_text, at), abs(_number(tolerance_text, at))
    return _number(raw, at), 0


def _numeric(body, block, converter, offset, warnings, base) -> dict:
    if re.search(r"[=~]", body):
        items = _items(body, base)
    else:
        items = [("=", body, base)]
    key, others = None, []
    for marker, raw, at in items:
        weight, rest = _weight(raw, 100.0 if marker == "=" else 0.0, at)
        answer, feedback = _split_feedback(rest)
        value, tolerance = _numeric_value(answer, at)
        if weight >= 100:
            if key is None:
                key = (value, tolerance)
            else:
                warnings.append(
                    block.problem(
                        _("второй верный ответ %(value)s не переносится: верный ответ один")
                        % {"value": value},
                        at,
                        "approximated",
                        "warning",
                    )
                )
            continue
        if weight > 0:
            warnings.append(
                block.problem(
                    _("частичный балл ответа %(value)s не переносится: он станет типичной ошибкой")
                    % {"value": value},
                    at,
                    "partial",
                    "warning",
                )
            )
        others.append((value, converter(feedback, at) if feedback.strip() else "", at))
    if key is None:
        raise _Error(_("нет ответа с весом 100 %"), offset, "no_correct")
    value, tolerance = key
    entry = {"kind": "numeric", "answer": {"value": value}, "tolerance": {"abs": float(tolerance)}}

    def warn(message: str, code: str, at: int):
        warnings.append(block.problem(message, at, code, "warning"))

    if mistakes := numeric_mistakes(others, value, tolerance, prefix="gift", warn=warn):
        entry["mistakes"] = mistakes
    return entry
