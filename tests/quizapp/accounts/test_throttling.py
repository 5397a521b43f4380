"""Login lockout (django-axes) and password-reset limits (django-ratelimit).

The counters live in the default cache (local memory here, emptied before each test by
tests/conftest.py); the cool-off is passed by moving the caches' clock, not by sleeping.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from django.core import mail
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

RIGHT = "pw-student-1"  # the `student` fixture's password


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Hundreds of password checks: the slow production hasher adds minutes and tests nothing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _login(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def _fail(client, times, username="student"):
    return [_login(client, username, f"wrong-{i}").status_code for i in range(times)]


def _logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def test_ten_failures_lock_and_the_eleventh_wrong_password_is_refused(client, student):
    codes = _fail(client, 9)
    assert codes == [200] * 9  # the form again, with its error
    assert _fail(client, 1) == [429]  # the tenth locks
    refused = _login(client, "student", "wrong-11")
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Слишком много неудачных попыток входа" in html
    assert "попробуйте через 15 минут" in html
    assert "<main" in html or "<body" in html  # our base template, not a bare text
    assert int(refused["Retry-After"]) == 15 * 60


def test_the_right_password_is_refused_while_locked(client, student):
    _fail(client, 10)
    response = _login(client, "student", RIGHT)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # A locked account is locked from anywhere, not only from the address that failed.
    elsewhere = _login(Client(REMOTE_ADDR="198.51.100.9"), "student", RIGHT)
    assert elsewhere.status_code == 429


def test_case_and_space_variants_are_one_username(client, student):
    for name in ("student", "Student", " STUDENT ", "stuDent", "student "):
        _fail(client, 2, username=name)
    assert _login(client, "student", RIGHT).status_code == 429


def test_switching_usernames_from_one_address_does_not_escape(client, student, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 30
    # Three names, each below its own bar of 10 …
    for i in range(30):
        _login(client, f"victim{i % 3}", "guess")
    # … but the address has spent its 30: a fresh name, even the right password, is refused.
    assert _login(client, "student", RIGHT).status_code == 429
    assert _login(client, "someone-new", "guess").status_code == 429
    # Another address (another student behind another NAT) logs in.
    assert _logged_in(_login(Client(REMOTE_ADDR="198.51.100.9"), "student", RIGHT))


def test_one_attacker_on_one_account_does_not_lock_the_shared_address(client, student, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 30
    _fail(client, 12, username="victim")  # locked account "victim"
    assert _login(client, "victim", "guess").status_code == 429
    # Everyone else behind the same address (a university NAT) still logs in.
    assert _logged_in(_login(client, "student", RIGHT))


def test_a_successful_login_resets_the_username_counter(student):
    client = Client()
    _fail(client, 9)
    assert _logged_in(_login(client, "student", RIGHT))
    client.post("/logout/")
    assert _fail(client, 9) == [200] * 9  # counted from zero again
    assert _fail(client, 1) == [429]


def test_forwarded_for_is_believed_only_with_trusted_proxy_hops(student, settings):
    def from_proxy(fake):
        return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"{fake}, 203.0.113.7")

    settings.LOGIN_IP_FAILURE_LIMIT = 20
    # No trusted proxy: the header is ignored, the 20 failures are the proxy's own address.
    for i in range(20):
        _login(from_proxy(f"6.6.6.{i}"), f"n{i}", "guess")
    assert _login(Client(REMOTE_ADDR="10.0.0.2"), "student", RIGHT).status_code == 429
    # One trusted proxy: the client is the address it appended, not what the client wrote.
    settings.TRUSTED_PROXY_HOPS = 1
    assert _logged_in(_login(from_proxy("6.6.6.6"), "student", RIGHT))


class _Clock:
    """time.time() for the cache backends, movable forward."""

    def __init__(self):
        self.offset = 0.0

    def time(self):
        return time.time() + self.offset


def test_the_lock_ends_after_the_cool_off(client, student, monkeypatch, settings):
    from django.core.cache.backends import base, locmem

    clock = _Clock()
    monkeypatch.setattr(locmem, "time", clock)
    monkeypatch.setattr(base, "time", clock)
    _fail(client, 10)
    clock.offset = 14 * 60
    assert _login(client, "student", RIGHT).status_code == 429
    clock.offset = 15 * 60 + 1
    assert _logged_in(_login(client, "student", RIGHT))


def test_cool_off_comes_from_the_environment_setting(client, student):
    from datetime import timedelta

    with override_settings(AXES_COOLOFF_TIME=timedelta(minutes=3)):
        _fail(client, 10)
        html = _login(client, "student", RIGHT).content.decode()
    assert "попробуйте через 3 минуты" in html or "попробуйте через 3 минут" in html


def test_json_clients_get_the_structured_error(client, student):
    _fail(client, 10)
    response = _login(client, "student", RIGHT, HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    error = json.loads(response.content)["error"]
    assert error["code"] == "login_locked"
    assert "Слишком много неудачных попыток входа" in error["message"]
    assert error["message_en"] and error["retry_after"] == 15 * 60


def test_admin_login_shares_the_lock(client, student):
    for i in range(10):
        client.post("/admin/login/", {"username": "student", "password": f"x{i}"})
    assert _login(client, "student", RIGHT).status_code == 429


def test_api_has_no_password_login_to_throttle(client):
    # The API authenticates with keys (random 256-bit tokens) or the site's session; it has no
    # endpoint that checks a password (no DRF browsable login), so /login/ is the only door.
    from django.urls import get_resolver

    names = {str(p.pattern) for p in get_resolver("quizapp.api.urls").url_patterns}
    assert not {n for n in names if "login" in n or "auth" in n}


def test_password_reset_is_limited_per_address(client, django_user_model):
    for i in range(5):
        response = client.post("/password/reset/", {"email": f"u{i}@example.org"})
        assert response.status_code == 302
    refused = client.post("/password/reset/", {"email": "u9@example.org"})
    assert refused.status_code == 429
    assert "Слишком много запросов на сброс пароля" in refused.content.decode()


def test_password_reset_is_limited_per_email_from_any_address(django_user_model):
    django_user_model.objects.create_user("masha", "masha@example.org", "pw-masha-1")
    for i in range(5):
        c = Client(REMOTE_ADDR=f"198.51.100.{i}")
        assert c.post("/password/reset/", {"email": "masha@example.org"}).status_code == 302
    assert len(mail.outbox) == 5
    c = Client(REMOTE_ADDR="198.51.100.77")
    assert c.post("/password/reset/", {"email": " MASHA@example.org "}).status_code == 429
    assert len(mail.outbox) == 5


def test_password_reset_refusal_does_not_tell_which_emails_exist(django_user_model):
    django_user_model.objects.create_user("masha", "masha@example.org", "pw-masha-1")
    pages = []
    for email in ("masha@example.org", "nobody@example.org"):
        for i in range(5):
            Client(REMOTE_ADDR=f"198.51.100.{i}").post("/password/reset/", {"email": email})
        refused = Client(REMOTE_ADDR="198.51.100.99").post("/password/reset/", {"email": email})
        assert refused.status_code == 429
        html = refused.content.decode().replace(email, "EMAIL")
        pages.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html))
    assert pages[0] == pages[1]
