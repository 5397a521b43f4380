"""Numbers as a Russian student reads them, in Chromium (issue 12 §3): the result page of an
attempt shows decimal commas, vectors with «;», a sign next to its number, no cancellation
noise, and formulas in the size of the text around them."""

from __future__ import annotations

from pathlib import Path

import pytest

from question_bank.models import Question
from question_bank.services import bank_import_file
from quizapp.attempts import services
from quizapp.models import Quiz, QuizItem

pytestmark = pytest.mark.e2e

BANK = Path(__file__).resolve().parents[2] / "question_bank" / "banks" / "04-optimization.yaml"
# rmsprop-two-steps, seed 10: w₁ is 3.7·10⁻⁹ in floats and 0 for a student; the key is a vector
SLUG, SEED = "rmsprop-two-steps", 10


@pytest.fixture
def finished_attempt(db, login, page):
    bank_import_file(data=BANK.read_bytes(), filename=BANK.name, variants=1)
    quiz = Quiz.objects.create(slug="optim", title="Оптимизация", is_published=True, is_open=True)
    QuizItem.objects.create(quiz=quiz, position=1, question=Question.objects.get(slug=SLUG))
    user = login(page)
    attempt = services.attempt_start(user=user, quiz=quiz)
    attempt.items.update(seed=SEED)
    services.draft_save(item=attempt.items.get(), raw="[0; -0,3]", rev=1)
    return services.attempt_finish(attempt=attempt)


def test_result_page_reads_with_the_decimal_comma(page, finished_attempt, shot):
    page.goto(finished_attempt.get_absolute_url())
    page.wait_for_selector(".solution math")
    numbers = page.locator(".solution mn").all_text_contents()
    assert "0,1" in numbers and "7,29" in numbers and "−0,3177" in numbers, numbers
    assert not [n for n in numbers if "." in n or n.startswith("3,704")], numbers
    # the key, a vector: components separated by «;», the sign joined to its number (−0,3177)
    assert ";" in page.locator(".solution mo").all_text_contents()
    # the math of a paragraph is the size of its text, not larger
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('.solution math')].map(m => [
            getComputedStyle(m).fontSize, getComputedStyle(m.closest('p, div')).fontSize])"""
    )
    assert sizes and all(math == text for math, text in sizes), sizes
    shot(page, "decimal-result-desktop")
    shot(page, "decimal-result-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_course_settings_offer_the_decimal_mark(page, owner, shot):
    from quizapp.courses import services as courses

    course = courses.course_create(owner=owner, title="Глубокое обучение", code="dl-2026")
    page.goto("/login/")
    page.get_by_label("Имя пользователя").fill("owner")
    page.get_by_label("Пароль").fill("pw-owner-1")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")
    page.goto(f"/courses/{course.pk}/edit/")
    page.get_by_label("Десятичный разделитель").select_option(".")
    shot(page, "decimal-course-form-desktop")
    shot(page, "decimal-course-form-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Сохранить").click()
    course.refresh_from_db()
    assert course.decimal_mark == "."


def test_gradebook_reads_with_the_course_mark(browser, live_server, finished_attempt, owner, shot):
    from django.urls import reverse

    from quizapp.courses import services as courses

    course = courses.course_create(owner=owner, title="Оптимизация", code="opt", decimal_mark=".")
    course.quizzes.add(finished_attempt.quiz)
    courses.course_join(user=finished_attempt.user, code=course.join_code)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 700})
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Имя пользователя").fill("owner")
    page.get_by_label("Пароль").fill("pw-owner-1")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")
    page.goto(reverse("gradebook-course", args=[course.pk]))
    assert page.locator("td.gb-cell a").first.inner_text() == "0.50"
    shot(page, "decimal-gradebook-point-desktop")
    shot(page, "decimal-gradebook-point-360", width=360)
    context.close()
