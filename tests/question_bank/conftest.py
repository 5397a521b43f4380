"""Named people of the bank pages and helpers to upload a bank through the browser.

``owner`` is the instructor who uploads, ``other`` another instructor, ``student`` (tests/conftest)
a registered user without a role; ``anonymous`` is not logged in.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from quizapp.core.roles import INSTRUCTOR_GROUP
from tests.conftest import DEMO, make_user


@pytest.fixture(autouse=True)
def _quick_checks(settings):
    settings.BANK_UPLOAD_VARIANTS = 5  # the checks themselves are tested with many variants


@pytest.fixture
def other(django_user_model):
    return make_user(django_user_model, "other", INSTRUCTOR_GROUP)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def demo_yaml(slug: str = "owner-demo", title: str = "Мой демо-банк") -> str:
    """The demo bank with its own slug and title (the bundled ``demo`` stays free)."""
    text = DEMO.read_text(encoding="utf-8")
    text = text.replace("  slug: demo\n", f"  slug: {slug}\n", 1)
    return text.replace('title: "Демо: все типы вопросов"', f'title: "{title}"', 1)


def upload(client, name: str, content: str | bytes, capture, **fields):
    """POST a file to the upload form, running the queued tasks; the response."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = content.encode() if isinstance(content, str) else content
    with capture(execute=True):
        return client.post(
            reverse("banks:upload-new"), {"file": SimpleUploadedFile(name, data), **fields}
        )


def publish(client, upload_id: int, capture):
    with capture(execute=True):
        return client.post(reverse("banks:upload-publish", args=[upload_id]))
