"""Moodle XML: matching, ddmatch and description questions, imported and exported back."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from grader.grading import check_spec, grade
from question_bank.formats.common import FORMAT_TAG, split_question
from question_bank.formats.moodle import export_moodle_xml, parse_moodle_xml
from question_bank.formats.schema import BankFile

MATCHING = """  <question type="matching">
    <name><text>Активации</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Сопоставьте функцию и область значений.</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>Сигмоида: \\(\\sigma(x) \\in (0; 1)\\).</p>]]></text>
    </generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <idnumber>act-match</idnumber>
    <shuffleanswers>false</shuffleanswers>
    <correctfeedback format="html"><text>Ваш ответ верный.</text></correctfeedback>
    <subquestion format="html">
      <text><![CDATA[<p>сигмоида</p>]]></text>
      <answer><text>(0; 1)</text></answer>
    </subquestion>
    <subquestion format="html">
      <text><![CDATA[<p>tanh</p>]]></text>
      <answer><text>(−1; 1)</text></answer>
    </subquestion>
    <subquestion format="html">
      <text><![CDATA[<p>ReLU</p>]]></text>
      <answer><text>[0; +∞)</text></answer>
    </subquestion>
    <subquestion format="html">
      <text></text>
      <answer><text>(−∞; 0]</text></answer>
    </subquestion>
    <subquestion format="html">
      <text></text>
      <answer><text></text></answer>
    </subquestion>
    <hint format="html"><text>Вспомните графики.</text></hint>
  </question>
"""
DDMATCH = """  <question type="ddmatch">
    <name><text>Перетащите</text></name>
    <questiontext format="html"><text>Перетащите ответы к слоям.</text></questiontext>
    <shuffleanswers>1</shuffleanswers>
    <subquestion format="html">
      <text><![CDATA[<p>Conv2d</p>]]></text>
      <answer format="html"><text><![CDATA[<p><b>свёртка</b></p>]]></text></answer>
    </subquestion>
    <subquestion format="html">
      <text><![CDATA[<p>MaxPool2d</p>]]></text>
      <answer format="html"><text><![CDATA[<p>пулинг</p>]]></text></answer>
    </subquestion>
  </question>
"""
DESCRIPTION = """  <question type="description">
    <name><text>Вводная</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Дальше — задачи о свёртках, вход \\(N\\times C\\times H\\times W\\).</p>
      ]]></text>
    </questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>0.0000000</defaultgrade>
    <penalty>0.0000000</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
  </question>
