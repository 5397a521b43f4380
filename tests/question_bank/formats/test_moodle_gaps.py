"""Moodle gapselect («выбор пропущенных слов») and ddwtos («перетаскивание в текст») →
multipart of single choices; calculatedmulti («вычисляемый с выбором ответа») → choice
templates. Small XML written for each rule; every imported question is graded as a student
would answer it. No database needed."""

from __future__ import annotations

import json

import pytest

import grader
from question_bank.formats.common import split_question
from question_bank.formats.moodle import parse_moodle_xml
from question_bank.formats.native import parse_bank
from tests.question_bank.test_moodle_backup import _answers, _category, _question, _text

# ---------------------------------------------------------------------------------------------
# Helpers


def quiz(*questions: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
        '<question type="category"><category><text>$course$/top/Т</text></category></question>\n'
        + "".join(questions)
        + "</quiz>\n"
    ).encode()


def gap_question(
    qtype: str,
    text: str,
    choices: list[tuple[str, int]],
    *,
    extra: str = "",
    name: str = "Пропуски",
) -> str:
    tag = "selectoption" if qtype == "gapselect" else "dragbox"
    rows = "".join(
        f"<{tag}><text>{choice}</text><group>{group}</group></{tag}>\n" for choice, group in choices
    )
    return (
        f'<question type="{qtype}">\n<name><text>{name}</text></name>\n'
        f'<questiontext format="html"><text><![CDATA[{text}]]></text></questiontext>\n'
        '<generalfeedback format="html"><text>Решение.</text></generalfeedback>\n'
        f"{extra}{rows}</question>\n"
    )


def imported(*questions: str):
    result = parse_moodle_xml(quiz(*questions), "g.xml")
    return result, (result.bank["questions"] if result.bank else [])


def spec_of(entry: dict) -> dict:
    return split_question(entry)[1]


def index_of(entry: dict, part: str, text: str) -> str:
    options = next(p for p in entry["parts"] if p["name"] == part)["options"]
    return str([o["text"] for o in options].index(text))


def messages(result) -> list[str]:
    return [str(p) for p in result.problems]


def errors(result) -> list:
    """The questions' errors (not the refusal of a file left with no question)."""
    return [p for p in result.problems if p.severity == "error" and p.code != "empty"]


def valid_bank(result) -> None:
    """The imported bank passes the native schema and every question's self-check."""
    text = json.dumps(result.bank, ensure_ascii=False)
    parsed = parse_bank(text.encode(), "bank.json")
    assert parsed.ok, [str(p) for p in parsed.problems]


# ---------------------------------------------------------------------------------------------
# gapselect


TWO_GROUPS = gap_question(
    "gapselect",
    "<p>Слой [[1]] выделяет признаки, а слой [[4]] уменьшает карту.</p>",
    [
        ("свёрточный", 1),
        ("полносвязный", 1),
        ("рекуррентный", 1),
        ("пулинга", 2),
        ("нормализации", 2),
    ],
    extra="<shuffleanswers>0</shuffleanswers>",
)


def test_gapselect_with_two_groups_becomes_multipart_of_single_choices():
    result, [entry] = imported(TWO_GROUPS)
    assert entry["kind"] == "multipart"
    assert entry["text"] == "Слой [[g1]] выделяет признаки, а слой [[g2]] уменьшает карту."
    g1, g2 = entry["parts"]
    assert g1 == {
        "name": "g1",
        "kind": "single_choice",
        "options": [
            {"text": "свёрточный", "correct": True},
            {"text": "полносвязный", "correct": False},
            {"text": "рекуррентный", "correct": False},
        ],
        "shuffle": False,
    }
    # The second gap offers only its group's choices, in the file's order.
    assert [o["text"] for o in g2["options"]] == ["пулинга", "нормализации"]
    assert [o["correct"] for o in g2["options"]] == [True, False]
    assert "weight" not in g1 and "weight" not in g2  # 1 each: Moodle's share of gaps right
    assert entry["solution"] == "Решение."
    assert not result.problems
    valid_bank(result)


