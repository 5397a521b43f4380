"""Anki export (question_bank/formats/anki.py): open the .apkg and read its SQLite collection."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import genanki
import pytest
import yaml

from question_bank.formats.anki import MODEL_ID, deck_id, export_anki, note_guid
from question_bank.formats.common import FORMAT_TAG

DEMO = Path(__file__).resolve().parents[2] / "question_bank" / "demo" / "demo.yaml"


def read_apkg(path: Path, tmp_path: Path) -> dict:
    """The notes (by GUID), decks and note types of an .apkg."""
    with zipfile.ZipFile(path) as archive:
        assert "collection.anki2" in archive.namelist()
        archive.extract("collection.anki2", tmp_path)
    connection = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        notes = {
            guid: {"fields": fields.split("\x1f"), "tags": tags.split(), "mid": mid}
            for guid, fields, tags, mid in connection.execute(
                "select guid, flds, tags, mid from notes"
            )
        }
        decks_json, models_json = connection.execute("select decks, models from col").fetchone()
        cards = connection.execute("select count(*) from cards").fetchone()[0]
    finally:
        connection.close()
    return {
        "notes": notes,
        "decks": json.loads(decks_json),
        "models": json.loads(models_json),
        "cards": cards,
    }


@pytest.fixture(scope="module")
def demo_bank() -> dict:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


def test_demo_deck_has_one_note_per_question_with_stable_guids(demo_bank, tmp_path):
    path = tmp_path / "demo.apkg"
    warnings: list = []
    count = export_anki(demo_bank, path, warnings=warnings)
    assert warnings == []
    assert count == len(demo_bank["questions"])
    data = read_apkg(path, tmp_path)
    assert data["cards"] == count
    expected_guids = {note_guid("demo", q["slug"]) for q in demo_bank["questions"]}
    assert set(data["notes"]) == expected_guids
    assert note_guid("demo", "dense-params") == genanki.guid_for("demo", "dense-params")
    assert str(deck_id("demo")) in data["decks"]
    assert data["decks"][str(deck_id("demo"))]["name"] == "Нейрозачёт::Демо: все типы вопросов"
    assert str(MODEL_ID) in data["models"]
    assert [f["name"] for f in data["models"][str(MODEL_ID)]["flds"]] == ["Вопрос", "Ответ", "Тема"]
    assert all(note["mid"] == MODEL_ID for note in data["notes"].values())


def test_fields_of_each_kind(demo_bank, tmp_path):
    path = tmp_path / "demo.apkg"
    export_anki(demo_bank, path)
    notes = read_apkg(path, tmp_path)["notes"]

    def fields(slug):
        return notes[note_guid("demo", slug)]["fields"]

    front, back, topic = fields("dense-params")
    assert "На вход идёт \\(12\\) переменных" in front  # default variant, $…$ → \(…\)
    assert "84301" in back and "\\[" in back  # the key and the worked solution's display math
    assert topic == "Полносвязные сети"
    front, back, _ = fields("lstm-gates")
    assert "<li>B) Три: входной, забывания и выходной</li>" in front
    assert back.startswith("Верный ответ: B) Три")
    front, back, _ = fields("bounded-activations")
    assert back.startswith("Верные ответы: A) сигмоида; D) каждая компонента softmax")
    front, back, _ = fields("what-is-rnn")
    assert front == "Что такое рекуррентная нейронная сеть?"
    assert "\\(h_{t-1}\\)" in back
    _, back, _ = fields("dropout-name")
    assert back.startswith("Ответ: dropout / дропаут")
    _, back, _ = fields("conv-small")
    assert "\\begin{pmatrix}" in back
    assert notes[note_guid("demo", "lstm-gates")]["tags"] == ["rnn"]


def test_reexport_keeps_guids_and_ids(demo_bank, tmp_path):
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    export_anki(demo_bank, first)
    export_anki(demo_bank, second)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = read_apkg(first, tmp_path / "a"), read_apkg(second, tmp_path / "b")
    assert set(a["notes"]) == set(b["notes"])
    assert set(a["decks"]) == set(b["decks"]) and set(a["models"]) == set(b["models"])


def test_variants_add_notes_for_templates_only(demo_bank, tmp_path):
    path = tmp_path / "v.apkg"
    count = export_anki(demo_bank, path, variants=3)
    notes = read_apkg(path, tmp_path)["notes"]
    assert len(notes) == count
    templates = [q for q in demo_bank["questions"] if q.get("params")]
    assert count == len(demo_bank["questions"]) + 2 * len(templates)
    for q in templates:
        guids = [note_guid("demo", q["slug"], i) for i in range(3)]
        assert all(g in notes for g in guids)
        fronts = {notes[g]["fields"][0] for g in guids}
        assert len(fronts) == 3  # different numbers in every variant
    assert note_guid("demo", "what-is-rnn", 1) not in notes  # a flashcard has one note


def test_html_is_escaped_and_bad_questions_are_reported(tmp_path):
    bank = {
        "format": FORMAT_TAG,
        "bank": {"slug": "esc", "title": "Экранирование"},
        "topics": [],
        "questions": [
            {
                "slug": "less",
                "title": "Меньше",
                "tags": ["два слова"],
                "kind": "flashcard",
                "front": "Верно ли, что <script>x</script> $a<b$?\nДа & нет",
                "back": "$$\\frac{1}{2}$$",
            },
            {
                "slug": "broken",
                "title": "Сломанный",
                "kind": "numeric",
                "text": "?",
                "answer": {"engine": "no_such_engine", "args": {}},
            },
        ],
    }
    path = tmp_path / "esc.apkg"
    warnings: list = []
    assert export_anki(bank, path, warnings=warnings) == 1
    assert len(warnings) == 1 and "broken" in warnings[0].message
    note = read_apkg(path, tmp_path)["notes"][note_guid("esc", "less")]
    front, back, _ = note["fields"]
    assert front == "Верно ли, что &lt;script&gt;x&lt;/script&gt; \\(a&lt;b\\)?<br>\nДа &amp; нет"
    assert back == "\\[\\frac{1}{2}\\]"
    assert note["tags"] == ["два_слова"]


def _matching_bank() -> dict:
    return {
        "format": FORMAT_TAG,
        "bank": {"slug": "act", "title": "Активации"},
        "topics": [],
        "questions": [
            {
                "slug": "intro",
                "title": "Вводная",
                "kind": "description",
                "text": "Дальше — задачи об активациях.",
            },
            {
                "slug": "act-match",
                "title": "Области значений",
                "kind": "matching",
                "text": "Сопоставьте функцию и область значений.",
                "pairs": [
                    {"stem": "сигмоида", "answer": "(0; 1)"},
                    {"stem": "tanh", "answer": "(−1; 1)"},
                    {"stem": "ReLU", "answer": "[0; +∞)"},
                ],
                "distractors": ["(−∞; 0]"],
                "solution": "Сигмоида $\\sigma(x) > 0$.",
            },
        ],
    }


def test_matching_is_one_note_with_the_elements_in_front_and_the_pairs_on_the_back(tmp_path):
    path = tmp_path / "act.apkg"
    warnings: list = []
    assert export_anki(_matching_bank(), path, variants=5, warnings=warnings) == 1
    note = read_apkg(path, tmp_path)["notes"][note_guid("act", "act-match")]
    front, back, _ = note["fields"]
    assert front.startswith("Сопоставьте функцию и область значений.")
    assert "<li>сигмоида</li><li>tanh</li><li>ReLU</li>" in front
    # the answers alphabetically, the distractor among them: the order gives nothing away
    assert "<li>A) (0; 1)</li><li>B) (−1; 1)</li><li>C) (−∞; 0]</li><li>D) [0; +∞)</li>" in front
    assert back.startswith("Ответ:<br>сигмоида → (0; 1)<br>tanh → (−1; 1)<br>ReLU → [0; +∞)")
    assert back.endswith("Сигмоида \\(\\sigma(x) &gt; 0\\).")


def test_a_description_is_skipped_and_counted_as_skipped(tmp_path):
    warnings: list = []
    assert export_anki(_matching_bank(), tmp_path / "act.apkg", warnings=warnings) == 1
    [skipped] = warnings
    assert skipped.code == "export_skipped" and "intro" in skipped.message
    assert "описание (без ответа) не экспортируется в Anki" in skipped.message


@pytest.mark.django_db
def test_export_command_says_how_many_questions_were_skipped(tmp_path, capsys):
    from django.core.management import call_command

    source = tmp_path / "act.yaml"
    source.write_text(yaml.safe_dump(_matching_bank(), allow_unicode=True), encoding="utf-8")
    out = tmp_path / "act.apkg"
    call_command("export_bank", str(source), "--format", "anki", "-o", str(out))
    printed = capsys.readouterr().out
    assert (
        "вопросов: 2 → заметок Anki: 1 (по одной карточке на заметку); пропущено вопросов: 1"
        in printed
    )


def test_a_multipart_question_is_one_note_with_every_field_on_the_back(tmp_path):
    bank = {
        "format": FORMAT_TAG,
        "bank": {"slug": "mp", "title": "Поля"},
        "questions": [
            {
                "slug": "conv-out",
                "title": "Выход свёртки",
                "kind": "multipart",
                "params": {"n": {"type": "int", "min": 5, "max": 9, "default": 7}},
                "text": "Вход ${{ n }}$. Высота: [[h]]; параметров: [[p]].",
                "parts": [
                    {
                        "name": "h",
                        "kind": "numeric",
                        "label": "высота",
                        "answer": {"expr": "n - 2"},
                    },
                    {
                        "name": "p",
                        "kind": "single_choice",
                        "shuffle": False,
                        "options": [{"text": "10", "correct": True}, {"text": "9"}],
                    },
                ],
                "solution": "Высота {{ n - 2 }}.",
            }
        ],
    }
    path = tmp_path / "mp.apkg"
    warnings: list = []
    assert export_anki(bank, path, warnings=warnings) == 1 and warnings == []
    [note] = read_apkg(path, tmp_path)["notes"].values()
    front, back, _topic = note["fields"]
    assert front.startswith("Вход \\(7\\). Высота: (1); параметров: (2).")
    assert "(2)<ol" in front and "<li>A) 10</li><li>B) 9</li>" in front
    assert back == "Ответы:<br>(1) высота: \\(5\\)<br>(2): 10<br><br>Высота 5."
