"""A double click on «Ответить» (or a resubmitted POST) stores one answer, in a real browser."""

from __future__ import annotations

import os
import threading
import time

import pytest
from django.core.management import call_command

from quizapp.models import PracticeAnswer, Quiz, Response
from tests.e2e.conftest import start_attempt
from tests.e2e.test_student_flows import _import
from tests.question_bank.banks import load

pytestmark = pytest.mark.django_db(transaction=True)


class HeldSubmit:
    """Wraps a submit service: the first call waits until released, so that a second click
    arrives while the first POST is still on the server (what a slow server makes of a double
    click); counts the calls that entered and left."""

    def __init__(self, monkeypatch, module, name):
        self.real = getattr(module, name)
        self.received, self.release = threading.Event(), threading.Event()
        self.started = self.finished = 0
        self.lock = threading.Lock()
        monkeypatch.setattr(module, name, self)

    def __call__(self, **kwargs):
        with self.lock:
            self.started += 1
            first = self.started == 1
        try:
            if first:
                self.received.set()
                self.release.wait(15)
            return self.real(**kwargs)
        finally:
            with self.lock:
                self.finished += 1

    def settle(self):
        deadline = time.monotonic() + 15
        while self.finished < self.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.finished == self.started


def _double_submit(page, held: HeldSubmit, form_selector: str):
    """Click «Ответить»; while that POST is held on the server, submit the form again."""
    page.locator(form_selector).get_by_role("button", name="Ответить").click(no_wait_after=True)
    assert held.received.wait(15), "the first submit reached the server"
    # The second click of a double click, or Enter again on a page that seems stuck (input
    # events go straight to the browser: they need no script context of the pending page).
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)  # gives a second POST, if the page sent one, time to arrive
    held.release.set()


def _answer_form_fields(page, form_selector: str) -> dict:
    return page.eval_on_selector(
        form_selector,
        "f => Object.fromEntries(new FormData(f).entries())",
    )


def test_double_click_on_answer_in_a_quiz_stores_one_response(page, login, monkeypatch):
    from quizapp.attempts import services

    held = HeldSubmit(monkeypatch, services, "response_submit")
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    Quiz.objects.filter(slug="demo").update(show_solutions=Quiz.Solutions.AFTER_ANSWER)
    login(page)
    attempt = start_attempt(page, "demo")

    box = page.locator("input[name=answer]").first
    position = int(box.evaluate("el => el.form.dataset.position"))
    form = f"#item-{position} form.answer"
    box.fill("42")
    _double_submit(page, held, form)
    page.wait_for_selector(f"#item-{position} .feedback:not(.status-pending)")
    page.wait_for_load_state()
    held.settle()
    responses = Response.objects.filter(item__attempt=attempt, item__position=position)
    assert responses.count() == 1
    assert responses.get().client_token is not None

    # The same form resubmitted as it was (a reload that reposts, a retry after a lost
    # connection), bypassing the page's script: the server keeps one answer per token.
    fields = _answer_form_fields(page, form)
    action = page.eval_on_selector(form, "f => f.action")
    fields["answer"] = "43"
    for _ in range(2):
        reposted = page.request.post(action, form=fields)
        assert reposted.ok
    assert responses.count() == 2
    assert sorted(responses.values_list("raw", flat=True)) == ["42", "43"]


def test_double_click_on_answer_in_practice_stores_one_answer(page, login, monkeypatch):
    from quizapp.practice import services

    held = HeldSubmit(monkeypatch, services, "practice_submit")
    question = next(
        q
        for q in load("06-regularization")["questions"]
        if q["slug"] == "dropout-layer-off-numeric"
    )
    _import(
        {"slug": "e2e-dropout", "title": "Регуляризация (e2e)"},
        [question],
        [{"slug": "dropout", "title": "Dropout"}],
    )
    student = login(page)
    from question_bank.models import Topic

    topic = Topic.objects.get(bank__slug="e2e-dropout", slug="dropout")
    page.goto(f"/practice/topic/{topic.pk}/")
    page.get_by_label("Ваш ответ", exact=False).fill("0,5")
    _double_submit(page, held, "form.answer")
    page.wait_for_selector(".feedback:not(.status-pending)")
    page.wait_for_load_state()
    held.settle()
    assert PracticeAnswer.objects.filter(user=student).count() == 1

    # The key is shown: the variant is closed and «Ещё вариант» has the keyboard.
    assert page.get_by_role("button", name="Ответить").count() == 0
    assert page.get_by_label("Ваш ответ", exact=False).is_disabled()
    next_button = page.get_by_role("button", name="Ещё вариант")
    assert "primary" in next_button.get_attribute("class")
    page.wait_for_function("() => document.activeElement.textContent.trim() === 'Ещё вариант'")
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.querySelector('#answer').disabled")
    # The next deliberate answer, to the new variant, is a new answer (a fresh token).
    page.get_by_label("Ваш ответ", exact=False).fill("0,25")
    page.get_by_role("button", name="Ответить").click()
    page.wait_for_function("() => (document.querySelector('#answer') || {}).value === '0,25'")
    page.wait_for_selector(".feedback:not(.status-pending)")
    held.settle()
    assert sorted(PracticeAnswer.objects.filter(user=student).values_list("raw", flat=True)) == [
        "0,25",
        "0,5",
    ]
