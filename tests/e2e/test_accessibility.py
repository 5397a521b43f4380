"""Accessible basics on the student's pages, checked in the browser: every control has a name,
no positive tabindex upsets the focus order, the page is Russian, and Tab reaches the answer."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from question_bank.models import Topic

pytestmark = pytest.mark.django_db(transaction=True)

# Controls (visible ones) whose accessible name is empty: no <label>, aria-label(ledby) or title.
UNNAMED = """() => {
  const controls = [...document.querySelectorAll('input, select, textarea, button, a[href]')];
  return controls.filter(el => {
    if (el.type === 'hidden' || el.offsetParent === null) return false;
    const byLabel = el.labels && [...el.labels].some(l => l.textContent.trim());
    const aria = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    const text = (el.tagName === 'BUTTON' || el.tagName === 'A') && el.textContent.trim();
    return !(byLabel || aria || text || el.title);
  }).map(el => el.outerHTML.slice(0, 120));
}"""


def test_main_pages_have_named_controls_and_natural_focus_order(page, login):
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    login(page)
    topic = Topic.objects.get(bank__slug="demo", slug="regularization")
    page.goto("/quiz/demo-exam/")
    page.get_by_role("button", name="Начать попытку").click()
    page.wait_for_url("**/attempt/**")
    attempt_url = page.url
    for url in (
        "/",
        "/practice/",
        f"/practice/topic/{topic.pk}/",
        "/cards/",
        "/cards/decks/",
        "/quiz/demo-exam/",
        attempt_url,
    ):
        page.goto(url)
        assert page.evaluate("document.documentElement.lang") == "ru", url
        assert page.evaluate(UNNAMED) == [], url
        assert page.locator("[tabindex]:not([tabindex='0']):not([tabindex='-1'])").count() == 0, url
    # From the top of the attempt page, Tab reaches the first answer before the finish button.
    page.goto(attempt_url)
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                "document.activeElement.name || document.activeElement.textContent.trim()"
            )
        )
        if reached[-1] in ("answer", "choice"):
            break
    assert reached[-1] in ("answer", "choice"), reached
    assert "Завершить попытку" not in reached
