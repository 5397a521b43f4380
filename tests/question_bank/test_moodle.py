"""Moodle XML import and export (question_bank/formats/moodle/). No database needed."""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path

import pytest
import yaml

import grader
from grader.expr import evaluate, parse_expression
from question_bank.formats.common import FORMAT_TAG, split_question
from question_bank.formats.moodle import (
    MAX_BYTES,
    FormulaError,
    export_moodle_xml,
    moodle_formula,
    parse_moodle_xml,
)
from question_bank.formats.schema import BankFile

FIXTURES = Path(__file__).parent / "fixtures"
XML_PATH = FIXTURES / "moodle_ru.xml"
DEMO = Path(__file__).resolve().parents[2] / "question_bank" / "demo" / "demo.yaml"


@pytest.fixture(scope="module")
def imported():
    return parse_moodle_xml(XML_PATH.read_bytes(), "moodle_ru.xml")


def question(result, title: str) -> dict:
    for entry in result.bank["questions"]:
        if entry["title"] == title:
            return entry
    raise KeyError(title)


def spec_of(result, title: str) -> dict:
    return split_question(question(result, title))[1]


def question_line(title: str) -> int:
    """The line of the <question> element whose <name> is ``title`` in the fixture."""
    lines = XML_PATH.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if f"<text>{title}</text>" in line)
    while "<question" not in lines[at]:
        at -= 1
    return at + 1


def with_item(spec: dict, index: int) -> dict:
    """The spec whose default variant is dataset item ``index``."""
    trial = copy.deepcopy(spec)
    trial["params"]["item"]["default"] = index
    return trial


# ---------------------------------------------------------------------------------------------
# Import: the whole file


def test_every_imported_question_passes_check_spec(imported):
    assert imported.bank is not None
    assert len(imported.bank["questions"]) == 12  # with the matching and the description
    for entry in imported.bank["questions"]:
        _, spec = split_question(entry)
        assert grader.check_spec(spec, samples=20) == [], entry["slug"]


def test_imported_bank_matches_the_native_schema(imported):
    BankFile.model_validate(imported.bank)
    assert imported.bank["format"] == FORMAT_TAG
    assert imported.bank["bank"]["slug"] == "moodle-ru"
    assert imported.bank["bank"]["title"] == "Глубокое обучение"  # the single root category
    # the structure is plain data: it survives a YAML round trip unchanged
    assert yaml.safe_load(yaml.safe_dump(imported.bank, allow_unicode=True)) == imported.bank


def test_categories_become_a_topic_tree(imported):
    topics = {t["slug"]: t for t in imported.bank["topics"]}
    assert topics["glubokoe-obuchenie"] == {
        "slug": "glubokoe-obuchenie",
        "title": "Глубокое обучение",
    }
    for slug in ("funktsii-aktivatsii", "polnosvyaznye-seti", "optimizatsiya"):
        assert topics[slug]["parent"] == "glubokoe-obuchenie"
    # every question goes into the last category seen before it
    assert question(imported, "Вентили LSTM")["topic"] == "glubokoe-obuchenie"
    assert question(imported, "ReLU ограничена")["topic"] == "funktsii-aktivatsii"
    assert question(imported, "Линейная комбинация")["topic"] == "polnosvyaznye-seti"
    assert question(imported, "Переобучение")["topic"] == "optimizatsiya"


def test_slugs_are_transliterated_unique_and_prefer_idnumber(imported):
    slugs = [q["slug"] for q in imported.bank["questions"]]
    assert len(set(slugs)) == len(slugs)
    assert "ventili-lstm" in slugs
    assert question(imported, "Название метода")["slug"] == "dropout-name"  # <idnumber>
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", s) for s in slugs)


def test_broken_and_unsupported_questions_are_reported_with_their_lines(imported):
    assert not imported.ok  # errors were found, but the rest was imported
    by_message = {p.message: p for p in imported.problems}

    def problem(fragment: str):
        return next(p for m, p in by_message.items() if fragment in m)

    broken = problem("Сломанный выбор")
    assert broken.severity == "error" and broken.line == question_line("Сломанный выбор")
    assert "нет ни одного верного варианта" in broken.message
    xor = problem("Степень через крышку")
    assert xor.severity == "error" and xor.line == question_line("Степень через крышку")
    assert "pow" in xor.message
    words = problem("Ответ словами")
    assert words.line == question_line("Ответ словами") and "не число" in words.message
    # matching and description are imported now (test_moodle_matching.py)
    assert not any("Сопоставьте оптимизаторы" in m or "Вводный текст" in m for m in by_message)
    assert all(p.line is not None for p in imported.problems)
    assert str(broken).startswith(f"moodle_ru.xml:{broken.line}: ")


