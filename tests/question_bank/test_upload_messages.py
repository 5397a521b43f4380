"""What an instructor reads when a bank file is wrong, and what the report says before publishing.

Through the real upload flow (the form, the validation task, the report page) where it is cheap;
the YAML cases that need no database go straight to the native parser.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from question_bank.formats.native import parse_bank
from question_bank.formats.yaml_positions import KEY
from question_bank.models import BankUpload
from tests.question_bank.conftest import demo_yaml, publish, upload

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(r"expected|found|while|scalar|mapping|token|stream")


def _line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def _report(client, name: str, text: str, capture) -> tuple[BankUpload, str]:
    upload(client, name, text, capture)
    row = BankUpload.objects.order_by("-pk").first()
    return row, client.get(reverse("banks:upload", args=[row.pk])).content.decode()


# --- YAML syntax errors -----------------------------------------------------------------------


def test_an_indentation_error_is_told_in_russian_with_its_line_a_hint_and_an_excerpt(
    owner_client, django_capture_on_commit_callbacks
):
    text = demo_yaml().replace("    topic: mlp\n", "   topic: mlp\n", 1)
    row, html = _report(owner_client, "shifted.yaml", text, django_capture_on_commit_callbacks)
    assert row.status == BankUpload.Status.INVALID
    [error] = row.report["errors"]
    line = _line_of(text, "   topic: mlp\n")
    assert (error["line"], error["column"]) == (line, 4)
    assert error["message"].startswith(
        f"синтаксическая ошибка YAML (строка {line}, столбец 4): неверный отступ; "
        "проверьте отступы: элементы одного уровня должны начинаться в одном столбце"
    )
    assert "табуляция не допускается" in error["message"]
    assert not ENGLISH.search(error["message"]), error["message"]
    # The excerpt: the line before and the offending one, numbered, a caret under column 4.
    assert error["excerpt"].splitlines()[-2:] == [
        f"{line} |    topic: mlp",
        " " * len(str(line)) + " |    ^",
    ]
    assert "expected <block end>" in error["details"]  # PyYAML's own words, kept aside
    assert re.search(rf"shifted\.yaml:{line}:4", html)
    assert '<pre class="excerpt">' in html and "<summary>подробности</summary>" in html


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ('bank:\n  slug: a\n  title: "не закрыта\nquestions: []\n', (3, 10), "кавычка не закрыта"),
        ("bank:\n  slug: 'a\n  title: b\n", (2, 9), "кавычка не закрыта"),
        ("bank:\n\tslug: a\n", (2, 1), "символ табуляции"),
        ("bank:\n  slug: a\n    title: b\n", (3, 10), "строка сдвинута вправо"),
        ("bank:\n  title: Вопрос: что это\n", (2, 16), "заключите всё значение в кавычки"),
        ("bank:\n  slug: [a, b\n  title: c\n", (2, 9), "скобка «[» не закрыта"),
        ("bank:\n  slug: a\n  title\n  x: 1\n", (3, 3), "после ключа нет двоеточия"),
    ],
)
def test_common_yaml_mistakes_get_a_russian_hint_and_the_place_to_fix(text, where, what):
    [problem] = parse_bank(text, "b.yaml").problems
    assert (problem.line, problem.column) == where
    assert problem.code == "yaml"
    assert what in problem.message
    assert not ENGLISH.search(problem.message), problem.message
    shown = text.splitlines()[where[0] - 1].replace("\t", "→")
    assert f"{where[0]} | {shown}" in problem.excerpt
    assert problem.excerpt.endswith(" " * (where[1] - 1) + "^")
    assert problem.details  # the parser's text, for the curious


# --- Constraints and engines ------------------------------------------------------------------

BLOCK_CONSTRAINTS = """    constraints:
      - "h1 > h2"
      - "h2 > h3"
      - "h3 > h1"