def test_gapselect_grading_is_the_share_of_gaps_right():
    _result, [entry] = imported(TWO_GROUPS)
    spec = spec_of(entry)
    right = {"g1": index_of(entry, "g1", "свёрточный"), "g2": index_of(entry, "g2", "пулинга")}
    for seed in (None, 3):
        result = grader.grade(spec, seed, json.dumps(right))
        assert result.correct and result.score == 1.0
    one_wrong = {**right, "g2": index_of(entry, "g2", "нормализации")}
    result = grader.grade(spec, 3, json.dumps(one_wrong))
    assert not result.correct and result.score == 0.5
    assert [p["correct"] for p in result.parts] == [True, False]
    shown = grader.present(spec, 3)
    assert shown.text == "Слой (1) выделяет признаки, а слой (2) уменьшает карту."
    assert [o["text"] for o in shown.parts[1]["options"]] == ["пулинга", "нормализации"]


def test_the_same_choice_may_be_the_key_of_two_gaps_and_shuffle_defaults_to_moodles():
    question = gap_question(
        "gapselect",
        "[[1]] — это [[2]], и [[1]] снова.",
        [("ReLU", 1), ("функция", 2), ("слой", 2), ("tanh", 1)],
    )
    _result, [entry] = imported(question)
    assert [p["name"] for p in entry["parts"]] == ["g1", "g2", "g3"]
    assert entry["text"] == "[[g1]] — это [[g2]], и [[g3]] снова."
    assert all(p["shuffle"] for p in entry["parts"])  # no <shuffleanswers>: Moodle's default
    spec = spec_of(entry)
    answer = {"g1": "0", "g2": "0", "g3": "0"}
    assert grader.grade(spec, 1, json.dumps(answer)).score == 1.0
    assert grader.grade(spec, 1, json.dumps({**answer, "g3": "1"})).score == pytest.approx(2 / 3)


def test_a_missing_choice_number_is_an_error_naming_the_gap():
    question = gap_question("gapselect", "[[1]] и [[3]]", [("а", 1), ("б", 1)], name="Без выбора")
    result, questions = imported(question)
    assert not questions
    [error] = errors(result)
    assert error.line == 4 and error.code == "no_such_choice"
    assert error.message == (
        "вопрос «Без выбора»: пропуск [[3]]: выбора с номером 3 нет (выборов в вопросе: 2)"
    )


def test_a_gap_whose_group_has_one_choice_is_an_error():
    question = gap_question("gapselect", "[[1]] и [[2]]", [("а", 1), ("б", 2), ("в", 1)])
    result, questions = imported(question)
    assert not questions
    [error] = errors(result)
    assert error.code == "too_few_options"
    assert "пропуск [[2]]: в группе 2 только один вариант («б»)" in error.message


@pytest.mark.parametrize(
    ("text", "choices", "rule"),
    [
        ("Без пропусков.", [("а", 1), ("б", 1)], "в тексте нет ни одного пропуска вида [[1]]"),
        ("[[1]]", [], "нет ни одного варианта выбора (<selectoption>)"),
        ("[[1]]", [("а", 1), ("б", "x")], "выбор 2: группа «x» — нужно целое число от 1"),
        ("[[1]]", [("а", 1), ("   ", 1)], "выбор 2 (строка 9): пустой текст"),
    ],
)
def test_broken_gapselect_rules(text, choices, rule):
    result, questions = imported(gap_question("gapselect", text, choices))
    assert not questions
    [error] = errors(result)
    assert rule in error.message


def test_choices_with_the_same_text_in_a_group_are_one_option():
    question = gap_question("gapselect", "[[3]] [[2]]", [("a", 1), ("b", 1), ("a", 1)])
    _result, [entry] = imported(question)
    g1, g2 = entry["parts"]
    assert g1["options"] == [{"text": "a", "correct": True}, {"text": "b", "correct": False}]
    assert g2["options"] == [{"text": "a", "correct": False}, {"text": "b", "correct": True}]