# ---------------------------------------------------------------------------------------------
# Import: one question type at a time


def test_multichoice_single(imported):
    entry = question(imported, "Вентили LSTM")
    assert entry["kind"] == "single_choice"
    assert entry["text"] == "Сколько вентилей (gates) в классическом блоке LSTM?"
    assert [(o["text"], o["correct"]) for o in entry["options"]] == [
        ("Два", False),
        ("Три", True),
        ("Четыре", False),
    ]
    assert entry["options"][0]["feedback"] == "Два вентиля — у GRU."
    assert entry["shuffle"] is True
    assert entry["hints"] == ["Вспомните уравнения для $i_t$, $f_t$, $o_t$."]
    assert entry["solution"] == "Входной $i_t$, забывания $f_t$ и выходной $o_t$."
    assert entry["tags"] == ["LSTM"]
    result = grader.grade(split_question(entry)[1], None, "0")
    assert not result.correct and "GRU" in result.feedback


def test_multichoice_multiple_drops_scripts_and_event_attributes(imported):
    entry = question(imported, "Ограниченные активации")
    assert entry["kind"] == "multiple_choice"
    assert [o["correct"] for o in entry["options"]] == [True, True, False]
    assert entry["options"][2]["feedback"] == "$\\tanh$ принимает значения в $(-1, 1)$."
    assert entry["shuffle"] is False
    assert entry["text"] == (
        "Какие функции принимают значения только в $(0, 1)$?\n\nОтметьте все верные."
    )
    assert "alert" not in str(entry) and "steal" not in str(entry)


def test_truefalse_and_dropped_image(imported):
    entry = question(imported, "ReLU ограничена")
    assert entry["kind"] == "single_choice" and entry["shuffle"] is False
    assert [(o["text"], o["correct"]) for o in entry["options"]] == [
        ("Верно", False),
        ("Неверно", True),
    ]
    assert entry["options"][0]["feedback"] == "Нет: $\\max(0, x)$ растёт неограниченно."
    assert entry["text"] == "Функция ReLU ограничена сверху."
    image = next(p for p in imported.problems if "график ReLU" in p.message)
    assert image.severity == "warning" and image.code == "media_dropped"
    assert question_line("ReLU ограничена") < image.line < question_line("Название метода")


def test_shortanswer(imported):
    entry = question(imported, "Название метода")
    assert entry["kind"] == "short_text"
    assert entry["answers"] == ["Dropout", "дропаут"]
    assert entry["mistakes"] == [
        {
            "id": "moodle_1",
            "answer": {"value": "L2"},
            "feedback": "L2 штрафует большие веса, но ничего не отключает.",
        }
    ]
    codes = {p.code for p in imported.problems if "Название метода" in p.message}
    assert {"usecase", "wildcard_dropped"} <= codes
    spec = split_question(entry)[1]
    assert grader.grade(spec, None, "dropout").correct  # case is ignored now
    assert "L2 штрафует" in grader.grade(spec, None, "l2").feedback


def test_numerical_with_several_answers(imported):
    spec = spec_of(imported, "Параметры слоя Linear")
    assert spec["answer"] == {"value": 55} and spec["tolerance"] == {"abs": 0.0}
    assert [(m["answer"], m["feedback"]) for m in spec["mistakes"]] == [
        ({"value": 50}, "Вы забыли смещения."),
    ]
    # Moodle's answer 60 graded 50 %: an alternative worth half the mark, with its feedback.
    assert spec["alternatives"] == [
        {
            "answer": {"value": 60},
            "tolerance": {"abs": 0.0},
            "fraction": 0.5,
            "feedback": "Смещений столько же, сколько выходов, а не входов.",
        }
    ]
    assert grader.grade(spec, None, "55").correct
    wrong = grader.grade(spec, None, "50")
    assert not wrong.correct and wrong.mistake["feedback"] == "Вы забыли смещения."
    half = grader.grade(spec, None, "60")
    assert half.score == 0.5 and "а не входов" in half.feedback and half.mistake is None
    codes = {p.code for p in imported.problems if "Параметры слоя Linear" in p.message}
    assert "catch_all" in codes and "partial" not in codes


def test_numerical_tolerance_is_nominal_and_unused_units_are_left_out(imported):
    spec = spec_of(imported, "Скорость обучения")
    assert spec["answer"] == {"value": 0.05} and spec["tolerance"] == {"abs": 0.001}
    assert grader.grade(spec, None, "0,051").correct
    assert not grader.grade(spec, None, "0.0511").correct
    # <showunits>3</showunits>: Moodle uses no units at all (a typed unit is invalid there),
    # so the listed unit is left out, without a warning: the scores are the same.
    assert "units" not in spec
    assert grader.grade(spec, None, "0,05 ед.").status == "invalid"
    assert not any(p.code == "units_dropped" for p in imported.problems)


