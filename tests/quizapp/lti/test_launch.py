"""LTI launches through the Django test client, against the loopback platform of platform.py."""

from __future__ import annotations

import jwt
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from jwt.algorithms import RSAAlgorithm
from lti_tool.models import Key, LtiDeployment, LtiUser

from quizapp.core.roles import INSTRUCTOR_GROUP
from quizapp.models.courses import Enrollment
from quizapp.models.lti import LtiCourseLink, LtiQuizLink
from tests.quizapp.lti.conftest import oidc_login
from tests.quizapp.lti.platform import INSTRUCTOR, LTI, new_key

pytestmark = pytest.mark.django_db

LAUNCH = "/lti/launch/"


def _login(client, platform, registration, **kwargs):
    return oidc_login(lambda url, params: client.get(url, params), platform, registration, **kwargs)


def _launch(client, platform, registration, *, sub="learner-1", **claims):
    auth = _login(client, platform, registration, login_hint=sub)
    token = platform.id_token(nonce=auth["nonce"], sub=sub, **claims)
    return client.post(LAUNCH, {"id_token": token, "state": auth["state"]}), token, auth


def test_login_redirects_to_the_platform_with_state_and_nonce(client, platform, registration):
    auth = _login(client, platform, registration)
    assert auth["client_id"] == platform.client_id
    assert auth["redirect_uri"] == "http://testserver/lti/launch/"
    assert auth["response_type"] == "id_token" and auth["scope"] == "openid"
    assert auth["login_hint"] == "learner-1" and auth["lti_message_hint"] == "hint-1"
    assert auth["nonce"] and auth["state"].startswith("state-")
    assert client.cookies[f"lti1p3-{auth['state']}"].value == auth["state"]


def test_login_first_checks_that_the_frame_keeps_cookies(client, platform, registration):
    url = reverse("lti-login", kwargs={"registration_uuid": registration.uuid})
    params = {
        "iss": platform.issuer,
        "login_hint": "x",
        "target_link_uri": "http://testserver/lti/launch/",
    }
    page = client.get(url, params)
    assert page.status_code == 200
    assert "Откройте задание в новой вкладке" in page.content.decode()


def test_login_with_unknown_issuer_or_missing_params_is_refused_in_russian(client, registration):
    url = reverse("lti-login-any")
    unknown = client.get(
        url,
        {
            "iss": "https://evil.example",
            "client_id": "x",
            "login_hint": "x",
            "target_link_uri": "http://testserver/lti/launch/",
            "lti1p3_new_window": "1",
        },
    )
    assert unknown.status_code == 403
    assert "не зарегистрирована" in unknown.content.decode()
    missing = client.get(url, {"iss": "https://evil.example"})
    assert missing.status_code == 400
    assert "обязательные параметры" in missing.content.decode()


def test_student_launch_maps_the_user_and_lands_in_the_quiz(
    client, platform, registration, demo_quiz
):
    answer, _token, _auth = _launch(client, platform, registration)
    assert answer.status_code == 302
    assert answer.headers["Location"] == reverse("quiz", args=["demo"])
    lti_user = LtiUser.objects.get(registration=registration, sub="learner-1")
    user = lti_user.auth_user
    assert user.first_name == "Анна" and user.email == "learner-1@lms.example"
    assert not user.has_usable_password()
    assert client.session["_auth_user_id"] == str(user.pk)
    link = LtiQuizLink.objects.get()
    assert link.quiz == demo_quiz and link.line_item.url == platform.line_item_url
    assert not user.groups.filter(name=INSTRUCTOR_GROUP).exists()
    assert client.get(answer.headers["Location"]).status_code == 200
    # The same person again: the same account, no second one.
    client.logout()
    again, _t, _a = _launch(client, platform, registration)
    assert again.status_code == 302
    assert LtiUser.objects.get(sub="learner-1").auth_user_id == user.pk
    assert LtiQuizLink.objects.count() == 1


def test_instructor_launch_creates_the_course_and_students_are_enrolled(
    client, platform, registration, demo_quiz
):
    answer, _t, _a = _launch(client, platform, registration, sub="teacher-1", roles=[INSTRUCTOR])
    assert answer.status_code == 302
    teacher = LtiUser.objects.get(sub="teacher-1").auth_user
    assert teacher.groups.filter(name=INSTRUCTOR_GROUP).exists()
    course = LtiCourseLink.objects.get().course
    assert course.owner == teacher and course.title == "Глубокое обучение"
    assert not course.join_enabled
    client.logout()
    _launch(client, platform, registration, sub="learner-1")
    student = LtiUser.objects.get(sub="learner-1").auth_user
    enrollment = Enrollment.objects.get(course=course, user=student)
    assert enrollment.external_id == "learner-1" and enrollment.role == "student"


