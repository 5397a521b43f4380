"""The practice index in a real browser: the search filters topics as the student types (the
static script under the site's Content-Security-Policy), and Enter gives the same list from the
server."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from question_bank.services import bank_import

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

BANKS = Path(settings.BASE_DIR) / "question_bank" / "banks"


@pytest.fixture
def banks(db):
    for name in ["01-perceptron.yaml", "07-batchnorm.yaml"]:
        bank_import(data=yaml.safe_load((BANKS / name).read_text(encoding="utf-8")))


def _visible_topics(page) -> list[str]:
    return page.locator("[data-topic]:visible a").all_inner_texts()


def test_search_filters_as_you_type_and_on_enter(page, login, banks):
    login(page)
    page.goto("/practice/")
    everything = _visible_topics(page)
    assert everything[0] == "Перцептрон и полносвязные сети" and "BatchNorm" in everything

    page.get_by_label("Найти тему").fill("xor")
    assert _visible_topics(page) == ["Перцептрон и полносвязные сети", "Логические функции и XOR"]
    assert page.locator("[data-topic-group]:visible").count() == 1

    page.get_by_label("Найти тему").fill("квантовые")
    assert _visible_topics(page) == [] and page.get_by_text("Таких тем нет").is_visible()

    page.get_by_label("Найти тему").fill("")
    assert _visible_topics(page) == everything

    page.get_by_label("Найти тему").fill("нормализ")
    page.get_by_label("Найти тему").press("Enter")
    page.wait_for_url("**/practice/?q=*")
    assert _visible_topics(page) == ["BatchNorm", "Формулы нормализации"]
