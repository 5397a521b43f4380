"""Moodle course backups (``.mbz``, or the ``questions.xml`` inside one) → the native bank.

A backup is not a question export: its ``questions.xml`` (root ``<question_categories>``) holds
every question category of the course with its questions written as Moodle's database stores
them (fractions 0…1, texts with a separate ``…format`` number, type data inside
``plugin_qtype_<type>_question``). This module rewrites each question the way Moodle's own
«Экспорт → Moodle XML» would write it, and hands the result to the Moodle XML reader
(:func:`~question_bank.formats.moodle.importers.import_quiz`), so a question gives the same native
question (kind, answers, tolerance, feedback, warnings) whichever way it came.

Layouts read:

* Moodle ≥ 4.0: ``question_category/question_bank_entries/question_bank_entry/question_version/
  question_versions/questions/question``; only the newest version of each entry is read, and
  only when its status is ``ready`` (a ``hidden`` or ``draft`` one is skipped with a warning);
* Moodle before 4.0 (2.x, 3.x): ``question_category/questions/question`` with ``<hidden>``.

Categories become topics as in a Moodle XML export (the path from the context's ``top``
category, which is left out like ``$course$/top``). Sub-questions (``parent`` ≠ 0: the parts of
a cloze question) are part of their question; ``random`` questions are a quiz's references to a
category, not questions, and Moodle's export leaves them out too (one warning counts them).
Types rewritten: multichoice, truefalse, shortanswer, numerical, essay, description, match
(``matching``), calculated, calculatedsimple, calculatedmulti, multianswer (``cloze``: the parts'
codes written into the text, as the export does), gapselect and ddwtos (their choices as
``<answer>`` elements whose feedback is the group, the XML of Moodle 2.0 that the reader also
reads); the Moodle XML reader imports those it supports and names the others. The remaining
types (ddmarker, ddimageortext, ordering, …) are listed here as skipped, with their name, type
and line.

An ``.mbz`` (tar.gz, or zip for old Moodle versions) is read in memory and never unpacked to
disk: only ``questions.xml`` and ``moodle_backup.xml`` at the archive's root are read (a member
named ``../questions.xml`` or ``/questions.xml`` is no such file), within limits on the archive's
size, its members, the bytes it unpacks to and its compression ratio; ``questions.xml`` has the
Moodle XML file's own limit (:data:`~question_bank.formats.moodle.reader.MAX_BYTES`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace

from django.utils.translation import gettext as _

from question_bank.formats.common import (
    MAX_SOURCE,
    MAX_TITLE,
    ImportResult,
    Problem,
    QuestionRef,
    clip,
    refused,
    too_large,
)
from question_bank.formats.moodle.backup_archive import (
    DESCRIPTION,
    MAX_ARCHIVE_BYTES,
    QUESTIONS,
    ArchiveRefusal,
    read_archive,
)
from question_bank.formats.moodle.question import Context
from question_bank.formats.moodle.reader import MAX_BYTES, Element, read_xml

__all__ = [
    "parse_mbz",
    "import_backup_root",
    "MAX_ARCHIVE_BYTES",
]

MAX_CLOZE_PARTS = 500  # parts of one cloze question (Moodle's own have a few dozen at most)
_MAX_CATEGORY_DEPTH = 64

_NULL = "$@NULL@$"  # how a backup writes a database NULL
# The types rewritten, and the name Moodle's XML export gives each (the reader decides whether
# it imports it; the others are reported here).
_XML_TYPES = {
    "multichoice": "multichoice",
    "truefalse": "truefalse",
    "shortanswer": "shortanswer",
    "numerical": "numerical",
    "essay": "essay",
    "description": "description",
    "match": "matching",
    "calculated": "calculated",
    "calculatedsimple": "calculatedsimple",
    "calculatedmulti": "calculatedmulti",
    "multianswer": "cloze",
    # Their choices are question answers whose feedback holds the group (ddwtos: a serialised
    # object with draggroup): written as the <answer> elements of Moodle 2.0's XML, which
    # Moodle's XML import and ours read as well as <selectoption>/<dragbox>.
    "gapselect": "gapselect",
    "ddwtos": "ddwtos",
}
# Fields of a type's options that are ids of the database rows, not options
_NOT_OPTIONS = {
    "trueanswer", "falseanswer", "question", "questionid", "answers", "subquestions", "sequence",
}  # fmt: skip
_CALCULATED = ("calculated", "calculatedsimple", "calculatedmulti")
_DATASET_FIELDS = ("distribution", "minimum", "maximum", "decimals")  # a definition's options
# The element of a type's own options inside its plugin element
_OPTIONS = {
    "match": ("matchoptions",),
    **{t: ("calculated_options", "calculated_option") for t in _CALCULATED},
}
# Moodle's text formats by number, as its XML export names them
_FORMATS = {"0": "moodle_auto_format", "1": "html", "2": "plain_text", "4": "markdown"}
# Context levels → the prefix of a category path in a Moodle XML export
_CONTEXTS = {"10": "$system$", "40": "$cat$", "50": "$course$", "70": "$module$"}


# ---------------------------------------------------------------------------------------------
# The archive


def parse_mbz(data: bytes, filename: str, *, essays_as_cards: bool = False) -> ImportResult:
    """A course backup archive → the bank of its question categories, and every problem."""
    if len(data) > MAX_ARCHIVE_BYTES:
        return too_large(filename, len(data), MAX_ARCHIVE_BYTES, _("байт"))
    try:
        members = read_archive(bytes(data))
    except ArchiveRefusal as exc:
        return refused(filename, exc.message, exc.code)
    if QUESTIONS not in members:
        if DESCRIPTION in members:
            message = _(
                "в резервной копии курса Moodle нет файла questions.xml, в котором лежат "
                "вопросы: копия сделана без банка вопросов. Создайте её заново с банком "
                "вопросов или экспортируйте банк: Банк вопросов → Экспорт → Moodle XML"
            )
        else:
            message = _(
                "архив не похож на резервную копию курса Moodle: в нём нет ни "
                "moodle_backup.xml, ни questions.xml. Загрузите резервную копию курса (.mbz) "
                "или экспорт банка вопросов (Банк вопросов → Экспорт → Moodle XML)"
            )
        return refused(filename, message, "mbz_no_questions")
    info = _describe(members.get(DESCRIPTION))
    root, problem = read_xml(members[QUESTIONS], filename)
    if problem is not None:
        where = _("(файл questions.xml в архиве) ")
        return ImportResult(None, [replace(problem, message=where + problem.message)])
    if root is None or root.tag != "question_categories":
        return refused(
            filename,
            _("в резервной копии файл questions.xml без корня <question_categories>"),
            "mbz_bad_questions",
            line=root.line if root is not None else None,
        )
    return import_backup(root, filename, info=info, archive=True, essays_as_cards=essays_as_cards)


def _describe(data: bytes | None) -> dict:
    """The course's name and Moodle's release from ``moodle_backup.xml``, those it gives."""
    if not data or len(data) > MAX_BYTES:
        return {}
    root, problem = read_xml(data, DESCRIPTION)
    if problem is not None or root is None or root.tag != "moodle_backup":
        return {}
    information = root.find("information")
    if information is None:
        return {}
    return {
        "course": _plain(information, "original_course_fullname"),
        "release": _plain(information, "moodle_release"),
    }


# ---------------------------------------------------------------------------------------------
# questions.xml


def import_backup_root(
    root: Element, filename: str, *, essays_as_cards: bool = False
) -> ImportResult:
    """A backup's XML come the Moodle XML way: ``questions.xml`` or ``moodle_backup.xml``."""
    if root.tag == "moodle_backup":
        return refused(
            filename,
            _(
                "Это описание резервной копии курса Moodle (moodle_backup.xml): вопросов в нём "
                "нет, они лежат в файле questions.xml той же копии. Загрузите всю копию (.mbz) "
                "или её questions.xml — или экспортируйте банк вопросов: Банк вопросов → "
                "Экспорт → Moodle XML"
            ),
            "moodle_backup",
            line=root.line,
        )
    return import_backup(root, filename, essays_as_cards=essays_as_cards)