def test_bad_signature_is_refused_with_a_russian_message(client, platform, registration):
    auth = _login(client, platform, registration)
    forged = platform.id_token(nonce=auth["nonce"], key=new_key())
    answer = client.post(LAUNCH, {"id_token": forged, "state": auth["state"]})
    assert answer.status_code == 403
    assert "Подпись запроса LMS не прошла проверку" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    assert not LtiUser.objects.exists()


def test_wrong_nonce_is_refused(client, platform, registration):
    auth = _login(client, platform, registration)
    token = platform.id_token(nonce="never-issued")
    answer = client.post(LAUNCH, {"id_token": token, "state": auth["state"]})
    assert answer.status_code == 400
    assert "недействительна или уже использована" in answer.content.decode()
    assert not LtiUser.objects.exists()


def test_unknown_issuer_is_refused(client, platform, registration):
    auth = _login(client, platform, registration)
    token = platform.id_token(nonce=auth["nonce"], iss="https://other-lms.example")
    answer = client.post(LAUNCH, {"id_token": token, "state": auth["state"]})
    assert answer.status_code == 403
    assert "не зарегистрирована" in answer.content.decode()


@pytest.mark.parametrize(
    "post",
    [{}, {"state": "state-x"}, {"state": "state-x", "id_token": "a.b"}, {"id_token": "x.y.z"}],
)
def test_garbage_launches_are_4xx_never_500(client, registration, post):
    answer = client.post(LAUNCH, post)
    assert 400 <= answer.status_code < 500
    assert "Не удалось открыть задание" in answer.content.decode()


def test_replayed_id_token_is_refused(client, platform, registration, demo_quiz):
    first, token, auth = _launch(client, platform, registration)
    assert first.status_code == 302
    replay = client.post(LAUNCH, {"id_token": token, "state": auth["state"]})
    assert replay.status_code == 400
    assert "уже использована" in replay.content.decode()


def test_unknown_deployment_waits_for_an_admin(client, platform, registration, demo_quiz):
    auth = _login(client, platform, registration)
    token = platform.id_token(nonce=auth["nonce"], **{LTI + "deployment_id": "dep-new"})
    answer = client.post(LAUNCH, {"id_token": token, "state": auth["state"]})
    assert answer.status_code == 403
    assert "ещё не активировано" in answer.content.decode()
    assert LtiDeployment.objects.get(deployment_id="dep-new").is_active is False


def test_unlinked_resource_link_asks_the_instructor_to_pick_a_quiz(
    client, platform, registration, demo_quiz
):
    student, _t, _a = _launch(client, platform, registration, **{LTI + "custom": None})
    assert student.status_code == 409
    assert "ещё не связана с тестом" in student.content.decode()
    client.logout()
    teacher, _t, _a = _launch(
        client, platform, registration, sub="t", roles=[INSTRUCTOR], **{LTI + "custom": None}
    )
    assert teacher.status_code == 302 and "/lti/link/" in teacher.headers["Location"]
    page = client.get(teacher.headers["Location"])
    assert page.status_code == 200 and demo_quiz.title in page.content.decode()
    chosen = client.post(teacher.headers["Location"], {"quiz": demo_quiz.pk})
    assert chosen.headers["Location"] == reverse("quiz", args=["demo"])
    assert LtiQuizLink.objects.get().quiz == demo_quiz


