"""Moodle's grades through the importers and the Moodle XML exporter (formats/fractions.py,
moodle/importers.py, moodle/question.py ``read_units``, gift.py, moodle/exporter.py).

Each Moodle XML snippet is a small file written for its rule, in the form Moodle's own export
writes (``fraction`` in percent, ``<units>``/``<unitgradingtype>``/``<unitpenalty>``/
``<showunits>``/``<unitsleft>``)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

import grader
from question_bank.formats.anki import _faces
from question_bank.formats.common import split_question
from question_bank.formats.fractions import moodle_fraction
from question_bank.formats.gift import parse_gift
from question_bank.formats.moodle import export_moodle_xml, parse_moodle_xml
from question_bank.formats.schema import BankFile
from question_bank.preview import template_variants


def moodle(*questions: str):
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"
    return parse_moodle_xml(xml.encode("utf-8"), "t.xml")


def answer(fraction, text: str, feedback: str = "", tolerance: str | None = None) -> str:
    tol = f"<tolerance>{tolerance}</tolerance>" if tolerance is not None else ""
    return (
        f'<answer fraction="{fraction}" format="plain_text"><text>{text}</text>'
        f"<feedback><text>{feedback}</text></feedback>{tol}</answer>"
    )


def question(qtype: str, name: str, body: str) -> str:
    return (
        f'<question type="{qtype}"><name><text>{name}</text></name>'
        f'<questiontext format="plain_text"><text>{name}?</text></questiontext>{body}</question>'
    )


def only_spec(result) -> dict:
    assert result.bank is not None, [str(p) for p in result.problems]
    BankFile.model_validate(result.bank)
    [entry] = result.bank["questions"]
    spec = split_question(entry)[1]
    assert grader.check_spec(spec) == []
    return spec


def codes(result) -> list[str]:
    return [p.code for p in result.problems]


def choose(spec: dict, raw: str) -> float:
    return grader.grade(spec, None, raw).score


# --- multichoice -----------------------------------------------------------------------------


def test_moodle_grants_tomb_multichoice_keeps_the_fractions():
    """Moodle's examples.txt question with wrong options at 0 %, exported as Moodle XML."""
    body = "<single>false</single>" + "".join(
        answer(f, t)
        for f, t in [(0, "No one"), (50, "Grant"), (50, "Grant's wife"), (0, "Grant's father")]
    )
    result = moodle(question("multichoice", "What two people are entombed in Grant's tomb", body))
    spec = only_spec(result)
    assert spec["kind"] == "multiple_choice"
    assert [o["fraction"] for o in spec["options"]] == [0.0, 0.5, 0.5, 0.0]
    assert [choose(spec, r) for r in ("0,1,2,3", "0,1,2", "1")] == [1.0, 1.0, 0.5]
    assert codes(result) == []


def test_multichoice_negative_fractions_are_kept():
    body = "<single>false</single>" + "".join(
        answer(f, t) for f, t in [(-100, "a"), (50, "b"), (50, "c"), (-100, "d"), (0, "e")]
    )
    spec = only_spec(moodle(question("multichoice", "Neg", body)))
    assert [o["fraction"] for o in spec["options"]] == [-1.0, 0.5, 0.5, -1.0, 0.0]
    assert [choose(spec, r) for r in ("1,2", "0,1,2", "1,2,4")] == [1.0, 0.0, 1.0]


def test_single_answer_with_partial_options_stays_single_choice():
    body = (
        "<single>true</single>"
        + answer(0, "wrong")
        + answer(50, "half", "Почти.")
        + answer(100, "full")
    )
    result = moodle(question("multichoice", "Difficult question", body))
    spec = only_spec(result)
    assert spec["kind"] == "single_choice"
    assert [(o["correct"], o["fraction"]) for o in spec["options"]] == [
        (False, 0.0),
        (False, 0.5),
        (True, 1.0),
    ]
    assert [choose(spec, r) for r in ("0", "1", "2")] == [0.0, 0.5, 1.0]
    assert codes(result) == []


def test_plain_single_answer_stays_without_fractions():
    body = "<single>true</single>" + answer(100, "a") + answer(0, "b")
    spec = only_spec(moodle(question("multichoice", "Plain", body)))
    assert spec["options"] == [{"text": "a", "correct": True}, {"text": "b", "correct": False}]


