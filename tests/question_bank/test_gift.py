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
    # the plain essay is a self-check card; the matching question is imported (with a warning)
    assert len(imported.bank["questions"]) == 13
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
    # «=%50%RMSprop#…»: accepted for half the mark, with its feedback (Moodle's grade kept).
    assert entry["answers"] == [
        "Adam",
        "адам",
        {"text": "RMSprop", "fraction": 0.5, "feedback": "Почти: в RMSprop нет момента."},
    ]
    assert [(m["answer"]["value"], m["feedback"]) for m in entry["mistakes"]] == [
        ("SGD", "Нет: у SGD шаг не адаптивный."),
    ]
    spec = split_question(entry)[1]
    assert grader.grade(spec, None, "АДАМ").correct
    half = grader.grade(spec, None, "rmsprop")
    assert half.score == 0.5 and "нет момента" in half.feedback
    assert not any("RMSprop" in p.message for p in imported.problems)


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
    assert rate["alternatives"] == [
        {
            "answer": {"value": 0.01},
            "tolerance": {"abs": 0.001},
            "fraction": 0.5,
            "feedback": "Это скорее для SGD.",
        }
    ]
    assert [(m["answer"]["value"], m["feedback"]) for m in rate["mistakes"]] == [
        (0.1, "Слишком большой шаг."),
    ]
    assert grader.grade(rate, None, "0.0105").score == 0.5
    assert rate["solution"] == "Обычно берут $10^{-3}$."  # general feedback, escaped braces
    assert grader.grade(rate, None, "0.1").mistake["feedback"] == "Слишком большой шаг."


def test_essay_becomes_an_essay_with_its_general_feedback_as_model_answer(imported):
    entry = question(imported, "Переобучение")
    assert entry["kind"] == "essay"
    assert entry["text"] == "Что такое переобучение?"
    assert entry["solution"].startswith("Модель запоминает")
    assert "rubric" not in entry  # GIFT has no grader info


def test_essay_with_general_feedback_becomes_a_flashcard_when_asked():
    cards = parse_gift(GIFT_PATH.read_text(encoding="utf-8"), "g.gift", essays_as_cards=True)
    entry = question(cards, "Переобучение")
    assert entry["kind"] == "flashcard"
    assert entry["front"] == "Что такое переобучение?"
    assert entry["back"].startswith("Модель запоминает")


def test_a_plain_essay_is_an_essay_without_a_warning():
    result = parse_gift("::Эссе::Объясните, зачем нужен dropout.{}\n", "e.gift")
    assert result.ok and result.problems == []
    [entry] = result.bank["questions"]
    assert entry["kind"] == "essay" and entry["text"] == "Объясните, зачем нужен dropout."
    assert "solution" not in entry


def test_a_plain_essay_as_a_card_is_a_self_check_card_not_a_refusal():
    # As a plain Moodle XML essay (no grader info, no general feedback): kept, with a warning.
    result = parse_gift(
        "::Эссе::Объясните, зачем нужен dropout.{}\n", "e.gift", essays_as_cards=True
    )
    assert result.ok
    [entry] = result.bank["questions"]
    assert entry["kind"] == "flashcard" and entry["back"].startswith("Образца ответа нет")
    [warning] = [p for p in result.problems if p.code == "essay_no_back"]
    assert warning.severity == "warning" and warning.line == 1


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
        "Сопоставление": ("warning", "документация Moodle по GIFT требует не меньше трёх пар"),
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


# ---------------------------------------------------------------------------------------------
# Issue 13: GIFT as Moodle reads it. Each test is a small file for one rule.


def parse(text: str) -> tuple:
    result = parse_gift(text, "t.gift")
    return result, [(p.code, p.line) for p in result.problems]


def spec_of(result, index: int = 0) -> dict:
    return split_question(result.bank["questions"][index])[1]


COURSE_PATH = Path(__file__).parent / "fixtures" / "gift_ru_course.gift"