GRADER_INFO = (
    "Модель запоминает обучающую выборку:\n\n- ошибка на обучении падает;\n"
    "- ошибка на валидации растёт."
)


def test_essay_becomes_an_essay_with_its_grader_info_as_rubric(imported):
    entry = question(imported, "Переобучение")
    assert entry["kind"] == "essay"
    assert entry["text"] == "Что такое переобучение и как его заметить?"
    assert entry["rubric"] == GRADER_INFO
    assert "solution" not in entry  # its general feedback is empty
    assert "front" not in entry and "back" not in entry


def test_essay_becomes_a_flashcard_when_the_lecturer_asks_for_cards():
    cards = parse_moodle_xml(XML_PATH.read_bytes(), "moodle_ru.xml", essays_as_cards=True)
    entry = question(cards, "Переобучение")
    assert entry["kind"] == "flashcard"
    assert entry["front"] == "Что такое переобучение и как его заметить?"
    assert entry["back"] == GRADER_INFO


# ---------------------------------------------------------------------------------------------
# Import: calculated questions


def test_calculated_dataset_items_stay_together_and_keys_match_the_formula(imported):
    spec = spec_of(imported, "Линейная комбинация")
    assert spec["params"] == {"item": {"type": "int", "min": 0, "max": 2, "default": 0}}
    items = [(1.5, 4, 0.5), (2.0, 5, 1.25), (3.1, 6, 2.75)]  # b's items are listed out of order
    for index, (a, b, c) in enumerate(items):
        trial = with_item(spec, index)
        values = grader.variant(trial, None).values
        assert (values["a"], values["b"], values["c"]) == (a, b, c)
        result = grader.grade(trial, None, "0")
        assert result.expected == pytest.approx(a * b + c**2, rel=1e-12)  # {a}*{b} + pow({c}, 2)
        text = grader.present(trial, None).text
        assert f"$a = {a:g}$, $b = {b}$, $c = {c:g}$" in text
        assert f"равно {a * 2:g})" in text  # {={a}*2} in the question text
        # correctanswerformat 1, correctanswerlength 2: two decimals in the solution
        assert result.solution.endswith(f"Ответ: {a * b + c**2:.2f}.")
        mistake = grader.grade(trial, None, repr(a * b + 2 * c))
        assert mistake.mistake and "квадрат" in mistake.mistake["feedback"]


def test_calculated_relative_tolerance(imported):
    spec = spec_of(imported, "Линейная комбинация")
    assert spec["tolerance"] == {"rel": 0.01}
    key = 1.5 * 4 + 0.5**2  # item 1
    assert grader.grade(spec, None, repr(key * 1.0099)).correct
    assert grader.grade(spec, None, repr(key * 0.9901)).correct
    assert not grader.grade(spec, None, repr(key * 1.0101)).correct


def test_calculated_uniform_distribution_and_nominal_tolerance(imported):
    spec = spec_of(imported, "Выход нейрона с сигмоидой")
    assert spec["params"]["w"] == {
        "type": "decimal",
        "min": -2.0,
        "max": 2.0,
        "digits": 1,
        "default": 0.0,
    }
    assert spec["params"]["x"]["min"] == -3.0 and spec["params"]["x"]["max"] == 3.0
    assert spec["tolerance"] == {"abs": 0.001}
    seen = set()
    for seed in range(40):
        values = grader.variant(spec, seed).params
        w, x = values["w"], values["x"]
        assert -2 <= w <= 2 and round(w, 1) == w and -3 <= x <= 3
        seen.add(w)
        key = grader.grade(spec, seed, "0").expected
        assert key == pytest.approx(1 / (1 + math.exp(-w * x)), rel=1e-12)
        assert grader.grade(spec, seed, repr(key + 0.0009)).correct
        assert not grader.grade(spec, seed, repr(key + 0.0011)).correct
    assert len(seen) > 10
    # correctanswerformat 2 = significant figures
    assert spec["solution"] == "Ответ: {{ answer : .3g }}."


