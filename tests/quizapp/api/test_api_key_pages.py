"""«Интеграции»: instructors make, see once and revoke API keys in the browser."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from quizapp.api.keys import api_key_authenticate
from quizapp.courses import services as courses
from quizapp.models.api import ApiKey

pytestmark = pytest.mark.django_db


def test_create_shows_the_token_once_and_it_works(client, owner):
    course = courses.course_create(owner=owner, title="ГО", code="dl")
    client.force_login(owner)
    page = client.post(
        reverse("api-key-create"),
        {"name": "Moodle", "scopes": ["read", "write"], "courses": [course.pk]},
        follow=True,
    )
    html = page.content.decode()
    token = re.search(r'id="token" class="token" value="([^"]+)"', html).group(1)
    key = ApiKey.objects.get()
    assert api_key_authenticate(token=token) == key
    assert key.scopes == ["read", "write"] and list(key.courses.all()) == [course]
    assert token not in key.secret_hash
    # Shown once: the next visit has only the prefix.
    again = client.get(reverse("api-keys")).content.decode()
    assert token not in again and key.prefix in again


def test_revoke_and_nobody_elses_keys(client, owner, other_instructor, student):
    from quizapp.api.keys import api_key_create

    key, token = api_key_create(owner=owner, name="Ключ кафедры")
    client.force_login(other_instructor)
    assert "Ключ кафедры" not in client.get(reverse("api-keys")).content.decode()
    assert client.post(reverse("api-key-revoke", args=[key.pk])).status_code == 404
    assert api_key_authenticate(token=token) == key
    client.force_login(student)
    assert client.get(reverse("api-keys")).status_code == 403
    assert client.post(reverse("api-key-create"), {"name": "x"}).status_code == 403
    client.force_login(owner)
    client.post(reverse("api-key-revoke", args=[key.pk]))
    assert api_key_authenticate(token=token) is None
    client.logout()
    assert client.get(reverse("api-keys")).status_code == 302


def test_a_nameless_key_is_refused_in_russian(client, owner):
    client.force_login(owner)
    page = client.post(reverse("api-key-create"), {"name": " "}, follow=True)
    assert "Назовите ключ" in page.content.decode()
    assert not ApiKey.objects.exists()
