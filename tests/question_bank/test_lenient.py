"""Strict by default, lenient on request: `import_bank --skip-invalid` and the services keep the
valid questions of a file and name every one left out (name, type, line, reason), in any format;
a strict refusal changes nothing already stored."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from question_bank.formats import parse_file
from question_bank.models import Bank, Question, QuestionVersion
from question_bank.services import BankInvalid, bank_import_file, bank_validate_file
from tests.conftest import DEMO

MOODLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Сети</text></category></question>
  <question type="truefalse">
    <name><text>Верно ли</text></name>
    <questiontext format="html"><text>Сигмоида ограничена?</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
  <question type="multichoice">
    <name><text>Без верного</text></name>
    <questiontext format="html"><text>Какой слой?</text></questiontext>
    <answer fraction="0"><text>a</text></answer>
    <answer fraction="0"><text>b</text></answer>
  </question>
  <question type="ddmarker">
    <name><text>Перетаскивание</text></name>
    <questiontext format="html"><text>Отметьте слои на схеме</text></questiontext>
  </question>
</quiz>
"""
ONLY_SKIPPED = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="randomsamatch"><name><text>Пары</text></name></question>
  <question type="ordering"><name><text>Порядок</text></name></question>
</quiz>
"""
GIFT = """::Хороший::Какая функция активации ограничена? {=сигмоида ~ReLU}

