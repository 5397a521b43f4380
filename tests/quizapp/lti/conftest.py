from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.quizapp.lti.platform import Platform


@pytest.fixture
def platform():
    with Platform() as lms:
        yield lms


@pytest.fixture
def registration(db, platform):
    from lti_tool.models import Key

    registration = platform.register()
    platform.tool_jwks = Key.objects.as_jwks()
    return registration


def oidc_login(get, platform, registration, *, login_hint="learner-1", base="") -> dict:
    """The platform starts a login; returns the auth request the tool redirected the browser to."""
    from django.urls import reverse

    url = base + reverse("lti-login", kwargs={"registration_uuid": registration.uuid})
    params = {
        "iss": platform.issuer,
        "client_id": platform.client_id,
        "login_hint": login_hint,
        "lti_message_hint": "hint-1",
        "target_link_uri": (base or "http://testserver") + reverse("lti-launch"),
        # What the tool's cookie-check page adds before it redirects (tested separately).
        "lti1p3_new_window": "1",
    }
    answer = get(url, params)
    assert answer.status_code == 302, (answer.status_code, answer.content[:500])
    location = answer.headers["Location"]
    assert location.startswith(platform.url("/auth?"))
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