def test_thirds_rounded_in_the_file_are_moodles_grade():
    """GIFT's ``%33.3%`` and Moodle XML's ``33.33333`` both stand for Moodle's 1/3 grade."""
    assert moodle_fraction(33.3) == moodle_fraction(33.33333) == 0.3333333
    result = parse_gift("Какие?{~%33.3%a ~%33.3%b ~%33.3%c ~%-50%d}\n", "t.gift")
    spec = only_spec(result)
    assert [o["fraction"] for o in spec["options"]] == [0.3333333] * 3 + [-0.5]
    assert grader.grade(spec, None, "0,1,2").correct
    assert choose(spec, "0,1,3") == pytest.approx(1 / 6, abs=1e-5)


def test_positive_grades_not_adding_up_are_scaled_with_a_warning():
    body = "<single>false</single>" + answer(50, "a") + answer(40, "b") + answer(0, "c")
    result = moodle(question("multichoice", "Sum", body))
    spec = only_spec(result)
    assert sum(o["fraction"] for o in spec["options"]) == pytest.approx(1.0)
    assert "approximated" in codes(result)


def test_gift_grants_tomb_both_versions_from_moodles_examples():
    text = (
        "What two people are entombed in Grant's tomb? {\n    ~No one\n    ~%50%Grant\n"
        "    ~%50%Grant's wife\n    ~Grant's father }\n\n"
        "What two people are entombed in Grant's tomb? {\n    ~%-50%No one\n    ~%50%Grant\n"
        "    ~%50%Grant's wife\n    ~%-50%Grant's father }\n"
    )
    result = parse_gift(text, "examples.gift")
    zero, negative = (split_question(q)[1] for q in result.bank["questions"])
    assert [choose(zero, r) for r in ("0,1,2,3", "0,1,2")] == [1.0, 1.0]
    assert [choose(negative, r) for r in ("0,1,2,3", "0,1,2", "1,2")] == [0.0, 0.5, 1.0]
    assert result.problems == []


# --- numerical -------------------------------------------------------------------------------


UNITS = (
    "<units><unit><multiplier>1</multiplier><unit_name>m2</unit_name></unit>"
    "<unit><multiplier>100</multiplier><unit_name>dm2</unit_name></unit></units>"
)


def numerical(grading: str, show: str = "0", left: str = "0", units: str = UNITS) -> str:
    return question(
        "numerical",
        "Area",
        answer(100, "78.5", "", "0.05")
        + answer(50, "78", "Rounded too far.", "0.5")
        + units
        + f"<unitgradingtype>{grading}</unitgradingtype><unitpenalty>0.2000000</unitpenalty>"
        + f"<showunits>{show}</showunits><unitsleft>{left}</unitsleft>",
    )


def test_numerical_alternative_and_graded_units():
    result = moodle(numerical("1"))
    spec = only_spec(result)
    assert spec["alternatives"] == [
        {
            "answer": {"value": 78},
            "tolerance": {"abs": 0.5},
            "fraction": 0.5,
            "feedback": "Rounded too far.",
        }
    ]
    assert spec["units"] == [
        {"unit": "m2", "multiplier": 1.0},
        {"unit": "dm2", "multiplier": 100.0},
    ]
    assert (spec["unit_grading"], spec["unit_penalty"], spec["unit_penalty_of"]) == (
        "required",
        0.2,
        "response",
    )
    scores = [
        grader.grade(spec, None, r).score
        for r in ("78.5 m2", "7850 dm2", "78.5", "77.8 m2", "77.8")
    ]
    assert scores == pytest.approx([1.0, 1.0, 0.8, 0.5, 0.4])
    assert codes(result) == []


def test_numerical_unit_penalty_of_the_question_mark():
    spec = only_spec(moodle(numerical("2")))
    assert spec["unit_penalty_of"] == "question"
    assert grader.grade(spec, None, "77.8").score == pytest.approx(0.3)


def test_numerical_units_not_graded_convert():
    spec = only_spec(moodle(numerical("0")))
    assert spec["unit_grading"] == "none" and "unit_penalty" not in spec
    assert grader.grade(spec, None, "7850 dm2").correct and grader.grade(spec, None, "78.5").correct
    assert grader.grade(spec, None, "78.5 km2").status == "invalid"


def test_numerical_unit_menu_and_units_left_are_reported():
    result = moodle(numerical("1", show="2", left="1"))
    assert only_spec(result)["units"]
    assert {"units_menu", "units_left"} <= set(codes(result))


