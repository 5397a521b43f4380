"""An instructor runs a course without a shell, in a real browser: upload a bank, preview it,
publish it, build a quiz from a topic rule, assign it to a course; a student joins by code and
takes it; the instructor reads the gradebook and exports it."""

from __future__ import annotations

import csv
import io
import re

import pytest

import grader
from quizapp.core.roles import INSTRUCTOR_GROUP
from quizapp.models import Attempt
from tests.conftest import make_user
from tests.e2e.conftest import instructor_bank_file

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}-1")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")


def test_upload_publish_build_assign_take_gradebook_export(
    browser, live_server, django_user_model, shot
):
    make_user(django_user_model, "teacher", INSTRUCTOR_GROUP)
    student = make_user(django_user_model, "masha")
    teacher_ctx = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    teacher_ctx.set_default_timeout(15_000)
    page = teacher_ctx.new_page()
    _log_in(page, "teacher")

    # Upload: the report comes first, nothing is saved before «Опубликовать».
    page.get_by_role("link", name="Банки").click()
    page.goto("/banks/upload/")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "kurs.yaml", "mimeType": "text/yaml", "buffer": instructor_bank_file()}],
    )
    page.get_by_role("button", name="Загрузить и проверить").click()
    publish = page.get_by_role("button", name="Опубликовать")
    publish.wait_for()
    shot(page, "instructor-upload-report")
    publish.click()
    page.wait_for_selector("text=Курс ГО: задачи")
    page.goto("/banks/")
    page.get_by_role("link", name="Курс ГО: задачи").first.click()
    page.wait_for_url(re.compile(r"/banks/\d+/$"))
    # Preview a template as variants with their keys.
    page.get_by_role("link", name="Число параметров полносвязной сети").first.click()
    page.wait_for_load_state()
    assert page.locator("h2", has_text="Вариант seed").count() >= 5  # keys of several variants
    assert page.locator("dt", has_text="Ключ").count() >= 5
    shot(page, "instructor-preview")

    # A quiz from a rule: one random question of the topic for every attempt.
    page.goto("/teach/quizzes/new/")
    page.fill("#id_title", "Контрольная: полносвязные сети")
    page.fill("#id_time_limit_minutes", "20")
    page.select_option("#id_show_verdicts", "after_finish")
    page.select_option("#id_show_solutions", "after_finish")
    page.get_by_role("button", name="Создать").click()
    page.wait_for_url(re.compile(r"/teach/quizzes/\d+/$"))
    topic_value = page.locator(
        "#rule-topic option", has_text="Полносвязные сети"
    ).last.get_attribute("value")
    page.select_option("#rule-topic", topic_value)
    page.fill("#rule-count", "1")
    page.get_by_role("button", name="Добавить правило").click()
    page.wait_for_selector("text=1 случайный из темы «Полносвязные сети»")
    # A new quiz is a draft that only its author sees: publish it.
    assert page.locator("h1 .badge", has_text="Черновик").count() == 1
    page.get_by_role("button", name="Опубликовать", exact=True).click()
    page.wait_for_selector("text=Снять с публикации")

    # A course, its join code, the quiz assigned to it.
    page.goto("/courses/new/")
    page.fill("#id_title", "Глубокое обучение, осень")
    page.fill("#id_code", "dl-autumn")
    page.get_by_role("button", name="Создать курс").click()
    page.wait_for_selector(".join-code")
    join_code = page.locator(".join-code").inner_text().strip()
    page.select_option("#assign-quiz", label="Контрольная: полносвязные сети")
    page.get_by_role("button", name="Назначить").click()
    page.wait_for_selector("text=снять с курса")

    # The student joins by the code and takes the quiz.
    student_ctx = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}
    )
    student_ctx.set_default_timeout(15_000)
    spage = student_ctx.new_page()
    _log_in(spage, "masha")
    spage.goto("/courses/")
    spage.fill("#join-code", join_code.lower())
    spage.get_by_role("button", name="Записаться").click()
    spage.wait_for_selector("text=Глубокое обучение, осень")
    spage.goto("/")
    spage.get_by_role("link", name="Контрольная: полносвязные сети").first.click()
    spage.get_by_role("button", name="Начать попытку").click()
    spage.wait_for_url("**/attempt/**")
    attempt = Attempt.objects.get(user=student)
    item = attempt.items.get()
    key = grader.grade(item.version.spec, item.seed, "").expected
    spage.fill("input[name=answer]", str(key))
    spage.wait_for_function(
        "() => document.querySelector('.saved').textContent.startsWith('Сохранено в')"
    )
    spage.get_by_role("button", name="Завершить попытку").click()
    spage.get_by_role("button", name="Завершить", exact=True).click()
    spage.wait_for_selector("text=Результат попытки 1")
    attempt.refresh_from_db()
    assert attempt.status == "finished" and attempt.score == attempt.max_score == 1

    # The gradebook shows the score; the CSV export carries it.
    page.goto("/teach/gradebook/")
    page.get_by_role("link", name=re.compile("Глубокое обучение, осень")).first.click()
    page.wait_for_selector("text=masha")
    shot(page, "instructor-gradebook")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV (запятые)").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    header, *rows = csv.reader(io.StringIO(text))
    masha = dict(zip(header, next(r for r in rows if r[0] == "masha"), strict=True))
    assert masha["Контрольная: полносвязные сети (из 1.00)"] == "1.00", masha
    assert masha["Итого"] == "1.00", masha
    teacher_ctx.close()
    student_ctx.close()
