"""GIFT export (question_bank/formats/gift_export.py): written as Moodle writes GIFT, read back
by our GIFT importer into the same questions."""

from __future__ import annotations

import pytest

from question_bank.formats.common import FORMAT_TAG
from question_bank.formats.gift import parse_gift
from question_bank.formats.gift_export import export_gift

MATCHING = {
    "slug": "act-match",
    "title": "Функции активации: области значений",
    "tags": ["активации"],
    "kind": "matching",
    "text": "Сопоставьте функцию и область значений ($x \\in \\mathbb{R}$).",
    "pairs": [
        {"stem": "сигмоида", "answer": "(0; 1)"},
        {"stem": "tanh", "answer": "(−1; 1)"},
        {"stem": "ReLU = max(0, x)", "answer": "[0; +∞)"},
    ],
    "distractors": ["{x: x < 0}", "a # b ~ c"],
    "shuffle": True,
    "solution": "Сигмоида: $\\sigma(x) = 1/(1 + e^{-x})$.",
}
DESCRIPTION = {
    "slug": "intro-cnn",
    "title": "Вводная часть",
    "kind": "description",
    "text": "Дальше — задачи о свёрточных слоях.\n\nВезде вход NCHW: $N \\times C$.",
}
OTHERS = [
    {
        "slug": "relu-choice",
        "title": "Выбор",
        "kind": "single_choice",
        "text": "Какая функция не ограничена сверху?",
        "options": [
            {"text": "ReLU", "correct": True, "feedback": "Да: $[0; +\\infty)$."},
            {"text": "сигмоида", "correct": False},
        ],
    },
    {
        "slug": "many",
        "title": "Несколько",
        "kind": "multiple_choice",
        "text": "Какие функции ограничены?",
        "options": [
            {"text": "сигмоида", "correct": True},
            {"text": "tanh", "correct": True},
            {"text": "ReLU", "correct": False},
        ],
    },
    {
        "slug": "name",
        "title": "Название",
        "kind": "short_text",
        "text": "Как называется $\\max(0, x)$?",
        "answers": ["ReLU", "выпрямитель"],
        "mistakes": [{"id": "gift_1", "answer": {"value": "сигмоида"}, "feedback": "Нет."}],
    },
    {
        "slug": "params",
        "title": "Параметры",
        "kind": "numeric",
        "text": "Сколько параметров у Dense(3 → 2)?",
        "answer": {"value": 8},
        "tolerance": {"abs": 0.0},
        "mistakes": [{"id": "gift_1", "answer": {"value": 6}, "feedback": "Смещения!"}],
    },
    {
        "slug": "card",
        "title": "Карточка",
        "kind": "flashcard",
        "front": "Что такое dropout?",
        "back": "Случайное обнуление активаций.",
    },
]


def _bank(*entries: dict) -> dict:
    return {
        "format": FORMAT_TAG,
        "bank": {"slug": "act", "title": "Активации"},
        "topics": [{"slug": "f", "title": "Функции"}],
        "questions": [{**e, "topic": "f"} for e in entries],
    }


def _back(text: str) -> dict:
    result = parse_gift(text, "act.gift")
    assert result.ok and result.problems == [], [str(p) for p in result.problems]
    return {e["slug"]: e for e in result.bank["questions"]}


def _same(original: dict, back: dict) -> bool:
    return {k: v for k, v in back.items() if k != "topic"} == {
        k: v for k, v in original.items() if k != "topic"
    }


def test_matching_and_description_round_trip_exactly():
    warnings: list = []
    text = export_gift(_bank(MATCHING, DESCRIPTION), warnings=warnings)
    assert warnings == []
    back = _back(text)
    assert _same(MATCHING, back["act-match"]) and _same(DESCRIPTION, back["intro-cnn"])


def test_matching_is_written_as_moodle_writes_it():
    text = export_gift(_bank(MATCHING))
    assert "$CATEGORY: $course$/top/Активации/Функции\n\n" in text
    assert (
        "// [id:act-match]\n// [tag:активации]\n::Функции активации\\: области значений::" in text
    )
    assert "\t=[html]<p>сигмоида</p> -> (0; 1)\n" in text
    assert "\t=[html]<p>ReLU \\= max(0, x)</p> -> [0; +∞)\n" in text
    assert "\t= -> \\{x\\: x < 0\\}\n\t= -> a \\# b \\~ c\n" in text
    assert "\t####[html]<p>Сигмоида\\: \\(\\sigma(x) \\= 1/(1 + e^\\{-x\\})\\).</p>\n}" in text


def test_a_description_has_no_answer_block():
    text = export_gift(_bank(DESCRIPTION))
    question = text.split("// [id:intro-cnn]\n", 1)[1]
    assert "{" not in question.replace("\\{", "")
    assert question.startswith("::Вводная часть::[html]<p>Дальше")
    assert "слоях.</p><p>Везде" in question  # the paragraph break, on one line


@pytest.mark.parametrize("entry", OTHERS, ids=lambda e: e["kind"])
def test_the_other_kinds_round_trip(entry):
    assert _same(entry, _back(export_gift(_bank(entry)))[entry["slug"]])


def test_what_gift_cannot_hold_is_reported():
    kept_order = {
        **MATCHING,
        "shuffle": False,
        "mistakes": [{"answer": {"value": [1, 0, 2]}, "feedback": "…"}],
    }
    vector = {
        "slug": "vec",
        "title": "Вектор",
        "kind": "vector",
        "text": "?",
        "answer": {"value": [1, 2]},
    }
    warnings: list = []
    text = export_gift(_bank(kept_order, vector), warnings=warnings)
    messages = [w.message for w in warnings]
    assert any("Moodle перемешает элементы" in m for m in messages)
    assert any("типичные ошибки вопроса на соответствие" in m for m in messages)
    assert [w.code for w in warnings if "vector" in w.message] == ["export_skipped"]
    assert "vec" not in _back(text)


def test_a_backslash_before_a_control_character_is_doubled_as_moodle_reads_it():
    entry = {**DESCRIPTION, "text": "Знак $a \\neq b$ и $\\sigma$."}
    text = export_gift(_bank(entry))
    # \n would start an escape (a line break), \( and \s do not
    assert "\\(a \\\\neq b\\)" in text and "\\(\\sigma\\)" in text


@pytest.mark.django_db
def test_export_command_writes_gift(tmp_path, capsys):
    import yaml
    from django.core.management import call_command

    source = tmp_path / "act.yaml"
    source.write_text(yaml.safe_dump(_bank(MATCHING, DESCRIPTION), allow_unicode=True), "utf-8")
    out = tmp_path / "act.gift"
    call_command("export_bank", str(source), "--format", "gift", "-o", str(out))
    assert "вопросов: 2" in capsys.readouterr().out
    back = _back(out.read_text(encoding="utf-8"))
    assert set(back) == {"act-match", "intro-cnn"}