def test_deep_linking_returns_the_chosen_quiz_with_a_line_item(
    client, platform, registration, demo_quiz
):
    settings_claim = {
        "deep_link_return_url": platform.url("/deep-link-return"),
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "data": "opaque-42",
    }
    answer, _t, _a = _launch(
        client,
        platform,
        registration,
        sub="teacher-1",
        roles=[INSTRUCTOR],
        **{
            LTI + "message_type": "LtiDeepLinkingRequest",
            LTI + "resource_link": None,
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": settings_claim,
        },
    )
    assert answer.status_code == 302 and answer.headers["Location"] == reverse("lti-deep-link")
    picker = client.get(reverse("lti-deep-link"))
    assert picker.status_code == 200 and demo_quiz.title in picker.content.decode()
    form = client.post(reverse("lti-deep-link"), {"quiz": demo_quiz.pk}).content.decode()
    assert f'action="{platform.url("/deep-link-return")}"' in form
    signed = form.split('name="JWT" value="')[1].split('"')[0]
    # The platform checks the tool's signature with the tool's published key.
    kid = jwt.get_unverified_header(signed)["kid"]
    jwk = next(k for k in client.get(reverse("lti-jwks")).json()["keys"] if k["kid"] == kid)
    message = jwt.decode(
        signed,
        RSAAlgorithm.from_jwk(jwk),
        algorithms=["RS256"],
        audience=platform.issuer,
    )
    assert message["iss"] == platform.client_id
    assert message[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert message["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-42"
    (item,) = message["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink" and item["url"] == "http://testserver/lti/launch/"
    assert item["custom"] == {"quiz": "demo"}
    assert item["lineItem"]["resourceId"] == "demo" and item["lineItem"]["scoreMaximum"] > 0


def test_deep_linking_is_for_instructors_only(client, platform, registration, demo_quiz):
    answer, _t, _a = _launch(
        client,
        platform,
        registration,
        **{
            LTI + "message_type": "LtiDeepLinkingRequest",
            LTI + "resource_link": None,
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
                "deep_link_return_url": platform.url("/deep-link-return"),
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe"],
            },
        },
    )
    assert answer.status_code == 403
    assert "только преподаватель" in answer.content.decode()


def test_instructor_launch_syncs_the_roster_through_nrps(
    client, platform, registration, django_capture_on_commit_callbacks
):
    platform.members = [
        {"user_id": "teacher-1", "roles": [INSTRUCTOR], "status": "Active", "name": "Пётр"},
        {"user_id": "s-1", "roles": ["Learner"], "status": "Active", "given_name": "Ия"},
        {"user_id": "s-2", "roles": ["Learner"], "status": "Inactive"},
    ]
    nrps = {
        "context_memberships_url": platform.url("/memberships"),
        "service_versions": ["2.0"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer, _t, _a = _launch(
            client,
            platform,
            registration,
            sub="teacher-1",
            roles=[INSTRUCTOR],
            **{"https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": nrps},
        )
    assert answer.status_code == 302
    link = LtiCourseLink.objects.get()
    assert link.roster_synced_at is not None
    enrolled = Enrollment.objects.filter(course=link.course)
    assert [e.external_id for e in enrolled] == ["s-1"]
    assert enrolled[0].user.first_name == "Ия"
    assert platform.token_requests  # NRPS is called with an OAuth2 token


def test_platform_command_add_list_and_rotate_keys(client, capsys):
    call_command(
        "lti_platform",
        "add",
        "--name",
        "Moodle",
        "--issuer",
        "https://moodle.example",
        "--client-id",
        "abc",
        "--auth-url",
        "https://moodle.example/mod/lti/auth.php",
        "--token-url",
        "https://moodle.example/mod/lti/token.php",
        "--keyset-url",
        "https://moodle.example/mod/lti/certs.php",
        "--deployment-id",
        "1",
        "--base-url",
        "https://nz.example",
    )
    out = capsys.readouterr().out
    assert "https://nz.example/lti/launch/" in out and "https://nz.example/lti/jwks/" in out
    assert LtiDeployment.objects.get(deployment_id="1").is_active
    first = client.get(reverse("lti-jwks")).json()["keys"]
    assert len(first) == 1 and first[0]["alg"] == "RS256" and "d" not in first[0]
    call_command("lti_platform", "rotate-keys")
    both = client.get(reverse("lti-jwks")).json()["keys"]
    assert len(both) == 2  # the old key stays published while platforms may cache it
    call_command("lti_platform", "rotate-keys", "--keep-days", "0")
    assert len(client.get(reverse("lti-jwks")).json()["keys"]) == 1
    assert Key.objects.count() == 3
    call_command("lti_platform", "list")
    assert "Moodle" in capsys.readouterr().out


def test_instructor_group_exists_after_launch(client, platform, registration, demo_quiz):
    _launch(client, platform, registration, sub="t2", roles=[INSTRUCTOR])
    assert Group.objects.filter(name=INSTRUCTOR_GROUP).exists()