def test_calculated_loguniform_and_geometric_tolerance(imported):
    spec = spec_of(imported, "Затухание шага")
    assert spec["params"]["n"] == {"type": "int", "min": 1, "max": 10, "default": 6}
    log = spec["params"]["lr_log"]
    assert log["type"] == "decimal" and log["digits"] == 4
    assert log["min"] == pytest.approx(math.log(0.001), abs=1e-4) and log["max"] == 0.0
    assert spec["derived"] == {"lr": "round(exp(lr_log), 4)"}
    assert spec["tolerance"] == {"geo": 0.05}
    rates = []
    for seed in range(300):
        values = grader.variant(spec, seed).values
        lr, n = values["lr"], values["n"]
        assert 0.001 <= lr <= 1 and round(lr, 4) == lr
        rates.append(lr)
        key = grader.grade(spec, seed, "0").expected
        assert key == pytest.approx(lr * 0.5**n, rel=1e-12)
    # log-uniform: about half of the values lie below the geometric mean √(0.001·1) ≈ 0.0316
    # (a uniform draw on [0.001, 1] would put only 3 % there)
    below = sum(r < math.sqrt(0.001) for r in rates) / len(rates)
    assert 0.4 < below < 0.6
    # Moodle's geometric interval [key/1.05, key·1.05]
    key = grader.grade(spec, 0, "0").expected
    assert grader.grade(spec, 0, repr(key * 1.05)).correct
    assert grader.grade(spec, 0, repr(key / 1.05)).correct
    assert not grader.grade(spec, 0, repr(key * 1.051)).correct
    assert not grader.grade(spec, 0, repr(key * 0.951)).correct  # within 5 %, but below key/1.05


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("{a} + {b}", "a + b"),
        ("pow({a}, 2) * pi()", "a^2*pi"),
        ("deg2rad({a})", "a*(pi/180)"),
        ("rad2deg({a})", "a*(180/pi)"),
        ("log1p({a}) + expm1({b})", "log(1 + a) + (exp(b) - 1)"),
        ("atan2({b}, {a}) + fmod({a}, {b})", "atan2(b, a) + fmod(a, b)"),
        ("log({a}, 2) + log10({b}) + round({a}, 1)", "log(a, 2) + log10(b) + round(a, 1)"),
        ("max({a}, {b}, 3) - min({a}, {b})", "max(a, b, 3) - min(a, b)"),
        ("{a}**2", "a^2"),
    ],
)
def test_moodle_formula_conversion(formula, expected):
    assert moodle_formula(formula, {"a": "a", "b": "b"}) == expected


def test_moodle_formula_values_match_php_semantics():
    env = {"a": 2.5, "b": -1.5}

    def value(formula):
        return evaluate(parse_expression(moodle_formula(formula, {"a": "a", "b": "b"})), env)

    assert value("pow({a}, {b})") == pytest.approx(2.5**-1.5)
    assert value("log({a})") == pytest.approx(math.log(2.5))  # log is natural in PHP
    assert value("atan2({b}, {a})") == pytest.approx(math.atan2(-1.5, 2.5))
    assert value("fmod({b}, {a})") == pytest.approx(math.fmod(-1.5, 2.5))
    assert value("round({b})") == -2  # PHP rounds halves away from zero
    assert value("deg2rad(180)") == pytest.approx(math.pi)
    assert value("asinh({a}) + acosh({a}) + atanh(0.5)") == pytest.approx(
        math.asinh(2.5) + math.acosh(2.5) + math.atanh(0.5)
    )


@pytest.mark.parametrize(
    "formula",
    ["{a} ^ 2", "{a} % 2", "{a} > 1 ? 1 : 0", "bindec({a})", "foo({a})", "{a}{b}", "{c} + 1",
     "pi(1)", "pow({a})", "", "a + 1", "!{a}"],
)  # fmt: skip
def test_moodle_formula_refuses_what_it_cannot_keep(formula):
    with pytest.raises(FormulaError):
        moodle_formula(formula, {"a": "a", "b": "b"})


# ---------------------------------------------------------------------------------------------
# Hostile and broken files


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<quiz><question type="essay"><name><text>&lol4;</text></name></question></quiz>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><name><text>&xxe;</text></name>
<questiontext format="html"><text>&xxe;</text></questiontext></question></quiz>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE quiz SYSTEM "http://example.invalid/quiz.dtd">
<quiz/>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_entities_and_dtds_are_refused_not_expanded(data):
    result = parse_moodle_xml(data, "hostile.xml")
    assert result.bank is None
    [problem] = result.problems
    assert problem.code == "xml_forbidden" and problem.line == 2
    assert "lol" not in problem.message and "root" not in problem.message


def test_oversized_input_is_refused_before_parsing():
    data = b"<quiz>" + b" " * MAX_BYTES + b"</quiz>"
    result = parse_moodle_xml(data, "big.xml")
    assert result.bank is None and result.problems[0].code == "too_large"