::Сломанный::Сколько слоёв? {#три}

::Ещё хороший::Dropout отключает нейроны. {T}
"""


def _demo(tmp_path, text: str, name: str = "demo.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _broken_demo() -> str:
    """The demo bank with one question broken (an unknown kind at dense-params' neighbour)."""
    return DEMO.read_text(encoding="utf-8").replace("kind: matrix", "kind: tensor")


# ---------------------------------------------------------------------------------------------
# Parsing: every format


def test_moodle_lenient_keeps_the_rest_and_names_the_broken():
    strict = parse_file(MOODLE.encode(), "m.xml")
    assert not strict.ok  # the default stays all or nothing
    result = parse_file(MOODLE.encode(), "m.xml", skip_invalid=True)
    assert result.ok and [q["title"] for q in result.bank["questions"]] == ["Верно ли"]
    [skipped] = [p for p in result.problems if p.severity == "skipped"]
    assert skipped.question.as_dict() == {"name": "Без верного", "type": "multichoice", "line": 10}
    assert "нет ни одного верного варианта" in skipped.message
    assert str(skipped).startswith("m.xml:10: вопрос пропущен: вопрос «Без верного»")
    # An unsupported type stays a warning that names it (it never stopped anything).
    assert any(p.code == "unsupported_type" and p.question.type == "ddmarker"
               for p in result.problems)  # fmt: skip


def test_gift_lenient_keeps_the_rest():
    assert not parse_file(GIFT.encode(), "g.gift").ok
    result = parse_file(GIFT.encode(), "g.gift", skip_invalid=True)
    assert result.ok
    assert [q["title"] for q in result.bank["questions"]] == ["Хороший", "Ещё хороший"]
    [skipped] = [p for p in result.problems if p.severity == "skipped"]
    assert skipped.line == 3 and "Сломанный" in skipped.message
    # Named as the Moodle types are: its title, where it came from, the line it starts on.
    assert skipped.question.name == "Сломанный" and skipped.question.type == "gift"


def test_native_lenient_leaves_out_the_broken_question_and_renumbers_positions():
    text = _broken_demo()
    strict = parse_file(text.encode(), "demo.yaml")
    assert strict.bank is None
    result = parse_file(text.encode(), "demo.yaml", skip_invalid=True)
    assert result.ok
    slugs = [q["slug"] for q in result.bank["questions"]]
    assert len(slugs) == 8 and "conv-small" not in slugs
    skipped = [p for p in result.problems if p.severity == "skipped"]
    assert skipped and {p.question.slug for p in skipped} == {"conv-small"}
    assert all(p.question.type == "tensor" and p.line for p in skipped)
    line = text[: text.index("- slug: conv-small")].count("\n") + 1
    assert {p.question.line for p in skipped} == {line}
    # Positions follow the questions that remain: the one after conv-small moved up.
    after = slugs.index("sigmoid-derivative")
    at = text[: text.index("- slug: sigmoid-derivative")].count("\n") + 1
    assert result.positions[("questions", after)][0] == at


def test_native_lenient_still_refuses_an_error_outside_the_questions():
    text = _broken_demo().replace("  slug: demo\n", "  slug: Not A Slug\n", 1)
    result = parse_file(text.encode(), "demo.yaml", skip_invalid=True)
    assert result.bank is None and not result.ok
    assert any(p.severity == "error" and p.question is None for p in result.problems)


def test_lenient_with_nothing_left_is_refused_and_says_why():
    result = parse_file(MOODLE.replace('fraction="100"', 'fraction="0"').encode(), "m.xml",
                        skip_invalid=True)  # fmt: skip
    assert result.bank is None
    empty = result.problems[-1]
    assert empty.code == "empty" and "«Верно ли» (truefalse, строка 4)" in empty.message
    assert "«Без верного» (multichoice, строка 10)" in empty.message


# ---------------------------------------------------------------------------------------------
# Services and commands


@pytest.mark.django_db
def test_variant_errors_are_skippable_too():
    text = DEMO.read_text(encoding="utf-8").replace(
        'constraints: ["h1 > h2", "h2 > h3"]', 'constraints: ["h1 > h2", "h2 > h1"]'
    )
    with pytest.raises(BankInvalid):
        bank_import_file(data=text.encode(), filename="demo.yaml", variants=5)
    assert not Bank.objects.exists()
    result, problems = bank_validate_file(
        data=text.encode(), filename="demo.yaml", variants=5, skip_invalid=True
    )
    assert result.ok and "dense-params" not in [q["slug"] for q in result.bank["questions"]]
    assert {p.question.slug for p in problems if p.severity == "skipped"} == {"dense-params"}
    bank, versions, _ = bank_import_file(
        data=text.encode(), filename="demo.yaml", variants=5, skip_invalid=True
    )
    assert len(versions) == 8


@pytest.mark.django_db
def test_strict_refusal_loses_nothing_stored_and_lenient_keeps_the_broken_ones_stored(
    tmp_path, capsys
):
    call_command("import_bank", str(DEMO), "--variants", "5")
    stored = {q.slug: q.versions.get().pk for q in Question.objects.all()}
    assert len(stored) == 9
    # The new version of the file renames the bank and breaks conv-small.
    text = _broken_demo().replace(
        'title: "Демо: все типы вопросов"', 'title: "Демо, новая версия"', 1
    )
    path = _demo(tmp_path, text)

    with pytest.raises(CommandError):
        call_command("import_bank", path, "--variants", "5")
    assert Bank.objects.get().title == "Демо: все типы вопросов"
    assert {q.slug: q.versions.get().pk for q in Question.objects.all()} == stored
    assert not Question.objects.filter(is_archived=True).exists()

    capsys.readouterr()
    call_command("import_bank", path, "--variants", "5", "--skip-invalid")
    out = capsys.readouterr().out
    assert Bank.objects.get().title == "Демо, новая версия"
    assert (
        "demo.yaml: банк «Демо, новая версия», вопросов 8, пропущено вопросов с ошибками: 1" in out
    )
    assert "вопрос пропущен: questions[" in out and "kind" in out
    # The question left out keeps its stored version and stays in the bank.
    conv = Question.objects.get(slug="conv-small")
    assert not conv.is_archived and conv.versions.get().pk == stored["conv-small"]
    assert QuestionVersion.objects.count() == 9


@pytest.mark.django_db
def test_import_bank_says_why_a_file_gave_nothing(tmp_path, capsys):
    path = _demo(tmp_path, ONLY_SKIPPED, "only.xml")
    with pytest.raises(CommandError):
        call_command("import_bank", path)
    out = capsys.readouterr().out
    # Each question left out, with its type and line, and the refusal that sums them up.
    said = "only.xml:3: предупреждение: вопрос «Пары»: тип «randomsamatch — случайный вопрос"
    assert said in out
    assert "only.xml:4: предупреждение: вопрос «Порядок»: тип «ordering" in out
    why = ("пропущено вопросов: 2 — «Пары» (randomsamatch, строка 3), "
           "«Порядок» (ordering, строка 4)")  # fmt: skip
    assert why in out
    # validate_bank says it in the same words.
    with pytest.raises(CommandError):
        call_command("validate_bank", path)
    assert why in capsys.readouterr().out


@pytest.mark.django_db
def test_import_bank_skip_invalid_on_moodle(tmp_path, capsys):
    path = _demo(tmp_path, MOODLE, "m.xml")
    with pytest.raises(CommandError):
        call_command("import_bank", path)
    assert not Bank.objects.exists()
    call_command("import_bank", path, "--skip-invalid")
    out = capsys.readouterr().out
    assert "m.xml:10: вопрос пропущен: вопрос «Без верного»: нет ни одного верного варианта" in out
    assert "вопросов 1, пропущено вопросов с ошибками: 1" in out
    assert list(Question.objects.values_list("title", flat=True)) == ["Верно ли"]
