"""«Сообщить об ошибке в вопросе» in a real browser: a student reports a quiz question with
their answer attached, the bank's owner sees the report with the student's variant reproduced
and resolves it, the student is told the outcome on the dashboard and reads it in their list.
Desktop and 360 px screenshots of the form, the queue and the list; axe on the new pages."""

from __future__ import annotations

import copy

import pytest

import grader
from question_bank.models import Bank, QuestionVersion
from quizapp.models import QuestionReport, Quiz, QuizItem
from tests.e2e.axe import axe_violations, describe
from tests.e2e.conftest import start_attempt

pytestmark = pytest.mark.django_db(transaction=True)


def _clean(page, where: str) -> None:
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        found = axe_violations(page)
        assert not found, describe(found, f"{where} ({width} px): ")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, where
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def quiz(owner):
    from django.core.management import call_command

    call_command("load_demo", "--no-user", verbosity=0)
    bank = Bank.objects.get(slug="demo")
    Bank.objects.filter(pk=bank.pk).update(owner=owner)
    quiz = Quiz.objects.create(
        slug="oshibka", title="Тест с ошибкой", is_published=True, is_open=True, owner=owner
    )
    question = bank.questions.get(slug="dense-params")
    QuizItem.objects.create(quiz=quiz, position=1, question=question)
    # The key of the version the quiz draws forgets the biases: a right answer is marked wrong.
    spec = copy.deepcopy(question.versions.get().spec)
    spec["answer"]["args"]["bias"] = False
    QuestionVersion.objects.create(question=question, number=2, spec=spec)
    return quiz


def _log_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")


def test_report_resolve_and_tell_the_student(browser, live_server, page, shot, quiz, owner, login):
    student = login(page)
    attempt = start_attempt(page, "oshibka")
    item = attempt.items.get()
    good = item.version.question.versions.get(number=1)
    right = str(int(grader.grade(good.spec, item.seed, "0").expected))
    page.locator("input[name=answer]").first.fill(right)
    page.get_by_role("button", name="Ответить").click()
    page.wait_for_selector(".verdict, .feedback")
    page.get_by_text("Сообщить об ошибке в вопросе").click()
    page.get_by_label("Что не так с вопросом?").fill(
        f"По-моему, в ключе не учтены смещения: у меня {right}, и это верно."
    )
    shot(page, "report-form-desktop")
    shot(page, "report-form-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Отправить сообщение").click()
    page.wait_for_selector("text=Сообщение об ошибке отправлено")
    report = QuestionReport.objects.get()
    assert (report.user, report.seed, report.answer) == (student, item.seed, right)
    page.get_by_role("button", name="Завершить попытку").click()
    page.get_by_role("button", name="Завершить", exact=True).click()
    page.wait_for_selector("text=Результат попытки 1")
    attempt.refresh_from_db()
    assert attempt.score == 0  # by the wrong key
    # The owner fixes the bank: a new version with the biases back (an upload does the same).
    QuestionVersion.objects.create(question=good.question, number=3, spec=good.spec)

    # The owner, in a browser of their own.
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="ru-RU"
    )
    context.set_default_timeout(15_000)
    teacher = context.new_page()
    _log_in(teacher, "owner", "pw-owner-1")
    teacher.goto("/teach/gradebook/")
    teacher.get_by_role("link", name="Сообщения об ошибках в вопросах").click()
    _clean(teacher, "сообщения об ошибках")
    teacher.get_by_role("link", name="Число параметров полносвязной сети").click()
    teacher.wait_for_selector(f"#report-{report.pk}")
    card = teacher.locator(f"#report-{report.pk}")
    text = card.inner_text()
    assert f"у меня {right}" in text and f"seed {item.seed}" in text
    assert "Проверка сейчас: Неверно." in text  # by the version the student had (v2)
    assert "Верно" in text.split("По новой версии v3:")[1]
    _clean(teacher, "очередь вопроса")
    shot(teacher, "report-queue-desktop")
    shot(teacher, "report-queue-360", width=360)
    teacher.set_viewport_size({"width": 1280, "height": 900})
    regrade = "Перепроверить ответы теста «Тест с ошибкой» по версии v3"
    teacher.get_by_role("button", name=regrade).click()
    teacher.wait_for_url("**/regrade/run/**")
    teacher.wait_for_selector("text=завершена")
    attempt.refresh_from_db()
    assert attempt.score == 1  # regraded by the fixed key
    teacher.goto(f"/reports/question/{item.version.question_id}/")
    assert "все ответы уже по версии v3" in teacher.content()
    card = teacher.locator(f"#report-{report.pk}")
    card.get_by_label("ключ был неверен — исправлено, ответы перепроверены").check()
    card.get_by_label("Ответ студенту").fill(
        "Спасибо! В ключе были забыты смещения; ответы перепроверены, ваш засчитан."
    )
    card.get_by_role("button", name="Отметить разобранным").click()
    teacher.wait_for_selector("text=Разобрано 1 сообщение")
    context.close()
    report.refresh_from_db()
    assert report.status == "resolved" and report.outcome == "key_fixed"

    page.goto("/")
    page.get_by_role("link", name="Мои сообщения об ошибках").click()
    page.wait_for_selector("text=ваш засчитан")
    mine = page.locator(f"#my-report-{report.pk}").inner_text()
    assert "ключ был неверен — исправлено, ответы перепроверены" in mine
    _clean(page, "мои сообщения")
    shot(page, "report-mine-desktop")
    shot(page, "report-mine-360", width=360)
    report.refresh_from_db()
    assert report.outcome_seen
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    assert page.get_by_role("link", name="Мои сообщения об ошибках").count() == 0


def test_report_from_practice_and_from_a_flashcard(page, shot, quiz, owner, login):
    from quizapp.courses import services as course_services
    from quizapp.models import StudyDeck

    student = login(page)
    course = course_services.course_create(owner=owner, title="Глубокое обучение", code="dl")
    course_services.course_join(user=student, code=course.join_code)
    question = quiz.items.get().question
    page.goto(f"/practice/topic/{question.topic_id}/")
    page.get_by_text("Сообщить об ошибке в вопросе").click()
    page.get_by_label("Что не так с вопросом?").fill("В условии не сказано, есть ли смещения.")
    shot(page, "report-practice-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Отправить сообщение").click()
    page.wait_for_selector("text=Сообщение об ошибке отправлено")
    practice = QuestionReport.objects.get()
    assert practice.source == "practice" and practice.user == student

    StudyDeck.objects.create(user=student, bank=question.bank, topic=question.topic)
    page.goto("/cards/")
    page.wait_for_selector("#card")
    page.get_by_text("Сообщить об ошибке в вопросе").click()
    page.get_by_label("Что не так с вопросом?").fill("На обороте опечатка.")
    shot(page, "report-flashcard-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    found = axe_violations(page)
    assert not found, describe(found, "карточка с формой (360 px): ")
    page.get_by_role("button", name="Отправить сообщение").click()
    page.wait_for_selector("text=Сообщение об ошибке отправлено")
    card = QuestionReport.objects.get(source="flashcard")
    assert card.user == student