def test_combined_feedback_is_reported_and_hints_are_kept():
    extra = (
        '<correctfeedback format="html"><text>Верно!</text></correctfeedback>\n'
        '<partiallycorrectfeedback format="html"><text></text></partiallycorrectfeedback>\n'
        '<incorrectfeedback format="html"><text>Нет.</text></incorrectfeedback>\n'
        "<shownumcorrect/>\n"
    )
    hint = '<hint format="html"><text>Вспомните определение.</text></hint>\n'
    question = gap_question("gapselect", "[[1]]", [("а", 1), ("б", 1)], extra=extra + hint)
    result, [entry] = imported(question)
    assert entry["hints"] == ["Вспомните определение."]
    [warning] = result.problems
    assert warning.severity == "warning" and warning.code == "feedback_dropped"
    assert "общие отзывы (correctfeedback, incorrectfeedback) не переносятся" in warning.message


def test_gapselect_of_moodle_2_0_with_answers_whose_feedback_is_the_group():
    question = (
        '<question type="gapselect"><name><text>Старый</text></name>\n'
        '<questiontext format="html"><text>[[1]] [[2]]</text></questiontext>\n'
        '<answer fraction="0"><text>x</text><feedback><text>1</text></feedback></answer>\n'
        '<answer fraction="0"><text>y</text><feedback><text>2</text></feedback></answer>\n'
        '<answer fraction="0"><text>z</text><feedback><text>2</text></feedback></answer>\n'
        '<answer fraction="0"><text>w</text><feedback><text>1</text></feedback></answer>\n'
        "</question>\n"
    )
    _result, [entry] = imported(question)
    assert [[o["text"] for o in p["options"]] for p in entry["parts"]] == [["x", "w"], ["y", "z"]]


# ---------------------------------------------------------------------------------------------
# ddwtos


def test_ddwtos_becomes_multipart_and_grades_like_gapselect():
    question = gap_question(
        "ddwtos",
        "<p>The [[1]] sat on the [[3]].</p>",
        [("cat", 1), ("dog", 1), ("mat", 2), ("<![CDATA[H<sub>2</sub>O]]>", 2)],
        extra="<shuffleanswers>1</shuffleanswers>",
    ).replace("<group>1</group>", "<group>1</group><infinite/>", 1)
    result, [entry] = imported(question)
    assert entry["kind"] == "multipart" and entry["text"] == "The [[g1]] sat on the [[g2]]."
    assert [o["text"] for o in entry["parts"][0]["options"]] == ["cat", "dog"]
    g2 = [o["text"] for o in entry["parts"][1]["options"]]
    assert g2[0] == "mat" and "2" in g2[1] and "<sub>" not in g2[1]
    assert all(p["shuffle"] for p in entry["parts"])
    valid_bank(result)
    spec = spec_of(entry)
    right = {"g1": index_of(entry, "g1", "cat"), "g2": index_of(entry, "g2", "mat")}
    assert grader.grade(spec, 7, json.dumps(right)).score == 1.0
    assert grader.grade(spec, 7, json.dumps({**right, "g1": "1"})).score == 0.5
    assert grader.grade(spec, 7, json.dumps({"g1": right["g1"]})).score == 0.5  # one left blank


def test_ddwtos_of_moodle_2_0_reads_draggroup_from_the_serialised_feedback():
    def answer(text: str, group: str) -> str:
        feedback = f'O:8:"stdClass":2:{{s:9:"draggroup";{group}s:8:"infinite";i:0;}}'
        return (
            f'<answer fraction="0"><text>{text}</text>'
            f"<feedback><text>{feedback}</text></feedback></answer>\n"
        )

    question = (
        '<question type="ddwtos"><name><text>Старый</text></name>\n'
        '<questiontext format="html"><text>[[1]] [[2]]</text></questiontext>\n'
        + answer("x", 's:1:"1";')
        + answer("y", "i:2;")
        + answer("z", 's:1:"2";')
        + answer("w", 's:1:"1";')
        + "</question>\n"
    )
    _result, [entry] = imported(question)
    assert [[o["text"] for o in p["options"]] for p in entry["parts"]] == [["x", "w"], ["y", "z"]]
    broken = question.replace("draggroup", "dragthing")
    result, questions = imported(broken)
    assert not questions
    assert "выбор 1: в отзыве ответа нет группы (draggroup)" in messages(result)[0]


