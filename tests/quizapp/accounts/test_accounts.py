"""Registration and password reset (e-mail through Django's test outbox)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.http import HttpRequest

pytestmark = pytest.mark.django_db

PASSWORD = "Нейро-зачёт-2026"


def _register(client, HTTP_ACCEPT_LANGUAGE="ru", **overrides):
    data = {
        "username": "masha",
        "email": "masha@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post("/register/", data, HTTP_ACCEPT_LANGUAGE=HTTP_ACCEPT_LANGUAGE)


def test_register_creates_the_user_and_logs_in(client):
    response = _register(client)
    assert response.status_code == 302 and response["Location"] == "/"
    user = get_user_model().objects.get(username="masha")
    assert user.email == "masha@example.org" and user.check_password(PASSWORD)
    assert client.get("/").context["user"] == user


def test_register_errors_are_in_russian_and_nothing_is_created(client, student):
    student.email = "masha@example.org"
    student.save()
    html = _register(client, password2="другой").content.decode()
    assert "не совпадают" in html
    html = _register(client).content.decode()
    assert "уже зарегистрирован" in html
    assert not get_user_model().objects.filter(username="masha").exists()


def test_register_refuses_an_open_redirect(client):
    response = _register(client, next="https://evil.example/")
    assert response["Location"] == "/"


def test_password_reset_round_trip(client, student):
    student.email = "student@example.org"
    student.save()
    page = client.post("/password/reset/", {"email": "student@example.org"})
    assert page.status_code == 302
    assert len(mail.outbox) == 1 and "смена пароля" in mail.outbox[0].subject
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Новый пароль" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Новый-пароль-2026", "new_password2": "Новый-пароль-2026"},
    )
    assert done.status_code == 302
    student.refresh_from_db()
    assert student.check_password("Новый-пароль-2026")
    # django-axes checks every password against its lockout: it needs the request.
    assert client.login(request=HttpRequest(), username="student", password="Новый-пароль-2026")


def test_reset_for_unknown_address_says_the_same_and_sends_nothing(client):
    page = client.post("/password/reset/", {"email": "nobody@example.org"}, follow=True)
    assert "Проверьте почту" in page.content.decode()
    assert mail.outbox == []


def test_login_page_links_to_reset_and_registration(client):
    html = client.get("/login/").content.decode()
    assert "/password/reset/" in html and "/register/" in html


def test_django_messages_stay_russian_whatever_the_browser_asks(client):
    html = _register(client, password2="x", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert "Password" not in html and "Пароль" in html


def test_login_page_passes_next_on_to_registration(client, db):
    page = client.get("/login/?next=/courses/join/ABCD2345/")
    assert 'href="/register/?next=/courses/join/ABCD2345/"' in page.content.decode()
