"""Answer policies in a real browser: a «tries» quiz (a wrong try, then the right one; the page
counts the tries and states the penalty, then closes the answer) and a «once» quiz (the first
answer is final: no second submit is possible). Desktop and 360 px screenshots, axe and reflow
on each page."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from django.core.management import call_command

import grader
from quizapp.models import Quiz, Response
from tests.e2e.conftest import SHOTS, start_attempt
from tests.e2e.test_axe import Tour

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "dense-params"


@pytest.fixture
def policy_quiz(db):
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    return Quiz.objects.get(slug="demo")


def _set(quiz, policy, max_tries=None, penalty="0"):
    Quiz.objects.filter(pk=quiz.pk).update(
        answer_policy=policy,
        max_tries=max_tries,
        penalty=Decimal(penalty),
        show_solutions=Quiz.Solutions.AFTER_FINISH,
    )


def _item_shot(page, position: int, name: str, width: int) -> None:
    """The item's section alone (artifacts/screenshots/<name>.png), readable at its width."""
    page.set_viewport_size({"width": width, "height": 900})
    page.locator(f"#item-{position}").screenshot(path=str(SHOTS / f"{name}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})


def _item(attempt):
    return attempt.items.select_related("version").get(version__question__slug=SLUG)


def test_tries_quiz_wrong_then_right(page, shot, login, policy_quiz):
    _set(policy_quiz, "tries", max_tries=3, penalty="0.1")
    login(page)
    page.goto(f"/quiz/{policy_quiz.slug}/")
    assert (
        "каждая попытка после первой стоит 10\u00a0%" in page.locator("#answer-policy").inner_text()
    )
    attempt = start_attempt(page, policy_quiz.slug)
    item = _item(attempt)
    section = page.locator(f"#item-{item.position}")
    note = section.locator(f"#tries-{item.position}")
    assert note.inner_text() == "Попытка 1 из 3, штраф за каждую следующую — 10\u00a0%."
    assert section.locator(f"#tries-left-{item.position}").inner_text() == "Осталось попыток: 3"

    section.locator("input[name=answer]").fill("1")
    section.get_by_role("button", name="Проверить").click()
    page.wait_for_selector(f"#item-{item.position} .verdict.wrong")
    section = page.locator(f"#item-{item.position}")
    assert "Попытка 2 из 3" in section.locator(f"#tries-{item.position}").inner_text()
    assert "(за эту — 10\u00a0%)" in section.locator(f"#tries-{item.position}").inner_text()
    section.scroll_into_view_if_needed()
    shot(page, "policies-tries-desktop")
    shot(page, "policies-tries-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})
    _item_shot(page, item.position, "policies-tries-item-360", 360)
    _item_shot(page, item.position + 1, "policies-tries-fresh-item-360", 360)

    right = str(int(grader.grade(item.version.spec, item.seed, "0").expected))
    section.locator("input[name=answer]").fill(right)
    section.get_by_role("button", name="Проверить").click()
    page.wait_for_selector(f"#item-{item.position} .verdict.ok")
    section = page.locator(f"#item-{item.position}")
    assert "Верный ответ засчитан" in section.inner_text()
    assert section.locator("input[name=answer]").is_disabled()
    assert section.get_by_role("button", name="Проверить").is_disabled()
    shot(page, "policies-tries-solved-360", width=360)
    page.set_viewport_size({"width": 1280, "height": 900})
    _item_shot(page, item.position, "policies-tries-solved-item-360", 360)
    tries = list(Response.objects.filter(item=item).order_by("id").values_list("try_number"))
    assert tries == [(1,), (2,)]

    tour = Tour(page)
    tour.check("тест с попытками", f"/quiz/{policy_quiz.slug}/")
    tour.check("попытка: попытки с проверкой", attempt.get_absolute_url())
    tour.assert_clean("policies-tries")


def test_once_quiz_takes_one_answer(page, shot, login, policy_quiz):
    _set(policy_quiz, "once")
    login(page)
    attempt = start_attempt(page, policy_quiz.slug)
    item = _item(attempt)
    section = page.locator(f"#item-{item.position}")
    assert "только один раз" in section.locator(f"#tries-{item.position}").inner_text()
    _item_shot(page, item.position, "policies-once-before-item-360", 360)
    section.locator("input[name=answer]").fill("12")
    section.get_by_role("button", name="Ответить").click()
    page.wait_for_selector(f"#item-{item.position} .tries-note.final")
    section = page.locator(f"#item-{item.position}")
    assert "засчитан как окончательный" in section.inner_text()
    assert section.locator("input[name=answer]").is_disabled()
    assert section.get_by_role("button", name="Ответить").is_disabled()
    section.scroll_into_view_if_needed()
    shot(page, "policies-once-desktop")
    shot(page, "policies-once-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})
    _item_shot(page, item.position, "policies-once-item-360", 360)
    _item_shot(page, item.position, "policies-once-item-desktop", 1280)
    assert list(Response.objects.filter(item=item).values_list("raw", flat=True)) == ["12"]

    tour = Tour(page)
    tour.check("попытка: один ответ", attempt.get_absolute_url())
    tour.assert_clean("policies-once")


def test_instructor_sees_every_try_and_sets_the_policy(page, shot, policy_quiz, django_user_model):
    from quizapp.attempts import services
    from quizapp.core.roles import INSTRUCTOR_GROUP
    from tests.conftest import make_user

    owner = make_user(django_user_model, "owner", INSTRUCTOR_GROUP)
    Quiz.objects.filter(pk=policy_quiz.pk).update(owner=owner)
    _set(policy_quiz, "tries", max_tries=3, penalty="0.25")
    policy_quiz.refresh_from_db()
    student = make_user(django_user_model, "s1", first_name="Анна", last_name="Иванова")
    attempt = services.attempt_start(user=student, quiz=policy_quiz)
    item = _item(attempt)
    right = str(int(grader.grade(item.version.spec, item.seed, "0").expected))
    for raw in ("1", "сорок", "2", right):
        response = services.response_submit(item=item, raw=raw)
        services.response_grade(response_id=response.pk)
    services.attempt_finish(attempt=attempt)

    page.goto("/login/")
    page.fill("#id_username", "owner")
    page.fill("#id_password", "pw-owner-1")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")
    page.goto(f"/teach/gradebook/attempt/{attempt.uuid}/")
    tries = page.locator(".tries-list li")
    assert tries.count() == 4
    assert "штраф −50\u00a0% → 50\u00a0% баллов" in tries.nth(3).inner_text()
    shot(page, "policies-gradebook-desktop")
    shot(page, "policies-gradebook-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})
    row = page.locator(".drill tbody tr").first
    row.screenshot(path=str(SHOTS / "policies-gradebook-row-desktop.png"))

    page.goto(f"/teach/quizzes/{policy_quiz.pk}/")
    page.locator("#id_answer_policy").scroll_into_view_if_needed()
    page.locator(".settings-form").screenshot(path=str(SHOTS / "policies-quiz-form.png"))
    page.fill("#id_penalty", "0.1")
    page.fill("#id_max_tries", "2")
    page.locator(".settings-form button.primary").click()
    page.wait_for_selector("text=Настройки теста сохранены.")
    policy_quiz.refresh_from_db()
    assert (policy_quiz.max_tries, policy_quiz.penalty) == (2, Decimal("0.1"))

    tour = Tour(page)
    tour.check("журнал: попытка с попытками", f"/teach/gradebook/attempt/{attempt.uuid}/")
    tour.check("конструктор теста: правило ответов", f"/teach/quizzes/{policy_quiz.pk}/")
    tour.assert_clean("policies-instructor")
