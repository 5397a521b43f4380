"""The browser's own time zone: detected at the first visit, then every time is shown in it."""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo

import pytest
from django.core.management import call_command

from quizapp.models import Attempt, StudyProfile

pytestmark = pytest.mark.django_db(transaction=True)

ZONE = "Europe/Samara"  # UTC+4: one hour from the site's Moscow, the whole year


def test_times_follow_the_browsers_zone_after_the_first_visit(
    browser, live_server, django_user_model, shot
):
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    student = django_user_model.objects.create_user("anna", password="Sekret-pass-42")
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="ru-RU",
        timezone_id=ZONE,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        # The first visit, not logged in yet: the page asks the browser for its zone once.
        with page.expect_response("**/account/time-zone/detect/") as answer:
            page.goto("/login/")
        assert answer.value.status == 200
        assert answer.value.json() == {"time_zone": ZONE}
        page.get_by_label("Имя пользователя").fill("anna")
        page.get_by_label("Пароль").fill("Sekret-pass-42")
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url("**/")
        assert StudyProfile.objects.get(user=student).time_zone == ZONE

        page.goto("/quiz/demo-exam/")
        page.get_by_role("button", name="Начать попытку").click()
        page.wait_for_url("**/attempt/**")
        attempt = Attempt.objects.get(user=student)
        local = attempt.started_at.astimezone(zoneinfo.ZoneInfo(ZONE))
        deadline = attempt.deadline.astimezone(zoneinfo.ZoneInfo(ZONE))
        header = page.locator("main p.muted").first.inner_text()
        assert f"начата {local:%d.%m.%Y %H:%M}" in header
        assert f"сдать до {deadline:%H:%M}" in header
        moscow = attempt.started_at.astimezone(zoneinfo.ZoneInfo("Europe/Moscow"))
        assert f"{moscow:%H:%M}" not in header
        # The student's clock and the page agree.
        clock = page.evaluate("() => new Date().toTimeString().slice(0, 5)")
        shown = dt.datetime.strptime(re.search(r"начата \S+ (\d\d:\d\d)", header)[1], "%H:%M")
        now = dt.datetime.strptime(clock, "%H:%M")
        assert abs((now - shown).total_seconds()) % 86_400 < 5 * 60

        page.goto("/account/")
        assert page.locator("#id_time_zone").input_value() == ZONE
        shot(page, "account-time-zone-desktop")
        shot(page, "account-time-zone-phone", width=360)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
    assert not errors, f"ошибки в консоли браузера: {errors}"
