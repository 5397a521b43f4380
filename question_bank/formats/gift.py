"""GIFT (Moodle's plain-text question format) → the native bank structure.

Conventions, as Moodle's ``qformat_gift`` reads a file (and where we read more, why):

* questions are separated by blank lines; lines starting with ``//`` are comments (Moodle 4's
  ``// [id:…]`` and ``// [tag:…]`` in them give the slug and tags). Moodle splits on blank
  lines only, so a question right under a ``$CATEGORY:`` line, or questions written one after
  another, are lost there; here a ``$CATEGORY:`` line is always an item of its own, and after a
  closed answer block a line starting with ``::`` (or holding a ``{``, right after the line that
  closed the block) begins the next question, with a warning that Moodle would merge them;
* ``$CATEGORY: $course$/top/A/B`` sets the category (topics A → B) for the questions after it;
* ``::title::`` names a question; ``[html]``, ``[moodle]``, ``[plain]``, ``[markdown]`` before a
  text (the question, an option, a feedback) set its format;
* the answer block ``{…}``, typed in Moodle's order: ``{}`` essay → flashcard (back: the
  general feedback ``####…``); ``#`` first → numeric; a ``~`` → choice (a ``=`` anywhere makes
  it single choice, otherwise multiple choice; every weight ``%50%``, ``%-33.3%`` is kept as
  the option's ``fraction`` and scored as Moodle scores it, formats/fractions.py);
  ``=`` with ``->`` → matching (``=элемент -> ответ``, ``= -> ответ`` an extra wrong answer; at
  least two pairs, as Moodle's importer, and a warning under three, the documented rule);
  ``T``/``TRUE``/``F``/``FALSE`` with
  ``#wrong-answer feedback#right-answer feedback`` → single choice «Верно»/«Неверно»; anything
  else → short text (text before the first ``=`` is an answer too; ``=%50%answer`` is accepted
  for half the mark, an answer at 0 % with feedback is a typical mistake);
* numeric: ``{#3.14:0.01}``, ``{#1..2}`` (value = middle, tolerance = half-width), ``{#3.14}``
  and ``{#=3.14:0.01 =%50%3.1:0.1#feedback ~#feedback for any wrong answer}``: the first 100 %
  answer is the key, other graded answers are ``alternatives`` worth their weight, answers at
  0 % with feedback become typical mistakes; the catch-all feedback after ``~`` cannot be
  carried and is reported;
* text after the answer block makes a "missing word" question: the block becomes ``_____``;
* a text with no answer block at all is a description (an information item, no answer), as
  Moodle reads it; a «}» without «{» is an error, as there;
* escapes ``\\~ \\= \\# \\{ \\} \\:`` give the literal character, ``\\n`` a line break.

Every problem carries the line (and, for the answer block, the column) where it was found; a
broken question is reported and skipped, the others are imported.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from question_bank.formats.common import (
    CARD_TAG,
    ESSAY_NO_BACK,
    MAX_SOURCE,
    MAX_TEXT,
    ImportResult,
    NumberError,
    Problem,
    QuestionRef,
    TopicTree,
    build_bank,
    category_segments,
    clip,
    parse_number,
    question_meta,
    refused,
    too_large,
)
from question_bank.formats.fractions import graded_options, numeric_answers, short_text_answers
from question_bank.formats.matching import MatchingError, matching_entry
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
_FORMAT_PREFIX = re.compile(r"\[(html|moodle|plain|markdown)\]")
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
_TRUEFALSE_WORDS = ("T", "TRUE", "F", "FALSE")
_TRUEFALSE_START = re.compile(r"(T|TRUE|F|FALSE)\b", re.I)


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
    """One question's lines: protected text without comment lines, and where it starts.

    ``joined`` says what came right before the question with no blank line between them
    (``"question"`` or ``"category"``): Moodle would have read the two as one item.
    """

    def __init__(self, filename: str, first_line: int, lines: list[str], joined: str = ""):
        self.filename = filename
        self.first_line = first_line
        self.joined = joined
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
        # The question it stops, for the import report and lenient mode (a GIFT question has
        # no type name until its answer block is read: «gift» says where it came from).
        question = QuestionRef(name=name, type="gift", line=self.where(None)[0])
        return Problem(
            self.filename, line, column, label + message, code, severity, question=question
        )


def _blocks(text: str, filename: str) -> list:
    """The file → questions (:class:`_Block`) and categories, in order.

    A category is ``(line, path, joined)``, ``joined`` when a question came right before it.

    Moodle splits a GIFT file on blank lines only, so a question written right under a
    ``$CATEGORY:`` line becomes part of the category's name, and questions written one after
    another become one broken question: both are lost. Here a ``$CATEGORY:`` line is always an
    item of its own, and once a question's answer block is closed, a line starting with ``::``
    begins the next question, and so does a line holding a ``{`` right after the line that
    closed the block (a question has one answer block, so the line cannot belong to the previous
    one); each such question remembers it was ``joined``, and the importer says so in a warning.
    """
    items: list = []
    paragraphs, current, start = [], [], 1
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            paragraphs.append((start, current))
            current = []
    if current:
        paragraphs.append((start, current))
    for start, lines in paragraphs:
        items.extend(_split_paragraph(filename, start, lines))
    return items


def _split_paragraph(filename: str, start: int, lines: list[str]) -> list:
    items: list = []
    chunk: list[str] = []  # the current question's lines
    chunk_start, joined = start, ""
    content = False  # the chunk has a line that is not a comment
    comments = 0  # comment lines at the end of the chunk: they go with the next question
    depth, answered = 0, False  # inside an answer block; the chunk's answer block was closed
    ended = False  # the last line closed the answer block with its last character

    def flush(upto: int) -> None:
        if content:
            items.append(_Block(filename, chunk_start, chunk[:upto], joined))

    for number, line in enumerate(lines, start=start):
        stripped = line.strip()
        if stripped.startswith("//"):
            chunk.append(line)
            comments += 1
            continue
        protected = _protect(stripped)
        if depth == 0 and stripped.startswith("$CATEGORY:"):
            flush(len(chunk))
            path = _restore(protected[len("$CATEGORY:") :]).strip()
            items.append((number, path, content))
            chunk, chunk_start, joined = [], number + 1, "category"
            content, comments, answered = False, 0, False
            continue
        title = stripped.startswith("::")
        # A title inside an open answer block: the previous question lacks its «}» (reported
        # there) and this line begins the next one, which must not vanish with it.
        if (depth == 0 and answered and (title or ("{" in protected and ended))) or (
            depth and title
        ):
            upto = len(chunk) - comments
            flush(upto)
            chunk, chunk_start, joined = chunk[upto:], number - comments, "question"
            depth, answered = 0, False
        comments, content = 0, True
        chunk.append(line)
        for char in protected:
            if char == "{":
                depth += 1
            elif char == "}" and depth:
                depth -= 1
                answered = answered or depth == 0
        # an untitled line with a «{» starts a question only right after a line that ended
        # the answer block; elsewhere (text after the block, TeX braces) _question refuses it
        ended = depth == 0 and answered and protected.endswith("}")
    flush(len(chunk))
    return items


def parse_gift(text: str, filename: str, *, essays_as_cards: bool = False) -> ImportResult:
    """A GIFT file → the native bank structure and every problem found (with line numbers).

    ``essays_as_cards``: essays ``{}`` become self-check flashcards instead of essays graded by
    the instructor (the lecturer's choice at import)."""
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
        if isinstance(block, tuple):
            line, path, joined = block
            if joined:
                problems.append(_joined_category(filename, line))
            topic = topics.topic_for(category_segments(path))
            continue
        entry, warnings = None, []
        block.essays_as_cards = essays_as_cards
        try:
            entry, warnings = _question(block)
        except _Error as exc:
            warnings = [block.problem(exc.message, exc.offset, exc.code, exc.severity)]
        except (ArithmeticError, ValueError, RecursionError) as exc:
            # odd numbers in a damaged file: report the question, keep the others
            warnings = [block.problem(str(exc) or type(exc).__name__, None, "invalid")]
        if block.joined:  # after _question: the warning names the question by its title
            problems.append(_joined_question(block))
        problems.extend(warnings)
        if entry is None:
            continue
        questions.append({**_meta(block, entry, slugs, topic), **entry})
    if questions and all(q["kind"] == "description" for q in questions):
        # Any text file reads as descriptions (a .txt is taken for GIFT): without a single
        # answer block it is not a bank of questions.
        message = _(
            "в файле нет вопросов: только текст без блоков ответов {…} (описания); вопрос GIFT — "
            "текст с блоком ответов, например «Столица Франции? {=Париж}»"
        )
        problems.append(Problem(filename, None, None, message, "no_questions"))
        return ImportResult(None, problems)
    return build_bank(filename, topics, questions, problems, source="GIFT")


def _joined_question(block: _Block) -> Problem:
    if block.joined == "category":
        message = _(
            "нет пустой строки между «$CATEGORY:» и вопросом: Moodle принял бы вопрос за часть "
            "названия категории и не импортировал бы его; здесь вопрос импортирован в эту "
            "категорию (чтобы файл читался и в Moodle, добавьте пустую строку)"
        )
    else:
        message = _(
            "нет пустой строки между этим вопросом и предыдущим: Moodle прочитал бы оба как один "
            "вопрос; здесь они импортированы отдельно (чтобы файл читался и в Moodle, добавьте "
            "пустую строку)"
        )
    return block.problem(message, None, "no_blank_line", "warning")


def _joined_category(filename: str, line: int) -> Problem:
    message = _(
        "нет пустой строки между вопросом и «$CATEGORY:»: Moodle прочитал бы строку категории "
        "как часть вопроса; здесь она меняет категорию следующих вопросов (добавьте пустую строку)"
    )
    return Problem(filename, line, None, message, "no_blank_line", "warning")


def _meta(block: _Block, entry: dict, slugs: SlugRegistry, topic: str | None) -> dict:
    ids, tags = [], []
    for comment in block.comments:
        ids += re.findall(r"\[id:([^\[\]]{1,100})\]", comment)
        tags += re.findall(r"\[tag:([^\[\]]{1,300})\]", comment)
    slug = ids[0].strip() if ids else None
    tags = [tag for tag in tags if tag.strip() != CARD_TAG]
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
        return _description(block, text, position, fmt)
    close_at = text.find("}", open_at + 1)
    if close_at < 0:
        raise _Error(_("блок ответов не закрыт «}»"), open_at, "syntax")
    if text.find("{", open_at + 1, close_at) >= 0:
        raise _Error(
            _("внутри блока ответов «{» без обратной косой черты (пишите \\{)"), open_at, "syntax"
        )
    before, after = text[position:open_at], text[close_at + 1 :]
    if (second := after.find("{")) >= 0:
        raise _Error(
            _(
                "после блока ответов ещё одна «{»: у вопроса один блок ответов (скобки в тексте "
                "пишите как \\{ и \\}, следующий вопрос отделите пустой строкой)"
            ),
            close_at + 1 + second,
            "syntax",
        )
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
    order = ["kind", "text", "front", "back", "answer", "tolerance", "alternatives", "options",
             "pairs", "distractors", "shuffle", "answers", "mistakes", "solution"]  # fmt: skip
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
        text, fmt = _restore(raw).strip(), self.fmt
        # Moodle reads a format prefix on every text of the answer block too (an option, a
        # feedback), not only on the question text.
        if prefix := _FORMAT_PREFIX.match(text):
            text, fmt = text[prefix.end() :].strip(), _FORMATS[prefix.group(1)]
        text, dropped = convert_text(text, fmt)
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
    """The answer block → kind and answers; ``offset`` is where «{» is, ``base`` the body.

    The type is decided in Moodle's order (no block at all → description, before this):
    empty → essay, ``#`` first → numerical, a ``~``
    anywhere → multiple choice, ``=`` with ``->`` → matching, a lone T/TRUE/F/FALSE →
    true/false, anything else → short answer.
    """
    our_card = any(f"[tag:{CARD_TAG}]" in comment for comment in block.comments)
    if not body and not (our_card or getattr(block, "essays_as_cards", False)):
        # an essay graded by the instructor; the general feedback is its model answer
        return {"kind": "essay"}
    if not body:  # an essay as a self-check card: the flashcard's back is the general feedback
        front = entry.pop("text")
        back = entry.pop("solution", "")
        if not back:
            # As a plain Moodle XML essay: a self-check card saying there is no model answer,
            # with a warning, rather than a refused question.
            warnings.append(
                block.problem(
                    _(
                        "у эссе {} нет общего отзыва «{####ответ}»: импортировано как карточка "
                        "для самопроверки без образца ответа — допишите оборот карточки"
                    ),
                    offset,
                    "essay_no_back",
                    "warning",
                )
            )
            back = str(ESSAY_NO_BACK)
        return {"kind": "flashcard", "front": front, "back": back}
    if body.startswith("#"):
        return _numeric(body[1:], block, converter, offset, warnings, base + 1)
    if "~" in body:
        return _choice(_items(body, base, lead="refuse"), block, converter, offset, warnings)
    if "=" in body and "->" in body:
        return _matching(_items(body, base, lead="answer"), block, converter, offset, warnings)
    truefalse = _true_false(body, block, converter, offset, warnings, base)
    if truefalse is not None:
        return truefalse
    # Moodle: text before the first «=» is an answer too, so «{Париж}» is a short answer
    return _short(_items(body, base, lead="answer"), block, converter, offset, warnings)


def _description(block: _Block, text: str, position: int, fmt: str) -> tuple[dict, list]:
    """A text without an answer block: Moodle reads it as a description (no answer)."""
    if (stray := text.find("}", position)) >= 0:
        raise _Error(
            _("«}» без «{»: блок ответов пишется {…} (скобку в тексте пишите как \\})"),
            stray,
            "syntax",
        )
    warnings: list[Problem] = []
    entry = {
        "kind": "description",
        "text": _Converter(block, _FORMATS[fmt], warnings)(text[position:], position),
    }
    if not entry["text"]:
        raise _Error(_("пустой текст вопроса"), None, "empty_text")
    return entry, warnings


def _matching(items, block, converter, offset, warnings) -> dict:
    """``{=элемент -> ответ =… -> …}``, as Moodle reads it: the block is split at «=», each part
    is a pair split at the first «->»; a pair without an element (``= -> ответ``) is an extra
    wrong answer. Moodle's importer needs two pairs; its GIFT documentation asks for three (its
    question form wants three answers), so two are imported with a warning."""
    pairs = []
    for _marker, raw, at in items:
        stem, arrow, answer = raw.partition("->")
        if not arrow:
            raise _Error(
                _(
                    "пара «%(clip)s» без «->»: в вопросе на соответствие каждая пара пишется "
                    "«=элемент -> ответ»"
                )
                % {"clip": clip(_restore(raw).strip(), 40)},
                at,
                "bad_matching",
            )
        plain, _dropped = convert_text(_restore(answer).strip(), "plain_text")
        pairs.append((converter(stem, at), plain))
    if len(pairs) < 2:
        raise _Error(
            _(
                "в вопросе на соответствие нужно не меньше двух пар «=элемент -> ответ» "
                "(Moodle не импортирует вопрос с одной парой)"
            ),
            offset,
            "too_few_pairs",
        )
    try:
        entry = matching_entry(pairs, [])
    except MatchingError as exc:
        raise _Error(exc.message, offset, exc.code) from None
    if len(pairs) < 3:
        warnings.append(
            block.problem(
                _(
                    "в вопросе на соответствие %(count)s пары: документация Moodle по GIFT "
                    "требует не меньше трёх пар, а форма вопроса Moodle — не меньше трёх "
                    "ответов; здесь вопрос импортирован (чтобы он сохранялся и в Moodle, "
                    "добавьте пару или неверный ответ «= -> ответ»)"
                )
                % {"count": len(pairs)},
                offset,
                "few_pairs",
                "warning",
            )
        )
    return entry


def _true_false(body, block, converter, offset, warnings, base) -> dict | None:
    """``T``/``TRUE``/``F``/``FALSE`` with ``#wrong-answer feedback#right-answer feedback``."""
    head = body.split("#", 1)[0].strip()
    if head.upper() not in _TRUEFALSE_WORDS:
        if "=" not in body and _TRUEFALSE_START.match(head):
            raise _Error(
                _(
                    "верно/неверно: в блоке ответов одно слово — T, TRUE, F или FALSE, за ним "
                    "необязательные отзывы «#при неверном ответе#при верном», здесь же «%(clip)s» "
                    "(если это краткий ответ, начните его с «=»)"
                )
                % {"clip": clip(_restore(head), 40)},
                base,
                "bad_truefalse",
            )
        return None
    if head not in _TRUEFALSE_WORDS:
        warnings.append(
            block.problem(
                _(
                    "«%(word)s» прочитано как верно/неверно; Moodle различает регистр и прочитал "
                    "бы его как краткий ответ (пишите %(upper)s)"
                )
                % {"word": head, "upper": head.upper()},
                base,
                "truefalse_case",
                "warning",
            )
        )
    key = head.upper().startswith("T")
    parts = body.split("#", 2)[1:]
    wrong = converter(parts[0], base) if len(parts) > 0 else ""
    right = converter(parts[1], base) if len(parts) > 1 else ""
    options = []
    for value, label in ((True, _("Верно")), (False, _("Неверно"))):
        option = {"text": label, "correct": value == key}
        feedback = right if value == key else wrong
        if feedback:
            option["feedback"] = feedback
        options.append(option)
    return {"kind": "single_choice", "options": options, "shuffle": False}


def _items(body: str, base: int, *, lead: str) -> list[tuple[str, str, int]]:
    """``=a ~b#c`` → [(marker, text, offset of the marker)].

    Text before the first marker is an answer of weight 100 % when ``lead="answer"`` (short
    answers, as Moodle reads them); in a choice (``lead="refuse"``) it is a typo Moodle would
    turn into a wrong option without a word, so it is refused with the rule.
    """
    first = re.search(r"[=~]", body)
    end = first.start() if first else len(body)
    items = []
    if body[:end].strip():
        if lead != "answer":
            raise _Error(
                _(
                    "не удалось понять ответы: «%(clip)s» без знака перед ним; в вопросе с "
                    "выбором каждый вариант начинается с «=» (верный) или «~» (неверный, "
                    "«~%%50%%» — с частичным баллом)"
                )
                % {"clip": clip(_restore(body[:end]), 40)},
                base,
                "syntax",
            )
        items.append(("=", body[:end], base))
    items += [
        (m.group(1), m.group(2), base + end + m.start())
        for m in re.finditer(r"([=~])([^=~]*)", body[end:])
    ]
    return items


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


def _percent(number: float) -> str:
    return format(number, ".6g")


def _choice(items, block, converter, offset, warnings) -> dict:
    """Moodle: a ``=`` anywhere makes a single-answer question, otherwise several answers; every
    option keeps its weight as Moodle grades it (:func:`~question_bank.formats.fractions.
    graded_options`): ``{~wrong ~%50%half =full}`` stays single choice, half worth 0.5."""
    options, weights = [], []
    single = any(marker == "=" for marker, *_ in items)
    for index, (marker, raw, at) in enumerate(items):
        if (
            marker == "~"
            and not raw.strip()
            and index + 1 < len(items)
            and items[index + 1][0] == "="
        ):
            # «~=c»: Moodle splits it into an empty option and a right «c», and drops the empty
            # one when it saves the question (courses write right options this way).
            continue
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
    if len(options) < 2:
        raise _Error(_("нужно не меньше двух вариантов ответа"), offset, "too_few_options")
    if not any(w > 0 for w in weights):
        raise _Error(_("нет ни одного верного варианта («=» или «~%50%»)"), offset, "no_correct")

    def warn(message: str, code: str, at) -> None:
        warnings.append(block.problem(message, offset if at is None else at, code, "warning"))

    graded = graded_options(options, weights, single=single, warn=warn)
    return {"kind": "single_choice" if single else "multiple_choice", "options": graded}


def _short(items, block, converter, offset, warnings) -> dict:
    """Short answers as Moodle grades them: ``=%50%answer`` is accepted for half the mark, with
    its feedback; an answer at 0 % with feedback is a typical mistake."""
    graded = []
    for _marker, raw, at in items:
        weight, rest = _weight(raw, 100.0, at)
        answer, feedback = _split_feedback(rest)
        text = " ".join(_restore(answer).split())
        if not text:
            raise _Error(_("пустой ответ: после «=» нужен текст ответа"), at, "empty_answer")
        if "*" in text:  # Moodle's wildcard: «*» alone is any other answer
            warnings.append(
                block.problem(
                    _(
                        "ответ «%(clip)s» с подстановочным знаком * не переносится: краткий "
                        "ответ сравнивается с ответами целиком, без шаблонов (перечислите нужные "
                        "написания)"
                    )
                    % {"clip": clip(text, 40)},
                    at,
                    "wildcard",
                    "warning",
                )
            )
            continue
        graded.append((weight, text, converter(feedback, at) if feedback.strip() else ""))
    accepted, mistakes = short_text_answers(graded, prefix="gift")
    if not any(isinstance(a, str) or "fraction" not in a for a in accepted):
        raise _Error(_("нет ни одного ответа с весом 100 %"), offset, "no_correct")
    entry = {"kind": "short_text", "answers": accepted}
    if mistakes:
        entry["mistakes"] = mistakes
    return entry


def _number(raw: str, at: int):
    try:
        return parse_number(_restore(raw))
    except NumberError as exc:
        raise _Error(
            _("числовой ответ: %(message)s; пишите «3.14», «3.14:0.01» (допуск) или «1..5»")
            % {"message": exc},
            at,
            "bad_number",
        ) from None


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
    """``{#…}`` as Moodle reads it: ``=``-separated answers, then from the first ``~`` on the
    feedback for any wrong answer (``~#Совсем неверно``).

    Our reading adds one thing: a number after ``~`` (``~0.1:0.01#отзыв``) becomes a typical
    mistake with that feedback (Moodle shows the feedback for every wrong answer).
    """
    tilde = body.find("~")
    main, rest = (body, "") if tilde < 0 else (body[:tilde], body[tilde:])
    answers = []  # (weight, value, tolerance, written, feedback, at)
    bounds = [-1] + [i for i, char in enumerate(main) if char == "="] + [len(main)]
    for number, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
        piece, at = main[start + 1 : end], base + start + 1
        if number == 0 and not piece.strip():
            continue  # nothing before the first «=»
        weight, piece = _weight(piece, 100.0, at)
        answer, feedback = _split_feedback(piece)
        if not answer.strip():
            raise _Error(
                _("пустой числовой ответ: после «=» нужно число, «число:допуск» или «от..до»"),
                at,
                "empty_answer",
            )
        value, tolerance = _numeric_value(answer, at)
        answers.append((weight, value, tolerance, _restore(answer).strip(), feedback, at))
    if not answers:
        raise _Error(
            _(
                "в числовом вопросе нет ответа: пишите {#3.14:0.01}, {#1..5} или "
                "{#=3.14:0.01 =%%50%%3:1 ~#отзыв на неверный ответ}"
            )
            % {},
            offset,
            "no_correct",
        )

    def warn(message: str, code: str, at) -> None:
        warnings.append(block.problem(message, offset if at is None else at, code, "warning"))

    graded = [
        (weight, value, tolerance, converter(feedback, at) if feedback.strip() else "", at)
        for weight, value, tolerance, _written, feedback, at in answers
    ]
    for item in _wrong_items(rest, base + (tilde if tilde >= 0 else 0)):
        text, feedback, at = item
        try:
            wrong, _tol = _numeric_value(text, at) if text.strip() else (None, 0)
        except _Error:
            wrong = None
        said = converter(feedback, at) if feedback.strip() else ""
        if wrong is not None:
            # Our reading: a number after «~» with feedback is a typical mistake.
            graded.append((0.0, wrong, 0, said, at))
            continue
        said = said or _restore(text).strip()
        if said:
            warn(
                _(
                    "отзыв на любой неверный ответ «%(clip)s» не переносится: у числового "
                    "вопроса нет общего отзыва на неверный ответ (студент увидит разбор — "
                    "общий отзыв «####», если он есть)"
                )
                % {"clip": clip(said, 60)},
                "feedback_dropped",
                at,
            )
    fields = numeric_answers(graded, prefix="gift", warn=warn)
    if fields is None:
        raise _Error(_("нет ответа с весом 100 %"), offset, "no_correct")
    return {"kind": "numeric", **fields}


def _wrong_items(rest: str, base: int) -> list[tuple[str, str, int]]:
    """``~#отзыв`` or ``~0.1:0.01#отзыв ~…`` → [(answer text, feedback, offset)]."""
    items = []
    for match in re.finditer(r"~([^~]*)", rest):
        _weight_, text = _weight(match.group(1), 0.0, base + match.start())
        answer, feedback = _split_feedback(text)
        items.append((answer, feedback, base + match.start()))
    return items
