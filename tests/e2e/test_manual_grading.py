"""The manual-grading queue in a real browser: from the gradebook to an essay question, the
rubric beside the answers on a desktop and above them on a 360 px phone, and Enter in the points
field saving the grade and moving to the next answer waiting."""

from __future__ import annotations

import pytest

from quizapp.models import ManualGrade
from tests.conftest import make_user
from tests.quizapp.gradebook.essays import (  # noqa: F401 (fixtures)
    essay_quiz,
    essay_response,
    finish_with_essay,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_grade_essays_from_the_queue(
    request, page, shot, owner, django_user_model, django_capture_on_commit_callbacks
):
    quiz = request.getfixturevalue("essay_quiz")  # imported: asked for by name
    capture = django_capture_on_commit_callbacks
    first = finish_with_essay(
        make_user(django_user_model, "s1", first_name="Анна", last_name="Иванова"),
        quiz,
        capture,
        "Dropout случайно выключает нейроны, поэтому сеть не может полагаться на один "
        "признак и меньше переобучается.\nПри выводе выходы масштабируют.",
    )
    second = finish_with_essay(
        make_user(django_user_model, "s2"), quiz, capture, "Чтобы быстрее училась."
    )

    page.goto("/login/")
    page.fill("#id_username", "owner")
    page.fill("#id_password", "pw-owner-1")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")
    page.goto(f"/teach/gradebook/quiz/{quiz.pk}/")
    page.get_by_role("link", name="Проверка эссе").click()
    assert "2" in page.locator(".manual-queue tbody tr").inner_text()
    page.get_by_role("link", name="Эссе о Dropout").click()
    page.wait_for_selector(".manual-rubric")
    shot(page, "manual-grading-desktop")
    shot(page, "manual-grading-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})

    points = page.locator(f"#points-{essay_response(first).pk}")
    points.fill("3,5")
    page.fill(f"#comment-{essay_response(first).pk}", "Хорошо, но без формулы масштаба.")
    points.press("Enter")  # the form's first button: «Сохранить и следующий»
    page.wait_for_url(f"**#r-{essay_response(second).pk}")
    page.wait_for_selector("text=Оценка сохранена.")
    grade = ManualGrade.objects.get()
    assert grade.response == essay_response(first) and grade.score == 0.875
    assert grade.comment == "Хорошо, но без формулы масштаба."
    # the comment just given is offered for the next answer
    pick = page.locator(f"input[data-fills='comment-{essay_response(second).pk}']")
    pick.fill("Хорошо, но без формулы масштаба.")
    pick.dispatch_event("change")
    box = page.locator(f"#comment-{essay_response(second).pk}")
    assert box.input_value() == "Хорошо, но без формулы масштаба."