def test_numerical_first_unit_not_a_base_unit_is_dropped_with_a_warning():
    units = "<units><unit><multiplier>1000</multiplier><unit_name>mm</unit_name></unit></units>"
    result = moodle(numerical("1", units=units))
    assert "units" not in only_spec(result) and "units_dropped" in codes(result)


def test_numerical_partial_answer_before_the_key_is_reported():
    body = answer(50, "10", "", "2") + answer(100, "10", "", "0")
    result = moodle(question("numerical", "Order", body))
    spec = only_spec(result)
    assert spec["alternatives"][0]["fraction"] == 0.5
    assert "approximated" in codes(result)


# --- short answer ----------------------------------------------------------------------------


def test_shortanswer_partial_answers_keep_their_fraction_and_feedback():
    body = (
        "<usecase>0</usecase>"
        + answer(100, "Nazareth", "Yes!")
        + answer(75, "Nazereth", "Misspelled.")
        + answer(0, "Rome", "No.")
    )
    result = moodle(question("shortanswer", "Hometown", body))
    spec = only_spec(result)
    assert spec["answers"] == [
        {"text": "Nazareth", "feedback": "Yes!"},
        {"text": "Nazereth", "fraction": 0.75, "feedback": "Misspelled."},
    ]
    assert [m["answer"]["value"] for m in spec["mistakes"]] == ["Rome"]
    assert "partial" not in codes(result)


# --- round trip ------------------------------------------------------------------------------


BANK = {
    "format": "neurozachet-bank/1",
    "bank": {"slug": "scoring", "title": "Баллы Moodle"},
    "questions": [
        {
            "slug": "tomb",
            "title": "Гробница",
            "kind": "multiple_choice",
            "text": "Кто похоронен в гробнице Гранта?",
            "options": [
                {"text": "Никто", "correct": False, "fraction": -0.5},
                {"text": "Грант", "correct": True, "fraction": 0.5},
                {"text": "Жена Гранта", "correct": True, "fraction": 0.5, "feedback": "Да."},
                {"text": "Отец Гранта", "correct": False, "fraction": 0.0},
            ],
        },
        {
            "slug": "half",
            "title": "Половина",
            "kind": "single_choice",
            "text": "Что лучше?",
            "options": [
                {"text": "неверный", "correct": False, "fraction": 0.0},
                {"text": "половина", "correct": False, "fraction": 0.5},
                {"text": "полный", "correct": True, "fraction": 1.0},
            ],
        },
        {
            "slug": "area",
            "title": "Площадь",
            "kind": "numeric",
            "text": "Площадь круга радиусом 5 м?",
            "answer": {"value": 78.5},
            "tolerance": {"abs": 0.05},
            "alternatives": [
                {
                    "answer": {"value": 78},
                    "tolerance": {"abs": 0.5},
                    "fraction": 0.5,
                    "feedback": "Грубо.",
                }
            ],
            "units": [{"unit": "м2", "multiplier": 1.0}, {"unit": "дм2", "multiplier": 100.0}],
            "unit_grading": "required",
            "unit_penalty": 0.25,
            "unit_penalty_of": "question",
        },
        {
            "slug": "town",
            "title": "Город",
            "kind": "short_text",
            "text": "Откуда?",
            "answers": [
                "Назарет",
                {"text": "Вифлеем", "fraction": 0.25, "feedback": "Родился там."},
            ],
        },
    ],
}


def test_moodle_xml_round_trip_keeps_grades_alternatives_and_units():
    warnings: list = []
    xml = export_moodle_xml(BANK, variants=1, warnings=warnings)
    result = parse_moodle_xml(xml, "scoring.xml")
    assert warnings == [] and result.ok, [str(p) for p in result.problems]
    back = {q["slug"]: q for q in result.bank["questions"]}
    for original in BANK["questions"]:
        again = back[original["slug"]]
        for key in ("kind", "options", "answer", "tolerance", "alternatives", "units", "answers"):
            assert again.get(key) == original.get(key), (original["slug"], key)
        for key in ("unit_grading", "unit_penalty", "unit_penalty_of"):
            assert again.get(key) == original.get(key), (original["slug"], key)


# --- the native schema and the Anki back -----------------------------------------------------


