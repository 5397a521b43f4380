"""End-to-end tests in a real headless Chromium: Debian's /usr/bin/chromium driven by Playwright.

The browser is never downloaded. Without the browser these tests skip on a laptop, but fail in
CI (REQUIRE_SERVICES=1), where bin/test installs the Debian packages first. Screenshots go to
``artifacts/screenshots/`` (git-ignored; CI keeps them as artefacts).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "artifacts"))
SHOTS = SHOTS / "screenshots"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are plain synchronous code, so Django's async guard is lifted here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


# Every page the browser tests open reports its Content-Security-Policy violations here: an init
# script in every context listens for `securitypolicyviolation` and hands each one to Python at
# once (an exposed function survives navigations and closed pages). Any violation fails the test.
# Expressions given to page.wait_for_function must be functions ("() => …"): a bare expression
# string is run through eval, which the policy (no 'unsafe-eval') refuses.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__nzCspViolation([e.violatedDirective, e.blockedURI || "inline",
                           e.sourceFile + ":" + e.lineNumber, (e.sample || "").slice(0, 80)]
                          .join(" | "));
});
"""
_csp_violations: list[str] = []


class _CspWatchingBrowser:
    """The session's browser; every context it makes reports CSP violations."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.expose_function("__nzCspViolation", lambda text: _csp_violations.append(text))
        context.add_init_script(_CSP_LISTENER)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(autouse=True)
def no_csp_violations():
    """Fails a browser test on any CSP violation of any page it opened, in any context."""
    _csp_violations.clear()
    yield _csp_violations
    found, _csp_violations[:] = list(_csp_violations), []
    assert not found, f"нарушения Content-Security-Policy: {found}"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(
                f"нет браузера {CHROMIUM}: bin/test ставит пакеты chromium и chromium-driver"
            )
        pytest.skip(f"нет браузера {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield _CspWatchingBrowser(browser)
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (own cookies and localStorage); console errors fail the test."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="ru-RU"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    # Offline moments in a test produce expected network errors; everything else is a bug.
    real = [e for e in errors if "net::ERR_INTERNET_DISCONNECTED" not in e]
    assert not real, f"ошибки в консоли браузера: {real}"


@pytest.fixture
def shot():
    """Save a screenshot of the page (full page) under artifacts/screenshots/<name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, width: int | None = None):
        if width:
            page.set_viewport_size({"width": width, "height": 800})
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(django_user_model):
    """Create a student and log in through the login form."""

    def do(page, username="anna", password="Sekret-pass-42"):
        django_user_model.objects.create_user(username, password=password)
        page.goto("/login/")
        page.get_by_label("Имя пользователя").fill(username)
        page.get_by_label("Пароль").fill(password)
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url("**/")
        return django_user_model.objects.get(username=username)

    return do


def start_attempt(page, quiz_slug: str):
    """Open the quiz's page, press «Начать попытку» and return the attempt the page shows."""
    from quizapp.models import Attempt

    page.goto(f"/quiz/{quiz_slug}/")
    page.get_by_role("button", name="Начать попытку").click()
    page.wait_for_url("**/attempt/**")
    page.wait_for_load_state()
    return Attempt.objects.get(uuid=page.url.rstrip("/").split("/attempt/")[1].split("/")[0])


@pytest.fixture(autouse=True)
def fixed_seeds(monkeypatch):
    """Every run of a browser test renders the same questions with the same numbers.

    Production draws on purpose: an attempt's seeds come from its random uuid (they pick the
    questions of topic rules, the order of a shuffled quiz and every item's numbers), practice
    picks with ``secrets``. Here the n-th attempt a test starts gets the seeds of the n-th fixed
    key, and practice draws from a seeded generator. The live server runs in a thread of this
    process, so the patches reach the pages it serves.
    """
    import random
    import types

    from quizapp.attempts import services as attempt_services
    from quizapp.models import item_seed
    from quizapp.practice import selectors as practice_selectors

    keys: dict[str, str] = {}

    def seed(attempt_uuid, position: int) -> int:
        key = keys.setdefault(str(attempt_uuid), f"e2e-attempt-{len(keys) + 1}")
        return item_seed(key, position)

    monkeypatch.setattr(attempt_services, "item_seed", seed)
    drawn = random.Random(20261203)
    monkeypatch.setattr(
        practice_selectors,
        "secrets",
        types.SimpleNamespace(choice=drawn.choice, randbits=drawn.getrandbits),
    )
    return seed


def instructor_bank_file() -> bytes:
    """The demo bank's numeric questions under a new slug: an instructor's own bank to upload."""
    import yaml

    from tests.conftest import DEMO

    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["bank"] = {"slug": "kurs-dl", "title": "Курс ГО: задачи"}
    data["questions"] = [
        q for q in data["questions"] if q["slug"] in ("dense-params", "cafe-network")
    ]
    data["topics"] = [t for t in data["topics"] if t["slug"] == "mlp"]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()