def test_malformed_xml_gives_its_line_and_column():
    data = b'<?xml version="1.0"?>\n<quiz>\n  <question type="essay">\n  </quiz>\n'
    result = parse_moodle_xml(data, "bad.xml")
    assert result.bank is None
    [problem] = result.problems
    assert problem.code == "xml_syntax" and problem.line == 4 and problem.column is not None


def test_damaged_values_are_reported_per_question():
    data = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="multichoice">
    <name><text>Плохой балл</text></name>
    <questiontext format="html"><text>Вопрос?</text></questiontext>
    <answer fraction="abc"><text>да</text></answer>
    <answer fraction="nan"><text>нет</text></answer>
  </question>
  <question type="calculated">
    <name><text>Огромный диапазон</text></name>
    <questiontext format="html"><text>{a}?</text></questiontext>
    <answer fraction="100"><text>{a}</text><tolerance>0.1</tolerance></answer>
    <dataset_definitions><dataset_definition>
      <name><text>a</text></name><minimum><text>1e300</text></minimum>
      <maximum><text>1e308</text></maximum><decimals><text>6</text></decimals>
    </dataset_definition></dataset_definitions>
  </question>
  <question type="calculated">
    <name><text>Деление на ноль</text></name>
    <questiontext format="html"><text>{a}?</text></questiontext>
    <answer fraction="100"><text>1 / ({a} - 2)</text><tolerance>0.1</tolerance></answer>
    <dataset_definitions><dataset_definition>
      <name><text>a</text></name>
      <dataset_items>
        <dataset_item><number>1</number><value>1</value></dataset_item>
        <dataset_item><number>2</number><value>2</value></dataset_item>
      </dataset_items>
    </dataset_definition></dataset_definitions>
  </question>
  <question type="essay">
    <name><text>Карточка</text></name>
    <questiontext format="html"><text>Что такое RNN?</text></questiontext>
    <graderinfo format="html"><text>Сеть с циклами.</text></graderinfo>
  </question>