def bank_with(**question) -> dict:
    entry = {"slug": "q", "title": "Q", "text": "?", **question}
    return {
        "format": "neurozachet-bank/1",
        "bank": {"slug": "b", "title": "B"},
        "questions": [entry],
    }


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        (
            {
                "kind": "multiple_choice",
                "options": [{"text": "a", "fraction": 0.5}, {"text": "b", "fraction": 0.4}],
            },
            "в сумме давать 1",
        ),
        (
            {"kind": "single_choice", "options": [{"text": "a", "fraction": 0.5}, {"text": "b"}]},
            "fraction 1",
        ),
        (
            {
                "kind": "single_choice",
                "options": [
                    {"text": "a", "fraction": 1},
                    {"text": "b", "fraction": 0.5, "correct": True},
                ],
            },
            "correct: true должен иметь fraction 1",
        ),
        ({"kind": "short_text", "answers": [{"text": "a", "fraction": 0.5}]}, "полный балл"),
        ({"kind": "numeric", "answer": {"value": 1}, "units": [{"unit": "1м"}]}, "не с цифры"),
        (
            {"kind": "numeric", "answer": {"value": 1}, "unit_grading": "required"},
            "вместе со списком units",
        ),
        (
            {
                "kind": "short_text",
                "answers": ["a"],
                "alternatives": [{"answer": {"value": 1}, "fraction": 0.5}],
            },
            "только у вопросов типа numeric",
        ),
    ],
)
def test_schema_states_moodles_rules_in_russian(question, fragment):
    with pytest.raises(ValidationError) as raised:
        BankFile.model_validate(bank_with(**question))
    assert fragment in str(raised.value)


def test_schema_admits_every_scoring_addition():
    BankFile.model_validate(BANK)


def test_anki_back_names_the_answers_worth_a_part():
    backs = {q["slug"]: _faces(split_question(q)[1], None)[1] for q in BANK["questions"]}
    assert "Частично засчитывается: B) половина (50 %)" in backs["half"]
    assert "Частично засчитывается: Вифлеем (25 %)" in backs["town"]
    assert "Ответ: Назарет<br>" in backs["town"]
    assert r"\(78 \pm 0.5\) (50 %)" in backs["area"]


def test_bank_preview_shows_each_options_grade():
    half = split_question(next(q for q in BANK["questions"] if q["slug"] == "half"))[1]
    [variant] = template_variants(spec=half, seeds=[None])
    assert [(o["correct"], o["share"]) for o in variant["options"]] == [
        (False, "0 %"),
        (False, "50 %"),
        (True, "100 %"),
    ]
    tomb = split_question(BANK["questions"][0])[1]
    [variant] = template_variants(spec=tomb, seeds=[None])
    assert variant["options"][0]["share"] == "−50 %"


def test_calculated_partial_answer_becomes_a_computed_alternative():
    """A calculated question's other graded formula is worth its fraction in every variant."""
    items = "".join(
        f"<dataset_item><number>{n}</number><value>{v}</value></dataset_item>"
        for n, v in ((1, 2), (2, 3), (3, 7))
    )
    body = (
        '<answer fraction="100"><text>{a} * 10</text><tolerance>0.01</tolerance>'
        "<tolerancetype>1</tolerancetype><correctanswerformat>1</correctanswerformat>"
        "<correctanswerlength>2</correctanswerlength><feedback><text></text></feedback></answer>"
        '<answer fraction="50"><text>{a}</text><tolerance>0.01</tolerance>'
        "<tolerancetype>1</tolerancetype><correctanswerformat>1</correctanswerformat>"
        "<correctanswerlength>2</correctanswerlength>"
        "<feedback><text>Забыли умножить на 10.</text></feedback></answer>"
        "<dataset_definitions><dataset_definition><status><text>private</text></status>"
        "<name><text>a</text></name><type>calculated</type>"
        "<distribution><text>uniform</text></distribution><minimum><text>1</text></minimum>"
        "<maximum><text>9</text></maximum><decimals><text>0</text></decimals>"
        f"<itemcount>3</itemcount><dataset_items>{items}</dataset_items>"
        "<number_of_items>3</number_of_items></dataset_definition></dataset_definitions>"
    )
    result = moodle(question("calculated", "Times ten {a}", body))
    spec = only_spec(result)
    assert [(a["answer"], a["fraction"]) for a in spec["alternatives"]] == [({"expr": "a"}, 0.5)]
    assert "partial" not in codes(result)
    seen = set()
    for seed in range(12):
        value = grader.variant(spec, seed).values["a"]
        seen.add(value)
        half = grader.grade(spec, seed, str(value))
        assert half.score == 0.5 and "Забыли умножить" in half.feedback
        assert grader.grade(spec, seed, str(value * 10)).correct
    assert seen == {2, 3, 7}
