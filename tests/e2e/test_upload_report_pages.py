"""The bank upload report in a browser: an error with its excerpt and a successful check, on a
desktop and on a 360 px phone (nothing wider than the screen but the excerpt, which scrolls)."""

from __future__ import annotations

import pytest
import yaml

from quizapp.core.roles import INSTRUCTOR_GROUP
from tests.conftest import DEMO, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _bank_file() -> str:
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["bank"] = {"slug": "kurs-dl", "title": "Курс ГО: задачи"}
    data["questions"] = [
        q for q in data["questions"] if q["slug"] in ("dense-params", "cafe-network")
    ]
    data["topics"] = [t for t in data["topics"] if t["slug"] == "mlp"]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _upload(page, name: str, text: str) -> None:
    page.goto("/banks/upload/")
    files = [{"name": name, "mimeType": "text/yaml", "buffer": text.encode()}]
    page.set_input_files("input[type=file]", files=files)
    page.get_by_role("button", name="Загрузить и проверить").click()
    page.wait_for_url("**/banks/uploads/**")
    page.wait_for_selector("#upload-status")


def _fits_a_phone(page, shot, name: str) -> None:
    shot(page, f"{name}-desktop")
    shot(page, f"{name}-phone", width=360)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})


def test_upload_reports_with_an_error_and_without(browser, live_server, django_user_model, shot):
    make_user(django_user_model, "teacher", INSTRUCTOR_GROUP)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/login/")
        page.fill("#id_username", "teacher")
        page.fill("#id_password", "pw-teacher-1")
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url("**/")

        good = _bank_file()
        shifted = good.replace("  kind: numeric\n", " kind: numeric\n", 1)
        assert shifted != good
        _upload(page, "kurs.yaml", shifted)
        errors = page.locator(".upload-errors")
        assert "неверный отступ" in errors.inner_text()
        assert "^" in errors.locator("pre.excerpt").inner_text()
        _fits_a_phone(page, shot, "upload-report-yaml-error")

        _upload(page, "kurs.yaml", good)
        summary = page.locator("#summary-title + p").inner_text()
        assert "будет создан банк, в нём вопросов: 2" in summary
        assert "всего" in page.locator(".upload-variants").inner_text()
        _fits_a_phone(page, shot, "upload-report-valid")

        # Published, then a new version of the file: what changes, question by question.
        page.get_by_role("button", name="Опубликовать").click()
        page.wait_for_selector("text=Банк опубликован")
        changed = good.replace("h1, h2, h3, 1]", "h1, h2, h3, 2]", 1)
        assert changed != good
        _upload(page, "kurs.yaml", changed)
        changes = page.locator(".upload-changes").inner_text()
        assert "Изменённых вопросов: 1 — получат новые версии" in changes
        assert "Без изменений: 1 — останутся как есть." in changes
        _fits_a_phone(page, shot, "upload-report-update")
    finally:
        context.close()
