"""Anki's schema 18 (Anki ≥ 2.1.50): note types and decks from their own tables.

In a schema-18 collection ``col.models`` and ``col.decks`` are empty; note types, their fields
and card templates, and decks have tables of their own, and the settings the importer needs —
whether a note type is a cloze, a card template's front and back — are protobuf in ``config``
columns (Anki's ``notetypes.proto``: ``Notetype.Config.kind`` is field 1,
``Template.Config.q_format`` and ``a_format`` fields 1 and 2). :func:`schema_18` turns them into
the legacy JSON shape :mod:`question_bank.formats.anki_import` reads; :func:`protobuf_fields` is
the small, bounded reader of a protobuf message's top-level fields that needs (no schema, no
generated code: three fields of two messages).

>>> protobuf_fields(b"\\x08\\x01\\x12\\x03abc")
{1: [1], 2: [b'abc']}
"""

from __future__ import annotations

import sqlite3

__all__ = ["protobuf_fields", "schema_18"]


def schema_18(connection: sqlite3.Connection) -> tuple[dict, dict]:
    """Note types and decks of a schema-18 collection, in the legacy JSON shape :func:`_model`
    reads: the kind (cloze or not) and the card templates are protobuf in ``config`` columns."""
    # Anki's own collation on names: comparisons only, a case-insensitive one is enough here.
    connection.create_collation(
        "unicase", lambda a, b: (a.casefold() > b.casefold()) - (a.casefold() < b.casefold())
    )
    models: dict = {}
    for ntid, name, config in connection.execute("SELECT id, name, config FROM notetypes"):
        kind = protobuf_fields(config).get(1, [0])[0]
        models[str(ntid)] = {"name": name, "type": kind, "flds": [], "tmpls": []}
    for ntid, ordinal, name in connection.execute("SELECT ntid, ord, name FROM fields"):
        if str(ntid) in models:
            models[str(ntid)]["flds"].append({"name": name, "ord": ordinal})
    rows = connection.execute("SELECT ntid, ord, config FROM templates ORDER BY ntid, ord")
    for ntid, _ordinal, config in rows:
        if str(ntid) in models:
            fields = protobuf_fields(config)
            models[str(ntid)]["tmpls"].append(
                {"qfmt": _text(fields.get(1, [b""])[0]), "afmt": _text(fields.get(2, [b""])[0])}
            )
    decks = {
        str(did): {"name": str(name or "").replace("\x1f", "::")}
        for did, name in connection.execute("SELECT id, name FROM decks")
    }
    return models, decks


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def protobuf_fields(blob) -> dict[int, list]:
    """The top-level fields of a protobuf message: number → values (varints as int, strings and
    messages as bytes). Only what Anki's configs use; a malformed blob raises ValueError."""
    data = bytes(blob or b"")
    fields: dict[int, list] = {}
    position = 0

    def varint() -> int:
        nonlocal position
        result = shift = 0
        while True:
            if position >= len(data) or shift > 63:
                raise ValueError("protobuf: обрыв числа")
            byte = data[position]
            position += 1
            result |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return result

    while position < len(data):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            value = varint()
        elif wire == 2:
            length = varint()
            if position + length > len(data):
                raise ValueError("protobuf: обрыв строки")
            value, position = data[position : position + length], position + length
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, position = data[position : position + size], position + size
        else:
            raise ValueError("protobuf: неизвестный тип поля")
        fields.setdefault(number, []).append(value)
    return fields
