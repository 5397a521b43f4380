"""GIFT: matching questions and descriptions, as Moodle's qformat_gift reads them."""

from __future__ import annotations

import pytest

from grader.grading import check_spec, grade
from question_bank.formats.common import split_question
from question_bank.formats.gift import parse_gift


def parse(text: str):
    result = parse_gift(text, "t.gift")
    return result, [(p.code, p.line, p.severity) for p in result.problems]


def spec_of(result, index: int = 0) -> dict:
    return split_question(result.bank["questions"][index])[1]


def test_matching_pairs_in_the_written_order():
    text = (
        "::Активации::Сопоставьте функцию и область значений. {\n"
        "  =сигмоида -> (0; 1)\n"
        "  =tanh -> (−1; 1)\n"
        "  =ReLU -> [0; +∞)\n"
        "  ####Сигмоида положительна.\n"
        "}\n"
    )
    result, problems = parse(text)
    assert problems == []
    assert spec_of(result) == {
        "kind": "matching",
        "text": "Сопоставьте функцию и область значений.",
        "pairs": [
            {"stem": "сигмоида", "answer": "(0; 1)"},
            {"stem": "tanh", "answer": "(−1; 1)"},
            {"stem": "ReLU", "answer": "[0; +∞)"},
        ],
        "shuffle": True,
        "solution": "Сигмоида положительна.",
    }
    assert check_spec(spec_of(result)) == []
    assert grade(spec_of(result), None, '{"0": "0", "1": "2"}').score == pytest.approx(1 / 3)


def test_an_empty_element_is_an_extra_wrong_answer_and_escapes_are_kept():
    text = "Сопоставьте. {=a\\=1 -> x\\{y\\} =b -> $\\\\alpha$ = -> z #1 =c -> x\\{y\\}}\n"
    result, problems = parse(text)
    assert problems == []
    spec = spec_of(result)
    assert spec["pairs"] == [
        {"stem": "a=1", "answer": "x{y}"},
        {"stem": "b", "answer": "$\\\\alpha$"},
        {"stem": "c", "answer": "x{y}"},
    ]
    # as in Moodle, # and %…% have no meaning in a matching pair: they are text
    assert spec["distractors"] == ["z #1"]


def test_text_before_the_first_equals_sign_is_a_pair_as_in_moodle():
    result, problems = parse("Сопоставьте. {a -> 1 =b -> 2 =c -> 3}\n")
    assert problems == []
    assert [p["stem"] for p in spec_of(result)["pairs"]] == ["a", "b", "c"]


def test_one_pair_is_refused_with_the_rule_and_line():
    result, problems = parse("::Первый::Вопрос {T}\n\n\n::Пара::Сопоставьте.\n{=a -> 1 ->}\n")
    assert problems == [("too_few_pairs", 5, "error")]
    [problem] = result.problems
    assert "нужно не меньше двух пар «=элемент -> ответ»" in problem.message
    assert "«Пара»" in problem.message and problem.column == 1
    assert [q["title"] for q in result.bank["questions"]] == ["Первый"]


def test_two_pairs_are_imported_with_moodles_three_pair_rule_named():
    result, problems = parse("::Две::Сопоставьте. {=a -> 1 =b -> 2}\n")
    assert problems == [("few_pairs", 1, "warning")]
    assert "требует не меньше трёх пар" in result.problems[0].message
    assert len(spec_of(result)["pairs"]) == 2


@pytest.mark.parametrize(
    ("body", "code", "fragment"),
    [
        ("=a -> 1 =b 2 =c -> 3", "bad_matching", "пара «b 2» без «->»"),
        ("=a -> 1 =a -> 2 =c -> 3", "duplicate_stem", "элемент «a» повторяется"),
        ("=a -> 1 =b -> =c -> 3", "empty_answer", "у элемента «b» нет ответа"),
        ("=a -> 1 = -> 2 = -> 3", "too_few_pairs", "не меньше двух элементов с ответами"),
        ("=a -> 1 =b -> 1 =c -> 1", "too_few_choices", "выбирать не из чего"),
    ],
)
def test_broken_pairs_are_errors_naming_the_rule_and_line(body, code, fragment):
    result, problems = parse("\n::Плохая::Сопоставьте. {" + body + "}\n")
    assert problems == [(code, 2, "error"), ("empty", None, "error")]  # nothing left to import
    assert fragment in result.problems[0].message
    assert result.bank is None


def test_a_text_without_an_answer_block_is_a_description():
    text = (
        "::Вводная::[markdown]Дальше — задачи о **свёртках**, вход $N\\times C$.\n"
        "Везде NCHW.\n"
        "\n"
        "::Вопрос::Сколько каналов у RGB? {#3}\n"
    )
    result, problems = parse(text)
    assert problems == []
    entry = result.bank["questions"][0]
    assert entry["title"] == "Вводная"
    assert split_question(entry)[1] == {
        "kind": "description",
        "text": "Дальше — задачи о свёртках, вход $N\\times C$.\nВезде NCHW.",
    }
    assert spec_of(result, 1)["kind"] == "numeric"


def test_a_description_without_title_is_named_by_its_text():
    result, problems = parse("Следующие вопросы — о пулинге.\n\nПулинг? {=max}\n")
    assert problems == []
    assert result.bank["questions"][0]["title"].startswith("Следующие вопросы")


def test_a_file_of_descriptions_only_is_not_a_bank():
    result, problems = parse("Конспект лекции.\n\nВторой абзац конспекта.\n")
    assert result.bank is None and problems == [("no_questions", None, "error")]
    assert "в файле нет вопросов: только текст без блоков ответов" in result.problems[0].message


def test_a_closing_brace_without_an_opening_one_is_an_error():
    result, problems = parse("::Скобка::Множество } без начала\n")
    assert problems[0] == ("syntax", 1, "error")
    assert "«}» без «{»" in result.problems[0].message