</quiz>
""".encode()
    result = parse_moodle_xml(data, "damaged.xml")
    assert [q["title"] for q in result.bank["questions"]] == ["Карточка"]
    errors = {p.line: p.message for p in result.problems if p.severity == "error"}
    assert set(errors) == {3, 9, 18}
    assert "балл ответа «abc» не число" in errors[3]
    assert "больше 1e+09" in errors[9]
    assert "набор данных №2" in errors[18] and "ноль" in errors[18]


def test_not_a_quiz_and_empty_quiz():
    assert parse_moodle_xml(b"<html><body/></html>", "x.xml").problems[0].code == "not_moodle_xml"
    empty = parse_moodle_xml(b"<quiz/>", "x.xml")
    assert empty.bank is None and empty.problems[0].code == "empty"


# ---------------------------------------------------------------------------------------------
# Text conversion (the conversion itself: test_text.py)


def test_overlong_source_text_is_refused():
    data = (
        '<quiz><question type="essay"><name><text>Длинный</text></name>'
        f'<questiontext format="html"><text><![CDATA[{"<b>x</b>" * 30_000}]]></text>'
        "</questiontext>"
        '<graderinfo format="html"><text>Ответ</text></graderinfo></question></quiz>'
    ).encode()
    result = parse_moodle_xml(data, "long.xml")
    assert result.bank is None and result.problems[0].code == "too_long"


# ---------------------------------------------------------------------------------------------
# Export


ROUND_TRIP_BANK = {
    "format": FORMAT_TAG,
    "bank": {"slug": "roundtrip", "title": "Проверка экспорта", "language": "ru"},
    "topics": [
        {"slug": "basics", "title": "Основы"},
        {"slug": "numbers", "title": "Числа / вычисления", "parent": "basics"},
    ],
    "questions": [
        {
            "slug": "gates",
            "title": "Вентили",
            "topic": "basics",
            "tags": ["LSTM"],
            "kind": "single_choice",
            "text": "Сколько вентилей у LSTM, если $n<4$?",
            "options": [
                {"text": "Два", "correct": False, "feedback": "Это GRU."},
                {"text": "Три", "correct": True},
                {"text": "Один & ещё один", "correct": False},
            ],
            "shuffle": False,
            "hints": ["Вспомните $f_t$."],
            "solution": "Три вентиля.",
        },
        {
            "slug": "bounded",
            "title": "Ограниченные",
            "topic": "basics",
            "kind": "multiple_choice",
            "text": "Какие функции ограничены?",
            "options": [
                {"text": "сигмоида", "correct": True},
                {"text": "ReLU", "correct": False, "feedback": "Не ограничена сверху."},
                {"text": "tanh", "correct": True},
            ],
        },
        {
            "slug": "method",
            "title": "Метод",
            "kind": "short_text",
            "text": "Как называется метод?",
            "answers": ["dropout", "дропаут", "a*b"],
            "mistakes": [{"id": "l2", "answer": {"value": "L2"}, "feedback": "Это штраф."}],
        },
        {
            "slug": "quarter",
            "title": "Четверть",
            "topic": "numbers",
            "kind": "numeric",
            "text": "Сколько будет $1/4$?",
            "answer": {"value": 0.25},
            "tolerance": {"abs": 0.01},
            "mistakes": [{"id": "half", "answer": {"value": 0.5}, "feedback": "Это половина."}],
        },
        {
            "slug": "product",
            "title": "Произведение",
            "topic": "numbers",
            "kind": "numeric",
            "text": "Вычислите ${{ a }} \\cdot {{ p }}$ (подсказка: ${{ a + 1 }}$).",
            "params": {
                "a": {"type": "int", "min": 2, "max": 9, "default": 3},
                "p": {"type": "decimal", "min": 0.1, "max": 0.9, "digits": 2, "default": 0.25},
            },
            "answer": {"expr": "a * p"},
            "tolerance": {"rel": 0.02},
            "mistakes": [{"id": "sum", "answer": {"expr": "a + p"}, "feedback": "Не сумма."}],
            "solution": "${{ a }} \\cdot {{ p }} = {{ answer }}$.",
        },
        {
            "slug": "card",
            "title": "Карточка",
            "kind": "flashcard",
            "front": "Что такое RNN?",
            "back": "Сеть с циклами и состоянием $h_t$.",
        },
        {
            "slug": "essay",
            "title": "Эссе",
            "kind": "essay",
            "text": "Объясните, зачем нужен dropout.",
            "rubric": "1 балл: борьба с переобучением; 1 балл: масштабирование при выводе.",
            "solution": "Dropout выключает нейроны случайно.",
        },
    ],
}


@pytest.fixture(scope="module")
def round_trip():
    warnings: list = []
    xml = export_moodle_xml(ROUND_TRIP_BANK, variants=6, warnings=warnings)
    result = parse_moodle_xml(xml, "roundtrip.xml")
    return xml, warnings, result


def original(slug: str) -> dict:
    return next(q for q in ROUND_TRIP_BANK["questions"] if q["slug"] == slug)


def reimported(result, slug: str) -> dict:
    return next(q for q in result.bank["questions"] if q["slug"] == slug)


def test_round_trip_is_clean(round_trip):
    xml, warnings, result = round_trip
    assert warnings == []
    assert result.ok, [str(p) for p in result.problems]
    assert [q["slug"] for q in result.bank["questions"]] == [
        "method",
        "card",
        "essay",
        "gates",
        "bounded",
        "quarter",
        "product",
    ]  # grouped by category; slugs come back through <idnumber>
    titles = {t["title"] for t in result.bank["topics"]}
    assert {"Основы", "Числа / вычисления"} <= titles  # "//" escaping
    # the bank's own category (marked nz-bank:) is the bank again, not one more topic level
    assert "Проверка экспорта" not in titles
    assert result.bank["bank"]["title"] == "Проверка экспорта"
    for entry in result.bank["questions"]:
        assert grader.check_spec(split_question(entry)[1], samples=10) == []


def test_round_trip_keeps_choice_and_short_questions(round_trip):
    _, _, result = round_trip
    for slug in ("gates", "bounded"):
        before, after = original(slug), reimported(result, slug)
        assert after["kind"] == before["kind"] and after["text"] == before["text"]
        assert after["options"] == before["options"]
        assert after["shuffle"] == before.get("shuffle", True)
    assert reimported(result, "gates")["hints"] == ["Вспомните $f_t$."]
    assert reimported(result, "gates")["tags"] == ["LSTM"]
    short = reimported(result, "method")
    assert short["answers"] == ["dropout", "дропаут", "a*b"]  # "*" escaped for Moodle and back
    assert short["mistakes"][0]["answer"] == {"value": "L2"}
    card = reimported(result, "card")
    assert (card["front"], card["back"]) == ("Что такое RNN?", "Сеть с циклами и состоянием $h_t$.")
    assert card["kind"] == "flashcard"  # tagged nz-kind:flashcard, not an essay to grade
    essay = reimported(result, "essay")
    assert essay["kind"] == "essay" and essay["text"] == original("essay")["text"]
    assert essay["rubric"] == original("essay")["rubric"]
    assert essay["solution"] == original("essay")["solution"]
    assert "nz-kind:flashcard" not in essay.get("tags", [])


def test_round_trip_keeps_numeric_questions(round_trip):
    _, _, result = round_trip
    quarter = reimported(result, "quarter")
    assert quarter["answer"] == {"value": 0.25} and quarter["tolerance"] == {"abs": 0.01}
    assert quarter["mistakes"][0]["answer"] == {"value": 0.5}

    template = split_question(original("product"))[1]
    known = {}
    for seed in [None, *range(60)]:
        shown = grader.present(template, seed).text
        known[shown] = grader.grade(template, seed, "0")
    spec = split_question(reimported(result, "product"))[1]
    assert spec["tolerance"] == {"rel": 0.02}
    assert spec["params"]["item"]["max"] == 5  # variants=6 dataset items
    for index in range(6):
        trial = with_item(spec, index)
        shown = grader.present(trial, None).text
        assert shown in known  # the same numbers are shown...
        result_item = grader.grade(trial, None, "0")
        assert result_item.expected == known[shown].expected  # ...and the key is the same
        assert result_item.solution.startswith(known[shown].solution.rstrip("."))
    first = with_item(spec, 0)
    assert grader.present(first, None).text == grader.present(template, None).text  # default
    values = grader.variant(template, None).params
    wrong = grader.grade(first, None, repr(values["a"] + values["p"]))
    assert wrong.mistake and wrong.mistake["feedback"] == "Не сумма."


def test_exported_xml_structure(round_trip):
    xml, _, _ = round_trip
    text = xml.decode("utf-8")
    assert text.startswith("<?xml")
    assert "<text>$course$/top/Проверка экспорта/Основы/Числа // вычисления</text>" in text
    assert "\\(n&amp;lt;4\\)" in text  # $…$ → \(…\), HTML escaped inside XML
    calculated = text[text.index('<question type="calculated">') :]
    assert "<text>{ans}</text>" in calculated and "<tolerancetype>1</tolerancetype>" in calculated
    # wildcards: a, p, a + 1 (text), answer (solution), ans (the key), m1 (the mistake)
    assert calculated.count("<dataset_item>") == 6 * 6
    assert '<answer format="html" fraction="-100">' in text  # ReLU: a wrong multiple choice


def test_export_of_the_demo_bank_reports_approximations():
    bank = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    warnings: list = []
    xml = export_moodle_xml(bank, variants=3, warnings=warnings)
    messages = " ".join(str(w) for w in warnings)
    assert "dropout-vector" in messages and "cloze" in messages
    assert "sigmoid-derivative" in messages
    assert all(w.severity == "warning" for w in warnings)
    assert "{1:NUMERICAL:=" in xml.decode("utf-8")
    back = parse_moodle_xml(xml, "demo.xml")
    kinds = {q["slug"]: q["kind"] for q in back.bank["questions"]}
    # the expression comes back as an expression (nz-kind tag), not as the short answer it is
    # in Moodle
    assert kinds["dense-params"] == "numeric" and kinds["sigmoid-derivative"] == "expression"
    dense = split_question(next(q for q in back.bank["questions"] if q["slug"] == "dense-params"))
    assert grader.grade(dense[1], None, "84301").correct  # the default variant's key (engine)
    assert "Похоже, вы не учли смещения" in grader.grade(dense[1], None, "83700").feedback


# ---------------------------------------------------------------------------------------------
# Moodle files as they exist: plain essays, named skips, course backups


def _quiz(*questions: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "".join(questions) + "</quiz>\n"
    ).encode()


TRUEFALSE = """  <question type="truefalse">
    <name><text>Верно ли</text></name>
    <questiontext format="html"><text>Сигмоида ограничена?</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
