"""Anki decks (``.apkg``) and CrowdAnki JSON (``deck.json``) → flashcard banks.

Conventions (docs/import-export.md, «Импорт из Anki»):

* every note becomes ``flashcard`` questions. A note of an ordinary type gives one card: the
  fields its first card template shows on the front (``qfmt``) form ``front``, the fields the back
  adds (``afmt`` without ``{{FrontSide}}``) form ``back``; a type whose templates name no field
  falls back to the first field / the others;
* a cloze note (``{{c1::answer::hint}}``) gives one card per cloze number, as Anki does: on the
  front that number's deletions are ``[…]`` (``[hint]`` with a hint) and the others show their
  text; the back is the deleted text, then the fields the back template adds (``Back Extra``).
  Self-rating rather than ``short_text``: Anki never checks what was recalled, and cloze answers
  are phrases and formulas a string comparison would refuse when paraphrased;
* topics come from decks: ``Курс::Свёртки`` → topic «Курс» and its subtopic «Свёртки». The deck
  path all notes share is cut down to its last name (one root topic, which names the bank);
  note tags become question tags;
* fields are HTML: tags are dropped (``<br>`` and blocks become line breaks), entities decoded,
  MathJax ``\\(…\\)`` and Anki's ``[$]…[/$]`` become ``$…$`` (``[$$]`` → ``$$``), a text-mode
  ``[latex]…[/latex]`` keeps its words (with a warning); images and ``[sound:…]`` are left out with
  a warning naming the note;
* an ``.apkg`` is a zip read in memory: only the collection member is decompressed (never to a
  path taken from the archive), into a private temporary file, with limits on its size and
  compression ratio; SQLite opens it read-only, with a bound on the work a query may do, and only
  after checking that ``col``, ``notes`` and ``cards`` are tables (a view could loop forever).
  ``collection.anki21b`` (Anki ≥ 2.1.50: zstd-compressed, schema 18 — note types, fields,
  templates and decks in tables of their own, their settings in protobuf) is preferred, then
  ``collection.anki21``, then ``collection.anki2`` (a new package also holds an old-format
  collection with one note asking to update Anki); the zstd stream is decompressed with the same
  limits on size and ratio.
"""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from question_bank.formats.anki_schema18 import schema_18
from question_bank.formats.common import (
    MAX_SOURCE,
    MAX_TEXT,
    ImportResult,
    Problem,
    QuestionRef,
    TopicTree,
    build_bank,
    clip,
    question_meta,
    refused,
    too_large,
)
from question_bank.formats.slugs import SlugRegistry
from question_bank.formats.text import convert_text

__all__ = [
    "parse_apkg",
    "parse_crowdanki",
    "MAX_BYTES",
    "MAX_COLLECTION_BYTES",
    "MAX_RATIO",
    "MAX_QUESTIONS",
]

MAX_BYTES = 50 * 1024 * 1024  # the file itself (the browser's upload limit is smaller still)
MAX_COLLECTION_BYTES = 200 * 1024 * 1024  # the SQLite collection once decompressed
MAX_RATIO = 100  # decompressed / compressed size of the collection: more is a zip bomb
MAX_MEMBERS = 100_000  # entries of the zip (a deck with media has one per file)
MAX_QUESTIONS = 5000  # the native schema's limit for one bank
MAX_CLOZE_DEPTH = 20  # deletions inside deletions
MAX_CLOZE_NUMBERS = 100  # cards of one cloze note
MAX_DEPTH = 64  # CrowdAnki's nested children decks
_SQLITE_STEPS = 50_000_000  # virtual machine steps one query may take (~ seconds)
_CHUNK = 1024 * 1024

_ZSTD_COLLECTION = "collection.anki21b"
_COLLECTIONS = (_ZSTD_COLLECTION, "collection.anki21", "collection.anki2")  # newest first
_SOUND = re.compile(r"\[sound:([^\[\]]{0,500})\]")
_TEMPLATE_REF = re.compile(r"\{\{([^{}]{1,200})\}\}")
_CLOZE_TOKEN = re.compile(r"\{\{c(\d{1,4})::|\}\}")
_SPACES = re.compile(r"(?<=\S)[^\S\n]{2,}(?=\S)")
_SPECIAL_REFS = {"FrontSide", "Tags", "Deck", "Subdeck", "Card", "CardFlag", "Type", "CardID"}