def import_backup(
    root: Element,
    filename: str,
    *,
    info: dict | None = None,
    archive: bool = False,
    essays_as_cards: bool = False,
) -> ImportResult:
    """``<question_categories>`` → the bank, with a note saying what was read and found."""
    # Imported here: importers imports this module when a backup's questions.xml comes.
    from question_bank.formats.moodle.importers import import_quiz

    problems: list[Problem] = []
    reading = _Reading(filename, problems)
    quiz = reading.quiz(root)
    if reading.found == 0:
        message = _(
            "в резервной копии курса Moodle нет вопросов (категорий: %(categories)s). "
            "Проверьте, что копия сделана с банком вопросов, или экспортируйте банк: "
            "Банк вопросов → Экспорт → Moodle XML"
        ) % {"categories": reading.categories}
        return ImportResult(None, [*problems, Problem(filename, None, None, message, "empty")])
    info = info or {}
    problems.insert(0, reading.note(info, archive=archive))
    result = import_quiz(
        quiz,
        filename,
        problems=problems,
        source=_("резервной копии курса Moodle"),
        essays_as_cards=essays_as_cards,
    )
    if result.bank is not None and info.get("course"):
        result.bank["bank"]["title"] = clip(info["course"], MAX_TITLE)  # the course names it
    return result


