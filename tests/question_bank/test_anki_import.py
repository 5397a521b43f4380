"""Anki import (question_bank/formats/anki_import.py): .apkg and CrowdAnki JSON → flashcards.

Every package is built here, at test time, with sqlite3 + zipfile (the collection holds only the
columns the importer reads) or with genanki (a real package, as Anki and our exporter write it).
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import genanki
import pytest
import yaml
import zstandard
from django.core.management import call_command

from question_bank.formats import IMPORTERS, anki_import, parse_file
from question_bank.formats.anki import export_anki
from question_bank.models import Bank, BankUpload
from tests.question_bank.conftest import publish, upload

BANKS = Path(__file__).resolve().parents[2] / "question_bank" / "banks"

BASIC_ID, CLOZE_ID = 1001, 1002
MODELS = {
    str(BASIC_ID): {
        "id": BASIC_ID,
        "name": "Basic+",
        "type": 0,
        "flds": [
            {"name": "Front", "ord": 0},
            {"name": "Back", "ord": 1},
            {"name": "Note", "ord": 2},
        ],
        "tmpls": [
            {
                "name": "Card 1",
                "qfmt": "{{Front}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Back}}{{#Note}}<br>{{Note}}{{/Note}}",
            }
        ],
    },
    str(CLOZE_ID): {
        "id": CLOZE_ID,
        "name": "Cloze",
        "type": 1,
        "flds": [{"name": "Text", "ord": 0}, {"name": "Back Extra", "ord": 1}],
        "tmpls": [
            {"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>{{Back Extra}}"}
        ],
    },
}
DECKS = {"1": {"id": 1, "name": "Default"}, "10": {"id": 10, "name": "Курс::Свёртки"},
         "11": {"id": 11, "name": "Курс::RNN"}}  # fmt: skip


def collection(notes, *, models=None, decks=None) -> bytes:
    """A minimal Anki collection (schema 11) as bytes; ``notes``: (mid, fields, tags, deck id)."""
    connection = sqlite3.connect(":memory:")
    connection.executescript(
        "CREATE TABLE col (id integer primary key, models text, decks text);"
        "CREATE TABLE notes (id integer primary key, guid text, mid integer, tags text, flds text);"
        "CREATE TABLE cards (id integer primary key, nid integer, did integer, ord integer);"
    )
    connection.execute(
        "INSERT INTO col VALUES (1, ?, ?)",
        (json.dumps(MODELS if models is None else models), json.dumps(decks or DECKS)),
    )
    for n, (mid, fields, tags, did) in enumerate(notes, start=1):
        connection.execute(
            "INSERT INTO notes VALUES (?, ?, ?, ?, ?)", (n, f"g{n}", mid, tags, "\x1f".join(fields))
        )
        connection.execute("INSERT INTO cards VALUES (?, ?, ?, 0)", (n, n, did))
    connection.commit()
    data = connection.serialize()
    connection.close()
    return data


def apkg(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def deck(notes, **kwargs) -> bytes:
    return apkg({"collection.anki2": collection(notes, **kwargs), "media": b"{}"})


def codes(result) -> list[str]:
    return [p.code for p in result.problems]


# ---------------------------------------------------------------------------------------------
# Notes


def test_basic_note_takes_front_and_back_from_its_card_template():
    result = parse_file(
        deck([(BASIC_ID, ["Что такое <b>ReLU</b>?", "max(0, x)", "см. гл. 2"], " relu ", 10)]),
        "cnn.apkg",
    )
    assert result.ok, result.problems
    (question,) = result.bank["questions"]
    assert question["kind"] == "flashcard"
    assert question["front"] == "Что такое ReLU?"
    assert question["back"] == "max(0, x)\n\nсм. гл. 2"
    assert question["tags"] == ["relu"]


def test_cloze_note_gives_one_card_per_number_with_the_deletion_hidden():
    text = "{{c1::Dropout::метод}} отключает нейроны с вероятностью {{c2::p}}; {{c1::он}} случаен"
    result = parse_file(deck([(CLOZE_ID, [text, "Srivastava, 2014"], "", 10)]), "d.apkg")
    assert result.ok, result.problems
    first, second = result.bank["questions"]
    assert first["front"] == "[метод] отключает нейроны с вероятностью p; […] случаен"
    assert first["back"] == "Dropout; он\n\nSrivastava, 2014"
    assert second["front"] == "Dropout отключает нейроны с вероятностью […]; он случаен"
    assert second["back"] == "p\n\nSrivastava, 2014"
    assert first["slug"] != second["slug"]


def test_nested_and_unclosed_clozes():
    nested = "{{c1::свёртка {{c2::3×3}} }} и }} просто текст {{c3::не закрыт"
    result = parse_file(deck([(CLOZE_ID, [nested, ""], "", 10)]), "d.apkg")
    assert result.ok, result.problems
    fronts = [q["front"] for q in result.bank["questions"]]
    backs = [q["back"] for q in result.bank["questions"]]
    assert fronts == [
        "[…] и } } просто текст { {c3::не закрыт",  # "{{" is split: never a placeholder
        "свёртка […] и } } просто текст { {c3::не закрыт",
    ]
    assert backs == ["свёртка 3×3", "3×3"]


def test_hostile_clozes_are_an_error_for_their_note_not_a_crash():
    deep = "{{c1::" * 10_000 + "x" + "}}" * 10_000  # deeper than Python's recursion limit
    many = " ".join(f"{{{{c{n}::x}}}}" for n in range(1, 500))
    result = parse_file(
        deck([(CLOZE_ID, [deep, ""], "", 10), (CLOZE_ID, [many, ""], "", 10)]), "d.apkg"
    )
    assert codes(result) == ["cloze_too_deep", "cloze_too_many", "empty"]
    assert result.problems[0].message.startswith("заметка №1")


def test_a_note_left_out_is_named_and_lenient_mode_imports_the_rest():
    deep = "{{c1::" * 10_000 + "x" + "}}" * 10_000
    data = deck(
        [(CLOZE_ID, [deep, ""], "", 10), (BASIC_ID, ["Что такое ReLU?", "max", ""], "", 10)]
    )
    strict = parse_file(data, "d.apkg")
    assert strict.problems[0].question.name.startswith("заметка №1")
    assert strict.problems[0].question.type == "Cloze"
    lenient = parse_file(data, "d.apkg", skip_invalid=True)
    assert [q["front"] for q in lenient.bank["questions"]] == ["Что такое ReLU?"]
    assert [p.severity for p in lenient.problems] == ["skipped"]


def test_more_cards_than_a_bank_holds_is_refused(monkeypatch):
    monkeypatch.setattr(anki_import, "MAX_QUESTIONS", 2)
    cloze = (CLOZE_ID, ["{{c1::a}} {{c2::b}}", ""], "", 10)
    result = parse_file(deck([cloze, (BASIC_ID, ["a", "b", ""], "", 10)]), "d.apkg")
    assert result.bank is None and codes(result) == ["too_many_questions"]
    assert "не меньше 3" in result.problems[0].message
    result = parse_file(deck([cloze] * 3), "d.apkg")
    assert codes(result) == ["too_many_questions"]


def test_cloze_note_without_deletions_is_skipped_with_a_warning():
    result = parse_file(
        deck([(CLOZE_ID, ["без пропусков", ""], "", 10), (BASIC_ID, ["a", "b", ""], "", 10)]),
        "d.apkg",
    )
    assert result.ok and len(result.bank["questions"]) == 1
    (problem,) = result.problems
    assert (problem.code, problem.severity) == ("no_cloze", "warning")
    assert "заметка №1 «без пропусков»" in problem.message


def test_html_is_plain_text_with_line_breaks_and_mathjax_becomes_dollars():
    front = "Формула<br>\\(y = Wx + b\\)<div>&lt;script&gt; текст</div><script>alert(1)</script>"
    result = parse_file(deck([(BASIC_ID, [front, "<i>да</i>&nbsp;нет", ""], "", 10)]), "d.apkg")
    (question,) = result.bank["questions"]
    assert question["front"] == "Формула\n$y = Wx + b$\n\n<script> текст"
    assert question["back"] == "да нет"


def test_media_is_left_out_with_a_warning_naming_the_note():
    fields = ['Сеть <img src="lenet.png"> LeNet', "[sound:lenet.mp3]Ответ", ""]
    result = parse_file(deck([(BASIC_ID, fields, "", 10)]), "d.apkg")
    assert result.ok
    (question,) = result.bank["questions"]
    assert (question["front"], question["back"]) == ("Сеть LeNet", "Ответ")
    (problem,) = result.problems
    assert (problem.code, problem.severity) == ("media_dropped", "warning")
    assert "заметка №1 «Сеть LeNet»" in problem.message
    assert "lenet.png" in problem.message and "lenet.mp3" in problem.message


def test_anki_tex_becomes_ours_and_latex_blocks_stay_text_with_a_warning():
    fields = [
        "[$]a&lt;b[/$] и [$$]\\sum_i x_i[/$$]",
        "[latex]\\textit{Ответ}[/latex] [$] без конца",
        "",
    ]
    result = parse_file(deck([(BASIC_ID, fields, "", 10)]), "d.apkg")
    (question,) = result.bank["questions"]
    assert question["front"] == "$a<b$ и $$\\sum_i x_i$$"
    assert question["back"] == "\\textit{Ответ} [$] без конца"
    assert codes(result) == ["latex_block"]
    assert "заметка №1" in result.problems[0].message


def test_a_side_made_only_of_media_says_so():
    result = parse_file(deck([(BASIC_ID, ["Почерк", '<img src="a.jpg">', ""], "", 10),
                              (BASIC_ID, ["a", "b", ""], "", 10)]), "d.apkg")  # fmt: skip
    (problem,) = result.problems
    assert problem.code == "empty_back"
    assert "оборот пуст (рисунки и звук не переносятся)" in problem.message


def test_note_with_an_empty_side_or_unknown_type_is_skipped_with_a_warning():
    result = parse_file(
        deck(
            [
                (BASIC_ID, ["вопрос", "", ""], "", 10),
                (999, ["a", "b"], "", 10),
                (BASIC_ID, ["a", "b", ""], "", 10),
            ]
        ),
        "d.apkg",
    )
    assert result.ok and len(result.bank["questions"]) == 1
    assert codes(result) == ["empty_back", "unknown_note_type"]
    assert all(p.severity == "warning" for p in result.problems)


def test_decks_become_topics_under_their_shared_root_and_tags_stay_tags():
    result = parse_file(
        deck(
            [
                (BASIC_ID, ["Свёртка", "да", ""], "cnn Курс::Глава_6", 10),
                (BASIC_ID, ["LSTM", "да", ""], "rnn", 11),
            ]
        ),
        "course.apkg",
    )
    assert result.ok, result.problems
    topics = {t["slug"]: t for t in result.bank["topics"]}
    assert [t["title"] for t in result.bank["topics"]] == ["Курс", "Свёртки", "RNN"]
    first, second = result.bank["questions"]
    assert topics[first["topic"]]["title"] == "Свёртки"
    assert topics[topics[first["topic"]]["parent"]]["title"] == "Курс"
    assert first["tags"] == ["cnn", "Курс::Глава_6"]
    assert result.bank["bank"]["title"] == "Курс"


def test_one_deck_is_one_topic_named_after_its_last_name():
    result = parse_file(deck([(BASIC_ID, ["a", "b", ""], "", 10)]), "d.apkg")
    assert [t["title"] for t in result.bank["topics"]] == ["Свёртки"]
    assert result.bank["bank"]["title"] == "Свёртки"


# ---------------------------------------------------------------------------------------------
# The package


def test_collection_anki21_is_preferred_to_the_legacy_one():
    old = collection([(BASIC_ID, ["старый", "x", ""], "", 10)])
    new = collection([(BASIC_ID, ["новый", "x", ""], "", 10)])
    result = parse_file(apkg({"collection.anki2": old, "collection.anki21": new}), "d.apkg")
    assert [q["front"] for q in result.bank["questions"]] == ["новый"]


def _pb_string(number: int, text: str) -> bytes:
    data = text.encode()
    assert len(data) < 128
    return bytes([number << 3 | 2, len(data)]) + data


def collection_18(notes) -> bytes:
    """A schema-18 collection, as Anki ≥ 2.1.50 writes it: note types, fields, templates and
    decks in their own tables, settings as protobuf, deck names split by \\x1f, ``col`` empty."""
    connection = sqlite3.connect(":memory:")
    connection.executescript(
        "CREATE TABLE col (id integer primary key, models text, decks text);"
        "CREATE TABLE notes (id integer primary key, mid integer, tags text, flds text);"
        "CREATE TABLE cards (id integer primary key, nid integer, did integer, ord integer);"
        "CREATE TABLE notetypes (id integer primary key, name text, config blob);"
        "CREATE TABLE fields (ntid integer, ord integer, name text, config blob);"
        "CREATE TABLE templates (ntid integer, ord integer, name text, config blob);"
        "CREATE TABLE decks (id integer primary key, name text COLLATE NOCASE);"
        "INSERT INTO col VALUES (1, '', '');"
    )
    connection.execute("INSERT INTO notetypes VALUES (?, 'Basic', ?)", (BASIC_ID, b""))
    connection.execute("INSERT INTO notetypes VALUES (?, 'Cloze', ?)", (CLOZE_ID, b"\x08\x01"))
    for ntid, names in ((BASIC_ID, ["Front", "Back"]), (CLOZE_ID, ["Text", "Back Extra"])):
        for ordinal, name in enumerate(names):
            connection.execute("INSERT INTO fields VALUES (?, ?, ?, x'')", (ntid, ordinal, name))
    basic = _pb_string(1, "{{Front}}") + _pb_string(2, "{{FrontSide}}<hr id=answer>{{Back}}")
    cloze = _pb_string(1, "{{cloze:Text}}") + _pb_string(2, "{{cloze:Text}}<br>{{Back Extra}}")
    connection.execute("INSERT INTO templates VALUES (?, 0, 'Card 1', ?)", (BASIC_ID, basic))
    connection.execute("INSERT INTO templates VALUES (?, 0, 'Cloze', ?)", (CLOZE_ID, cloze))
    connection.execute("INSERT INTO decks VALUES (10, ?)", ("Курс\x1fСвёртки",))
    for n, (mid, fields, tags) in enumerate(notes, start=1):
        connection.execute(
            "INSERT INTO notes VALUES (?, ?, ?, ?)", (n, mid, tags, "\x1f".join(fields))
        )
        connection.execute("INSERT INTO cards VALUES (?, ?, 10, 0)", (n, n))
    connection.commit()
    data = connection.serialize()
    connection.close()
    return data


def new_package(collection_bytes: bytes) -> bytes:
    """What Anki ≥ 2.1.50 exports: the zstd collection, and an old-format one that only asks
    to update Anki."""
    dummy = collection([(BASIC_ID, ["Please update to the latest Anki version", "x", ""], "", 1)])
    packed = zstandard.ZstdCompressor().compress(collection_bytes)
    return apkg({"collection.anki2": dummy, "collection.anki21b": packed}, zipfile.ZIP_STORED)


def test_a_new_anki_package_is_read_from_its_zstd_collection():
    notes = [
        (BASIC_ID, ["Что такое ReLU?", "$\\max(0, x)$"], "relu"),
        (CLOZE_ID, ["Свёртка 3×3 даёт {{c1::9}} весов на канал", ""], ""),
    ]
    result = parse_file(new_package(collection_18(notes)), "new.apkg")
    assert result.ok, [str(p) for p in result.problems]
    fronts = [q["front"] for q in result.bank["questions"]]
    assert fronts[0] == "Что такое ReLU?" and "Please update" not in " ".join(fronts)
    assert "[…]" in fronts[1] and "9" in result.bank["questions"][1]["back"]  # cloze kept
    assert [t["title"] for t in result.bank["topics"]] == ["Свёртки"]  # \x1f is «::»
    assert result.bank["questions"][0]["tags"] == ["relu"]


def test_a_zstd_bomb_is_refused_while_decompressing():
    bomb = zstandard.ZstdCompressor(level=19).compress(b"\0" * (20 * 2**20))
    data = apkg({"collection.anki21b": bomb}, zipfile.ZIP_STORED)
    result = parse_file(data, "bomb.apkg")
    assert result.bank is None and codes(result) == ["apkg_too_large"]


def test_a_broken_zstd_stream_is_refused():
    data = apkg({"collection.anki21b": b"\x28\xb5\x2f\xfd junk"}, zipfile.ZIP_STORED)
    result = parse_file(data, "broken.apkg")
    assert result.bank is None and codes(result) == ["apkg_corrupt"]


def test_a_malformed_protobuf_setting_is_a_damaged_collection():
    data = collection_18([(BASIC_ID, ["a", "b"], "")])
    connection = sqlite3.connect(":memory:")
    connection.deserialize(data)
    connection.execute("UPDATE templates SET config = x'0aff'")  # a string longer than the blob
    connection.commit()
    result = parse_file(new_package(connection.serialize()), "bad.apkg")
    assert result.bank is None and codes(result) == ["apkg_bad_collection"]


@pytest.mark.parametrize(
    "data, code, message",
    [
        (b"PK\x03\x04 not really a zip", "apkg_corrupt", "не zip-архив или архив повреждён"),
        (b"", "apkg_corrupt", "не zip-архив"),
        (apkg({"media": b"{}"}), "apkg_no_collection", "нет коллекции Anki"),
        (apkg({"collection.anki2": b"SQLite format 3\x00" + b"\x07" * 4000}),
         "apkg_bad_collection", "коллекция Anki повреждена"),
        (apkg({"collection.anki2": b"just text"}), "apkg_bad_collection", "повреждена"),
    ],
)  # fmt: skip
def test_corrupt_packages_get_a_russian_message(data, code, message):
    result = parse_file(data, "broken.apkg")
    assert result.bank is None and codes(result) == [code]
    assert message in result.problems[0].message


def test_truncated_zip_is_refused():
    data = deck([(BASIC_ID, ["a", "b", ""], "", 10)])
    result = parse_file(data[: len(data) // 2], "cut.apkg")
    assert result.bank is None and codes(result) == ["apkg_corrupt"]


def test_damaged_collection_data_is_refused():
    data = bytearray(deck([(BASIC_ID, ["a", "b", ""], "", 10)]))
    start = data.index(b"collection.anki2") + len("collection.anki2") + 20
    data[start : start + 200] = b"\x00" * 200  # the deflate stream (CRC fails or it breaks)
    result = parse_file(bytes(data), "bad.apkg")
    assert result.bank is None and codes(result) == ["apkg_corrupt"]


def test_a_view_in_place_of_a_table_is_refused_not_run():
    connection = sqlite3.connect(":memory:")
    connection.executescript(
        "CREATE TABLE col (id integer primary key, models text, decks text);"
        "CREATE TABLE cards (id integer primary key, nid integer, did integer, ord integer);"
        "CREATE VIEW notes AS WITH RECURSIVE r(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM r)"
        " SELECT id, 1 AS mid, '' AS tags, 'a' AS flds FROM r;"
    )
    connection.execute("INSERT INTO col VALUES (1, ?, '{}')", (json.dumps(MODELS),))
    connection.commit()
    result = parse_file(apkg({"collection.anki2": connection.serialize()}), "loop.apkg")
    assert codes(result) == ["apkg_bad_collection"]


def test_zip_bomb_ratio_is_refused_before_decompressing():
    bomb = apkg({"collection.anki2": b"\x00" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000  # 20 MB of zeros deflate to about 20 KB
    result = parse_file(bomb, "bomb.apkg")
    assert result.bank is None and codes(result) == ["apkg_ratio"]
    assert "zip-бомбу" in result.problems[0].message


def test_uncompressed_size_limit(monkeypatch):
    monkeypatch.setattr(anki_import, "MAX_COLLECTION_BYTES", 4096)
    data = apkg({"collection.anki2": collection([(BASIC_ID, ["a", "b", ""], "", 10)])},
                zipfile.ZIP_STORED)  # fmt: skip
    result = parse_file(data, "big.apkg")
    assert result.bank is None and codes(result) == ["apkg_too_large"]
    assert "после распаковки" in result.problems[0].message


def test_the_limit_holds_while_decompressing_whatever_the_header_says(monkeypatch):
    monkeypatch.setattr(anki_import, "MAX_COLLECTION_BYTES", 4096)
    monkeypatch.setattr(anki_import, "_check_sizes", lambda member: None)  # a header that lies
    data = apkg({"collection.anki2": collection([(BASIC_ID, ["a", "b", ""], "", 10)])},
                zipfile.ZIP_STORED)  # fmt: skip
    result = parse_file(data, "forged.apkg")
    assert result.bank is None and codes(result) == ["apkg_too_large"]


def test_member_names_never_become_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    data = apkg(
        {
            "../../evil.txt": b"x",
            "/tmp/anki13-absolute.txt": b"x",
            "../collection.anki2": collection([(BASIC_ID, ["a", "b", ""], "", 10)]),
        }
    )
    result = parse_file(data, "traversal.apkg")
    assert codes(result) == ["apkg_no_collection"]  # only the exact member name is read
    assert (
        not (tmp_path / "evil.txt").exists() and not (tmp_path / "a" / "collection.anki2").exists()
    )
    assert not Path("/tmp/anki13-absolute.txt").exists()
    assert list(work.iterdir()) == []


def test_nothing_importable_is_refused_like_other_formats():
    result = parse_file(deck([(CLOZE_ID, ["нет пропусков", ""], "", 10)]), "d.apkg")
    assert result.bank is None and codes(result) == ["no_cloze", "empty"]


# ---------------------------------------------------------------------------------------------
# Real packages: genanki, our exporter


def test_genanki_cloze_deck_imports():
    model = genanki.CLOZE_MODEL
    anki_deck = genanki.Deck(2059400110, "Глубокое обучение::Регуляризация")
    anki_deck.add_note(
        genanki.Note(model=model, fields=["{{c1::L2}} штрафует {{c2::квадрат}} весов", "гл. 7"])
    )
    anki_deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=["Вопрос", "Ответ"]))
    buffer = io.BytesIO()
    genanki.Package(anki_deck).write_to_file(buffer)
    result = parse_file(buffer.getvalue(), "reg.apkg")
    assert result.ok, result.problems
    assert [(q["front"], q["back"]) for q in result.bank["questions"]] == [
        ("[…] штрафует квадрат весов", "L2\n\nгл. 7"),
        ("L2 штрафует […] весов", "квадрат\n\nгл. 7"),
        ("Вопрос", "Ответ"),
    ]
    assert result.bank["bank"]["title"] == "Регуляризация"


@pytest.mark.parametrize("variants", [1, 10])
def test_round_trip_of_a_bundled_bank_keeps_every_note(tmp_path, variants):
    bank = yaml.safe_load((BANKS / "09-cnn.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "cnn.apkg"
    notes = export_anki(bank, path, variants=variants)
    result = parse_file(path.read_bytes(), "cnn.apkg")
    assert result.ok, result.problems
    assert len(result.bank["questions"]) == notes
    questions = len(bank["questions"])
    templates = sum(1 for q in bank["questions"] if q.get("params"))
    if variants == 1:
        assert notes == questions
    else:  # up to ten distinct variants of each template (fewer when its parameters allow fewer)
        assert questions + 5 * templates < notes <= questions + (variants - 1) * templates
    assert result.bank["bank"]["title"] == bank["bank"]["title"]
    assert all(
        q["kind"] == "flashcard" and q["front"] and q["back"] for q in result.bank["questions"]
    )
    assert "{{" not in json.dumps(result.bank, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# CrowdAnki


def crowdanki() -> dict:
    basic = {**MODELS[str(BASIC_ID)], "crowdanki_uuid": "m-basic", "__type__": "NoteModel"}
    cloze = {**MODELS[str(CLOZE_ID)], "crowdanki_uuid": "m-cloze", "__type__": "NoteModel"}
    return {
        "__type__": "Deck",
        "name": "Курс",
        "note_models": [basic, cloze],
        "notes": [
            {"__type__": "Note", "fields": ["Что такое ReLU?", "max(0, x)", ""],
             "note_model_uuid": "m-basic", "tags": ["relu"], "guid": "a"},
        ],
        "children": [
            {"__type__": "Deck", "name": "Курс::Свёртки", "children": [], "notes": [
                {"__type__": "Note", "fields": ["Ядро {{c1::3×3}}", ""],
                 "note_model_uuid": "m-cloze", "tags": [], "guid": "b"}]},
            {"__type__": "Deck", "name": "RNN", "children": [], "notes": [
                {"__type__": "Note", "fields": ["LSTM", "память", "<img src=x.png>"],
                 "note_model_uuid": "m-basic", "tags": [], "guid": "c"}]},
        ],
    }  # fmt: skip


def test_crowdanki_deck_imports_with_children_as_topics():
    result = parse_file(json.dumps(crowdanki(), ensure_ascii=False).encode(), "deck.json")
    assert result.ok, result.problems
    questions = result.bank["questions"]
    assert [(q["front"], q["back"]) for q in questions] == [
        ("Что такое ReLU?", "max(0, x)"),
        ("Ядро […]", "3×3"),
        ("LSTM", "память"),
    ]
    titles = {t["slug"]: t["title"] for t in result.bank["topics"]}
    assert [titles[q["topic"]] for q in questions] == ["Курс", "Свёртки", "RNN"]
    assert result.bank["bank"]["title"] == "Курс"
    assert codes(result) == ["media_dropped"]


@pytest.mark.parametrize(
    "data, code",
    [
        (b'{"notes": []}', "not_crowdanki"),
        (b"[1, 2]", "not_crowdanki"),
        (b'{"__type__": "Deck",', "json_syntax"),
        (b"\xff\xfe", "encoding"),
        (b"[" * 100_000 + b"]" * 100_000, "json_syntax"),
    ],
)
def test_other_json_is_refused(data, code):
    result = parse_file(data, "deck.json")
    assert result.bank is None and codes(result) == [code]


def test_crowdanki_depth_is_bounded():
    top = inner = {"__type__": "Deck", "name": "0", "children": []}
    for n in range(100):
        child = {"__type__": "Deck", "name": str(n + 1), "children": []}
        inner["children"].append(child)
        inner = child
    result = parse_file(json.dumps(top).encode(), "deck.json")
    assert codes(result) == ["too_deep"]


def test_registry_knows_the_anki_extensions():
    assert IMPORTERS[".apkg"] == "anki" and IMPORTERS[".json"] == "crowdanki"


# ---------------------------------------------------------------------------------------------
# Doors: the upload page and the export command


@pytest.mark.django_db
def test_apkg_upload_publishes_flashcards(owner_client, owner, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    data = deck([(BASIC_ID, ["Что такое ReLU?", "max(0, x)", ""], "", 10),
                 (CLOZE_ID, ["{{c1::Dropout}} — регуляризация", ""], "", 11)])  # fmt: skip
    upload(owner_client, "my-deck.apkg", data, capture)
    row = BankUpload.objects.get()
    assert row.format == "anki" and row.status == BankUpload.Status.VALID, row.report
    publish(owner_client, row.pk, capture)
    bank = Bank.objects.get(slug="my-deck")
    assert bank.owner == owner and bank.questions.count() == 2


@pytest.mark.django_db
def test_corrupt_apkg_upload_gets_a_report_not_a_failure(
    owner_client, django_capture_on_commit_callbacks
):
    page = upload(owner_client, "bad.apkg", b"PK\x03\x04junk", django_capture_on_commit_callbacks)
    row = BankUpload.objects.get()
    assert row.status == BankUpload.Status.INVALID
    report = owner_client.get(page["Location"])
    assert report.status_code == 200
    assert "не является колодой Anki" in report.content.decode()


@pytest.mark.django_db
def test_upload_form_offers_the_anki_extensions(owner_client):
    from django.urls import reverse

    page = owner_client.get(reverse("banks:upload-new")).content.decode()
    assert ".apkg" in page and ".json" in page


@pytest.mark.django_db
def test_export_command_counts_questions_and_notes(tmp_path, capsys):
    out = tmp_path / "cnn.apkg"
    call_command("export_bank", str(BANKS / "09-cnn.yaml"), "--format", "anki", "-o", str(out))
    printed = capsys.readouterr().out
    bank = yaml.safe_load((BANKS / "09-cnn.yaml").read_text(encoding="utf-8"))
    notes = int(re.search(r"заметок Anki: (\d+)", printed).group(1))
    assert f"вопросов: {len(bank['questions'])}" in printed and notes > len(bank["questions"])