class _Refusal(Exception):
    """The whole file cannot be read; the message is for people, ``code`` for machines."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass
class _Model:
    name: str
    fields: list[str]
    cloze: bool
    front: list[str] = field(default_factory=list)  # fields the first template's front shows
    back: list[str] = field(default_factory=list)  # fields the back adds
    cloze_fields: list[str] = field(default_factory=list)


@dataclass
class _Note:
    number: int  # 1-based, in the order the file stores notes: messages name it
    model: _Model | None
    values: list[str]
    tags: list[str]
    deck: list[str]


# ---------------------------------------------------------------------------------------------
# .apkg


def parse_apkg(data: bytes, filename: str) -> ImportResult:
    """An Anki package → a bank of flashcards and every problem found."""
    if len(data) > MAX_BYTES:
        return too_large(filename, len(data), MAX_BYTES, _("байт"))
    try:
        models, notes = _read_package(data)
    except _Refusal as exc:
        return refused(filename, exc.message, exc.code)
    return _build(filename, models, notes, source="Anki")


def _read_package(data: bytes) -> tuple[dict, list[_Note]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _Refusal(
            _("файл не является колодой Anki: это не zip-архив или архив повреждён"),
            "apkg_corrupt",
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _Refusal(
                _("в архиве больше %(max)s файлов") % {"max": MAX_MEMBERS}, "apkg_too_many_files"
            )
        by_name = {info.filename: info for info in infos}
        member = next((by_name[n] for n in _COLLECTIONS if n in by_name), None)
        if member is None:
            raise _Refusal(
                _("в архиве нет коллекции Anki (collection.anki21 или collection.anki2)"),
                "apkg_no_collection",
            )
        _check_sizes(member)
        with tempfile.TemporaryDirectory(prefix="anki-import-") as folder:
            path = os.path.join(folder, "collection.sqlite")  # our name, never the archive's
            if member.filename == _ZSTD_COLLECTION:
                _extract_zstd(archive, member, path)
            else:
                _extract(archive, member, path)
            return _read_collection(path)


def _check_sizes(member: zipfile.ZipInfo):
    if member.file_size > MAX_COLLECTION_BYTES:
        raise _Refusal(
            _("коллекция Anki в архиве больше %(max)s МБ (%(size)s байт после распаковки)")
            % {"max": MAX_COLLECTION_BYTES // 2**20, "size": member.file_size},
            "apkg_too_large",
        )
    if member.file_size > MAX_RATIO * max(member.compress_size, 1):
        raise _Refusal(
            _(
                "коллекция Anki сжата подозрительно сильно (в %(ratio)s раз, допускается не "
                "больше %(max)s): файл похож на zip-бомбу"
            )
            % {"ratio": member.file_size // max(member.compress_size, 1), "max": MAX_RATIO},
            "apkg_ratio",
        )


def _extract(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: str):
    """Decompress ``member`` into ``path`` in chunks, stopping at the limits whatever it claims."""
    written = 0
    try:
        with archive.open(member) as source, open(path, "wb") as target:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if written > MAX_COLLECTION_BYTES or written > MAX_RATIO * max(
                    member.compress_size, 1
                ):
                    raise _Refusal(
                        _("коллекция Anki распаковывается больше заявленного: архив повреждён"),
                        "apkg_too_large",
                    )
                target.write(chunk)
    except _Refusal:
        raise
    except RuntimeError:  # zipfile: an encrypted member needs a password
        raise _Refusal(_("архив зашифрован паролем"), "apkg_encrypted") from None
    except NotImplementedError:
        raise _Refusal(_("коллекция в архиве сжата неизвестным методом"), "apkg_corrupt") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        raise _Refusal(
            _("архив повреждён: коллекцию Anki не удалось распаковать"), "apkg_corrupt"
        ) from None


def _extract_zstd(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: str):
    """``collection.anki21b``: a zstd stream inside the zip member, decompressed in chunks into
    ``path`` under the same limits (size, ratio to the member's stored size)."""
    import zstandard

    written = 0
    try:
        with archive.open(member) as raw, open(path, "wb") as target:
            reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
            while chunk := reader.read(_CHUNK):
                written += len(chunk)
                if written > MAX_COLLECTION_BYTES or written > MAX_RATIO * max(
                    member.compress_size, 1
                ):
                    raise _Refusal(
                        _(
                            "коллекция Anki (zstd) распаковывается в %(size)s байт и больше: "
                            "это больше допустимого или похоже на бомбу"
                        )
                        % {"size": written},
                        "apkg_too_large",
                    )
                target.write(chunk)
    except _Refusal:
        raise
    except RuntimeError:
        raise _Refusal(_("архив зашифрован паролем"), "apkg_encrypted") from None
    except (zstandard.ZstdError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        raise _Refusal(
            _("архив повреждён: коллекцию Anki (zstd) не удалось распаковать"), "apkg_corrupt"
        ) from None


def _corrupt_collection() -> _Refusal:
    return _Refusal(
        _("коллекция Anki повреждена или это не база SQLite колоды Anki"), "apkg_bad_collection"
    )


def _read_collection(path: str) -> tuple[dict, list[_Note]]:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        raise _corrupt_collection() from None
    try:
        connection.set_progress_handler(_step_counter(), 10_000)
        connection.execute("PRAGMA query_only = 1")
        return _collection_contents(connection)
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise _Refusal(
                _("коллекция Anki читается слишком долго: файл повреждён"), "apkg_bad_collection"
            ) from None
        raise _corrupt_collection() from None
    except (sqlite3.Error, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        raise _corrupt_collection() from None
    finally:
        connection.close()


def _step_counter():
    steps = {"n": 0}

    def handler():
        steps["n"] += 10_000
        return 1 if steps["n"] > _SQLITE_STEPS else 0  # non-zero interrupts the query

    return handler


def _collection_contents(connection: sqlite3.Connection) -> tuple[dict, list[_Note]]:
    kinds = dict(connection.execute("SELECT name, type FROM sqlite_master"))
    if any(kinds.get(table) != "table" for table in ("col", "notes", "cards")):
        raise _corrupt_collection()
    row = connection.execute("SELECT models, decks FROM col LIMIT 1").fetchone()
    if row is None:
        raise _corrupt_collection()
    models_json, decks_json = row
    if not models_json or models_json in ("{}", b"{}"):
        if any(kinds.get(t) != "table" for t in ("notetypes", "fields", "templates", "decks")):
            raise _corrupt_collection()
        raw_models, raw_decks = schema_18(connection)  # note types in their own tables
    else:
        raw_models = json.loads(models_json)
        raw_decks = json.loads(decks_json or "{}")
    if not isinstance(raw_models, dict) or not isinstance(raw_decks, dict):
        raise _corrupt_collection()
    models = {str(mid): _model(m) for mid, m in raw_models.items() if isinstance(m, dict)}
    decks = {
        str(did): str(d.get("name") or "") for did, d in raw_decks.items() if isinstance(d, dict)
    }
    count = connection.execute("SELECT count(*) FROM notes").fetchone()[0]
    if count > MAX_QUESTIONS:
        raise _too_many(count)
    # The deck of a note is the deck of its first card (notes themselves have none).
    note_deck = {}
    for nid, did in connection.execute("SELECT nid, did FROM cards ORDER BY nid, ord DESC"):
        note_deck[nid] = decks.get(str(did), "")
    notes = []
    query = "SELECT id, mid, tags, flds FROM notes ORDER BY id"
    for number, (nid, mid, tags, flds) in enumerate(connection.execute(query), start=1):
        notes.append(
            _Note(
                number=number,
                model=models.get(str(mid)),
                values=flds.split("\x1f") if isinstance(flds, str) else [],
                tags=tags.split() if isinstance(tags, str) else [],
                deck=_deck_path(note_deck.get(nid, "")),
            )
        )
    return models, notes


def _too_many(count: int) -> _Refusal:
    return _Refusal(
        _(
            "карточек в колоде: не меньше %(count)s, а в банке может быть не больше "
            "%(max)s вопросов; разделите колоду на части (например, по подколодам)"
        )
        % {"count": count, "max": MAX_QUESTIONS},
        "too_many_questions",
    )


def _deck_path(name: str) -> list[str]:
    return [part.strip() for part in name.split("::") if part.strip()]


def _model(raw: dict) -> _Model:
    """A note type from Anki's ``models`` JSON (CrowdAnki keeps the same keys)."""
    names = [
        str(f.get("name") or "")
        for f in sorted(
            (f for f in raw.get("flds") or [] if isinstance(f, dict)),
            key=lambda f: f.get("ord") if isinstance(f.get("ord"), int) else 0,
        )
    ]
    model = _Model(name=str(raw.get("name") or ""), fields=names, cloze=raw.get("type") == 1)
    templates = [t for t in raw.get("tmpls") or [] if isinstance(t, dict)]
    if templates:
        front = _template_refs(str(templates[0].get("qfmt") or ""), names)
        back = _template_refs(str(templates[0].get("afmt") or ""), names)
        model.front = [name for name, _cloze in front]
        model.back = [name for name, _cloze in back if name not in model.front]
        model.cloze_fields = list(dict.fromkeys(n for n, cloze in front + back if cloze))
    if model.cloze and not model.cloze_fields and names:
        model.cloze_fields = [names[0]]
    return model


def _template_refs(template: str, names: list[str]) -> list[tuple[str, bool]]:
    """Fields a card template shows, in order: (name, shown as cloze)."""
    refs = []
    for match in _TEMPLATE_REF.finditer(template):
        inner = match.group(1).strip()
        if inner[:1] in "#^/!":
            continue  # conditional sections and comments: their fields are named inside
        *filters, name = [part.strip() for part in inner.split(":")]
        if name in _SPECIAL_REFS or name not in names:
            continue
        refs.append((name, "cloze" in filters))
    seen, unique = set(), []
    for name, cloze in refs:
        if name not in seen:
            seen.add(name)
            unique.append((name, cloze))
    return unique


# ---------------------------------------------------------------------------------------------
# CrowdAnki


def parse_crowdanki(data: bytes, filename: str) -> ImportResult:
    """A CrowdAnki deck export (``deck.json``) → a bank of flashcards and every problem found."""
    if len(data) > MAX_BYTES:
        return too_large(filename, len(data), MAX_BYTES, _("байт"))
    try:
        deck = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return refused(
            filename, _("файл не в кодировке UTF-8 (байт %(start)s)") % {"start": exc.start},
            "encoding",
        )  # fmt: skip
    except (ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        return refused(filename, _("файл не является корректным JSON"), "json_syntax", line=line)
    if not isinstance(deck, dict) or deck.get("__type__") != "Deck":
        return refused(
            filename,
            _(
                'JSON-файл не является колодой CrowdAnki (нет "__type__": "Deck"); '
                "поддерживается deck.json, который пишет дополнение CrowdAnki"
            ),
            "not_crowdanki",
        )
    models: dict[str, _Model] = {}
    notes: list[_Note] = []
    try:
        _walk_crowdanki(deck, [], models, notes, depth=0)
    except _Refusal as exc:
        return refused(filename, exc.message, exc.code)
    return _build(filename, models, notes, source="CrowdAnki")


def _walk_crowdanki(deck: dict, parent: list[str], models: dict, notes: list, *, depth: int):
    if depth > MAX_DEPTH:
        raise _Refusal(_("колоды вложены глубже %(max)s уровней") % {"max": MAX_DEPTH}, "too_deep")
    name = str(deck.get("name") or "")
    # CrowdAnki writes a subdeck's full name («Курс::Свёртки») or, in old versions, its own.
    full = "::".join(parent)
    if parent and name.startswith(full + "::"):
        name = name[len(full) + 2 :]
    path = parent + _deck_path(name)
    for raw in _list(deck.get("note_models")):
        if isinstance(raw, dict):
            models[str(raw.get("crowdanki_uuid") or raw.get("id") or "")] = _model(raw)
    for raw in _list(deck.get("notes")):
        if len(notes) >= MAX_QUESTIONS:
            raise _too_many(len(notes) + 1)
        if not isinstance(raw, dict):
            continue
        values = [v if isinstance(v, str) else "" for v in _list(raw.get("fields"))]
        notes.append(
            _Note(
                number=len(notes) + 1,
                model=str(raw.get("note_model_uuid") or ""),  # resolved once all are read
                values=values,
                tags=[str(t) for t in _list(raw.get("tags")) if isinstance(t, str)],
                deck=path,
            )
        )
    for child in _list(deck.get("children")):
        if isinstance(child, dict):
            _walk_crowdanki(child, path, models, notes, depth=depth + 1)
    if depth == 0:
        for note in notes:
            note.model = models.get(note.model) if isinstance(note.model, str) else note.model


def _list(value) -> list:
    return value if isinstance(value, list) else []


# ---------------------------------------------------------------------------------------------
# Notes → flashcards


class _Cloze:
    __slots__ = ("number", "children", "hint")

    def __init__(self, number: int):
        self.number, self.children, self.hint = number, [], ""


def _cloze_nodes(source: str) -> list:
    """Field HTML → text pieces and :class:`_Cloze` nodes (Anki ≥ 2.1.56 nests them)."""
    root: list = []
    stack: list[tuple[_Cloze, list]] = []  # open deletions and the list they belong to
    current, position = root, 0
    for match in _CLOZE_TOKEN.finditer(source):
        if match.group(1) is None and not stack:
            continue  # a "}}" outside any deletion is text
        current.append(source[position : match.start()])
        position = match.end()
        if match.group(1) is not None:
            if len(stack) >= MAX_CLOZE_DEPTH:
                raise _NoteError(
                    _("пропуски {{c…}} вложены глубже %(max)s уровней") % {"max": MAX_CLOZE_DEPTH},
                    "cloze_too_deep",
                )
            node = _Cloze(int(match.group(1)))
            stack.append((node, current))
            current.append(node)
            current = node.children
        else:
            node, current = stack.pop()
            last = node.children[-1] if node.children else None
            if isinstance(last, str) and "::" in last:
                node.children[-1], node.hint = last.rsplit("::", 1)
    current.append(source[position:])
    while stack:  # unclosed deletions: their openers were text
        node, parent = stack.pop()
        index = parent.index(node)
        parent[index : index + 1] = [f"{{{{c{node.number}::", *node.children]
    return root


def _cloze_numbers(nodes: list, into: set) -> set:
    for node in nodes:
        if isinstance(node, _Cloze):
            into.add(node.number)
            _cloze_numbers(node.children, into)
    return into


def _render(nodes: list, hidden: int | None) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif node.number == hidden:
            out.append(f"[{node.hint.strip()}]" if node.hint.strip() else "[…]")
        else:
            out.append(_render(node.children, hidden))
    return "".join(out)


def _answers(nodes: list, number: int, into: list) -> list:
    for node in nodes:
        if isinstance(node, _Cloze):
            if node.number == number:
                into.append(_render(node.children, None))
            else:
                _answers(node.children, number, into)
    return into


class _NoteError(Exception):
    def __init__(self, message: str, code: str, severity: str = "error"):
        super().__init__(message)
        self.message, self.code, self.severity = message, code, severity


def _build(filename: str, models: dict, notes: list[_Note], *, source: str) -> ImportResult:
    problems: list[Problem] = []
    topics, slugs, questions = TopicTree(), SlugRegistry(), []
    shared = _shared_prefix([n.deck for n in notes if n.deck])
    for note in notes:
        label = _label(note)
        try:
            cards, found = _cards(note)
        except _NoteError as exc:
            # A note left out is named like a skipped Moodle or GIFT question (its note type as
            # the type), so every report and the «nothing to import» message list it.
            kind = note.model.name if note.model is not None else "anki"
            problems.append(
                Problem(
                    filename,
                    None,
                    None,
                    f"{label}: {exc.message}",
                    exc.code,
                    exc.severity,
                    question=QuestionRef(name=label, type=kind or "anki"),
                )
            )
            continue
        if found.media:
            message = _("%(note)s: не импортировано (файлы не переносятся): %(what)s") % {
                "note": label,
                "what": ", ".join(dict.fromkeys(found.media)),
            }
            problems.append(Problem(filename, None, None, message, "media_dropped", "warning"))
        if found.latex:
            message = _(
                "%(note)s: блок [latex]…[/latex] перенесён как текст (Anki рисует его "
                "картинкой; формулы у нас — только в $…$)"
            ) % {"note": label}
            problems.append(Problem(filename, None, None, message, "latex_block", "warning"))
        deck = note.deck[max(len(shared) - 1, 0) :] if note.deck else []
        topic = topics.topic_for(deck) if deck else None
        for entry in cards:
            meta = question_meta(entry, slugs, slug=None, name="", topic=topic, tags=note.tags)
            questions.append({**meta, **entry})
    if len(questions) > MAX_QUESTIONS:
        return refused(filename, _too_many(len(questions)).message, "too_many_questions")
    return build_bank(filename, topics, questions, problems, source=source)


def _shared_prefix(paths: list[list[str]]) -> list[str]:
    if not paths:
        return []
    prefix = paths[0]
    for path in paths[1:]:
        n = 0
        while n < min(len(prefix), len(path)) and prefix[n] == path[n]:
            n += 1
        prefix = prefix[:n]
    return prefix


def _label(note: _Note) -> str:
    first = next((v for v in note.values if v.strip()), "")
    text, _dropped = convert_text(_SOUND.sub("", first[:MAX_SOURCE]), "html")
    return _("заметка №%(number)s «%(text)s»") % {"number": note.number, "text": clip(text, 40)}


class _Found:
    """What the conversion of a note's fields left out or kept only as text."""

    def __init__(self):
        self.media: list[str] = []
        self.latex = False


def _cards(note: _Note) -> tuple[list[dict], _Found]:
    """The flashcards of one note and what their conversion left out."""
    model = note.model
    if model is None:
        raise _NoteError(
            _("тип заметки не найден в файле; заметка пропущена"), "unknown_note_type", "warning"
        )
    if any(len(v) > MAX_SOURCE for v in note.values):
        raise _NoteError(_("поле длиннее %(max)s символов") % {"max": MAX_SOURCE}, "too_long")
    values = dict(zip(model.fields, note.values, strict=False))
    found = _Found()

    def text_of(names: list[str]) -> str:
        parts = [_field_text(values.get(name, ""), found) for name in names]
        return "\n\n".join(p for p in parts if p)

    if model.cloze:
        parsed = {name: _cloze_nodes(values.get(name, "")) for name in model.cloze_fields}
        numbers = sorted(set().union(*(_cloze_numbers(n, set()) for n in parsed.values())))
        if not numbers:
            raise _NoteError(
                _("в заметке-пропуске нет ни одного пропуска {{c1::…}}; заметка пропущена"),
                "no_cloze",
                "warning",
            )
        if len(numbers) > MAX_CLOZE_NUMBERS:
            raise _NoteError(
                _("в заметке больше %(max)s номеров пропусков") % {"max": MAX_CLOZE_NUMBERS},
                "cloze_too_many",
            )
        extra = [n for n in model.back if n not in model.cloze_fields]
        cards = []
        for number in numbers:
            front = "\n\n".join(
                t for t in (_field_text(_render(nodes, number), found)
                            for nodes in parsed.values()) if t
            )  # fmt: skip
            answers = [
                _field_text(a, found)
                for nodes in parsed.values()
                for a in _answers(nodes, number, [])
            ]
            back = "; ".join(a for a in answers if a)
            back = "\n\n".join(p for p in (back, text_of(extra)) if p)
            cards.append(_card(front, back, found))
        return cards, found
    front_names = model.front or model.fields[:1]
    back_names = model.back if model.front else model.fields[1:]
    return [_card(text_of(front_names), text_of(back_names), found)], found


def _field_text(raw: str, found: _Found) -> str:
    for match in _SOUND.finditer(raw):
        found.media.append(_("звук «%(name)s»") % {"name": match.group(1).strip()})
    raw = _SOUND.sub("", raw)
    # Anki's own TeX: [$]…[/$] and [$$]…[/$$] are math; [latex]…[/latex] is a text-mode fragment
    # Anki renders to an image — its words are kept, the markers dropped, with a warning.
    raw = _unwrap(raw, "[$$]", "[/$$]", "\\[", "\\]")
    raw = _unwrap(raw, "[$]", "[/$]", "\\(", "\\)")
    unwrapped = _unwrap(raw, "[latex]", "[/latex]", "", "")
    found.latex = found.latex or unwrapped != raw
    text, media = convert_text(unwrapped, "html")
    found.media.extend(media)
    return _SPACES.sub(" ", text)  # a dropped image leaves the spaces around it


def _unwrap(text: str, opener: str, closer: str, left: str, right: str) -> str:
    """Replace every ``opener…closer`` in one linear pass (case as Anki writes them)."""
    out, position = [], 0
    while (start := text.find(opener, position)) >= 0:
        end = text.find(closer, start + len(opener))
        if end < 0:
            break  # no closer after this opener, so none after a later one either
        out.append(text[position:start] + left + text[start + len(opener) : end] + right)
        position = end + len(closer)
    out.append(text[position:])
    return "".join(out)


def _card(front: str, back: str, found: _Found) -> dict:
    media = _(" (рисунки и звук не переносятся)") if found.media else ""
    if not front:
        raise _NoteError(
            _("лицевая сторона пуста%(media)s; заметка пропущена") % {"media": media},
            "empty_front",
            "warning",
        )
    if not back:
        raise _NoteError(
            _("оборот пуст%(media)s; заметка пропущена") % {"media": media},
            "empty_back",
            "warning",
        )
    if max(len(front), len(back)) > MAX_TEXT:
        raise _NoteError(
            _("текст длиннее %(max_text)s символов") % {"max_text": MAX_TEXT}, "too_long"
        )
    return {"kind": "flashcard", "front": front, "back": back}
