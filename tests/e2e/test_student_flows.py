"""What a student does, in a real browser: register, practise, take a timed quiz, review cards."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
import yaml
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from grader.variants import variant
from question_bank.models import Topic
from question_bank.services import bank_import_file
from quizapp.models import Attempt, FlashcardReview, Response, StudyDeck
from tests.e2e.conftest import start_attempt
from tests.question_bank.banks import load, spec_of

pytestmark = pytest.mark.django_db(transaction=True)

DROPOUT_SLUG = "dropout-layer-off-numeric"  # P = p^n: a decimal answer


def _import(bank: dict, questions: list[dict], topics: list[dict]):
    data = {"format": "neurozachet-bank/1", "bank": bank, "topics": topics, "questions": questions}
    raw = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()
    return bank_import_file(data=raw, filename="e2e.yaml", variants=5)


@pytest.fixture
def dropout_topic(db) -> Topic:
    """A bank whose «Dropout» topic holds one numeric template from the bundled bank."""
    question = next(q for q in load("06-regularization")["questions"] if q["slug"] == DROPOUT_SLUG)
    _import(
        {"slug": "e2e-dropout", "title": "Регуляризация (e2e)"},
        [question],
        [{"slug": "dropout", "title": "Dropout"}],
    )
    return Topic.objects.get(bank__slug="e2e-dropout", slug="dropout")


def _session_data(page) -> dict:
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    return Session.objects.get(session_key=cookie["value"]).get_decoded()


def test_register_practise_dropout_with_decimal_comma_and_see_solution(page, shot, dropout_topic):
    page.goto("/register/")
    page.fill("#id_username", "masha")
    page.fill("#id_email", "masha@example.org")
    page.fill("#id_password1", "Dropout-inverted-7")
    page.fill("#id_password2", "Dropout-inverted-7")
    page.get_by_role("button", name="Зарегистрироваться").click()
    page.wait_for_url("**/")
    assert page.locator("header .who").inner_text() == "masha"

    page.get_by_role("link", name="Тренировка").first.click()
    page.get_by_role("link", name="Dropout").click()
    page.wait_for_url(f"**/practice/topic/{dropout_topic.pk}/")
    page.wait_for_load_state()
    assert "Вероятность отключения всего слоя" in page.content()

    # The variant on screen is kept in the session; its key, written with a decimal comma.
    kept = _session_data(page)[f"practice:{dropout_topic.pk}"]
    params = variant(spec_of("06-regularization", DROPOUT_SLUG), kept["seed"]).params
    assert f"{params['n']}" in page.locator(".question .text").inner_text()
    key = float(params["p"]) ** params["n"]
    typed = f"{key:.6f}".rstrip("0").replace(".", ",")
    box = page.get_by_label(re.compile("Ваш ответ"))
    box.fill(typed)
    # The preview says how the comma was understood before anything is submitted, in the
    # reader's own mark.
    page.wait_for_function(
        "() => document.querySelector('.preview').textContent.includes('Понято как')"
    )
    assert f"Понято как: {typed}" in page.locator(".preview").inner_text()
    page.get_by_role("button", name="Ответить").click()
    page.wait_for_selector(".verdict.ok")
    solution = page.locator(".solution")
    assert "Решение" in solution.inner_text()
    # The worked solution uses the student's own numbers.
    assert f"{params['n']}" in solution.inner_text()
    shot(page, "solved-question")
    shot(page, "solved-question-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    assert "Слабые темы" in page.content() and "Dropout" in page.content()
    shot(page, "dashboard")


def test_timed_quiz_survives_reload_and_lost_connection(page, shot, login):
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    login(page)
    attempt = start_attempt(page, "demo-exam")
    assert re.fullmatch(r"1[45]:\d\d", page.locator("#timer-left").inner_text())
    # The seeds are fixed (conftest.fixed_seeds): every run draws these questions, in this order,
    # the café network among them (its solution once made the result page wider than a phone).
    assert list(
        attempt.items.order_by("position").values_list("version__question__slug", flat=True)
    ) == [
        "dropout-vector",
        "bounded-activations",
        "conv-small",
        "cafe-network",
        "lstm-gates",
        "dropout-name",
    ]

    boxes = page.locator("input[name=answer]")
    first, second = boxes.nth(0), boxes.nth(1)
    first.fill("0,5")
    page.wait_for_selector("#saved-" + first.evaluate("el => el.form.dataset.position"))
    page.wait_for_function(
        "pos => document.getElementById('saved-' + pos).textContent.startsWith('Сохранено в')",
        arg=first.evaluate("el => el.form.dataset.position"),
    )
    # Typed and reloaded at once: the autosave may not have reached the server.
    second.fill("[0; 2,5; 0]")
    page.reload()
    boxes = page.locator("input[name=answer]")
    assert boxes.nth(0).input_value() == "0,5"
    assert boxes.nth(1).input_value() == "[0; 2,5; 0]"
    assert page.locator("#answered-count").inner_text() == "2"

    # The connection drops while the student types: the answer waits in the browser.
    page.context.set_offline(True)
    third = boxes.nth(2)
    position = third.evaluate("el => el.form.dataset.position")
    third.fill("42")
    page.wait_for_function(
        "pos => document.getElementById('saved-' + pos).textContent.startsWith('Нет связи')",
        arg=position,
    )
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function(
        "pos => document.getElementById('saved-' + pos).textContent.startsWith('Сохранено в')",
        arg=position,
    )
    drafts = dict(attempt.items.values_list("position", "draft"))
    assert drafts[int(position)] == "42"
    assert sorted(d for d in drafts.values() if d) == sorted(["0,5", "[0; 2,5; 0]", "42"])
    shot(page, "quiz-in-progress")

    # «Завершить попытку» opens the confirmation (it counts unanswered and unreadable answers).
    page.get_by_role("button", name="Завершить попытку").click()
    page.wait_for_selector("text=Завершить попытку 1?")
    page.get_by_role("button", name="Завершить", exact=True).click()
    page.wait_for_selector("text=Результат попытки 1")
    attempt.refresh_from_db()
    assert attempt.status == "finished"
    assert sorted(Response.objects.filter(item__attempt=attempt).values_list("raw", flat=True)) == (
        sorted(["0,5", "[0; 2,5; 0]", "42"])
    )
    assert page.locator(".result-table tbody tr").count() == 6
    shot(page, "quiz-result")
    shot(page, "quiz-result-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_timer_running_out_submits_the_attempt(page, login):
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    login(page)
    attempt = start_attempt(page, "demo-exam")
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(seconds=4))
    page.reload()
    page.locator("input[name=answer]").first.fill("7")
    page.wait_for_selector("text=Результат попытки 1", timeout=20_000)
    attempt.refresh_from_db()
    assert attempt.status == "finished"
    assert list(Response.objects.filter(item__attempt=attempt).values_list("raw", flat=True)) == [
        "7"
    ]


def test_flashcards_with_the_keyboard(page, shot, login):
    cards = [
        {
            "slug": f"card-{i}",
            "title": title,
            "topic": "theory",
            "kind": "flashcard",
            "front": front,
            "back": back,
        }
        for i, (title, front, back) in enumerate(
            [
                (
                    "Inverted Dropout",
                    "Что делает inverted Dropout при обучении?",
                    "Делит оставшиеся активации на $1 - p$.",
                ),
                (
                    "Гейты LSTM",
                    "Сколько гейтов в ячейке LSTM?",
                    "Три: входной, забывания, выходной.",
                ),
            ]
        )
    ]
    bank, _, _ = _import(
        {"slug": "e2e-cards", "title": "Карточки (e2e)"},
        cards,
        [{"slug": "theory", "title": "Теория"}],
    )
    student = login(page)
    StudyDeck.objects.create(user=student, bank=bank)
    page.goto("/cards/")
    page.wait_for_selector("#fc-reveal")
    page.keyboard.press("Space")
    assert page.locator("#fc-back").is_visible()
    shot(page, "flashcards")
    page.keyboard.press("3")
    page.wait_for_selector("text=Гейты LSTM")
    assert "Сделано сегодня: 1 из" in page.locator(".fc-progress").inner_text()
    page.keyboard.press("Space")
    page.keyboard.press("1")
    page.wait_for_function(
        "() => document.querySelector('.fc-progress').textContent.includes('Сделано сегодня: 2 из')"
    )
    ratings = list(
        FlashcardReview.objects.filter(user=student).order_by("id").values_list("rating", flat=True)
    )
    assert ratings == [3, 1]
    shot(page, "flashcards-done")


def test_pages_fit_a_phone(page, shot, login, dropout_topic):
    """360 px wide: no horizontal scrolling on the main pages."""
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    login(page)
    page.set_viewport_size({"width": 360, "height": 800})
    for url in (
        "/",
        "/practice/",
        "/cards/",
        "/quiz/demo-exam/",
        f"/practice/topic/{dropout_topic.pk}/",
    ):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (url, width)
    page.goto("/quiz/demo-exam/")
    page.get_by_role("button", name="Начать попытку").click()
    page.wait_for_url("**/attempt/**")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "quiz-360")