"""
PLAIN_ESSAY = """  <question type="essay">
    <name><text>Эссе без образца</text></name>
    <questiontext format="html"><text>Опишите обратное распространение.</text></questiontext>
    <generalfeedback format="moodle_auto_format"><text></text></generalfeedback>
    <graderinfo format="html"><text></text></graderinfo>
  </question>
"""


def test_plain_essay_is_an_essay_without_rubric_and_spoils_nothing():
    # Like Moodle's nested_categories_with_questions.xml: an essay with neither grader info nor
    # general feedback among questions that import (that file loaded nothing before).
    result = parse_moodle_xml(_quiz(TRUEFALSE, PLAIN_ESSAY), "essays.xml")
    assert result.ok and result.problems == []
    essay = question(result, "Эссе без образца")
    assert essay["kind"] == "essay" and essay["text"] == "Опишите обратное распространение."
    assert "rubric" not in essay and "solution" not in essay
    assert BankFile.model_validate(result.bank)


def test_essay_with_general_feedback_keeps_it_as_the_model_answer():
    essay_xml = PLAIN_ESSAY.replace(
        '<generalfeedback format="moodle_auto_format"><text></text>',
        '<generalfeedback format="moodle_auto_format"><text>Цепное правило.</text>',
    ).replace(
        '<graderinfo format="html"><text></text>', '<graderinfo format="html"><text>2 балла</text>'
    )
    essay = question(parse_moodle_xml(_quiz(essay_xml), "essays.xml"), "Эссе без образца")
    assert (essay["kind"], essay["rubric"], essay["solution"]) == (
        "essay",
        "2 балла",
        "Цепное правило.",
    )


def test_plain_essay_as_a_card_is_a_self_check_card_with_a_warning():
    result = parse_moodle_xml(_quiz(TRUEFALSE, PLAIN_ESSAY), "essays.xml", essays_as_cards=True)
    assert result.ok
    essay = question(result, "Эссе без образца")
    assert essay["kind"] == "flashcard"
    assert essay["front"] == "Опишите обратное распространение."
    assert essay["back"].startswith("Образца ответа нет")
    assert BankFile.model_validate(result.bank)
    [warning] = result.problems
    assert warning.severity == "warning" and warning.code == "essay_no_back"
    assert warning.line == 9 and "Эссе без образца" in warning.message


@pytest.mark.parametrize(
    ("qtype", "words"),
    [
        ("randomsamatch", "случайный вопрос на соответствие"),
        ("ordering", "упорядочивание"),
        ("ddimageortext", "перетаскивание на изображение"),
        ("ddmarker", "перетаскивание маркеров"),
        ("random", "случайный вопрос"),
    ],
)
def test_a_skipped_question_is_named_with_its_moodle_type_and_line(qtype, words):
    skipped = f"""  <question type="{qtype}">
    <name><text>Пропускаемый</text></name>
    <questiontext format="html"><text>Текст</text></questiontext>
  </question>
