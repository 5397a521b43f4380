"""Printed tickets in a real browser: the builder's button, the form's two downloads (the same
batch in both), and the key page a ticket's QR code opens, on a desktop and a 360 px phone."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from quizapp.tickets import services
from tests.e2e.axe import axe_violations, describe
from tests.quizapp.tickets.paper import tickets_course, tickets_quiz  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in_owner(page):
    page.goto("/login/")
    page.fill("#id_username", "owner")
    page.fill("#id_password", "pw-owner-1")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")


def test_print_tickets_and_open_a_key_from_its_qr(request, page, shot, owner):
    quiz = request.getfixturevalue("tickets_quiz")
    request.getfixturevalue("tickets_course")
    _log_in_owner(page)
    page.goto(f"/teach/quizzes/{quiz.pk}/")
    path = shot(page, "quiz-edit-tickets-button-360", width=360)
    page.screenshot(path=str(path.with_name("quiz-edit-tickets-button-360-top.png")))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Билеты на бумаге (PDF)").click()
    page.wait_for_selector(".tickets-form")
    shot(page, "tickets-form-desktop")
    assert axe_violations(page) == [], describe(axe_violations(page))
    shot(page, "tickets-form-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})

    batch = page.locator("input[name=batch]").input_value()
    page.fill("#id_count", "2")
    texts = {}
    for label in ("Скачать билеты (PDF)", "Скачать ключи (PDF)"):
        with page.expect_download() as info:
            page.get_by_role("button", name=label).click()
        body = open(info.value.path(), "rb").read()
        texts[label] = "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert "Билет № 2" in texts["Скачать билеты (PDF)"]
    tickets = services.tickets_build(quiz=quiz, batch=batch, count=2)
    assert str(tickets[1].items[1].seed) in texts["Скачать ключи (PDF)"]

    # What the QR code of ticket 2 opens.
    page.goto(services.ticket_url(tickets[1], base_url=""))
    page.wait_for_selector("h1:has-text('Ключ к билету № 2')")
    assert page.locator(".ticket-key-item .solution").count() >= 5
    shot(page, "ticket-key-desktop")
    assert axe_violations(page) == [], describe(axe_violations(page))
    path = shot(page, "ticket-key-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The full page is too tall to look at: its top and two items of their own at 360 px.
    page.screenshot(path=str(path.with_name("ticket-key-360-top.png")))
    for number in (3, 8):
        page.locator(f"#item-{number}").screenshot(
            path=str(path.with_name(f"ticket-key-360-item-{number}.png"))
        )
