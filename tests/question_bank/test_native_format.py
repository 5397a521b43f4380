"""The native YAML format: every problem reported with file:line:column, nothing stored on error."""

from __future__ import annotations

import textwrap

import pytest

from question_bank.formats.native import parse_bank
from question_bank.validation import check_bank_variants
from tests.conftest import DEMO

GOOD = textwrap.dedent(
    """\
    format: neurozachet-bank/1
    bank: {slug: tiny, title: "Маленький банк"}
    topics:
      - {slug: cnn, title: "Свёрточные сети"}
      - {slug: cnn-params, title: "Параметры", parent: cnn}
    questions:
      - slug: conv-params
        title: "Параметры свёртки"
        topic: cnn-params
        kind: numeric
        text: "Слой: ${{ c_in }} \\\\to {{ c_out }}$, ядро ${{ k }}$. Сколько параметров?"
        params:
          c_in: {type: int, min: 1, max: 16, default: 3}
          c_out: {type: int, min: 1, max: 16, default: 8}
          k: {type: choice, values: [1, 3, 5], default: 3}
        answer: {engine: conv2d_params, args: {c_in: c_in, c_out: c_out, kernel: k}}
        mistakes:
          - id: no_bias
            answer:
              engine: conv2d_params
              args: {c_in: c_in, c_out: c_out, kernel: k, bias: false}
            feedback: "Забыты смещения."
        solution: "$({{ k }}^2 \\\\cdot {{ c_in }} + 1) \\\\cdot {{ c_out }} = {{ answer }}$"
    """
)


def _problems(text: str) -> list[str]:
    return [str(p) for p in parse_bank(text, "bank.yaml").problems]


def test_demo_and_good_bank_parse_cleanly():
    assert parse_bank(DEMO.read_bytes(), "demo.yaml").problems == []
    result = parse_bank(GOOD, "bank.yaml")
    assert result.ok and result.problems == []
    assert check_bank_variants(result, "bank.yaml", variants=50) == []


def test_every_schema_problem_is_reported_with_position():
    bad = (
        GOOD.replace("kind: numeric", "kind: tensor")
        .replace("slug: cnn-params, title", "slug: CNN, title")
        .replace("solution:", "solutoin:")
    )
    problems = _problems(bad)
    assert "bank.yaml:5:12: topics[1].slug: недопустимое значение" in problems[0]
    assert any(
        p.startswith("bank.yaml:10:11: questions[0].kind: допустимые значения") for p in problems
    )
    assert any("questions[0].solutoin: неизвестное поле" in p and ":23:" in p for p in problems)
    assert any("questions[0].topic: нет темы cnn-params" in p for p in problems)


def test_reference_problems_name_the_place():
    bad = GOOD.replace("${{ k }}$. Сколько", "${{ kk }}$. Сколько").replace(
        "kernel: k, bias:", "kernel: k, biass:"
    )
    problems = _problems(bad)
    assert any(":11:" in p and "нет параметра kk" in p for p in problems), problems
    assert any("args.biass: у движка conv2d_params нет аргумента biass" in p for p in problems)
    assert _problems(
        GOOD.replace(
            "engine: conv2d_params, args: {c_in: c_in, c_out: c_out, kernel: k}}",
            "engine: conv9d, args: {}}",
        )
    )


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("a: &x [1]\nb: *x\n", "якоря"),
        ("bank: !!python/object/apply:os.system [ls]\n", "недопустимый тег"),
        ("bank: {slug: a\n", "синтаксическая ошибка"),
        ("bank: 1\nbank: 2\n", "повторяется"),
        ("", "пуст"),
        ("- 1\n", "ожидался словарь"),
    ],
)
def test_hostile_or_broken_yaml(text, fragment):
    problems = _problems(text)
    assert problems and fragment in problems[0]


def test_size_and_encoding_limits():
    assert "больше 2 МБ" in _problems(b"#" * (3 * 1024 * 1024))[0]
    assert "UTF-8" in _problems("bank: ж".encode("cp1251"))[0]


def test_variant_checks_find_broken_templates():
    constant = GOOD.replace(
        "answer: {engine: conv2d_params, args: {c_in: c_in, c_out: c_out, kernel: k}}",
        'answer: {expr: "42"}',
    )
    equal_mistake = GOOD.replace("bias: false", "bias: true")
    rejecting = GOOD.replace(
        "answer: {engine",
        'constraints: ["c_in + c_out == 2 or c_in * c_out == 24"]\n    answer: {engine',
        1,
    )
    for text, code in [
        (constant, "constant_answer"),
        (equal_mistake, "mistake_no_bias"),
        (rejecting, "constraints_reject_often"),
    ]:
        result = parse_bank(text, "bank.yaml")
        assert result.ok, result.problems
        codes = {p.code for p in check_bank_variants(result, "bank.yaml", variants=60)}
        assert code in codes, (code, codes)


def test_names_that_would_shadow_engine_options_are_refused():
    text = GOOD.replace(
        "k: {type: choice", "same: {type: int, min: 1, max: 2, default: 1}\n      k: {type: choice"
    )
    problems = _problems(text)
    assert any("params.same: имя same совпадает" in p for p in problems), problems


def test_a_typical_mistake_that_never_computes_is_reported():
    text = GOOD.replace(
        "args: {c_in: c_in, c_out: c_out, kernel: k, bias: false}",
        "args: {c_in: c_in, c_out: c_out, kernel: [k, k, k], bias: false}",
    )
    result = parse_bank(text, "bank.yaml")
    assert result.ok, result.problems
    codes = {p.code for p in check_bank_variants(result, "bank.yaml", variants=10)}
    assert "mistake_dead_0" in codes