def _plain(element: Element | None, tag: str) -> str:
    """A field of a backup element; a database NULL is empty."""
    if element is None:
        return ""
    child = element.find(tag)
    value = child.text.strip() if child is not None else ""
    return "" if value == _NULL else value


def _new(tag: str, text: str = "", attrs: dict | None = None, line: int | None = None) -> Element:
    element = Element(tag, dict(attrs or {}), line)
    if text:
        element._text.append(text)
    return element


def _with(parent: Element, *children: Element | None) -> Element:
    parent.children.extend(c for c in children if c is not None)
    return parent


def _text_element(tag: str, source: Element | None, field: str, line: int | None = None):
    """``<field>`` and ``<fieldformat>`` of a backup row → ``<tag format="…"><text>``."""
    raw = _plain(source, field)
    fmt = _FORMATS.get(_plain(source, field + "format"), "html")
    return _with(_new(tag, attrs={"format": fmt}, line=line), _new("text", raw, line=line))


def _percent(raw: str) -> str:
    """A backup's fraction (``0.5000000``) → a Moodle XML one (``50``); other text is kept."""
    try:
        value = float(raw)
    except ValueError:
        return raw
    if not math.isfinite(value):
        return raw
    text = f"{value * 100:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


class _Reading:
    """One ``questions.xml`` rewritten as a Moodle XML ``<quiz>``, counting what it holds."""

    def __init__(self, filename: str, problems: list[Problem]):
        self.filename, self.problems = filename, problems
        self.categories = 0  # categories other than the contexts' «top» ones
        self.found = 0  # questions (the newest version of each), sub-questions not counted
        self.random = 0
        self.old_versions = 0
        self.layout = ""
        self._paths: dict[int, list[str]] = {}
        self._by_id: dict[str, Element] = {}  # every <question> of the file: cloze parts

    # --- the whole file

    def quiz(self, root: Element) -> Element:
        categories = [c for c in root.children if c.tag == "question_category"]
        by_id = {c.attrs.get("id", ""): c for c in categories}
        for category in categories:
            for question in _all_questions(category):
                self._by_id.setdefault(question.attrs.get("id", ""), question)
        quiz = _new("quiz", line=root.line)
        for category in categories:
            path = self._path(category, by_id)
            if path[1:] != ["top"]:
                self.categories += 1
            questions = list(self._questions(category))
            if not questions:
                continue
            element = _new("question", attrs={"type": "category"}, line=category.line)
            text = _new("text", "/".join(path), line=category.line)
            quiz.children.append(_with(element, _with(_new("category"), text)))
            quiz.children.extend(questions)
        if self.random:
            self.problems.append(
                Problem(
                    self.filename,
                    None,
                    None,
                    _(
                        "случайные вопросы (random, %(count)s) не переносятся: это ссылки теста "
                        "на категорию, а не вопросы (экспорт Moodle XML их тоже не пишет)"
                    )
                    % {"count": self.random},
                    "random_skipped",
                    "warning",
                )
            )
        return quiz

    def _path(self, category: Element, by_id: dict) -> list[str]:
        """The category path as a Moodle XML export writes it: ``$course$/top/A/B`` (``//`` = /).

        Paths are remembered, so a deep tree costs one walk; a loop of parents ends where it
        closes, and a path is cut at :data:`_MAX_CATEGORY_DEPTH` names.
        """
        chain, seen, current, base = [], set(), category, None
        while current is not None and id(current) not in seen:
            if id(current) in self._paths:
                base = self._paths[id(current)]
                break
            chain.append(current)
            seen.add(id(current))
            current = by_id.get(_plain(current, "parent"))
        if base is None:
            base = [_CONTEXTS.get(_plain(chain[-1], "contextlevel"), "$course$")]
        for element in reversed(chain):
            if len(base) <= _MAX_CATEGORY_DEPTH:
                base = [*base, _plain(element, "name").replace("/", "//") or "?"]
            self._paths[id(element)] = base
        return base

    def note(self, info: dict, *, archive: bool) -> Problem:
        what = _("резервная копия курса Moodle")
        if info.get("course"):
            what += f" «{clip(info['course'], 80)}»"
        if info.get("release"):
            what += f" (Moodle {clip(info['release'], 40)})"
        message = _(
            "прочитана %(what)s: вопросов — %(questions)s, категорий — %(categories)s "
            "(формат Moodle %(layout)s)"
        ) % {
            "what": what,
            "questions": self.found,
            "categories": self.categories,
            "layout": self.layout,
        }
        if self.old_versions:
            message += _("; прежние версии вопросов (%(count)s) не переносятся") % {
                "count": self.old_versions
            }
        if archive:
            message += _("; строки в сообщениях — строки файла questions.xml в архиве")
        return Problem(self.filename, None, None, message, "moodle_backup_read", "warning")

    # --- one category

    def _questions(self, category: Element) -> Iterable[Element]:
        entries = category.find("question_bank_entries")
        if entries is not None:
            self.layout = self.layout or "4.0+"
            for entry in entries.findall("question_bank_entry"):
                yield from self._entry(entry)
        old = category.find("questions")
        if old is not None:
            self.layout = self.layout or _("до 4.0")
            for question in old.findall("question"):
                hidden = _plain(question, "hidden") not in ("", "0")
                converted = self._question(question, _plain(question, "idnumber"), hidden)
                if converted is not None:
                    yield converted

    def _entry(self, entry: Element) -> Iterable[Element]:
        # Moodle writes question_version/question_versions (the wrapper singular); some tools
        # that write backups swap the two names: both are read.
        versions = []
        for outer, inner in (
            ("question_version", "question_versions"),
            ("question_versions", "question_version"),
        ):
            holder = entry.find(outer)
            versions = versions or (holder.findall(inner) if holder is not None else [])
        if not versions:
            return
        newest = max(enumerate(versions), key=lambda iv: (_version(iv[1]), iv[0]))[1]
        status = _plain(newest, "status") or "ready"
        questions = newest.find("questions")
        question = questions.find("question") if questions is not None else None
        if question is None:
            return
        self.old_versions += len(versions) - 1
        converted = self._question(question, _plain(entry, "idnumber"), status != "ready", status)
        if converted is not None:
            yield converted

    # --- one question

    def _question(
        self, question: Element, idnumber: str, hidden: bool, status: str = "hidden"
    ) -> Element | None:
        qtype = _plain(question, "qtype")
        parent = _plain(question, "parent")
        if parent not in ("", "0") and parent != question.attrs.get("id"):
            return None  # a part of a cloze question: read (or skipped) with it
        if qtype == "random":
            self.random += 1
            return None
        self.found += 1
        name = _plain(question, "name")
        ref = QuestionRef(
            name=name or clip(_plain(question, "questiontext"), 60) or _("без названия"),
            type=qtype or _("без типа"),
            line=question.line,
        )
        ctx = Context(self.filename, self.problems, question.line, name)
        if hidden:
            message = (
                _("скрытый вопрос не импортируется, вопрос пропущен")
                if status == "hidden"
                else _("вопрос не готов (статус «%(status)s»), вопрос пропущен")
                % {"status": status}
            )
            ctx.report(message, "hidden_skipped", "warning", question=ref)
            return None
        if qtype not in _XML_TYPES:
            from question_bank.formats.moodle.importers import describe_type

            message = _(
                "тип «%(described)s» из резервной копии не импортируется, вопрос пропущен "
                "(попробуйте экспорт банка вопросов в Moodle XML)"
            ) % {"described": describe_type(qtype)}
            ctx.report(message, "unsupported_type", "warning", question=ref)
            return None
        if qtype == "multianswer":
            question = self._cloze_text(question, ctx, ref)
            if question is None:
                return None
        return self._rewrite(question, qtype, idnumber, ctx)

    def _cloze_text(self, question: Element, ctx: Context, ref: QuestionRef) -> Element | None:
        """A cloze question whose text has its parts written in: ``{#2}`` → ``{1:NUMERICAL:=5}``.

        Moodle keeps each part as a question of its own whose text is the part's cloze code, and
        lists them in ``multianswer/sequence``; its XML export writes them into the text so.
        """
        plugin = question.find("plugin_qtype_multianswer_question")
        options = plugin.find("multianswer") if plugin is not None else None
        sequence = [s.strip() for s in _plain(options, "sequence").split(",") if s.strip()]
        if len(sequence) > MAX_CLOZE_PARTS:
            message = _("у вложенного вопроса больше %(max)s частей") % {"max": MAX_CLOZE_PARTS}
            ctx.report(message, "too_long", "error", question=ref)
            return None
        text = _plain(question, "questiontext")
        for number, part_id in enumerate(sequence, start=1):
            part = self._by_id.get(part_id)
            if part is None:
                message = _(
                    "часть {#%(number)s} вложенного вопроса (вопрос id %(id)s) не найдена в "
                    "резервной копии, вопрос пропущен"
                ) % {"number": number, "id": part_id}
                ctx.report(message, "cloze_part_missing", "error", question=ref)
                return None
            placeholder, code = f"{{#{number}}}", _plain(part, "questiontext")
            # Checked before writing: a part used many times must not blow the text up.
            if len(text) + text.count(placeholder) * len(code) > MAX_SOURCE:
                message = _("текст длиннее %(max_source)s символов") % {"max_source": MAX_SOURCE}
                ctx.report(message, "too_long", "error", question=ref)
                return None
            text = text.replace(placeholder, code)
        rewritten = Element(question.tag, question.attrs, question.line)
        rewritten.children = [c for c in question.children if c.tag != "questiontext"]
        rewritten.children.insert(0, _new("questiontext", text, line=question.line))
        return rewritten

    def _rewrite(self, question: Element, qtype: str, idnumber: str, ctx: Context) -> Element:
        """A backup ``<question>`` → the ``<question type="…">`` Moodle's XML export writes."""
        line = question.line
        out = _new("question", attrs={"type": _XML_TYPES[qtype]}, line=line)
        _with(
            out,
            _with(_new("name", line=line), _new("text", _plain(question, "name"), line=line)),
            _text_element("questiontext", question, "questiontext", line),
            _text_element("generalfeedback", question, "generalfeedback", line),
            _new("defaultgrade", _plain(question, "defaultmark"), line=line),
            _new("penalty", _plain(question, "penalty"), line=line),
            _new("hidden", "0", line=line),
            _new("idnumber", idnumber, line=line) if idnumber else None,
        )
        plugin = question.find(f"plugin_qtype_{qtype}_question")
        answers = _answers(plugin)
        if qtype == "truefalse":
            out.children.extend(_truefalse_answers(plugin, answers, ctx))
        else:
            extra = _answer_fields(plugin, qtype)
            for answer in answers:
                out.children.append(_answer(answer, extra.get(answer.attrs.get("id", ""), ())))
        options = plugin
        for tag in _OPTIONS.get(qtype, (qtype,)):
            options = options.find(tag) if options is not None else None
        out.children.extend(_options(options))
        if qtype == "match":
            out.children.extend(_subquestions(plugin))
        if qtype == "numerical" or qtype in _CALCULATED:
            out.children.extend(_numerical_units(plugin))
        if qtype in _CALCULATED:
            out.children.append(_datasets(plugin))
        hints = question.find("question_hints")
        for hint in hints.findall("question_hint") if hints is not None else []:
            out.children.append(_text_element("hint", hint, "hint", hint.line))
        tags = question.find("tags")
        names = [
            _plain(t, "rawname") or _plain(t, "name")
            for t in (tags.findall("tag") if tags is not None else [])
        ]
        if names := [n for n in names if n]:
            out.children.append(
                _with(
                    _new("tags", line=line),
                    *(_with(_new("tag"), _new("text", n)) for n in names),
                )
            )
        return out


