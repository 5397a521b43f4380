"""id_token claims pylti1p3 leaves unchecked: ``azp`` with several audiences (OIDC Core §3.1.3.7,
LTI 1.3 §5.1.2) and the required ``exp``/``iat``."""

from __future__ import annotations

import pytest
from lti_tool.models import LtiUser

from tests.quizapp.lti.test_launch import _launch

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "claims",
    [
        # A token the platform issued for another tool, which lists us as a further audience.
        {"aud": "CLIENT", "azp": "other-tool"},
        {"aud": ["CLIENT", "other-tool"], "azp": "other-tool"},
        # Several audiences without azp.
        {"aud": ["CLIENT", "other-tool"]},
        # A token that never expires, or has no issue time.
        {"exp": None},
        {"iat": None},
    ],
)
def test_launch_with_wrong_azp_or_missing_times_is_refused(
    client, platform, registration, demo_quiz, claims
):
    claims = {
        k: ([platform.client_id if a == "CLIENT" else a for a in v] if isinstance(v, list) else v)
        for k, v in claims.items()
    }
    if claims.get("aud") == "CLIENT":
        claims["aud"] = platform.client_id
    answer, _token, _auth = _launch(client, platform, registration, **claims)
    assert 400 <= answer.status_code < 500
    assert "_auth_user_id" not in client.session
    assert not LtiUser.objects.exists()


def test_azp_naming_us_with_several_audiences_is_accepted(
    client, platform, registration, demo_quiz
):
    answer, _token, _auth = _launch(
        client,
        platform,
        registration,
        aud=[platform.client_id, "other-tool"],
        azp=platform.client_id,
    )
    assert answer.status_code == 302
