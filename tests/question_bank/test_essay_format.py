"""Essays in the native format and in the exports: schema rules, Moodle XML, GIFT and Anki."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from question_bank.formats.anki import export_anki, note_guid
from question_bank.formats.common import FORMAT_TAG
from question_bank.formats.gift import parse_gift
from question_bank.formats.gift_export import export_gift
from question_bank.formats.moodle import parse_moodle_xml
from question_bank.formats.moodle.exporter import export_moodle_xml
from question_bank.formats.schema import BankFile
from tests.question_bank.test_anki import read_apkg

ESSAY = {
    "slug": "dropout-essay",
    "title": "Зачем Dropout",
    "kind": "essay",
    "text": "Объясните, зачем нужен Dropout.",
    "rubric": "2 балла: борьба с переобучением; 1 балл: масштабирование при выводе.",
    "solution": "Dropout случайно выключает нейроны при обучении.",
}


def _bank(*entries: dict) -> dict:
    return {
        "format": FORMAT_TAG,
        "bank": {"slug": "reg", "title": "Регуляризация"},
        "topics": [{"slug": "d", "title": "Dropout"}],
        "questions": [{**e, "topic": "d"} for e in entries],
    }


def _errors(entry: dict) -> str:
    with pytest.raises(ValidationError) as refused:
        BankFile.model_validate(_bank(entry))
    return str(refused.value)


def test_an_essay_with_rubric_and_length_is_valid():
    BankFile.model_validate(_bank({**ESSAY, "max_length": 800}))
    BankFile.model_validate(_bank({k: v for k, v in ESSAY.items() if k != "rubric"}))


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        ({"answer": {"value": 1}}, "answer"),
        ({"answers": ["dropout"]}, "answers"),
        ({"back": "оборот"}, "back"),
    ],
)
def test_an_essay_has_no_key(extra, names):
    message = _errors({**ESSAY, **extra})
    assert "эссе (essay) проверяет преподаватель" in message and names in message


def test_rubric_and_max_length_belong_to_essays_only():
    short = {"slug": "s", "title": "S", "kind": "short_text", "text": "?", "answers": ["a"]}
    assert "rubric и max_length есть только у вопросов типа essay" in _errors(
        {**short, "rubric": "что-то"}
    )
    assert "только у вопросов типа essay" in _errors({**short, "max_length": 100})


@pytest.mark.parametrize("bad", [0, 20_001])
def test_max_length_is_bounded(bad):
    assert "max_length" in _errors({**ESSAY, "max_length": bad})


def test_an_essay_needs_a_text():
    assert "нужен текст вопроса" in _errors({**ESSAY, "text": ""})


def test_moodle_export_writes_the_rubric_as_grader_info_and_it_comes_back():
    warnings: list = []
    xml = export_moodle_xml(_bank(ESSAY), warnings=warnings)
    assert warnings == []
    assert b'type="essay"' in xml and b"<graderinfo" in xml
    assert b"nz-kind:flashcard" not in xml
    [back] = parse_moodle_xml(xml, "reg.xml").bank["questions"]
    assert (back["kind"], back["text"]) == ("essay", ESSAY["text"])
    assert (back["rubric"], back["solution"]) == (ESSAY["rubric"], ESSAY["solution"])


def test_gift_export_writes_an_empty_answer_block_and_warns_that_the_rubric_is_lost():
    warnings: list = []
    text = export_gift(_bank(ESSAY), warnings=warnings)
    assert "::Зачем Dropout::[html]<p>Объясните, зачем нужен Dropout.</p>{####" in text
    assert "nz-kind:flashcard" not in text
    [warning] = warnings
    assert "rubric" in warning.message
    [back] = parse_gift(text, "reg.gift").bank["questions"]
    assert (back["kind"], back["solution"]) == ("essay", ESSAY["solution"])
    assert "tags" not in back or back["tags"] == []


def test_a_flashcard_exported_to_gift_comes_back_as_a_flashcard_without_the_machine_tag():
    card = {
        "slug": "card",
        "title": "Карточка",
        "kind": "flashcard",
        "front": "RNN?",
        "back": "Сеть",
    }
    text = export_gift(_bank(card))
    assert "// [tag:nz-kind:flashcard]" in text
    [back] = parse_gift(text, "reg.gift").bank["questions"]
    assert (back["kind"], back["front"], back["back"]) == ("flashcard", "RNN?", "Сеть")
    assert back.get("tags", []) == []


def test_anki_note_has_the_rubric_and_the_model_answer_on_the_back(tmp_path):
    path = tmp_path / "reg.apkg"
    assert export_anki(_bank(ESSAY), path) == 1
    note = read_apkg(path, tmp_path)["notes"][note_guid("reg", "dropout-essay")]
    front, back, _ = note["fields"]
    assert front == "Объясните, зачем нужен Dropout."
    assert back == (
        "2 балла: борьба с переобучением; 1 балл: масштабирование при выводе.<br><br>"
        "Образец ответа:<br>Dropout случайно выключает нейроны при обучении."
    )