def _all_questions(category: Element) -> Iterable[Element]:
    """Every ``<question>`` of a category, of every version (both layouts)."""
    old = category.find("questions")
    yield from old.findall("question") if old is not None else []
    entries = category.find("question_bank_entries")
    for entry in entries.findall("question_bank_entry") if entries is not None else []:
        for outer in entry.children:
            for version in outer.children:
                holder = version.find("questions")
                yield from holder.findall("question") if holder is not None else []


def _version(element: Element) -> int:
    try:
        return int(_plain(element, "version"))
    except ValueError:
        return -1


def _answers(plugin: Element | None) -> list[Element]:
    holder = plugin.find("answers") if plugin is not None else None
    return holder.findall("answer") if holder is not None else []


def _answer(answer: Element, extra=(), text: str | None = None) -> Element:
    """A backup answer → ``<answer fraction="…">`` with ``extra`` (tag, value) fields after it."""
    line = answer.line
    fmt = _FORMATS.get(_plain(answer, "answerformat"), "moodle_auto_format")
    out = _new(
        "answer", attrs={"fraction": _percent(_plain(answer, "fraction")), "format": fmt}, line=line
    )
    value = _plain(answer, "answertext") if text is None else text
    _with(
        out,
        _new("text", value, line=line),
        _text_element("feedback", answer, "feedback", line),
        *(_new(tag, raw, line=line) for tag, raw in extra),
    )
    return out