def test_a_question_right_under_a_category_line_is_imported_into_it():
    result, problems = parse("$CATEGORY: $course$/top/Сети/Свёртки/Пулинг\n::A::Текст{T}\n")
    assert [q["title"] for q in result.bank["questions"]] == ["A"]
    topics = result.bank["topics"]
    assert [(t["title"], t.get("parent")) for t in topics] == [
        ("Сети", None),
        ("Свёртки", "seti"),
        ("Пулинг", "svertki"),
    ]
    assert result.bank["questions"][0]["topic"] == "puling"
    assert problems == [("no_blank_line", 2)]
    assert "$CATEGORY:" in result.problems[0].message and "Moodle" in result.problems[0].message


def test_a_run_of_questions_without_blank_lines_is_split_with_a_warning_per_join():
    text = (
        "::A::Первый{T}\n"
        "// [id:vtoroy]\n"
        "::B::Второй{\n"
        "  =да\n"
        "  ~нет\n"
        "}\n"
        "Третий без названия, {#3} после блока.\n"
        "::D::Четвёртый{F}\n"
    )
    result, problems = parse(text)
    titles = [q["title"] for q in result.bank["questions"]]
    assert titles == ["A", "B", "Третий без названия, _____ после блока.", "D"]
    assert result.bank["questions"][1]["slug"] == "vtoroy"  # the comment goes with the next one
    assert problems == [("no_blank_line", 3), ("no_blank_line", 7), ("no_blank_line", 8)]
    assert all(p.severity == "warning" and "пустой строки" in p.message for p in result.problems)


def test_text_after_the_answer_block_on_the_next_line_stays_with_its_question():
    result, problems = parse("Слой нормирует по оси {=батча}\nи обучает сдвиг.\n::B::Ещё{T}\n")
    assert [q["text"] for q in result.bank["questions"]] == [
        "Слой нормирует по оси _____ и обучает сдвиг.",
        "Ещё",
    ]
    assert problems == [("no_blank_line", 3)]


@pytest.mark.parametrize(
    "text",
    [
        "::A::Найдите $x^{2}$\nпри x = 2 {#4}\n",  # TeX braces left unescaped
        "Слово {=a}\nпродолжение.\nВопрос {T}\n",  # a question glued to missing-word text
    ],
)
def test_a_second_brace_after_the_answer_block_is_an_error_with_the_rule(text):
    result, problems = parse(text)
    assert result.bank is None
    error = result.problems[0]
    assert error.code == "syntax" and "у вопроса один блок ответов" in error.message
    assert error.line == text.count("\n") and error.column is not None


def test_a_category_line_after_a_question_switches_the_category_with_a_warning():
    result, problems = parse("::A::a{T}\n$CATEGORY: X\n::B::b{T}\n")
    assert [q.get("topic") for q in result.bank["questions"]] == [None, "x"]
    assert problems == [("no_blank_line", 2), ("no_blank_line", 3)]


def test_an_unclosed_block_does_not_take_the_next_titled_question_with_it():
    result, problems = parse("::A::a {=x\n::B::b{T}\n")
    assert [q["title"] for q in result.bank["questions"]] == ["B"]
    error = next(p for p in result.problems if p.severity == "error")
    assert "не закрыт" in error.message and error.line == 1


def test_numerical_with_catch_all_wrong_feedback():
    result, problems = parse("::MNIST::Сколько классов?{#3:2~#Совсем неверно}\n")
    spec = spec_of(result)
    assert spec["answer"] == {"value": 3} and spec["tolerance"] == {"abs": 2.0}
    assert grader.grade(spec, None, "5").correct and not grader.grade(spec, None, "6").correct
    assert problems == [("feedback_dropped", 1)]
    assert "Совсем неверно" in result.problems[0].message


def test_numerical_alternative_gives_its_partial_credit_around_the_key():
    """Moodle's ``get_matching_answer``: 6 (exact) is right, 5…7 earns the 50 % answer."""
    text = "::П::Производная $x^2$ в 3?{#\n=6:0#Верно.\n=%50%6:1#Близко.\n~#Подумайте ещё.\n}\n"
    result, problems = parse(text)
    spec = spec_of(result)
    assert spec["answer"] == {"value": 6} and spec["tolerance"] == {"abs": 0.0}
    assert "mistakes" not in spec
    assert problems == [("feedback_dropped", 4)]
    assert grader.grade(spec, None, "6").score == 1.0
    close = grader.grade(spec, None, "6,5")
    assert close.score == 0.5 and "Близко." in close.feedback
    assert grader.grade(spec, None, "7.5").score == 0.0


