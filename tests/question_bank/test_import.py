"""Importing banks: all or nothing, new versions on change, attempts keep their version."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from question_bank.models import Bank, Question, QuestionVersion
from question_bank.services import BankInvalid, bank_import_file
from quizapp.attempts import services
from tests.conftest import DEMO

pytestmark = pytest.mark.django_db


def test_invalid_file_changes_nothing(demo_quiz, tmp_path, capsys):
    before = (Bank.objects.count(), Question.objects.count(), QuestionVersion.objects.count())
    text = DEMO.read_text(encoding="utf-8")
    broken = text.replace('title: "Демо: все типы вопросов"', 'title: "Новое название"', 1)
    broken = broken.replace("kind: matrix", "kind: tensor")  # one bad question spoils the file
    path = tmp_path / "demo.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_bank", str(path), "--variants", "5")
    out = capsys.readouterr().out
    assert "demo.yaml:" in out and "kind" in out
    after = (Bank.objects.count(), Question.objects.count(), QuestionVersion.objects.count())
    assert after == before
    assert Bank.objects.get(slug="demo").title == "Демо: все типы вопросов"


def test_changed_question_gets_a_new_version_and_old_attempts_keep_theirs(demo_quiz, student):
    import grader

    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = attempt.items.get(version__question__slug="dense-params")
    old_version, old_key = item.version, grader.grade(item.version.spec, item.seed, "0").expected

    changed = DEMO.read_text(encoding="utf-8").replace(
        'answer: {engine: dense_params, args: {sizes: "[n_in, h1, h2, h3, 1]"}}',
        'answer: {engine: dense_params, args: {sizes: "[n_in, h1, h2, h3, 2]"}}',
    )
    bank, versions, _ = bank_import_file(data=changed.encode(), filename="demo.yaml", variants=5)
    question = Question.objects.get(bank=bank, slug="dense-params")
    assert question.versions.count() == 2
    assert QuestionVersion.objects.filter(question__bank=bank).count() == 9 + 1

    item.refresh_from_db()
    assert item.version == old_version
    assert grader.grade(item.version.spec, item.seed, "0").expected == old_key
    services.attempt_finish(attempt=attempt)
    new_attempt = services.attempt_start(user=student, quiz=demo_quiz)
    new_item = new_attempt.items.get(version__question__slug="dense-params")
    assert new_item.version.number == 2


def test_service_reports_every_problem(db):
    text = DEMO.read_text(encoding="utf-8").replace("kind: matrix", "kind: tensor")
    text = text.replace("slug: cnn,", "slug: CNN,")
    with pytest.raises(BankInvalid) as err:
        bank_import_file(data=text.encode(), filename="demo.yaml", variants=5)
    assert len(err.value.problems) >= 2
    assert all(p.line for p in err.value.problems)
    assert not Bank.objects.exists()


def test_validate_bank_command(capsys):
    call_command("validate_bank", str(DEMO), "--variants", "10")
    assert "вопросов 9, шаблонов 4, ошибок 0" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("validate_bank", "/nonexistent.yaml")
