"""GIFT import (question_bank/formats/gift.py). No database needed."""

from __future__ import annotations

from pathlib import Path

import pytest

import grader
from question_bank.formats.common import split_question
from question_bank.formats.gift import MAX_CHARS, parse_gift
from question_bank.formats.schema import BankFile

GIFT_PATH = Path(__file__).parent / "fixtures" / "gift_ru.gift"


@pytest.fixture(scope="module")
def imported():
    return parse_gift(GIFT_PATH.read_text(encoding="utf-8"), "gift_ru.gift")


def question(result, title: str) -> dict:
    for entry in result.bank["questions"]:
        if entry["title"] == title:
            return entry
    raise KeyError(title)


def line_of(fragment: str) -> int:
    lines = GIFT_PATH.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if fragment in line)


def test_every_imported_question_passes_check_spec(imported):
    assert imported.bank is not None
    assert len(imported.bank["questions"]) == 11
    BankFile.model_validate(imported.bank)
    for entry in imported.bank["questions"]:
        assert grader.check_spec(split_question(entry)[1], samples=20) == [], entry["slug"]


def test_categories_titles_ids_and_tags(imported):
    topics = {t["slug"]: t for t in imported.bank["topics"]}
    assert topics["regulyarizatsiya"]["parent"] == "glubokoe-obuchenie"
    assert topics["funktsii-aktivatsii"]["parent"] == "glubokoe-obuchenie"
    dropout = question(imported, "Dropout")
    assert dropout["slug"] == "dropout-choice"  # // [id:…]
    assert dropout["tags"] == ["dropout", "регуляризация"]  # // [tag:…]
    assert dropout["topic"] == "regulyarizatsiya"
    assert question(imported, "Пи")["topic"] == "funktsii-aktivatsii"
    assert question(imported, "Пи")["slug"] == "pi"


def test_multiple_choice_single(imported):
    entry = question(imported, "Dropout")
    assert entry["kind"] == "single_choice"
    assert entry["text"] == "Какой метод случайно отключает нейроны во время обучения?"
    assert [(o["text"], o["correct"], o.get("feedback")) for o in entry["options"]] == [
        ("Dropout", True, "Верно!"),
        ("Batch normalization", False, "Это нормализация, а не отключение нейронов."),
        ("L2-регуляризация", False, None),
    ]


def test_weights_make_multiple_choice_and_html_is_cleaned(imported):
    entry = question(imported, "Ограниченные активации")
    assert entry["kind"] == "multiple_choice"
    assert [o["correct"] for o in entry["options"]] == [True, True, False]
    assert entry["options"][2]["feedback"] == "$\\tanh$ даёт значения в $(-1, 1)$."
    assert entry["text"] == "Какие функции принимают значения только в $0 < y < 1$?"
    assert "alert" not in str(entry)


def test_true_false_with_both_feedbacks(imported):
    relu = question(imported, "ReLU ограничена")
    assert relu["kind"] == "single_choice" and relu["shuffle"] is False
    assert [(o["text"], o["correct"], o.get("feedback")) for o in relu["options"]] == [
        ("Верно", False, "Нет: ReLU не ограничена сверху."),  # the wrong-answer feedback
        ("Неверно", True, "Правильно: $\\max(0, x)$ растёт без ограничений."),
    ]
    sigmoid = question(imported, "Сигмоида")
    assert [o["correct"] for o in sigmoid["options"]] == [True, False]


def test_short_answer_with_partial_and_wrong_answers(imported):
    entry = question(imported, "Оптимизатор")
    assert entry["kind"] == "short_text"
    assert entry["answers"] == ["Adam", "адам"]
    assert [(m["answer"]["value"], m["feedback"]) for m in entry["mistakes"]] == [
        ("RMSprop", "Почти: в RMSprop нет момента."),
        ("SGD", "Нет: у SGD шаг не адаптивный."),
    ]
    spec = split_question(entry)[1]
    assert grader.grade(spec, None, "АДАМ").correct
    assert "нет момента" in grader.grade(spec, None, "rmsprop").feedback
    partial = next(p for p in imported.problems if "RMSprop" in p.message)
    assert partial.severity == "warning" and partial.line == line_of("=%50%RMSprop")


def test_missing_word(imported):
    entry = next(q for q in imported.bank["questions"] if q.get("text", "").startswith("Слой"))
    assert entry["text"] == (
        "Слой батч-нормализации нормирует признаки по оси _____ и обучает сдвиг и масштаб."
    )
    assert entry["answers"] == ["батча", "пакета"]


