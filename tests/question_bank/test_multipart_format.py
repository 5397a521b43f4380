"""Multipart questions in the native YAML format: the schema's rules, each with its Russian
message, and validate_bank's 200 variants."""

from __future__ import annotations

import textwrap

import pytest

from question_bank.formats.native import parse_bank
from question_bank.validation import check_bank_variants

GOOD = textwrap.dedent(
    """\
    format: neurozachet-bank/1
    bank: {slug: tiny, title: "Маленький банк"}
    questions:
      - slug: conv-out
        title: "Выход свёртки"
        kind: multipart
        params:
          n: {type: int, min: 5, max: 9, default: 7}
          c: {type: int, min: 1, max: 4, default: 2}
        text: "Вход {{ n }}×{{ n }}, ядро 3, {{ c }} фильтров. Выход: [[h]], [[p]], [[w]]."
        parts:
          - name: h
            kind: numeric
            label: "Высота"
            answer: {expr: n - 2}
            tolerance: {abs: 0}
            feedback: "Высота: {{ n }} − 3 + 1."
            mistakes:
              - {answer: {expr: n}, feedback: "Забыли вычесть размер ядра."}
          - name: p
            kind: numeric
            weight: 2
            answer: {expr: 9 * c + c}
            mistakes:
              - {answer: {expr: 9 * c}, feedback: "Забыли смещения."}
          - name: w
            kind: short_text
            answers: ["свёрточный"]
        solution: "Высота {{ n - 2 }}, параметров {{ 10 * c }}."
    """
)


def _messages(text: str) -> list[str]:
    return [str(p) for p in parse_bank(text, "bank.yaml").problems]


def test_good_multipart_bank_passes_200_variants():
    result = parse_bank(GOOD, "bank.yaml")
    assert result.ok, result.problems
    assert check_bank_variants(result, "bank.yaml", variants=200) == []


def test_a_part_whose_key_names_an_unknown_parameter_is_named_by_the_part():
    [problem] = _messages(GOOD.replace("expr: 9 * c + c", "expr: 9 * q + c"))
    assert "parts[1].answer.expr: поле p: «9 * q + c»: неизвестные имена q" in problem
    assert problem.startswith("bank.yaml:")


def test_a_broken_part_is_reported_by_validate_bank_with_its_name():
    # A mistake equal to the key in every variant: the check names the field.
    broken = GOOD.replace("{answer: {expr: 9 * c}, feedback", "{answer: {expr: 10 * c}, feedback")
    result = parse_bank(broken, "bank.yaml")
    assert result.ok
    messages = [str(p) for p in check_bank_variants(result, "bank.yaml", variants=200)]
    assert any(
        "типичная ошибка parts.p.mistakes[0] совпадает с верным ответом" in m for m in messages
    ), messages


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("[[w]].", "[[w]] [[w]]."), "метка поля [[w]] должна стоять в тексте ровно один раз"),
        (("[[w]].", "."), "метка поля [[w]] должна стоять в тексте ровно один раз (найдено: 0)"),
        (("[[w]].", "[[w]] [[z]]."), "в тексте есть метка [[z]], а поля с таким именем нет"),
        (("name: w", "name: h"), "имена полей должны быть разными: h повторяется"),
        (("name: w", "name: 2w"), "имя из латинских букв, цифр и _, начинается с буквы"),
        (("weight: 2", "weight: 0"), "должно быть больше 0"),
        (("tolerance: {abs: 0}", "tolerence: {abs: 0}"), "parts[0].tolerence: неизвестное поле"),
        (("kind: short_text", "kind: multipart"), "поле w: тип multipart не может быть полем"),
        (("kind: short_text", "kind: flashcard"), "поле w: тип flashcard не может быть полем"),
        (
            ('answers: ["свёрточный"]', "answers: []"),
            "поле w: для короткого ответа нужен список answers",
        ),
        (("tolerance: {abs: 0}", "tolerance: {abs: 0}\n        typos: true"), "поле h: поле typos"),
        (
            ("solution:", "answer: {value: 1}\n    solution:"),
            "у вопроса типа multipart answer задаются в каждом поле (parts)",
        ),
        (("kind: multipart", "kind: numeric\n    answer: {value: 1}"), "поля (parts) есть только"),
        (
            ("solution:", "shuffle: false\n    solution:"),
            "у вопроса типа multipart shuffle задаются в каждом поле (parts)",
        ),
    ],
)
def test_schema_rules_have_russian_messages(change, message):
    text = GOOD.replace(*change)
    assert text != GOOD
    messages = _messages(text)
    assert any(message in m for m in messages), messages


def test_no_markers_at_all_is_allowed():
    text = GOOD.replace(" Выход: [[h]], [[p]], [[w]].", "")
    result = parse_bank(text, "bank.yaml")
    assert result.ok, result.problems


def test_missing_parts_is_refused():
    start = GOOD.index("    parts:")
    end = GOOD.index("    solution:")
    messages = _messages(GOOD[:start] + GOOD[end:])
    assert any("нужен список полей (parts)" in m for m in messages), messages


@pytest.mark.django_db
def test_a_multipart_bank_is_stored_with_its_kind():
    from question_bank.models import Question
    from question_bank.services import bank_import_file

    bank_import_file(data=GOOD.encode(), filename="bank.yaml", variants=20)
    question = Question.objects.get(slug="conv-out")
    assert question.kind == Question.Kind.MULTIPART
    spec = question.versions.get().spec
    assert [p["name"] for p in spec["parts"]] == ["h", "p", "w"]