# ---------------------------------------------------------------------------------------------
# calculatedmulti


def _dataset(name: str, values: list[str]) -> str:
    items = "".join(
        f"<dataset_item><number>{i}</number><value>{v}</value></dataset_item>"
        for i, v in enumerate(values, start=1)
    )
    return (
        f"<dataset_definition><status><text>private</text></status><name><text>{name}</text>"
        "</name><type>calculated</type><distribution><text>uniform</text></distribution>"
        "<minimum><text>1</text></minimum><maximum><text>10</text></maximum>"
        f"<decimals><text>1</text></decimals><itemcount>{len(values)}</itemcount>"
        f"<dataset_items>{items}</dataset_items>"
        f"<number_of_items>{len(values)}</number_of_items></dataset_definition>"
    )


def calculated_multi(answers: list[tuple[float, str, str]], *, single: bool, name="Выбор") -> str:
    rows = "".join(
        f'<answer fraction="{fraction}" format="html"><text>{text}</text>'
        "<tolerance>0.01</tolerance><tolerancetype>1</tolerancetype>"
        "<correctanswerformat>1</correctanswerformat><correctanswerlength>1</correctanswerlength>"
        f'<feedback format="html"><text>{feedback}</text></feedback></answer>\n'
        for fraction, text, feedback in answers
    )
    return (
        f'<question type="calculatedmulti"><name><text>{name}</text></name>\n'
        '<questiontext format="html"><text>Стороны {a} и {b}: чему равен периметр?</text>'
        "</questiontext>\n"
        '<generalfeedback format="html"><text>P = 2({a} + {b}) = {=2*({a}+{b})}</text>'
        "</generalfeedback>\n"
        f"<synchronize>0</synchronize><single>{int(single)}</single>"
        "<shuffleanswers>0</shuffleanswers><answernumbering>abc</answernumbering>\n"
        f"{rows}<dataset_definitions>{_dataset('a', ['2.5', '3.1'])}"
        f"{_dataset('b', ['4.0', '1.2'])}</dataset_definitions>\n</question>\n"
    )


SINGLE = calculated_multi(
    [
        (100, "{=2*({a}+{b})}", ""),
        (0, "{={a}*{b}}", "Это площадь: {={a}*{b}}."),
        (0, "{a} + {b} = {={a}+{b}}", ""),
    ],
    single=True,
)


def test_calculatedmulti_single_options_are_templates_over_the_datasets():
    result, [entry] = imported(SINGLE)
    assert entry["kind"] == "single_choice" and entry["shuffle"] is False
    assert entry["text"] == "Стороны {{ a }} и {{ b }}: чему равен периметр?"
    assert entry["params"] == {"item": {"type": "int", "min": 0, "max": 1, "default": 0}}
    assert entry["derived"] == {"a": "[2.5, 3.1][item]", "b": "[4.0, 1.2][item]"}
    assert entry["options"] == [
        {"text": "{{ 2*(a + b) : .1f }}", "correct": True},
        {"text": "{{ a*b : .1f }}", "correct": False, "feedback": "Это площадь: {{ a*b }}."},
        {"text": "{{ a }} + {{ b }} = {{ a + b : .1f }}", "correct": False},
    ]
    assert entry["solution"] == "P = 2({{ a }} + {{ b }}) = {{ 2*(a + b) }}"
    assert not errors(result)
    valid_bank(result)