def test_numeric_forms(imported):
    pi = split_question(question(imported, "Пи"))[1]
    assert pi["answer"] == {"value": 3.14} and pi["tolerance"] == {"abs": 0.005}
    assert grader.grade(pi, None, "3,144").correct and not grader.grade(pi, None, "3.146").correct
    share = split_question(question(imported, "Доля"))[1]
    assert share["answer"] == {"value": 1.5} and share["tolerance"] == {"abs": 0.5}  # 1..2
    assert grader.grade(share, None, "2").correct and not grader.grade(share, None, "2.01").correct
    rate = split_question(question(imported, "Шаг обучения"))[1]
    assert rate["answer"] == {"value": 0.001} and rate["tolerance"] == {"abs": 0.0001}
    assert [(m["answer"]["value"], m["feedback"]) for m in rate["mistakes"]] == [
        (0.01, "Это скорее для SGD."),
        (0.1, "Слишком большой шаг."),
    ]
    assert rate["solution"] == "Обычно берут $10^{-3}$."  # general feedback, escaped braces
    assert grader.grade(rate, None, "0.1").mistake["feedback"] == "Слишком большой шаг."


def test_essay_with_general_feedback_becomes_a_flashcard(imported):
    entry = question(imported, "Переобучение")
    assert entry["kind"] == "flashcard"
    assert entry["front"] == "Что такое переобучение?"
    assert entry["back"].startswith("Модель запоминает")


def test_escapes(imported):
    entry = question(imported, "Экранирование")
    assert entry["text"] == "Сколько будет 3:4 = ? Ответ {дробью}."
    assert entry["answer"] == {"value": 0.75}


def test_problems_carry_lines_and_the_rest_is_imported(imported):
    assert not imported.ok
    by_title = {}
    for problem in imported.problems:
        title = problem.message.split("«", 1)[1].split("»", 1)[0]
        by_title[title] = problem
    expected = {
        "Сломанный": ("error", "не закрыт"),
        "Нет верного": ("error", "нет ни одного верного"),
        "Не число": ("error", "не число"),
        "Сопоставление": ("warning", "не поддерживается"),
        "Эссе без ответа": ("error", "нет оборота"),
        "Оптимизатор": ("warning", "частичный балл"),
        "Шаг обучения": ("warning", "частичный балл"),
    }
    assert set(by_title) == set(expected)
    for title, (severity, fragment) in expected.items():
        problem = by_title[title]
        assert problem.severity == severity and fragment in problem.message, str(problem)
        assert problem.line is not None and problem.column is not None
    assert by_title["Сломанный"].line == line_of("::Сломанный::")
    assert by_title["Не число"].line == line_of("::Не число::")
    assert str(by_title["Сломанный"]).startswith(f"gift_ru.gift:{line_of('::Сломанный::')}:")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("::a::Текст {=x ~y", "не закрыт"),
        ("::a:: Текст {=x {~y}", "без обратной косой черты"),
        ("::a Текст {=x}", "название не закрыто"),
        ("Текст {#1..x}", "не число"),
        ("Текст {#3..1}", "начало больше конца"),
        ("Текст {~%150%x ~y}", "вне диапазона"),
        ("Текст {x ~y}", "не удалось понять ответы"),
    ],
)
def test_syntax_errors(text, fragment):
    result = parse_gift(f"// комментарий\n\n{text}\n", "e.gift")
    assert result.bank is None
    errors = [p for p in result.problems if p.severity == "error"]
    assert errors and fragment in errors[0].message and errors[0].line == 3


def test_formats_and_multiline_questions():
    text = (
        "::M::[markdown]**Жирный** вопрос\n"
        "на двух строках{=да}\n\n"
        "::P::[plain]a <b> c{=да}\n\n"
        "::N::Без [формата]\\n с переносом{=да}\n"
    )
    result = parse_gift(text, "f.gift")
    assert result.ok
    texts = [q["text"] for q in result.bank["questions"]]
    assert texts == ["Жирный вопрос\nна двух строках", "a <b> c", "Без [формата]\nс переносом"]


def test_oversized_and_non_utf8_input():
    assert parse_gift("x" * (MAX_CHARS + 1), "big.gift").problems[0].code == "too_large"
    assert parse_gift(b"\xff\xfe{", "bad.gift").problems[0].code == "encoding"
    assert parse_gift("// только комментарий\n", "c.gift").problems[0].code == "empty"
