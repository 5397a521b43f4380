"""Issue 12 §2 in a real browser: «42» typed into a vector question is shown as unreadable before
the finish (under the box, on the question, in the navigation, in the confirmation) and is not
scored as wrong after it. The question is fixed: the demo quiz's «dropout-vector»."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from quizapp.models import Attempt, Response
from tests.e2e.conftest import start_attempt

pytestmark = pytest.mark.django_db(transaction=True)

UNREADABLE = "Ответ не распознан: Ожидался вектор из 3 элементов, получен 1."


def test_typing_42_into_a_vector_question_shows_it_unreadable_before_finishing(page, login, shot):
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    login(page)
    attempt = start_attempt(page, "demo")
    position = attempt.items.get(version__question__slug="dropout-vector").position

    box = page.locator(f"#answer-{position}")
    box.fill("42")
    # While typing: the preview, the question's badge and its chip in the navigation.
    page.wait_for_function(
        "([pos, text]) => document.getElementById('preview-' + pos).textContent.startsWith(text)",
        arg=[position, UNREADABLE],
    )
    assert page.locator(f"#unreadable-{position}").is_visible()
    assert "unreadable" in page.locator(f"#nav-{position}").get_attribute("class")
    page.wait_for_function(
        "pos => document.getElementById('saved-' + pos).textContent.startsWith('Сохранено в')",
        arg=position,
    )
    assert page.locator("#unreadable-count").inner_text().startswith("1 ответ не распознан.")
    assert attempt.items.get(position=position).draft == "42"

    # After a reload the page says it from the saved draft, without typing.
    page.reload()
    assert page.locator(f"#preview-{position}").inner_text().startswith(UNREADABLE)
    assert page.locator(f"#unreadable-{position}").is_visible()
    assert "unreadable" in page.locator(f"#nav-{position}").get_attribute("class")
    page.locator(f"#item-{position}").scroll_into_view_if_needed()
    shot(page, "unreadable-question")
    shot(page, "unreadable-question-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})

    # «Завершить попытку» asks first, and links to the question to fix.
    page.get_by_role("button", name="Завершить попытку").click()
    page.wait_for_selector("text=1 ответ не распознан.")
    assert Attempt.objects.get(pk=attempt.pk).status == Attempt.Status.IN_PROGRESS
    link = page.get_by_role("link", name=f"Вопрос {position}", exact=True).first
    assert link.get_attribute("href").endswith(f"#item-{position}")
    shot(page, "unreadable-confirm")
    shot(page, "unreadable-confirm-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Завершить", exact=True).click()
    page.wait_for_selector("text=Результат попытки 1")
    response = Response.objects.filter(item__attempt=attempt, item__position=position).get()
    assert response.status == Response.Status.INVALID and response.score is None
    section = page.locator(f"#item-{position}")
    assert "Не распознан — ждёт решения преподавателя" in section.inner_text()
    assert "Неверно" not in section.inner_text()
    assert page.locator("text=Балл предварительный.").is_visible()
    shot(page, "unreadable-result")
    shot(page, "unreadable-result-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
