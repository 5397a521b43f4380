"""Matching and description questions in the native YAML format: valid banks and the schema."""

from __future__ import annotations

import textwrap

import pytest

from question_bank.formats.native import parse_bank
from question_bank.validation import check_bank_variants

BANK = textwrap.dedent(
    """\
    format: neurozachet-bank/1
    bank: {slug: act, title: "Активации"}
    questions:
      - slug: intro-act
        kind: description
        title: Вводная часть к задачам об активациях
        text: "Дальше — задачи о функциях активации."
      - slug: act-match
        title: Функции активации и их области значений
        kind: matching
        text: "Сопоставьте функцию активации и область её значений."
        pairs:
          - {stem: "сигмоида", answer: "(0; 1)"}
          - {stem: "tanh", answer: "(−1; 1)"}
          - {stem: "ReLU", answer: "[0; +∞)"}
        distractors: ["(−∞; 0]"]
        mistakes:
          - {id: swapped, answer: {value: [1, 0, 2]}, feedback: "Сигмоида положительна."}
        solution: "Ответ: {{ answer }}."
    """
)


def _problems(text: str) -> list[str]:
    return [str(p) for p in parse_bank(text, "bank.yaml").problems]


def test_a_bank_with_matching_and_description_is_valid_and_checked_clean():
    result = parse_bank(BANK, "bank.yaml")
    assert result.ok, [str(p) for p in result.problems]
    kinds = [q["kind"] for q in result.bank["questions"]]
    assert kinds == ["description", "matching"]
    assert check_bank_variants(result, "bank.yaml", variants=20) == []


DESCRIPTION_FIELDS = "  - slug: intro-act\n    kind: description\n"
TWO_PAIRS = '      - {stem: "tanh", answer: "(−1; 1)"}\n      - {stem: "ReLU", answer: "[0; +∞)"}\n'
MISTAKE = "mistakes[0]: у вопроса на соответствие ответ типичной ошибки — {value: [номера ответов]}"


def _described(line: str) -> tuple[str, str]:
    """A change that adds ``line`` to the description."""
    return DESCRIPTION_FIELDS, DESCRIPTION_FIELDS + f"    {line}\n"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ((TWO_PAIRS, ""), "нужно не меньше двух пар (pairs)"),
        (('{stem: "tanh"', '{stem: "сигмоида"'),
         "pairs[1]: stem «сигмоида» повторяется; элементы должны различаться"),
        (('{stem: "ReLU"', '{stem: " "'), "pairs[2]: пустой stem"),
        (('answer: "[0; +∞)"', 'answer: ""'), "pairs[2]: пустой answer"),
        (('{stem: "ReLU", answer: "[0; +∞)"}', '{stem: "ReLU"}'),
         "pairs[2]: обязательное поле не задано"),
        (('{stem: "ReLU", answer', '{stem: "ReLU", anwser'), "pairs[2].anwser: неизвестное поле"),
        (('distractors: ["(−∞; 0]"]', 'distractors: ["(0; 1)"]'),
         "distractors[0]: «(0; 1)» уже верный ответ одной из пар"),
        (("value: [1, 0, 2]", "value: [1, 0]"), MISTAKE),
        (("value: [1, 0, 2]", "value: [1, 0, 4]"),
         "по одному номеру ответа (от 0 до 3) на каждую из 3 пар"),
        (("answer: {value: [1, 0, 2]}", 'answer: {expr: "1"}'), MISTAKE),
        (("    distractors:", "    pairs: [{stem: a, answer: b}]\n    distractors:"), "pairs"),
        (_described("options: [{text: a, correct: true}, {text: b}]"),
         "у описания (description) нет ответа: уберите поля options"),
        (_described("answer: {value: 1}"),
         "у описания (description) нет ответа: уберите поля answer"),
        (_described("pairs: [{stem: a, answer: b}, {stem: c, answer: d}]"),
         "поля pairs и distractors есть только у вопросов типа matching"),
        (('    text: "Дальше — задачи о функциях активации."\n', ""), "нужен текст вопроса (text)"),
    ],
)  # fmt: skip
def test_broken_matching_and_description_are_reported_in_russian_with_position(change, fragment):
    assert change[0] in BANK
    problems = _problems(BANK.replace(*change))
    assert any(fragment in p and p.startswith("bank.yaml:") for p in problems), problems


def test_all_pairs_with_one_answer_need_a_distractor():
    text = BANK.replace('"(−1; 1)"', '"(0; 1)"').replace('"[0; +∞)"', '"(0; 1)"')
    text = text.replace('    distractors: ["(−∞; 0]"]\n', "").replace(
        "value: [1, 0, 2]", "value: [0, 0, 0]"
    )
    problems = _problems(text)
    assert any("нужно не меньше двух разных ответов" in p for p in problems), problems
    assert (
        _problems(text.replace("    mistakes:", '    distractors: ["(−1; 1)"]\n    mistakes:'))
        == []
    )


def test_pairs_are_refused_on_other_kinds():
    text = BANK.replace("kind: matching", "kind: single_choice")
    assert any(
        "поля pairs и distractors есть только у вопросов типа matching" in p
        for p in _problems(text)
    )


def test_the_instructors_preview_shows_the_elements_the_key_and_a_description():
    from question_bank.formats.common import split_question
    from question_bank.preview import template_variants

    intro, match = (split_question(q)[1] for q in parse_bank(BANK, "b.yaml").bank["questions"])
    [default, shuffled] = template_variants(spec=match, seeds=[None, 7])
    assert [s["text"] for s in default["stems"]] == ["сигмоида", "tanh", "ReLU"]
    assert default["key"] == [0, 1, 2]
    assert default["key_display"].startswith("сигмоида → (0; 1); tanh → (−1; 1)")
    assert sorted(s["index"] for s in shuffled["stems"]) == [0, 1, 2]
    assert [m["equals_key"] for m in default["mistakes"]] == [False]
    [shown] = template_variants(spec=intro, seeds=[None])
    assert shown["text"].startswith("Дальше") and shown["key"] is None and "error" not in shown