def _truefalse_answers(plugin: Element | None, answers: list[Element], ctx: Context) -> list:
    """Moodle names the true and false answers by id: their text is in the course's language.

    Without those ids (files written by other tools), English texts say which is which;
    otherwise the answer created first (the lower id) is «true», as Moodle saves them, with a
    warning. Anything else goes to the reader as written, which refuses it by name.
    """
    options = plugin.find("truefalse") if plugin is not None else None
    by_id = {a.attrs.get("id", ""): a for a in answers}
    out = []
    for field, value in (("trueanswer", "true"), ("falseanswer", "false")):
        answer = by_id.get(_plain(options, field))
        if answer is not None:
            out.append(_answer(answer, text=value))
    if len(out) == 2 and out[0] is not out[1]:
        return out
    texts = [_plain(a, "answertext").lower() for a in answers]
    if sorted(texts) == ["false", "true"]:
        return [_answer(a, text=t) for a, t in zip(answers, texts, strict=True)]
    if len(answers) == 2:
        first, second = sorted(answers, key=lambda a: _row_id(a, answers))
        ctx.warn(
            _(
                "в резервной копии не отмечено, какой из ответов означает «верно»: им считается "
                "«%(first)s», сохранённый первым, как это делает Moodle (второй — «%(second)s»)"
            )
            % {
                "first": clip(_plain(first, "answertext"), 40),
                "second": clip(_plain(second, "answertext"), 40),
            },
            "truefalse_guessed",
        )
        return [_answer(first, text="true"), _answer(second, text="false")]
    return [_answer(a, text=t) for a, t in zip(answers, texts, strict=True)]


