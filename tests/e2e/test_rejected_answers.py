"""The rejected text answers page in a real browser: under the CSP, on a 360 px phone, and one
click on «Принять для всех» turns the students' refused answers into right ones."""

from __future__ import annotations

import pytest

from question_bank.models import Question
from quizapp.core.roles import INSTRUCTOR_GROUP
from quizapp.models import Quiz, Response
from tests.conftest import make_user
from tests.quizapp.gradebook.test_gradebook import take

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "dropout-name"


def test_accept_for_everyone_from_the_page(page, shot, django_user_model, demo_quiz):
    teacher = make_user(django_user_model, "teacher", INSTRUCTOR_GROUP)
    Quiz.objects.filter(pk=demo_quiz.pk).update(owner=teacher)
    question = Question.objects.get(slug=SLUG)
    question.bank.owner = teacher
    question.bank.save(update_fields=["owner"])
    for n, raw in enumerate(["Прореживание", "прореживание.", "ReLU", "сигмоида"]):
        take(make_user(django_user_model, f"s{n}"), demo_quiz, {SLUG: raw})

    page.goto("/login/")
    page.fill("#id_username", "teacher")
    page.fill("#id_password", "pw-teacher-1")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")
    page.goto(f"/teach/analysis/quiz/{demo_quiz.pk}/")
    page.get_by_role("link", name="Отклонённые текстовые ответы — принять для всех").click()
    row = page.locator(".rejected-list li", has_text="Прореживание")
    assert "студентов: 2" in row.inner_text()
    shot(page, "rejected-answers-desktop")
    shot(page, "rejected-answers-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    row.get_by_role("button", name="Принять для всех").click()
    page.wait_for_selector("text=Ответ «Прореживание» принят")
    assert page.locator(".accepted-list", has_text="Прореживание").count() == 1
    assert page.locator(".rejected-list li", has_text="Прореживание").count() == 0
    right = Response.objects.filter(item__version__question=question, score=1.0)
    assert sorted(right.values_list("raw", flat=True)) == ["Прореживание", "прореживание."]
