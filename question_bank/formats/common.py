"""Pieces shared by the bank formats.

Every importer turns its input into the *native bank structure*, the same dict a native YAML file
holds (docs/bank-format.md): ``{"format", "bank": {...}, "topics": [...], "questions": [...]}``
with flat question entries; problems are reported as :class:`Problem` (``file:line:col: text``).

The importers of foreign formats (Moodle XML, GIFT) build that structure with the same pieces:
the native schema's limits, numbers read as the file writes them, a topic tree from category
paths, question metadata and typical mistakes, and :func:`build_bank`. This module imports no
format and nothing heavy (the grader only inside a function), so the native YAML path, the
services and the benchmarks can use it without loading the Moodle/HTML machinery.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from question_bank.formats.slugs import SlugRegistry, slugify

__all__ = [
    "QUESTION_META_KEYS",
    "split_question",
    "QuestionRef",
    "Problem",
    "ImportResult",
    "SKIPPED",
    "skip_invalid_questions",
    "skipped_summary",
    "count_skipped",
    "FORMAT_TAG",
    "MAX_TEXT",
    "MAX_SOURCE",
    "MAX_TITLE",
    "clip",
    "refused",
    "too_large",
    "NumberError",
    "parse_number",
    "category_segments",
    "TopicTree",
    "question_meta",
    "short_text_mistakes",
    "numeric_mistakes",
    "build_bank",
    "nothing_to_import",
]

FORMAT_TAG = "neurozachet-bank/1"

# Keys of a question entry that describe the question rather than its content; everything else in
# the entry is the grader's spec (docs/spec.md).
QUESTION_META_KEYS = ("slug", "title", "topic", "tags", "source", "notes")

MAX_TEXT = 20_000  # the native schema's limit for a text field
MAX_SOURCE = 200_000  # a text element before conversion (HTML markup included)
MAX_TITLE = 300


def split_question(entry: dict) -> tuple[dict, dict]:
    """A native question entry → (metadata, spec)."""
    meta = {k: entry[k] for k in QUESTION_META_KEYS if k in entry}
    spec = {k: v for k, v in entry.items() if k not in QUESTION_META_KEYS}
    return meta, spec


# Moodle XML and GIFT write a flashcard as an essay; this tag on our export brings it back as a
# card, not as an essay for the instructor to grade.
CARD_TAG = "nz-kind:flashcard"

# The back of a card made from an essay that came with no model answer (Moodle XML or GIFT):
# imported for self-check with a warning, rather than refusing the file.
ESSAY_NO_BACK = gettext_lazy(
    "Образца ответа нет: сравните свой ответ с материалами курса и оцените его сами."
)


@dataclass(frozen=True)
class QuestionRef:
    """The question a problem belongs to, as the file names it.

    ``name``: its name or slug; ``type``: its type as the file writes it (``multianswer``,
    ``numeric``…); ``line``: where it starts; ``index``: its place in the bank structure's
    ``questions`` when it is there (``None`` when the importer already left it out); ``slug``:
    the slug it would be stored under, when known (a skipped question keeps its stored version).
    """

    name: str
    type: str = ""
    line: int | None = None
    index: int | None = None
    slug: str = ""

    def as_dict(self) -> dict:
        return {"name": self.name, "type": self.type, "line": self.line}


@dataclass(frozen=True)
class Problem:
    """One problem found in a bank file; the message is in Russian, ``code`` is for machines."""

    file: str
    line: int | None
    column: int | None
    message: str
    code: str = "invalid"
    severity: str = "error"  # "error" stops an import; "warning" and "skipped" do not
    excerpt: str = ""  # the offending lines of the file with a caret (YAML syntax errors)
    details: str = ""  # the parser's own text, for whoever wants it
    question: QuestionRef | None = None  # the one question it stops (skippable in lenient mode)

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        prefix = {"error": "", "skipped": _("вопрос пропущен: ")}.get(
            self.severity, _("предупреждение: ")
        )
        return f"{where}: {prefix}{self.message}"

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "code": self.code,
            "severity": self.severity,
            **({"excerpt": self.excerpt} if self.excerpt else {}),
            **({"details": self.details} if self.details else {}),
            **({"question": self.question.as_dict()} if self.question else {}),
        }


@dataclass
class ImportResult:
    """An importer's output: the native bank structure and every problem found."""

    bank: dict | None
    problems: list[Problem] = field(default_factory=list)
    # (path in the bank structure) → (line, column) in the source, for later checks' messages
    positions: dict = field(default_factory=dict)
    # The structure with every question, broken ones included, when errors kept ``bank`` None
    # (native YAML): what lenient mode takes the valid questions from.
    partial: dict | None = None

    @property
    def ok(self) -> bool:
        return self.bank is not None and not any(p.severity == "error" for p in self.problems)