def test_moodle_grant_birth_year_example_keeps_both_answers():
    """Moodle's question/format/gift/examples.txt: ``{#=1822:0 =%50%1822:2}``."""
    result, problems = parse("When was Ulysses S. Grant born? {#\n    =1822:0\n    =%50%1822:2}\n")
    spec = spec_of(result)
    assert spec["alternatives"] == [
        {"answer": {"value": 1822}, "tolerance": {"abs": 2.0}, "fraction": 0.5}
    ]
    scores = [grader.grade(spec, None, year).score for year in ("1822", "1821", "1824", "1825")]
    assert scores == [1.0, 0.5, 0.5, 0.0] and problems == []


def test_numerical_partial_alternatives_with_their_own_values():
    result, problems = parse("Год?{#=1822:0 =%50%1830:2#Почти. =%25%0..5}\n")
    spec = spec_of(result)
    assert [(a["answer"], a["fraction"]) for a in spec["alternatives"]] == [
        ({"value": 1830}, 0.5),
        ({"value": 2.5}, 0.25),
    ]
    graded = grader.grade(spec, None, "1831")
    assert graded.score == 0.5 and "Почти." in graded.feedback
    assert grader.grade(spec, None, "5").score == 0.25 and problems == []


def test_numerical_second_full_answer_is_another_right_interval():
    result, problems = parse("Корень из 4?{#=2 =-2}\n")
    spec = spec_of(result)
    assert spec["answer"] == {"value": 2} and problems == []
    assert spec["alternatives"] == [
        {"answer": {"value": -2}, "tolerance": {"abs": 0.0}, "fraction": 1.0}
    ]
    assert grader.grade(spec, None, "-2").correct and grader.grade(spec, None, "2").correct


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("{#}", "{#3.14:0.01}, {#1..5} или {#=3.14:0.01 =%50%3:1 ~#отзыв"),
        ("{#=3 =}", "после «=» нужно число"),
        ("{#=три}", "«3.14:0.01» (допуск)"),
    ],
)
def test_numerical_errors_name_the_rule(body, fragment):
    result, problems = parse(f"// c\n::N::Число?{body}\n")
    assert result.bank is None
    error = result.problems[0]
    assert error.severity == "error" and fragment in error.message and error.line == 2


def test_true_false_mistake_names_the_true_false_rule():
    result, problems = parse("::A::a{T}\n\n::Б::L1 даёт разреженные веса.{TRUE FALSE}\n")
    error = next(p for p in result.problems if p.severity == "error")
    assert error.code == "bad_truefalse" and error.line == 3
    assert "T, TRUE, F или FALSE" in error.message and "«TRUE FALSE»" in error.message


def test_true_false_forms_and_lower_case():
    result, problems = parse("a{T}\n\nb{FALSE#нет#да####Общий.}\n\nc{true}\n")
    kinds = [(q["kind"], [o["correct"] for o in q["options"]]) for q in result.bank["questions"]]
    assert kinds == [("single_choice", [True, False])] * 1 + [
        ("single_choice", [False, True]),
        ("single_choice", [True, False]),
    ]
    second = result.bank["questions"][1]
    assert [o.get("feedback") for o in second["options"]] == ["нет", "да"]
    assert second["solution"] == "Общий."
    assert problems == [("truefalse_case", 5)]  # Moodle would read {true} as a short answer


def test_short_answer_without_equals_sign_as_moodle_reads_it():
    result, problems = parse("Столица Франции?{Париж}\n\nИ ещё?{Лион =Париж}\n")
    assert [q["answers"] for q in result.bank["questions"]] == [["Париж"], ["Лион", "Париж"]]
    assert problems == []


def test_short_answer_wildcard_is_named_not_kept_as_a_literal_star():
    result, problems = parse("Лучшее животное?{=Лягушка =%50%Кот#Почему кот? =%0%*#Совсем нет}\n")
    spec = spec_of(result)
    assert spec["answers"] == [
        "Лягушка",
        {"text": "Кот", "fraction": 0.5, "feedback": "Почему кот?"},
    ]
    assert "mistakes" not in spec
    assert problems == [("wildcard", 1)]
    assert "«*»" in result.problems[0].message