def _row_id(row: Element, rows: list[Element]) -> tuple[int, int]:
    """A database row's id for ordering (its place in the file when it has none)."""
    raw = row.attrs.get("id", "")
    return (int(raw), 0) if raw.isdigit() and len(raw) < 19 else (2**63, rows.index(row))


def _answer_fields(plugin: Element | None, qtype: str) -> dict[str, list[tuple[str, str]]]:
    """Per answer id, the fields a numerical or calculated answer keeps in its own records."""
    if qtype == "numerical":
        holder, row, fields = "numerical_records", "numerical_record", ("tolerance",)
    elif qtype in _CALCULATED:
        holder, row = "calculated_records", "calculated_record"
        fields = ("tolerance", "tolerancetype", "correctanswerformat", "correctanswerlength")
    else:
        return {}
    records = plugin.find(holder) if plugin is not None else None
    out: dict[str, list[tuple[str, str]]] = {}
    for record in records.findall(row) if records is not None else []:
        values = [(f, _plain(record, f)) for f in fields]
        out[_plain(record, "answer")] = [(f, v) for f, v in values if v]
    return out


def _subquestions(plugin: Element | None) -> list[Element]:
    """``matches/match`` → the ``<subquestion>`` elements of a Moodle XML matching question."""
    holder = plugin.find("matches") if plugin is not None else None
    out = []
    for match in holder.findall("match") if holder is not None else []:
        element = _text_element("subquestion", match, "questiontext", match.line)
        answer = _with(_new("answer", line=match.line), _new("text", _plain(match, "answertext")))
        out.append(_with(element, answer))
    return out


