"""Score passback (AGS): the end-to-end run with the suite playing the LMS, retries, idempotency."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import requests
from django.urls import reverse

from quizapp.attempts import services as quiz_services
from quizapp.lti.services import lti_attempt_graded
from quizapp.models import Attempt
from quizapp.models.lti import LtiScorePassback
from tests.quizapp.lti.conftest import oidc_login
from tests.quizapp.lti.platform import AGS, INSTRUCTOR

SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def _csrf(session: requests.Session, page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return match.group(1) if match else session.cookies["csrftoken"]


def _right_answer(item) -> str:
    import grader

    expected = grader.grade(item.version.spec, item.seed, "0").expected
    return f"{expected:.4f}".replace(".", ",")


@pytest.mark.django_db(transaction=True)
def test_end_to_end_login_launch_answer_and_score_passback(live_server, platform, demo_quiz):
    from lti_tool.models import Key

    registration = platform.register()
    base = live_server.url
    platform.tool_jwks_url = base + reverse("lti-jwks")
    browser = requests.Session()

    # 1. OIDC login initiated by the platform; the tool sends the browser to the platform.
    auth = oidc_login(
        lambda url, params: browser.get(url, params=params, allow_redirects=False),
        platform,
        registration,
        base=base,
    )
    assert auth["redirect_uri"] == base + "/lti/launch/"
    # 2. The platform authenticates the learner and posts a signed id_token back.
    token = platform.id_token(
        nonce=auth["nonce"], sub="learner-7", target_link_uri=auth["redirect_uri"]
    )
    landed = browser.post(
        auth["redirect_uri"],
        data={"id_token": token, "state": auth["state"]},
        allow_redirects=False,
    )
    assert landed.status_code == 302, landed.text[:500]
    assert landed.headers["Location"] == reverse("quiz", args=["demo"])
    quiz_page = browser.get(base + landed.headers["Location"])
    assert quiz_page.status_code == 200 and demo_quiz.title in quiz_page.text

    # 3. Start an attempt and answer one question right, through the pages.
    started = browser.post(
        base + reverse("attempt-start", args=["demo"]),
        data={"csrfmiddlewaretoken": _csrf(browser, quiz_page.text)},
        allow_redirects=False,
    )
    assert started.status_code == 302
    attempt = Attempt.objects.get(user__lti_users__sub="learner-7")
    item = attempt.items.get(version__question__slug="cafe-network")
    page = browser.get(base + attempt.get_absolute_url()).text
    answered = browser.post(
        base + reverse("response-submit", args=[attempt.uuid, item.position]),
        data={"csrfmiddlewaretoken": _csrf(browser, page), "answer": _right_answer(item)},
        allow_redirects=False,
    )
    assert answered.status_code == 302
    assert not platform.scores  # nothing is sent before the attempt is finished
    finished = browser.post(
        base + reverse("attempt-finish", args=[attempt.uuid]),
        data={"csrfmiddlewaretoken": _csrf(browser, page)},
        allow_redirects=False,
    )
    assert finished.status_code == 302

    # 4. The score reached the platform, once, as AGS wants it.
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.FINISHED and attempt.score == Decimal("1.00")
    assert len(platform.scores) == 1
    posted = platform.scores[0]
    assert posted["content_type"] == SCORE_TYPE
    body = posted["body"]
    assert body["userId"] == "learner-7"
    assert body["scoreGiven"] == float(attempt.score)
    assert body["scoreMaximum"] == float(attempt.max_score)
    assert body["activityProgress"] == "Completed"
    assert body["gradingProgress"] == "FullyGraded"
    assert body["timestamp"]
    # The token was asked for with a JWT the platform verified against the tool's live JWKS.
    (token_request,) = platform.token_requests
    assert token_request["form"]["grant_type"] == "client_credentials"
    assert token_request["claims"]["iss"] == platform.client_id
    assert AGS + "scope/score" in token_request["form"]["scope"]
    assert token_request["claims"]["aud"] == platform.url("/token")
    assert Key.objects.active().count() == 1
    passback = LtiScorePassback.objects.get()
    assert passback.status == LtiScorePassback.Status.SENT
    assert passback.sent_score == attempt.score and passback.tries == 1
    assert passback.lti_user.sub == "learner-7"


@pytest.fixture
def launched(client, platform, registration, demo_quiz):
    """A learner launched from the LMS into the demo quiz (and an instructor of that course)."""
    auth = oidc_login(lambda u, p: client.get(u, p), platform, registration, login_hint="learner-1")
    token = platform.id_token(nonce=auth["nonce"], sub="learner-1")
    answer = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})
    assert answer.status_code == 302
    from lti_tool.models import LtiUser

    return LtiUser.objects.get(sub="learner-1").auth_user


def _finish_with_one_right(user, quiz, capture):
    attempt = quiz_services.attempt_start(user=user, quiz=quiz)
    item = attempt.items.get(version__question__slug="cafe-network")
    with capture(execute=True):
        quiz_services.response_submit(item=item, raw=_right_answer(item))
    with capture(execute=True):
        quiz_services.attempt_finish(attempt=attempt)
    attempt.refresh_from_db()
    return attempt


@pytest.mark.django_db
def test_passback_is_retried_after_a_platform_error_and_sent_once(
    launched, platform, demo_quiz, settings, django_capture_on_commit_callbacks
):
    settings.LTI_EAGER_TRIES = 3
    platform.fail_next = [500]
    attempt = _finish_with_one_right(launched, demo_quiz, django_capture_on_commit_callbacks)
    assert platform.score_statuses == [500, 200]
    passback = LtiScorePassback.objects.get()
    assert passback.status == LtiScorePassback.Status.SENT and passback.tries == 2
    assert passback.last_error == "" and passback.last_status_code == 200

    # Announced graded again (a redelivered task, a second signal): nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        assert lti_attempt_graded(attempt_id=attempt.pk) == []
        assert lti_attempt_graded(attempt_id=attempt.pk) == []
    assert len(platform.scores) == 2

    # The score changes (a regrade): sent once more, with the new score.
    Attempt.objects.filter(pk=attempt.pk).update(score=Decimal("0.50"))
    with django_capture_on_commit_callbacks(execute=True):
        lti_attempt_graded(attempt_id=attempt.pk)
        lti_attempt_graded(attempt_id=attempt.pk)
    assert [s["body"]["scoreGiven"] for s in platform.scores if s["status"] == 200] == [1.0, 0.5]
    passback.refresh_from_db()
    assert passback.sent_score == Decimal("0.50") and passback.status == "sent"


@pytest.mark.django_db
def test_failed_passback_is_shown_to_the_instructor_and_can_be_retried(
    launched, client, platform, demo_quiz, django_user_model, django_capture_on_commit_callbacks
):
    platform.fail_next = [503]
    _finish_with_one_right(launched, demo_quiz, django_capture_on_commit_callbacks)
    passback = LtiScorePassback.objects.get()
    assert passback.status == LtiScorePassback.Status.FAILED
    assert passback.last_status_code == 503 and "HTTP 503" in passback.last_error

    owner = django_user_model.objects.create_user("owner", password="pw-owner-1")
    from django.contrib.auth.models import Group

    from quizapp.core.roles import INSTRUCTOR_GROUP

    owner.groups.add(Group.objects.get_or_create(name=INSTRUCTOR_GROUP)[0])
    outsider = django_user_model.objects.create_user("teacher2", password="pw-teacher-2")
    outsider.groups.add(Group.objects.get(name=INSTRUCTOR_GROUP))
    demo_quiz.owner = owner
    demo_quiz.save(update_fields=["owner"])

    client.force_login(outsider)
    assert "Повторить" not in client.get(reverse("lti-scores")).content.decode()
    retry_url = reverse("lti-score-retry", args=[passback.pk])
    assert client.post(retry_url).status_code == 404

    client.force_login(owner)
    page = client.get(reverse("lti-scores")).content.decode()
    assert "не удалось отправить" in page and "HTTP 503" in page and "Повторить" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry_url).status_code == 302
    passback.refresh_from_db()
    assert passback.status == LtiScorePassback.Status.SENT and passback.tries == 2
    assert platform.score_statuses == [503, 200]


@pytest.mark.django_db
def test_attempts_of_people_not_from_the_lms_send_nothing(
    launched, student, platform, demo_quiz, django_capture_on_commit_callbacks
):
    _finish_with_one_right(student, demo_quiz, django_capture_on_commit_callbacks)
    assert platform.scores == [] and not LtiScorePassback.objects.exists()


@pytest.mark.django_db
def test_scores_page_is_for_instructors(client, student):
    client.force_login(student)
    assert client.get(reverse("lti-scores")).status_code == 403


def test_instructor_role_constant_is_lis_v2():
    assert INSTRUCTOR.endswith("membership#Instructor")


@pytest.mark.django_db
def test_a_score_shown_after_the_close_reaches_the_lms_after_the_learners_own_close(
    launched, platform, demo_quiz, django_user_model, django_capture_on_commit_callbacks
):
    """The LMS would show the score to the learner: it waits for the close date, and for a
    learner with an extension, for the extension's end."""
    from datetime import timedelta

    from django.utils import timezone

    from quizapp.attempts.visibility import held_results_release
    from quizapp.courses.accommodations import accommodation_save
    from quizapp.models import Course, CourseQuiz, Enrollment, Quiz

    closes = timezone.now() + timedelta(hours=1)
    Quiz.objects.filter(pk=demo_quiz.pk).update(show_score="after_close", closes_at=closes)
    demo_quiz.refresh_from_db()
    teacher = django_user_model.objects.create_user("teacher", password="pw-teacher-1")
    course = Course.objects.create(title="ГО", code="dl", owner=teacher)
    Enrollment.objects.create(course=course, user=launched)
    CourseQuiz.objects.create(course=course, quiz=demo_quiz)
    accommodation_save(
        course=course,
        by=course.owner,
        label="Болел",
        student_ids=[launched.pk],
        closes_at=closes + timedelta(days=1),
    )
    attempt = _finish_with_one_right(launched, demo_quiz, django_capture_on_commit_callbacks)
    assert attempt.results_held and platform.scores == []
    with django_capture_on_commit_callbacks(execute=True):
        assert held_results_release(now=closes + timedelta(hours=1)) == 0  # the extension runs
    assert platform.scores == []
    with django_capture_on_commit_callbacks(execute=True):
        assert held_results_release(now=closes + timedelta(days=2)) == 1
    assert [s["body"]["scoreGiven"] for s in platform.scores if s["status"] == 200] == [1.0]
