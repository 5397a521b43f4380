"""Accommodations and result visibility in a real browser (issue 16, points 1 and 3).

The instructor grants a student extra time on the course's page; the student sees their own
time on the quiz page and the timer runs it; results shown «after the close date» are hidden on
the result page with the date they will appear; the gradebook marks who had what.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from quizapp.core.roles import INSTRUCTOR_GROUP
from quizapp.courses import services as course_services
from quizapp.models import Accommodation, Attempt, Quiz
from tests.conftest import make_user
from tests.e2e.conftest import start_attempt

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}-1")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")


def _fits(page, width: int = 360) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1280, "height": 900})


def test_extra_time_granted_in_the_browser_and_results_after_the_close(
    browser, live_server, shot, django_user_model
):
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    teacher = make_user(django_user_model, "teacher", INSTRUCTOR_GROUP)
    anna = make_user(django_user_model, "anna", first_name="Анна", last_name="Иванова")
    boris = make_user(django_user_model, "boris", first_name="Борис", last_name="Петров")
    closes = timezone.now() + timedelta(days=2)
    Quiz.objects.filter(slug="demo-exam").update(
        owner=teacher,
        is_open=False,
        closes_at=closes,
        show_verdicts="after_close",
        show_score="after_close",
        show_solutions="after_close",
    )
    exam = Quiz.objects.get(slug="demo-exam")
    course = course_services.course_create(owner=teacher, title="Глубокое обучение", code="dl")
    for student in (anna, boris):
        course_services.course_join(user=student, code=course.join_code)
    course_services.course_quiz_assign(course=course, quiz=exam, by=teacher)

    def new_page():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="ru-RU"
        )
        context.set_default_timeout(15_000)
        return context.new_page()

    # The instructor: course → «Особые условия и даты» → +50 % time and a later close for Анна.
    page = new_page()
    _log_in(page, "teacher")
    page.goto(f"/courses/{course.pk}/")
    page.get_by_role("link", name="Особые условия и даты").click()
    page.get_by_label("Название").fill("ОВЗ: +50 % времени")
    page.get_by_label("Анна Иванова (anna)").check()
    page.get_by_label("Тест", exact=True).select_option(label=exam.title)
    page.get_by_label("Множитель времени").fill("1,5")
    later = timezone.localtime(closes + timedelta(days=1))
    page.get_by_label("Сдать до (продление)").fill(later.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Назначить").click()
    page.wait_for_selector("text=Особые условия сохранены")
    assert "время ×1,5" in page.inner_text("table")
    granted = Accommodation.objects.get()
    assert list(granted.students.all()) == [anna] and granted.quiz == exam
    shot(page, "accommodations-desktop")
    shot(page, "accommodations-360", width=360)
    _fits(page)

    # Анна sees her own time on the quiz page, and the timer runs it.
    student = new_page()
    _log_in(student, "anna")
    student.goto(f"/quiz/{exam.slug}/")
    rules = student.inner_text(".quiz-rules")
    assert "23 мин" in rules and "для всех — 15 мин" in rules
    assert "Для вас особые условия: ОВЗ: +50 % времени" in student.inner_text("main")
    shot(student, "quiz-terms-360", width=360)
    _fits(student)
    attempt = start_attempt(student, exam.slug)
    assert attempt.deadline == attempt.started_at + timedelta(minutes=23)
    left = student.inner_text("#timer-left")
    assert re.fullmatch(r"2[23]:\d\d", left), left  # the script's mm:ss, from 23:00 down
    student.locator("input[name=answer]").first.fill("0,5")
    student.goto(f"/attempt/{attempt.uuid}/finish/")
    student.get_by_role("button", name="Завершить", exact=True).click()
    student.wait_for_selector("text=Результат попытки 1")
    text = student.inner_text("main")
    assert "Баллы, верно или нет и решения: после закрытия теста" in text
    assert later.strftime("%d.%m.%Y %H:%M") in text  # her own close, with the extension
    assert not student.locator(".verdict").count()
    shot(student, "result-hidden-desktop")
    shot(student, "result-hidden-360", width=360)
    _fits(student)

    # Борис has no extension: his date is the quiz's.
    other = new_page()
    _log_in(other, "boris")
    attempt_b = start_attempt(other, exam.slug)
    assert attempt_b.deadline == attempt_b.started_at + timedelta(minutes=15)
    other.goto(f"/attempt/{attempt_b.uuid}/finish/")
    other.get_by_role("button", name="Завершить", exact=True).click()
    other.wait_for_selector("text=Результат попытки 1")
    assert timezone.localtime(closes).strftime("%d.%m.%Y %H:%M") in other.inner_text("main")

    # The gradebook marks who had what.
    page.goto(f"/teach/gradebook/course/{course.pk}/")
    marks = page.locator(".gb-terms").all_inner_texts()
    assert marks == [f"ОВЗ: +50 % времени; время 23 мин, до {later.strftime('%d.%m.%Y %H:%M')}"]
    shot(page, "gradebook-terms-desktop")
    assert Attempt.objects.filter(results_held=True).count() == 2