def _datasets(plugin: Element | None) -> Element:
    """``dataset_definitions`` of a calculated question as Moodle's XML export writes them.

    A definition's ``options`` is ``distribution:minimum:maximum:decimals``; ``category`` 0 is
    a wildcard of this question alone (``private``), another a category's shared one.
    """
    out = _new("dataset_definitions")
    holder = plugin.find("dataset_definitions") if plugin is not None else None
    for definition in holder.findall("dataset_definition") if holder is not None else []:
        parts = [*_plain(definition, "options").split(":", 3), "", "", "", ""][:4]
        line = definition.line
        shared = _plain(definition, "category") not in ("", "0")
        element = _with(
            _new("dataset_definition", line=line),
            _with(_new("status"), _new("text", "shared" if shared else "private")),
            _with(_new("name"), _new("text", _plain(definition, "name"))),
            _new("type", "calculated"),  # the database keeps 1, the export writes this
            *(
                _with(_new(tag), _new("text", value))
                for tag, value in zip(_DATASET_FIELDS, parts, strict=True)
                if value
            ),
            _new("itemcount", _plain(definition, "itemcount")),
        )
        items = definition.find("dataset_items")
        rows = [
            _with(
                _new("dataset_item", line=item.line),
                _new("number", _plain(item, "number")),
                _new("value", _plain(item, "value")),
            )
            for item in (items.findall("dataset_item") if items is not None else [])
        ]
        element.children.append(_with(_new("dataset_items"), *rows))
        element.children.append(_new("number_of_items", str(len(rows))))
        out.children.append(element)
    return out


def _options(options: Element | None) -> list[Element]:
    """The type's own fields (``single``, ``usecase``, ``graderinfo``…) as Moodle XML elements."""
    if options is None:
        return []
    names = {c.tag for c in options.children}
    out = []
    for child in options.children:
        if child.tag.endswith("format") and child.tag[: -len("format")] in names:
            continue
        if child.tag + "format" in names:
            out.append(_text_element(child.tag, options, child.tag, child.line))
        elif child.tag in _NOT_OPTIONS:
            continue
        else:
            out.append(_new(child.tag, _plain(options, child.tag), line=child.line))
    return out


def _numerical_units(plugin: Element | None) -> list[Element]:
    out: list[Element] = []
    if plugin is None:
        return out
    holder = plugin.find("numerical_units")
    units = holder.findall("numerical_unit") if holder is not None else []
    if units:
        rows = []
        for unit in units:
            rows.append(
                _with(
                    _new("unit", line=unit.line),
                    _new("multiplier", _plain(unit, "multiplier") or "1", line=unit.line),
                    _new("unit_name", _plain(unit, "unit"), line=unit.line),
                )
            )
        out.append(_with(_new("units"), *rows))
    holder = plugin.find("numerical_options")
    option = holder.find("numerical_option") if holder is not None else None
    for field in ("unitgradingtype", "unitpenalty", "showunits", "unitsleft"):
        if value := _plain(option, field):
            out.append(_new(field, value, line=option.line))
    return out
