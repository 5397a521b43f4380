"""The instructor's bank page and question previews of the new kinds (multi-part, matching,
description), in a real browser: each field's key and options, the pairs, the information text;
axe-clean, fitting a 360 px phone."""

from __future__ import annotations

import pytest
import yaml
from django.urls import reverse

from question_bank.models import Bank
from question_bank.services import bank_import_file
from quizapp.core.roles import INSTRUCTOR_GROUP
from tests.conftest import make_user
from tests.e2e.axe import axe_violations, describe
from tests.e2e.test_multi_field_answers import INTRO, MATCHING, MULTIPART

pytestmark = pytest.mark.django_db(transaction=True)


def _bank_file() -> bytes:
    questions = [
        {"slug": "intro", "title": "Вводная", "topic": "t", **INTRO},
        {"slug": "act-match", "title": "Активации и их значения", "topic": "t", **MATCHING},
        {
            "slug": "conv-parts",
            "title": "Выход свёртки",
            "topic": "t",
            **MULTIPART,
            # a bank file's parameters name their default variant
            "params": {"n": {**MULTIPART["params"]["n"], "default": 8}},
        },
    ]
    bank = {
        "format": "neurozachet-bank/1",
        "bank": {"slug": "new-kinds", "title": "Новые типы"},
        "topics": [{"slug": "t", "title": "Свёртки и активации"}],
        "questions": questions,
    }
    return yaml.safe_dump(bank, allow_unicode=True, sort_keys=False).encode()


def test_bank_page_and_previews_of_the_new_kinds(page, django_user_model, shot):
    teacher = make_user(django_user_model, "teacher", INSTRUCTOR_GROUP)
    bank_import_file(data=_bank_file(), filename="new-kinds.yaml", variants=20, user=teacher)
    bank = Bank.objects.get(slug="new-kinds")
    page.goto("/login/")
    page.get_by_label("Имя пользователя").fill("teacher")
    page.get_by_label("Пароль").fill("pw-teacher-1")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")

    page.goto(reverse("banks:detail", args=[bank.pk]))
    for title in ("Вводная", "Активации и их значения", "Выход свёртки"):
        assert page.get_by_text(title).first.is_visible()
    for question in bank.questions.order_by("slug"):
        page.goto(reverse("banks:preview", args=[bank.pk, question.pk]))
        body = page.locator("main").inner_text()
        if question.kind == "matching":
            assert "сигмоида" in body and "ReLU" in body
        if question.kind == "multipart":
            assert "(1)" in body and "(2)" in body and "не меняется" in body
        if question.kind == "description":
            assert "Две задачи" in body
        violations = axe_violations(page)
        assert not violations, describe(violations, f"{question.slug}: ")
        shot(page, f"preview-{question.kind}")
        shot(page, f"preview-{question.kind}-360", width=360)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, question.slug
        page.set_viewport_size({"width": 1280, "height": 900})