def test_calculatedmulti_single_variant_shows_the_computed_numbers_and_grades():
    _result, [entry] = imported(SINGLE)
    spec = spec_of(entry)
    # Item 2 of the datasets: a = 3.1, b = 1.2 (the options in the file's order: no shuffle).
    spec["params"]["item"]["default"] = 1
    shown = grader.present(spec, None)
    assert shown.text == "Стороны 3.1 и 1.2: чему равен периметр?"
    assert [o["text"] for o in shown.options] == ["8.6", "3.7", "3.1 + 1.2 = 4.3"]
    assert grader.grade(spec, None, "0").score == 1.0
    wrong = grader.grade(spec, None, "1")
    assert wrong.score == 0.0 and "Это площадь: 3.72." in wrong.feedback
    for seed in range(4):  # any variant: the right option is the first, whatever the values
        assert grader.grade(spec_of(entry), seed, "0").correct


def test_calculatedmulti_multiple_with_partial_and_negative_grades():
    question = calculated_multi(
        [
            (50, "{=2*({a}+{b})}", ""),
            (50, "{=2*{a}+2*{b}}", ""),
            (-100, "{={a}*{b}}", ""),
            (0, "{={a}+{b}}", ""),
        ],
        single=False,
    )
    result, [entry] = imported(question.replace("<shuffleanswers>0</shuffleanswers>", ""))
    assert entry["kind"] == "multiple_choice"
    assert entry["shuffle"] is False  # Moodle's default for calculated questions
    assert [o.get("fraction") for o in entry["options"]] == [0.5, 0.5, -1.0, 0.0]
    assert [o["correct"] for o in entry["options"]] == [True, True, False, False]
    valid_bank(result)
    spec = spec_of(entry)
    assert grader.grade(spec, 2, "0,1").score == 1.0
    assert grader.grade(spec, 2, "0").score == 0.5
    assert grader.grade(spec, 2, "0,2").score == 0.0  # Moodle: 50 % − 100 %, floored at 0
    assert grader.grade(spec, 2, "0,3").score == 0.5  # a 0 % option costs nothing


def test_calculatedmulti_errors_name_the_option():
    bad = calculated_multi([(100, "{={a}+{c}}", ""), (0, "{={a}}", "")], single=True)
    result, questions = imported(bad)
    assert not questions
    [error] = errors(result)
    assert "вопрос «Выбор»: вариант №1: формула в тексте {={a}+{c}" in error.message
    assert "{c}, для которой нет набора данных" in error.message
    # A formula that cannot be computed for a dataset item names the item.
    zero = calculated_multi(
        [(100, "{={a}/({b}-1.2)}", ""), (0, "{={a}}", "")], single=True, name="Деление"
    )
    result, questions = imported(zero)
    assert not questions
    [error] = errors(result)
    assert "вопрос «Деление»: набор данных №2:" in error.message
    none_right = calculated_multi([(0, "{={a}}", ""), (0, "{={b}}", "")], single=True)
    result, questions = imported(none_right)
    assert "нет ни одного верного варианта" in messages(result)[0]


# ---------------------------------------------------------------------------------------------
# Through a course backup


def _backup(*questions: str) -> bytes:
    entries = "".join(
        f'<question_bank_entry id="{n}"><idnumber>$@NULL@$</idnumber><question_version>'
        f'<question_versions id="{n}"><version>1</version><status>ready</status>'
        f"<questions>{q}</questions></question_versions></question_version></question_bank_entry>"
        for n, q in enumerate(questions, start=1)
    )
    body = f"<question_bank_entries>{entries}</question_bank_entries>"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<question_categories>'
        f"{_category(1, 'top', 0, '')}{_category(2, 'Пропуски', 1, body)}"
        "</question_categories>\n"
    ).encode()


def _gap_options(qtype: str) -> str:
    return (
        f"<{qtype} id='1'><shuffleanswers>0</shuffleanswers>"
        + _text("correctfeedback", "")
        + _text("partiallycorrectfeedback", "")
        + _text("incorrectfeedback", "")
        + f"<shownumcorrect>1</shownumcorrect></{qtype}>"
    )