def clip(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters (an ellipsis marks a cut).

    >>> clip("Свёрточная   сеть\\nс пулингом", 12)
    'Свёрточная…'
    """
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------------
# Files that cannot be read at all


def refused(
    filename: str,
    message: str,
    code: str,
    *,
    line: int | None = None,
    column: int | None = None,
    excerpt: str = "",
    details: str = "",
) -> ImportResult:
    """A file no question can be imported from: no bank and this one problem."""
    problem = Problem(filename, line, column, message, code, excerpt=excerpt, details=details)
    return ImportResult(None, [problem])


def too_large(filename: str, size: int, limit: int, unit: str) -> ImportResult:
    """A file over ``limit`` (bytes or characters, as ``unit`` says), refused before parsing."""
    return refused(
        filename,
        _("файл больше %(limit)s МБ (%(size)s %(unit)s)")
        % {"limit": limit // (1024 * 1024), "size": size, "unit": unit},
        "too_large",
    )


# ---------------------------------------------------------------------------------------------
# Numbers as a file writes them

_INT_LITERAL = re.compile(r"^[+-]?\d+$")


class NumberError(ValueError):
    """Text that is not a finite number; the message (in Russian) quotes it."""


def parse_number(text: str) -> int | float:
    """A number literal → ``int`` when written as a whole number, else ``float``.

    Whole numbers below 10^15 stay ``int``, so a bank keeps ``3`` as the file wrote it rather
    than ``3.0``; longer ones are read as ``float``. NaN and infinities are refused: no answer,
    weight or tolerance can be one.

    >>> parse_number(" 42 "), parse_number("3.0"), parse_number("-1.5e3")
    (42, 3.0, -1500.0)
    >>> parse_number("inf")
    Traceback (most recent call last):
    ...
    question_bank.formats.common.NumberError: «inf» не конечное число
    """
    text = (text or "").strip()
    try:
        value = float(text)
    except ValueError:
        raise NumberError(_("«%(clip)s» не число") % {"clip": clip(text, 40)}) from None
    if not math.isfinite(value):
        raise NumberError(_("«%(text)s» не конечное число") % {"text": text})
    if _INT_LITERAL.match(text) and abs(value) < 1e15:
        return int(text)
    return value


# ---------------------------------------------------------------------------------------------
# Topics and question metadata


def category_segments(path: str) -> list[str]:
    """Moodle category path → names: ``$course$/top/A/B`` → ``[A, B]`` (``//`` is a ``/``).

    >>> category_segments("$course$/top/Сети/Свёртки//пулинг")
    ['Сети', 'Свёртки/пулинг']
    """
    raw = (path or "").replace("//", "\x00")
    parts = [p.replace("\x00", "/").strip() for p in raw.split("/")]
    parts = [p for p in parts if p]
    if parts and parts[0].startswith("$") and parts[0].endswith("$"):
        parts = parts[1:]
    if parts and parts[0] == "top":
        parts = parts[1:]
    return parts


class TopicTree:
    """Topics built from category paths; :meth:`topic_for` returns the slug of the last one."""

    def __init__(self):
        self.topics: list[dict] = []
        self._by_path: dict[tuple, str] = {}
        self._slugs = SlugRegistry()

    def topic_for(self, segments: list[str], *, slug: str | None = None) -> str | None:
        """The topic of a category path; ``slug`` is the last topic's own slug when the file
        carries it (our Moodle export writes it in the category's ``<idnumber>``)."""
        parent = None
        for i, name in enumerate(segments):
            key = tuple(segments[: i + 1])
            if key not in self._by_path:
                last = i == len(segments) - 1
                wanted = slug if last and slug else slugify(name, fallback="topic")
                slug_made = self._slugs.make(wanted, fallback="topic")
                entry = {"slug": slug_made, "title": clip(name, MAX_TITLE)}
                if parent:
                    entry["parent"] = parent
                self.topics.append(entry)
                self._by_path[key] = slug_made
            parent = self._by_path[key]
        return parent


def question_meta(
    entry: dict,
    slugs: SlugRegistry,
    *,
    slug: str | None,
    name: str,
    topic: str | None,
    tags: list[str],
) -> dict:
    """An imported question's metadata: unique slug, title, topic and tags.

    ``slug`` is the file's own id for the question (``None`` when it has none: then the slug is
    made from the name or the beginning of the text); a question without a name takes its title
    from the text. Keys come in the order of :data:`QUESTION_META_KEYS`.
    """
    text = entry.get("text") or entry.get("front") or ""
    base = slugify(name or text[:60]) if slug is None else slug
    meta = {"slug": slugs.make(base), "title": clip(name or text, MAX_TITLE) or _("Вопрос")}
    if topic:
        meta["topic"] = topic
    if kept := [clip(t, MAX_TITLE) for t in tags if t.strip()]:
        meta["tags"] = kept
    return meta


# ---------------------------------------------------------------------------------------------
# Typical mistakes from a file's wrong answers


def short_text_mistakes(
    mistakes: list[tuple[str, str]], accepted: list[str], *, prefix: str
) -> list[dict]:
    """Wrong answers ``(text, feedback)`` → typical mistakes of a short-text question.

    An answer our comparison accepts anyway (it ignores case and spacing) is left out: as a
    mistake it could never be matched. Ids keep the answer's position in the file.
    """
    # Imported here: the grader's kinds take most of a second to load, and every user of this
    # module (the native YAML path, services, benchmarks) would pay for it.
    from grader.kinds.short_text import normalize

    right = {normalize(a) for a in accepted}
    return [
        {"id": f"{prefix}_{i + 1}", "answer": {"value": text}, "feedback": feedback}
        for i, (text, feedback) in enumerate(mistakes)
        if normalize(text) not in right
    ]


def numeric_mistakes(
    wrong_answers: list[tuple],
    value: float,
    tolerance: float,
    *,
    prefix: str,
    warn: Callable[[str, str, object], None],
) -> list[dict]:
    """Wrong numbers ``(value, feedback, where)`` → typical mistakes of a numeric question.

    A number inside the key's tolerance would be graded right before any mistake is looked at, so
    it is reported through ``warn(message, code, where)`` and left out.
    """
    mistakes = []
    for i, (wrong, feedback, where) in enumerate(wrong_answers):
        if abs(wrong - value) <= tolerance:
            message = _("ответ %(wrong)s попадает в допуск верного и не может быть ошибкой")
            warn(message % {"wrong": wrong}, "mistake_overlaps", where)
            continue
        mistakes.append(
            {"id": f"{prefix}_{i + 1}", "answer": {"value": wrong}, "feedback": feedback}
        )
    return mistakes


# ---------------------------------------------------------------------------------------------
# The bank


def build_bank(
    filename: str,
    topics: TopicTree,
    questions: list[dict],
    problems: list,
    *,
    source: str,
    own: dict | None = None,
) -> ImportResult:
    """Wrap imported questions into the native bank structure (``bank`` None if there are none).

    ``own``: the bank's own ``slug`` and ``title`` when the file carries them (our export)."""
    if not questions:
        problems.append(nothing_to_import(filename, problems))
        return ImportResult(None, problems)
    stem = PurePath(filename).stem
    roots = [t for t in topics.topics if "parent" not in t]
    title = (
        roots[0]["title"]
        if len(roots) == 1
        else (stem or _("Импорт: %(source)s") % {"source": source})
    )
    own = own or {}
    title = own.get("title") or title
    bank = {
        "format": FORMAT_TAG,
        "bank": {
            "slug": own.get("slug") or slugify(stem, fallback="import"),
            "title": clip(title, MAX_TITLE),
            "description": _("Импортировано из %(source)s (%(name)s)")
            % {"source": source, "name": PurePath(filename).name},
            "language": "ru",
            "version": "1",
            "authors": [],
            "license": "",
        },
        "topics": topics.topics,
        "questions": questions,
    }
    return ImportResult(bank, problems)


# ---------------------------------------------------------------------------------------------
# Skipped questions: named in every report, and left out on request (lenient mode)

SKIPPED = "skipped"  # the severity of a question left out in lenient mode: it stops nothing
_NAMED_AT_MOST = 10


def _left_out(problems: list[Problem]) -> list[Problem]:
    """One problem per question the importer left out (an unsupported type, an error)."""
    seen, out = set(), []
    for p in problems:
        ref = p.question
        if ref is None or (ref.index is not None and p.severity != SKIPPED):
            continue
        key = (ref.name, ref.type, ref.line)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def count_skipped(problems) -> int:
    """Questions a lenient import left out (one per question, however many errors it had)."""
    return len({(p.question.name, p.question.line) for p in problems if p.severity == SKIPPED})


def skipped_summary(problems: list[Problem]) -> str:
    """«пропущено вопросов: 2 — «A» (multianswer, строка 5), «B» (matching, строка 20)».

    Empty when the problems name no left-out question. Used by every report that says why a
    file gave nothing (``import_bank``, ``validate_bank``, the upload page): one wording.
    """
    left = _left_out(problems)
    if not left:
        return ""
    named = []
    for p in left[:_NAMED_AT_MOST]:
        ref = p.question
        where = ", ".join(
            x
            for x in (ref.type, _("строка %(line)s") % {"line": ref.line} if ref.line else "")
            if x
        )
        named.append(f"«{clip(ref.name, 60)}»" + (f" ({where})" if where else ""))
    more = len(left) - len(named)
    text = ", ".join(named) + (_(" и ещё %(more)s") % {"more": more} if more > 0 else "")
    return _("пропущено вопросов: %(count)s — %(named)s") % {"count": len(left), "named": text}


def nothing_to_import(filename: str, problems: list[Problem]) -> Problem:
    """The error of a file that gave no question, saying which ones were left out and why."""
    message = _("в файле нет вопросов, которые можно импортировать")
    if summary := skipped_summary(problems):
        message += "; " + summary + _(" (причины — в сообщениях об этих вопросах)")
    return Problem(filename, None, None, message, "empty")


def skip_invalid_questions(result: ImportResult, problems: list[Problem]) -> tuple:
    """Lenient mode: leave out every question with an error, keep the rest.

    Returns ``(result, problems)``: the bank without those questions (positions renumbered) and
    the problems with each of their errors turned into a ``skipped`` one (it names the question,
    its type and line, and stops nothing). An error that belongs to no question (the file's
    syntax, the bank's or a topic's fields) is not skippable: then nothing changes and the
    import stays refused. A foreign importer that still gave a bank reports only errors of
    questions it left out, so its errors without a question are taken as such.
    """
    source = result.bank if result.bank is not None else result.partial
    errors = [p for p in problems if p.severity == "error"]
    if source is None or not errors:
        return result, problems

    def ref_of(p: Problem) -> QuestionRef | None:
        if p.question is not None:
            return p.question
        if result.bank is not None and p.code != "empty":
            return QuestionRef(name=clip(p.message, 60), line=p.line)
        return None

    if any(ref_of(p) is None for p in errors):
        return result, problems
    drop = {ref_of(p).index for p in errors} - {None}
    kept = [q for i, q in enumerate(source["questions"]) if i not in drop]
    new_index = {}
    for i in range(len(source["questions"])):
        if i not in drop:
            new_index[i] = len(new_index)
    positions = {}
    for key, value in result.positions.items():
        if key[:1] == ("questions",) and len(key) > 1 and isinstance(key[1], int):
            if key[1] in drop:
                continue
            key = ("questions", new_index[key[1]], *key[2:])
        positions[key] = value
    out = [
        replace(p, severity=SKIPPED, question=ref_of(p)) if p.severity == "error" else p
        for p in problems
    ]
    if not kept:
        out.append(nothing_to_import(next(iter(problems)).file, out))
        return ImportResult(None, out, positions), out
    return ImportResult({**source, "questions": kept}, out, positions), out
