"""Short-text answers in the bank format: options per answer, their validation, the warning
about answers the matcher already covers, and the Moodle export of an answer with options."""

from __future__ import annotations

import textwrap

import pytest

from question_bank.formats.moodle.exporter import export_moodle_xml
from question_bank.formats.native import parse_bank
from question_bank.validation import check_bank_variants

BANK = textwrap.dedent(
    """\
    bank: {slug: text, title: "Короткие ответы"}
    questions:
      - slug: relu
        title: "ReLU"
        kind: short_text
        text: "Как называется функция активации $\\\\max(0, x)$?"
        typos: false
        answers:
          - "Rectified Linear Unit (ReLU)"
          - {text: "выпрямитель", match: normalized}
          - {text: "relu6", match: exact, typos: false}
          - text: "градиент затухает"
            keywords: ["затухать", "градиент"]
            typos: true
    """
)


def _problems(text: str) -> list[str]:
    return [str(p) for p in parse_bank(text, "bank.yaml").problems]


def _checked(text: str):
    result = parse_bank(text, "bank.yaml")
    assert result.ok, [str(p) for p in result.problems]
    return check_bank_variants(result, "bank.yaml", variants=1)


def test_answers_with_options_are_valid_and_checked_clean():
    assert _checked(BANK) == []


def test_plain_string_answers_stay_valid():
    plain = BANK.split("    typos: false")[0] + '    answers: ["ReLU", "выпрямитель"]\n'
    assert _checked(plain) == []


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (("match: normalized", "match: fuzzy"), "answers[1].match: допустимые значения"),
        (("match: normalized", "tipos: false"), "answers[1].tipos: неизвестное поле"),
        (('{text: "выпрямитель", match: normalized}', "{match: exact}"),
         "answers[1]: обязательное поле не задано"),
        (('{text: "выпрямитель", match: normalized}', "42"), "answers[1]: ожидалась строка"),
        (("match: exact, typos: false", "match: exact, keywords: [relu]"),
         "ключевые слова (keywords) нельзя сочетать с match: exact"),
        (("typos: false\n", "typos: maybe\n"), "questions[0].typos: ожидалось true или false"),
        (("kind: short_text", "kind: flashcard\n    front: a\n    back: b"),
         "поле typos есть только у вопросов типа short_text"),
    ],
)  # fmt: skip
def test_broken_options_are_reported_in_russian_with_position(change, fragment):
    problems = _problems(BANK.replace(*change))
    assert any(fragment in p and p.startswith("bank.yaml:") for p in problems), problems


def test_redundant_answers_are_a_warning_naming_both():
    text = BANK.replace(
        '      - "Rectified Linear Unit (ReLU)"\n',
        '      - "Rectified Linear Unit (ReLU)"\n      - "ReLU"\n      - "rectified-linear unit"\n',
    )
    problems = _checked(text)
    assert [(p.code, p.severity) for p in problems] == [("short_text_redundant", "warning")] * 2
    first = str(problems[0])
    assert "bank.yaml:3:" in first and "предупреждение: relu:" in first
    assert "«ReLU» лишний" in first and "«Rectified Linear Unit (ReLU)»" in first
    assert "«rectified-linear unit» лишний" in str(problems[1])


def test_an_answer_its_own_question_rejects_is_an_error():
    # Its keywords are not in its text: the key shown to students would be graded wrong.
    text = BANK.replace('keywords: ["затухать", "градиент"]', 'keywords: ["затухать", "вес"]')
    problems = _checked(text)
    assert [p.code for p in problems] == ["accepted_rejected"]
    assert "'градиент затухает'" in str(problems[0]) and problems[0].severity == "error"


def test_moodle_export_writes_the_text_of_an_answer_with_options():
    result = parse_bank(BANK, "bank.yaml")
    xml = export_moodle_xml(result.bank, variants=1).decode()
    assert "<text>выпрямитель</text>" in xml
    assert "<text>relu6</text>" in xml
    assert "match" not in xml