"""


def _quiz(*questions: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "".join(questions) + "</quiz>\n"
    ).encode()


def _only(result) -> dict:
    assert result.ok, [str(p) for p in result.problems]
    [entry] = result.bank["questions"]
    return entry


def test_matching_becomes_pairs_with_distractors_from_empty_stems():
    entry = _only(parse_moodle_xml(_quiz(MATCHING), "m.xml"))
    meta, spec = split_question(entry)
    assert meta["slug"] == "act-match" and meta["title"] == "Активации"
    assert spec == {
        "kind": "matching",
        "text": "Сопоставьте функцию и область значений.",
        "hints": ["Вспомните графики."],
        "pairs": [
            {"stem": "сигмоида", "answer": "(0; 1)"},
            {"stem": "tanh", "answer": "(−1; 1)"},
            {"stem": "ReLU", "answer": "[0; +∞)"},
        ],
        "distractors": ["(−∞; 0]"],  # the subquestion with neither stem nor answer is ignored
        "shuffle": False,
        "solution": "Сигмоида: $\\sigma(x) \\in (0; 1)$.",
    }
    assert check_spec(spec) == []
    # Moodle's grading: the share of stems matched right
    assert grade(spec, None, '{"0": "0", "1": "3", "2": "2"}').score == pytest.approx(2 / 3)


def test_ddmatch_reads_answers_in_their_format():
    spec = split_question(_only(parse_moodle_xml(_quiz(DDMATCH), "d.xml")))[1]
    assert spec["pairs"] == [
        {"stem": "Conv2d", "answer": "свёртка"},
        {"stem": "MaxPool2d", "answer": "пулинг"},
    ]
    assert spec["shuffle"] is True and "distractors" not in spec


def test_description_keeps_its_text_and_has_no_answer():
    spec = split_question(_only(parse_moodle_xml(_quiz(DESCRIPTION), "i.xml")))[1]
    assert spec == {
        "kind": "description",
        "text": "Дальше — задачи о свёртках, вход $N\\times C\\times H\\times W$.",
    }
    assert grade(spec, None, "").expected is None


@pytest.mark.parametrize(
    ("change", "code", "fragment"),
    [
        (("<text><![CDATA[<p>tanh</p>]]></text>", "<text><![CDATA[<p>сигмоида</p>]]></text>"),
         "duplicate_stem", "элемент «сигмоида» повторяется"),
        (("<answer><text>[0; +∞)</text></answer>", "<answer><text></text></answer>"),
         "empty_answer", "у элемента «ReLU» нет ответа"),
        ((("<p>tanh</p>", ""), ("<p>ReLU</p>", "")), "too_few_pairs",
         "нужно не меньше двух элементов с ответами, здесь 1"),
    ],
)  # fmt: skip
def test_broken_matching_is_an_error_with_its_line(change, code, fragment):
    changes = change if isinstance(change[0], tuple) else (change,)
    xml = MATCHING
    for old, new in changes:
        assert old in xml
        xml = xml.replace(old, new)
    result = parse_moodle_xml(_quiz(xml), "m.xml")
    assert result.bank is None
    error = next(p for p in result.problems if p.severity == "error")
    assert error.code == code and error.line == 3
    assert fragment in error.message and "«Активации»" in error.message


def test_all_stems_with_one_answer_and_no_distractor_is_refused():
    xml = DDMATCH.replace("<p>пулинг</p>", "<p><b>свёртка</b></p>")
    result = parse_moodle_xml(_quiz(xml), "d.xml")
    [error, _empty] = result.problems
    assert error.code == "too_few_choices" and "выбирать не из чего" in error.message


def test_a_description_without_text_is_an_error():
    xml = DESCRIPTION.replace(
        "<p>Дальше — задачи о свёртках, вход \\(N\\times C\\times H\\times W\\).</p>", ""
    )
    result = parse_moodle_xml(_quiz(xml), "i.xml")
    assert result.problems[0].code == "empty_text" and result.problems[0].line == 3


def _bank(*entries: dict) -> dict:
    return {
        "format": FORMAT_TAG,
        "bank": {"slug": "act", "title": "Активации"},
        "topics": [],
        "questions": list(entries),
    }


NATIVE_MATCHING = {
    "slug": "act-match",
    "title": "Функции активации и их области значений",
    "kind": "matching",
    "text": "Сопоставьте функцию активации и область её значений ($x \\in \\mathbb{R}$).",
    "pairs": [
        {"stem": "сигмоида", "answer": "(0; 1)"},
        {"stem": "tanh", "answer": "(−1; 1)"},
        {"stem": "ReLU", "answer": "[0; +∞)"},
        {"stem": "$\\max(0, x) - 1$", "answer": "$[-1; +\\infty)$"},
    ],
    "distractors": ["(−∞; 0]", "a < b & c"],
    "shuffle": True,
    "solution": "Сигмоида — в $(0; 1)$.",
}
NATIVE_DESCRIPTION = {
    "slug": "intro-cnn",
    "title": "Вводная часть к задачам о свёртках",
    "kind": "description",
    "text": "Дальше — задачи о свёрточных слоях. Везде вход в формате NCHW.",
    "hints": ["Формат NCHW: batch, каналы, высота, ширина."],
}


def test_round_trip_gives_the_same_questions():
    bank = _bank(NATIVE_MATCHING, NATIVE_DESCRIPTION)
    warnings: list = []
    data = export_moodle_xml(bank, warnings=warnings)
    assert warnings == []
    result = parse_moodle_xml(data, "act.xml")
    assert result.ok and result.problems == []
    back = {e["slug"]: e for e in result.bank["questions"]}
    for original in (NATIVE_MATCHING, NATIVE_DESCRIPTION):
        assert {k: v for k, v in back[original["slug"]].items() if k != "topic"} == original
    assert BankFile.model_validate(result.bank)


def test_exported_xml_has_moodle_layout():
    root = ET.fromstring(export_moodle_xml(_bank(NATIVE_MATCHING, NATIVE_DESCRIPTION)))
    matching = root.find("question[@type='matching']")
    assert matching.findtext("shuffleanswers") == "true"
    subs = matching.findall("subquestion")
    assert [s.findtext("text") for s in subs][:2] == ["<p>сигмоида</p>", "<p>tanh</p>"]
    assert [s.findtext("text") for s in subs][4:] == ["", ""]  # the distractors
    # answers are plain text in Moodle: no HTML escaping, TeX in Moodle's delimiters
    assert [s.findtext("answer/text") for s in subs][3:] == [
        "\\([-1; +\\infty)\\)",
        "(−∞; 0]",
        "a < b & c",
    ]
    description = root.find("question[@type='description']")
    assert description.findtext("defaultgrade") == "0"
    assert description.find("subquestion") is None and description.find("answer") is None


def test_export_of_matching_mistakes_is_reported():
    entry = {**NATIVE_MATCHING, "mistakes": [{"answer": {"value": [1, 0, 2, 3]}, "feedback": "…"}]}
    warnings: list = []
    export_moodle_xml(_bank(entry), warnings=warnings)
    assert [w.code for w in warnings] == ["export"]
    assert "типичные ошибки вопроса на соответствие" in warnings[0].message