"""


def test_an_impossible_constraint_is_reported_at_the_constraint_once_worded(
    owner_client, django_capture_on_commit_callbacks
):
    text = demo_yaml().replace('    constraints: ["h1 > h2", "h2 > h3"]\n', BLOCK_CONSTRAINTS, 1)
    row, html = _report(owner_client, "impossible.yaml", text, django_capture_on_commit_callbacks)
    assert row.status == BankUpload.Status.INVALID
    [error] = [e for e in row.report["errors"] if e["code"] == "default_violates_constraint"]
    assert error["line"] == _line_of(text, '- "h3 > h1"')  # not the question's first line
    assert error["message"] == (
        "dense-params: значения параметров по умолчанию (default) нарушают ограничение "
        "«h3 > h1»: измените default у параметров или само ограничение"
    )
    assert "вариант по умолчанию: вариант по умолчанию" not in html


def test_a_constraint_problem_naming_no_constraint_goes_to_constraints():
    from question_bank.validation import _place

    spec = {"constraints": ["a > 0", "b > 0"]}
    assert _place(spec, "constraints_reject_often", "отбрасывают 95 %") == ("constraints", KEY)
    assert _place(spec, "constraints_unsatisfiable", "ограничение «b > 0»") == ("constraints", 1)
    assert _place(spec, "constant_answer", "«b > 0»") == ()


def test_constraints_that_reject_most_draws_are_reported_at_constraints(
    owner_client, django_capture_on_commit_callbacks
):
    narrow = BLOCK_CONSTRAINTS.replace('"h3 > h1"', '"n_in <= 12"') + '      - "h1 >= 300"\n'
    text = demo_yaml().replace('    constraints: ["h1 > h2", "h2 > h3"]\n', narrow, 1)
    row, _html = _report(owner_client, "narrow.yaml", text, django_capture_on_commit_callbacks)
    [error] = [e for e in row.report["errors"] if e["code"] == "constraints_reject_often"]
    assert (error["line"], error["column"]) == (_line_of(text, "    constraints:\n"), 5)
    assert error["message"].startswith("dense-params: ограничения отбрасывают")


def test_a_misspelt_engine_gets_the_name_meant(owner_client, django_capture_on_commit_callbacks):
    text = demo_yaml().replace(
        'answer: {engine: dense_params, args: {sizes: "[n_in, h1, h2, h3, 1]"}}',
        'answer: {engine: dens_params, args: {sizes: "[n_in, h1, h2, h3, 1]"}}',
        1,
    )
    row, html = _report(owner_client, "typo.yaml", text, django_capture_on_commit_callbacks)
    [error] = [e for e in row.report["errors"] if e["code"] == "unknown_engine"]
    assert error["message"].endswith(
        "неизвестный движок «dens_params»; возможно, вы имели в виду dense_params?"
    )
    assert "conv2d_output_shape" not in error["message"]  # not the whole list
    assert error["line"] == _line_of(text, "engine: dens_params")
    assert "возможно, вы имели в виду dense_params?" in html


def test_an_engine_like_no_other_lists_them_all():
    from grader.engines import get, names
    from grader.errors import EngineError

    with pytest.raises(EngineError) as err:
        get("qwertyuiop")
    assert err.value.code == "unknown_engine"
    assert "возможно" not in err.value.message
    assert err.value.message.endswith("доступны: " + ", ".join(names()))


def test_a_misspelt_engine_argument_gets_the_name_meant():
    text = demo_yaml().replace(
        'args: {sizes: "[n_in, h1, h2, h3, 1]", bias: false}',
        'args: {sizes: "[n_in, h1, h2, h3, 1]", bais: false}',
        1,
    )
    problems = [p for p in parse_bank(text, "b.yaml").problems if p.code == "unknown_arg"]
    assert [p.message.split(": ", 1)[1] for p in problems] == [
        "у движка dense_params нет аргумента bais; возможно, вы имели в виду bias?"
    ]


# --- The upload report ------------------------------------------------------------------------


def test_a_new_bank_report_says_what_will_be_created_and_how_many_variants_were_checked(
    owner_client, settings, django_capture_on_commit_callbacks
):
    row, html = _report(
        owner_client, "my-demo.yaml", demo_yaml(), django_capture_on_commit_callbacks
    )
    assert row.status == BankUpload.Status.VALID
    templates = sum(1 for q in row.report["questions"] if q["template"])
    fixed = len(row.report["questions"]) - templates
    n = settings.BANK_UPLOAD_VARIANTS
    assert row.report["variants"] == {
        "drawn": n,
        "per_template": n + 1,
        "templates": templates,
        "fixed": fixed,
        "total": templates * (n + 1) + fixed,
    }
    text = re.sub(r"\s+", " ", html)
    assert "изменённые вопросы получат новые версии" not in text
    assert "будет создан банк, в нём вопросов: 9." in text
    assert "будут созданы банк и вопросов: 9" in text
    assert (
        f"Проверено вариантов: по {n + 1} у каждого из шаблонов ({templates}): {n} случайных и "
        f"вариант по умолчанию, по одному у вопросов без параметров ({fixed}); всего "
        f"{templates * (n + 1) + fixed}." in text
    )


def test_an_existing_bank_report_counts_new_changed_and_unchanged(
    owner_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    upload(owner_client, "my-demo.yaml", demo_yaml(), capture)
    publish(owner_client, BankUpload.objects.get().pk, capture)
    changed = demo_yaml().replace(
        'answer: {engine: dense_params, args: {sizes: "[n_in, h1, h2, h3, 1]"}}',
        'answer: {engine: dense_params, args: {sizes: "[n_in, h1, h2, h3, 2]"}}',
    )
    row, html = _report(owner_client, "my-demo.yaml", changed, capture)
    text = re.sub(r"\s+", " ", html)
    assert "Новых вопросов нет." in text
    assert (
        "Изменённых вопросов: 1 — получат новые версии; старые версии останутся у тестов и "
        "попыток." in text
    )
    assert "Без изменений: 8 — останутся как есть." in text
    assert "будет создано новых вопросов: 0, новых версий: 1" in text


def test_thousands_are_grouped_as_russian_prints_them():
    from question_bank.templatetags.banks import thousands

    assert thousands(2280) == "2\u00a0280"
    assert thousands(201) == "201"
    assert thousands(None) == ""


def test_the_command_line_shows_the_excerpt_too(tmp_path, capsys):
    from django.core.management import CommandError, call_command

    path = tmp_path / "shifted.yaml"
    path.write_text("bank:\n  slug: a\n    title: b\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("validate_bank", str(path), "--variants", "1")
    out = capsys.readouterr().out
    assert "shifted.yaml:3:10: синтаксическая ошибка YAML" in out
    assert "3 |     title: b\n  |          ^" in out
