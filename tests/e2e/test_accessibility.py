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


def _focused(page) -> dict:
    return page.evaluate(
        """() => { const el = document.activeElement;
                   return {tag: el.tagName.toLowerCase(), id: el.id, name: el.name || '',
                           text: el.textContent.trim().slice(0, 40),
                           inMain: !!el.closest('main'),
                           visible: el.getBoundingClientRect().top >= 0
                                    && el.getBoundingClientRect().height > 0}; }"""
    )


def test_skip_link_leads_past_the_navigation_to_the_answer(page, login):
    """The first Tab of a page is «Перейти к содержанию», visible while focused; Enter moves the
    focus into main; on a question of an attempt the answer box is two Tabs further (it was
    seven: the site's navigation and the bar of question links came first)."""
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    login(page)
    page.goto("/")
    page.keyboard.press("Tab")
    assert _focused(page) | {"visible": True} == _focused(page)  # on screen while focused
    assert _focused(page)["text"] == "Перейти к содержанию"
    page.keyboard.press("Enter")
    assert _focused(page)["tag"] == "main" and _focused(page)["id"] == "content"

    page.goto("/quiz/demo-exam/")
    page.get_by_role("button", name="Начать попытку").click()
    page.wait_for_url("**/attempt/**")
    page.wait_for_load_state()
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Перейти к содержанию"
    page.keyboard.press("Enter")
    assert _focused(page)["inMain"]
    reached = []
    for _ in range(3):
        page.keyboard.press("Tab")
        reached.append(_focused(page))
        if reached[-1]["name"] in ("answer", "choice"):
            break
    assert reached[-1]["name"] in ("answer", "choice"), reached
    assert len(reached) <= 3


def test_enter_accepts_the_proposed_rating_after_a_typed_answer(page, login):
    """A typed flashcard answer is checked, the page comes back at «#card» with the proposed
    rating focused, and Enter records that rating."""
    from quizapp.models import FlashcardReview, StudyDeck

    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    student = login(page)
    mlp = Topic.objects.get(bank__slug="demo", slug="mlp")  # numeric templates only
    StudyDeck.objects.create(user=student, bank=mlp.bank, topic=mlp)
    page.goto("/cards/")
    page.fill("#fc-answer", "1")  # wrong: the check proposes «again»
    page.keyboard.press("Enter")
    page.wait_for_url("**/cards/?card=*#card")
    page.wait_for_selector(".fc-card .solution")
    focused = page.evaluate(
        "() => ({cls: document.activeElement.className, value: document.activeElement.value})"
    )
    assert "proposed" in focused["cls"], focused
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.fc-progress').textContent.includes('Сделано сегодня: 1 из')"
    )
    reviews = list(FlashcardReview.objects.filter(user=student).values_list("rating", flat=True))
    assert reviews == [int(focused["value"])]


def test_formulas_are_named_in_the_accessibility_tree(browser):
    """Chromium names a <math> by its aria-label only (alttext is not mapped): the spoken form
    reaches the accessibility tree instead of «mu B» and «y ^»."""
    from quizapp.core.mathml import render_math

    html = render_math(r"Среднее $\mu_B$ и выход $\hat y = 0.5$.", ",")
    context = browser.new_context(locale="ru-RU")
    try:
        page = context.new_page()
        page.set_content(f'<!doctype html><html lang="ru"><body><p>{html}</p></body></html>')
        snapshot = page.locator("p").aria_snapshot()
        cdp = context.new_cdp_session(page)
        names = [
            node.get("name", {}).get("value")
            for node in cdp.send("Accessibility.getFullAXTree")["nodes"]
            if node.get("role", {}).get("value") == "MathMLMath"
        ]
    finally:
        context.close()
    assert names == ["мю с индексом B", "y с крышкой равно 0,5"], names
    assert 'math "мю с индексом B"' in snapshot, snapshot