def test_single_answer_with_partial_options_stays_single_choice():
    """Moodle's examples.txt «Difficult question.{~wrong ~%50%half =full}»: single choice, the
    full answer alone scores 1 and the half one 0.5, without a warning."""
    result, problems = parse("::Ч::Что лучше?{~неверный ~%50%половина#Почти. =полный}\n")
    entry = result.bank["questions"][0]
    assert entry["kind"] == "single_choice"
    assert [(o["correct"], o["fraction"]) for o in entry["options"]] == [
        (False, 0.0),
        (False, 0.5),
        (True, 1.0),
    ]
    spec = split_question(entry)[1]
    assert grader.grade(spec, None, "2").score == 1.0  # Moodle: 100 %, not 0.5
    half = grader.grade(spec, None, "1")
    assert half.score == 0.5 and "Почти." in half.feedback
    assert grader.grade(spec, None, "0").score == 0.0
    assert problems == []


def test_single_answer_with_two_right_and_a_negative_option_as_moodle_grades_it():
    result, problems = parse("Выберите.{=a =b ~%-50%c ~d}\n")
    entry = result.bank["questions"][0]
    assert entry["kind"] == "single_choice"
    assert [o["fraction"] for o in entry["options"]] == [1.0, 1.0, -0.5, 0.0]
    spec = split_question(entry)[1]
    scores = [grader.grade(spec, None, str(i)).score for i in range(4)]
    assert scores == [1.0, 1.0, 0.0, 0.0]  # a negative mark is floored at 0 here
    assert problems == []


def test_multiple_answer_with_weights_and_escapes():
    text = "::М::Отметьте\\: верные.{~%50%a \\= b ~%50%c \\~ d \\# e ~%-25%f\\{g\\}}\n"
    result, problems = parse(text)
    entry = result.bank["questions"][0]
    assert entry["kind"] == "multiple_choice" and entry["text"] == "Отметьте: верные."
    assert [(o["text"], o["correct"]) for o in entry["options"]] == [
        ("a = b", True),
        ("c ~ d # e", True),
        ("f{g}", False),
    ]
    assert problems == []


def test_format_prefix_on_options_and_feedback():
    text = (
        "[html]<p>Что <b>выделено</b>?</p>{=[html]<i>курсив</i>#[markdown]**да** ~[plain]a <b> c}\n"
    )
    result, problems = parse(text)
    entry = result.bank["questions"][0]
    assert entry["text"] == "Что выделено?"
    assert [(o["text"], o.get("feedback")) for o in entry["options"]] == [
        ("курсив", "да"),
        ("a <b> c", None),
    ]


def test_choice_without_marker_names_the_rule():
    result, problems = parse("Текст{x ~y =z}\n")
    error = result.problems[0]
    assert error.code == "syntax" and "«x» без знака" in error.message
    assert "«=» (верный) или «~» (неверный" in error.message and error.line == 1


def test_course_file_every_question_is_imported_or_named():
    result = parse_gift(COURSE_PATH.read_text(encoding="utf-8"), COURSE_PATH.name)
    questions = result.bank["questions"]
    assert len(questions) == 29  # of 30; the 30th is a broken {TRUE FALSE}, named below
    errors = [p for p in result.problems if p.severity == "error"]
    assert [(e.code, "Р5" in e.message) for e in errors] == [("bad_truefalse", True)]
    BankFile.model_validate(result.bank)
    for entry in questions:
        assert grader.check_spec(split_question(entry)[1], samples=5) == [], entry["slug"]
    by_title = {q["title"]: q for q in questions}
    assert by_title["О4"]["kind"] == "numeric" and by_title["М5"]["kind"] == "single_choice"
    assert by_title["О1"]["slug"] == "lr-range" and by_title["О1"]["topic"] == "optimizatsiya"
    joins = [p for p in result.problems if p.code == "no_blank_line"]
    assert len(joins) == 26
