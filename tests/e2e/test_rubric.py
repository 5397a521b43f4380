"""Grading essays with a reusable rubric in a real browser: two criteria defined on the grading
page, two answers graded with the keyboard only (J, 1–9, Ctrl+Enter), the criteria in the
gradebook; the page checked with axe and seen on a desktop and a 360 px phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from quizapp.models import ManualGrade
from tests.conftest import make_user
from tests.e2e.axe import axe_violations, describe
from tests.e2e.conftest import SHOTS
from tests.quizapp.gradebook.essays import (  # noqa: F401 (fixtures)
    essay_quiz,
    essay_response,
    finish_with_essay,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _add_criterion(page, points: str, text: str) -> None:
    page.fill("#cp-new", points)
    page.fill("#ct-new", text)
    page.get_by_role("button", name="Добавить критерий").click()
    page.wait_for_selector("text=Критерий добавлен.")


def test_define_a_rubric_and_grade_with_the_keyboard(
    request, browser, live_server, page, shot, owner, django_user_model,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    quiz = request.getfixturevalue("essay_quiz")  # imported: asked for by name
    capture = django_capture_on_commit_callbacks
    first = finish_with_essay(
        make_user(django_user_model, "s1", first_name="Анна", last_name="Иванова"),
        quiz,
        capture,
        "Dropout случайно выключает нейроны, и сеть меньше переобучается.",
    )
    second = finish_with_essay(
        make_user(django_user_model, "s2"), quiz, capture, "Формула: y = m ⊙ x / (1 − p)."
    )
    first_r, second_r = essay_response(first), essay_response(second)

    page.goto("/login/")
    page.fill("#id_username", "owner")
    page.fill("#id_password", "pw-owner-1")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")
    question = quiz.items.get(question__slug="dropout-essay").question
    url = f"/teach/manual/quiz/{quiz.pk}/question/{question.pk}/"
    page.goto(url)
    _add_criterion(page, "+3", "Верно выписана формула")
    _add_criterion(page, "−1", "Нет вывода")
    page.goto(url)  # a fresh page: no hash, no focus in an answer
    assert "Клавиши:" in page.locator("#manual-keys").inner_text()
    assert page.locator(".rubric-criteria li").all_inner_texts() == [
        "+3 Верно выписана формула",
        "−1 Нет вывода",
    ]
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        found = axe_violations(page)
        assert not found, describe(found, f"{width}px: ")
    page.set_viewport_size({"width": 1280, "height": 900})
    # Side by side on a desktop: the rubric panel left of the answers.
    rubric_box = page.locator(".manual-rubric").bounding_box()
    answers_box = page.locator(".manual-answers").bounding_box()
    assert rubric_box["x"] + rubric_box["width"] <= answers_box["x"]
    shot(page, "rubric-desktop")

    # First answer: J goes to it, 1 and 2 tick both criteria (3 − 1 = 2 points), Ctrl+Enter.
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"r-{first_r.pk}"
    page.keyboard.press("1")
    assert page.input_value(f"#points-{first_r.pk}") == "3"
    page.keyboard.press("2")
    assert page.input_value(f"#points-{first_r.pk}") == "2"
    expect(page.locator("#manual-announce")).to_have_text("Баллы по критериям: 2")
    preview = page.locator(f"#preview-{first_r.pk}")
    assert preview.inner_text() == ("Студент увидит: Верно выписана формула (+3); Нет вывода (−1)")
    # K and J move between the answers; the ticks stay where they were.
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"r-{second_r.pk}"
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == f"r-{first_r.pk}"
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"**#r-{second_r.pk}")
    page.wait_for_selector("text=Оценка сохранена.")
    # Focus is on the next waiting answer: its keys work at once.
    assert page.evaluate("document.activeElement.id") == f"r-{second_r.pk}"
    page.keyboard.press("1")
    assert page.input_value(f"#points-{second_r.pk}") == "3"
    # Typing in the remark: digits are text there, not criteria; Ctrl+Enter still saves.
    page.locator(f"#comment-{second_r.pk}").focus()
    page.keyboard.type("Задача 2 без вывода")
    assert page.locator(f"#r-{second_r.pk} input[name=criteria]").evaluate_all(
        "boxes => boxes.map(b => b.checked)"
    ) == [True, False]
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("text=Все ответы на этот вопрос проверены.")

    grades = {g.response_id: g for g in ManualGrade.objects.all()}
    assert grades[first_r.pk].score == 0.5
    assert [c["text"] for c in grades[first_r.pk].criteria] == [
        "Верно выписана формула",
        "Нет вывода",
    ]
    assert grades[second_r.pk].score == 0.75
    assert grades[second_r.pk].comment == "Задача 2 без вывода"
    assert "— Задача 2 без вывода" in page.locator(f"#preview-{second_r.pk}").inner_text()
    shot(page, "rubric-graded-desktop")
    shot(page, "rubric-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # On a phone the rubric sits above the answers.
    rubric_box = page.locator(".manual-rubric").bounding_box()
    answers_box = page.locator(".manual-answers").bounding_box()
    assert rubric_box["y"] + rubric_box["height"] <= answers_box["y"]

    # The gradebook's attempt page shows the criteria and the remark.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/teach/gradebook/attempt/{second.uuid}/")
    row = page.locator("td[data-label='Отзыв']", has_text="Верно выписана формула")
    assert "Верно выписана формула (+3)" in row.inner_text()
    assert "Задача 2 без вывода" in row.inner_text()
    shot(page, "rubric-gradebook-attempt")
    page.goto(f"{url}?rubric=edit")  # the rubric's editing, open, on a phone
    shot(page, "rubric-edit-360", width=360)
    page.locator(".manual-rubric").screenshot(path=str(SHOTS / "rubric-edit-panel-360.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    found = axe_violations(page)  # graded answers, criteria ticked, the editing open
    assert not found, describe(found, "360px, правка критериев: ")

    # The student's result: the points, the criteria and the remark.
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 800}, locale="ru-RU"
    )
    student = context.new_page()
    student.goto("/login/")
    student.fill("#id_username", "s2")
    student.fill("#id_password", "pw-s2-1")
    student.get_by_role("button", name="Войти").click()
    student.wait_for_url("**/")
    student.goto(f"/attempt/{second.uuid}/")
    criteria = student.locator(".manual-criteria li").all_inner_texts()
    assert criteria == ["Верно выписана формула (+3)"]
    assert "Задача 2 без вывода" in student.locator(".manual-comment").inner_text()
    shot(student, "rubric-student-result-360")
    verdict = student.locator(".feedback", has=student.locator(".manual-criteria"))
    verdict.screenshot(path=str(SHOTS / "rubric-student-verdict-360.png"))
    context.close()
