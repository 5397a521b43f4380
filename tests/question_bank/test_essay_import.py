"""The lecturer's choice at import: essays graded by the instructor (the default) or self-check
cards — through `import_bank --essays-as-cards` and the upload form's checkbox, for Moodle XML
and GIFT."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from question_bank.models import BankUpload, Question
from tests.question_bank.conftest import publish, upload

pytestmark = pytest.mark.django_db

GIFT = """::Dropout::Объясните, зачем нужен Dropout.{
####Чтобы сеть не переобучалась.}

::Без образца::Опишите свёртку своими словами.{}
"""

MOODLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="essay">
    <name><text>Переобучение</text></name>
    <questiontext format="html"><text>Что такое переобучение?</text></questiontext>
    <generalfeedback format="html"><text>Ошибка на валидации растёт.</text></generalfeedback>
    <graderinfo format="html"><text>2 балла за признаки.</text></graderinfo>
  </question>
</quiz>
"""


def _kinds() -> dict:
    return dict(Question.objects.values_list("title", "kind"))


@pytest.mark.parametrize(("name", "content"), [("essays.gift", GIFT), ("essays.xml", MOODLE)])
def test_import_bank_keeps_essays_unless_asked_for_cards(tmp_path, capsys, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    call_command("import_bank", str(path), "--variants", "2")
    assert set(_kinds().values()) == {"essay"}
    Question.objects.all().delete()
    call_command("import_bank", str(path), "--variants", "2", "--essays-as-cards")
    assert set(_kinds().values()) == {"flashcard"}
    out = capsys.readouterr().out
    if name.endswith(".gift"):  # the plain essay: a card saying there is no model answer
        assert "essays.gift:4:" in out and "без образца ответа" in out


def test_the_upload_form_offers_the_choice_and_keeps_it_until_publication(
    owner_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    form = owner_client.get("/banks/upload/").content.decode()
    assert 'name="essays_as_cards"' in form and "Эссе — карточками для самопроверки" in form
    upload(owner_client, "cards.gift", GIFT, capture, essays_as_cards="on")
    cards = BankUpload.objects.get()
    assert cards.report["essays_as_cards"] is True
    assert {q["kind"] for q in cards.report["questions"]} == {Question.Kind.FLASHCARD.label}
    publish(owner_client, cards.pk, capture)
    assert set(_kinds().values()) == {"flashcard"}


def test_the_upload_form_imports_essays_by_default(
    owner_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    upload(owner_client, "essays.xml", MOODLE, capture)
    essays = BankUpload.objects.get()
    assert "essays_as_cards" not in essays.report
    publish(owner_client, essays.pk, capture)
    question = Question.objects.get()
    assert question.kind == "essay"
    assert question.versions.get().spec["rubric"] == "2 балла за признаки."