def test_gapselect_and_ddwtos_through_a_backup():
    def drag(group: int) -> str:
        return f'O:8:"stdClass":2:{{s:9:"draggroup";s:1:"{group}";s:8:"infinite";i:0;}}'

    gapselect = _question(
        10,
        "gapselect",
        "Выбор",
        "<p>Слой [[1]] и слой [[3]]</p>",
        _answers(
            [
                ("свёрточный", 0, "1"),
                ("рекуррентный", 0, "1"),
                ("пулинга", 0, "2"),
                ("нормализации", 0, "2"),
            ],
            500,
        )  # fmt: skip
        + _gap_options("gapselect"),
    )
    ddwtos = _question(
        11,
        "ddwtos",
        "Перетаскивание",
        "<p>[[2]] сидит на [[3]]</p>",
        _answers(
            [
                ("собака", 0, drag(1)),
                ("кошка", 0, drag(1)),
                ("коврике", 0, drag(2)),
                ("столе", 0, drag(2)),
            ],
            600,
        )  # fmt: skip
        + _gap_options("ddwtos"),
    )
    result = parse_moodle_xml(_backup(gapselect, ddwtos), "questions.xml")
    assert not errors(result), messages(result)
    first, second = result.bank["questions"]
    assert first["kind"] == second["kind"] == "multipart"
    assert first["text"] == "Слой [[g1]] и слой [[g2]]"
    assert [[o["text"] for o in p["options"]] for p in first["parts"]] == [
        ["свёрточный", "рекуррентный"],
        ["пулинга", "нормализации"],
    ]
    assert [[o["correct"] for o in p["options"]] for p in second["parts"]] == [
        [False, True],
        [True, False],
    ]
    assert not any(p["shuffle"] for p in first["parts"])
    assert not [p for p in result.problems if p.code == "unsupported_type"]
    spec = spec_of(second)
    assert grader.grade(spec, 5, json.dumps({"g1": "1", "g2": "0"})).score == 1.0
    assert grader.grade(spec, 5, json.dumps({"g1": "0", "g2": "0"})).score == 0.5


def test_calculatedmulti_through_a_backup():
    def record(answer: int) -> str:
        return (
            f"<calculated_record id='{answer}'><answer>{answer}</answer><tolerance>0.01</tolerance>"
            "<tolerancetype>1</tolerancetype><correctanswerlength>2</correctanswerlength>"
            "<correctanswerformat>1</correctanswerformat></calculated_record>"
        )

    datasets = (
        "<dataset_definitions><dataset_definition id='1'><category>0</category><name>r</name>"
        "<type>1</type><options>uniform:1:5:1</options><itemcount>2</itemcount><dataset_items>"
        "<dataset_item id='1'><number>1</number><value>1.5</value></dataset_item>"
        "<dataset_item id='2'><number>2</number><value>2.0</value></dataset_item>"
        "</dataset_items></dataset_definition></dataset_definitions>"
    )
    plugin = (
        _answers([("{=pi()*{r}*{r}}", 1, ""), ("{=2*pi()*{r}}", 0, "<p>Это длина</p>")], 700)
        + datasets
        + f"<calculated_records>{record(700)}{record(701)}</calculated_records>"
        + "<calculated_options><calculated_option id='1'><synchronize>0</synchronize>"
        + "<single>1</single><shuffleanswers>0</shuffleanswers>"
        + _text("correctfeedback", "")
        + "<answernumbering>abc</answernumbering></calculated_option></calculated_options>"
    )
    question = _question(12, "calculatedmulti", "Площадь круга", "<p>Радиус {r}.</p>", plugin)
    result = parse_moodle_xml(_backup(question), "questions.xml")
    assert not errors(result), messages(result)
    [entry] = result.bank["questions"]
    assert entry["kind"] == "single_choice" and entry["shuffle"] is False
    assert [o["text"] for o in entry["options"]] == ["{{ pi*r*r : .2f }}", "{{ 2*pi*r : .2f }}"]
    spec = spec_of(entry)
    shown = grader.present(spec, None)  # item 1: r = 1.5
    assert shown.text == "Радиус 1.5."
    assert [o["text"] for o in shown.options] == ["7.07", "9.42"]
    wrong = grader.grade(spec, None, "1")
    assert wrong.score == 0.0 and "Это длина" in wrong.feedback
