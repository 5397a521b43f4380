"""Pages under the Content-Security-Policy in a real browser: the API docs (third-party
viewers), the item analysis bars, and the watcher itself (tests/e2e/conftest.py)."""

from __future__ import annotations

import pytest

from quizapp.attempts import services
from quizapp.core.roles import INSTRUCTOR_GROUP
from quizapp.models import Quiz
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_watcher_sees_a_violation(browser, live_server, no_csp_violations):
    context = browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto("/login/")
        # An inline style (as innerHTML with style="" would bring) is refused and reported.
        page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=color:red>x</p>')")
        page.wait_for_timeout(300)  # lets the report reach Python; not a timing assertion
        assert any("style-src" in v for v in no_csp_violations), no_csp_violations
    finally:
        context.close()
    no_csp_violations.clear()


def test_swagger_ui_renders_under_the_policy(page, shot):
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .opblock", state="attached")
    assert "Нейрозачёт API" in page.inner_text(".swagger-ui .info")
    shot(page, "api-swagger")


# Redoc's sidebar always shows its vendor's logo from the vendor's CDN; the policy blocks that one
# request (nothing loads from outside), and nothing else may be refused.
REDOC_LOGO = "https://cdn.redoc.ly/"


def test_redoc_renders_under_the_policy(browser, live_server, shot, no_csp_violations):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto("/api/v1/redoc/")
        page.wait_for_selector("h1:has-text('Нейрозачёт API')")
        page.wait_for_selector("[data-section-id]", state="attached")
        shot(page, "api-redoc")
    finally:
        context.close()
    assert [e for e in errors if REDOC_LOGO not in e] == []
    assert all(REDOC_LOGO in v for v in no_csp_violations), no_csp_violations
    no_csp_violations.clear()


def test_item_analysis_bars(page, shot, django_user_model, demo_quiz):
    teacher = make_user(django_user_model, "teacher", INSTRUCTOR_GROUP)
    exam = Quiz.objects.get(slug="demo-exam")
    Quiz.objects.filter(pk=exam.pk).update(owner=teacher, max_attempts=None)
    for n, raw in enumerate(["1", "1", "2", "0,5"]):
        student = make_user(django_user_model, f"s{n}")
        attempt = services.attempt_start(user=student, quiz=exam)
        for item in attempt.items.all():
            services.response_submit(item=item, raw=raw)
        services.attempt_finish(attempt=attempt)
    page.goto("/login/")
    page.fill("#id_username", "teacher")
    page.fill("#id_password", "pw-teacher-1")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")
    page.goto(f"/teach/analysis/quiz/{exam.pk}/")
    bars = page.locator("meter.ia-bar")
    assert bars.count() > 0
    widths = [bars.nth(i).bounding_box()["width"] for i in range(bars.count())]
    assert min(widths) > 20  # drawn across its cell, the value shown inside
    shot(page, "item-analysis-desktop")
    shot(page, "item-analysis-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