"""
    result = parse_moodle_xml(_quiz(skipped), "types.xml")
    assert result.bank is None
    warning, empty = result.problems
    assert warning.line == 3 and f"«{qtype} — {words}»" in warning.message
    assert warning.question.as_dict() == {"name": "Пропускаемый", "type": qtype, "line": 3}
    assert warning.as_dict()["question"]["type"] == qtype
    # The refusal itself says why: which questions were left out, their types and lines.
    assert empty.code == "empty"
    assert f"пропущено вопросов: 1 — «Пропускаемый» ({qtype}, строка 3)" in empty.message


def test_every_left_out_question_is_counted_in_the_refusal():
    cloze = '<question type="cloze"><name><text>Кл {n}</text></name></question>\n'
    result = parse_moodle_xml(_quiz(*(cloze.replace("{n}", str(i)) for i in range(12))), "c.xml")
    empty = result.problems[-1]
    assert "пропущено вопросов: 12 — «Кл 0» (cloze, строка 3)" in empty.message
    assert "«Кл 9»" in empty.message and "«Кл 10»" not in empty.message
    assert "и ещё 2" in empty.message


def test_a_broken_question_names_itself_for_lenient_mode():
    broken = """  <question type="multichoice">
    <name><text>Без верного</text></name>
    <questiontext format="html"><text>?</text></questiontext>
    <answer fraction="0"><text>a</text></answer>
    <answer fraction="0"><text>b</text></answer>
  </question>
"""
    result = parse_moodle_xml(_quiz(TRUEFALSE, broken), "b.xml")
    [error] = [p for p in result.problems if p.severity == "error"]
    assert error.question.name == "Без верного" and error.question.type == "multichoice"
    assert error.question.line == 9 and error.question.index is None


@pytest.mark.parametrize(
    ("name", "data", "start"),
    [
        ("course.tgz", b"\x1f\x8b\x08\x00 renamed", "Файл — архив (zip или tar.gz)"),
        ("backup", b"PK\x03\x04 no extension", "Файл — архив (zip или tar.gz)"),
    ],
)
def test_an_archive_not_named_mbz_is_refused_by_its_first_bytes(name, data, start):
    # A course backup (.mbz) is read: tests/question_bank/test_moodle_backup.py
    from question_bank.formats import parse_file

    result = parse_file(data, name)
    [problem] = result.problems
    assert result.bank is None and problem.code == "moodle_backup"
    assert problem.message.startswith(start)
    assert "Банк вопросов → Экспорт → Moodle XML" in problem.message
