"""Schemathesis against the running app: every check, every phase (examples, coverage, fuzzing,
stateful), the way an integrator's own run would do it.

The schemathesis CLI runs in a child process against pytest-django's live server, with an
instructor's data in place: the demo bank and quiz, a course with an enrolled student, attempts
finished and in progress. One pass uses the instructor's API key (every operation a key may
call); a second one a browser session with its CSRF token (keys and webhooks, which only a
person in the browser may manage). 0 failures are expected. ``bin/test`` runs this module on
PostgreSQL with the whole suite and once more on SQLite.

The run is bounded (``MAX_EXAMPLES`` per operation and phase, a fixed seed, deterministic
generation, two workers): about two minutes. ``schemathesis.toml`` at the top of the
repository holds the one setting beyond the defaults.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from quizapp.courses.services import course_quiz_assign
from quizapp.models import Course

from .conftest import key_client, post_json

# The two runs use the live server (another thread): their data must be committed.
live = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
CLI = Path(sys.executable).with_name("schemathesis")
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
# bin/test's second run, on SQLite, leaves out the coverage phase (a minute of boundary values
# that test validation, which the first run covered on PostgreSQL): see bin/test.
PHASES = os.environ.get("SCHEMATHESIS_PHASES", "examples,coverage,fuzzing,stateful")
BROWSER_ONLY = "^/api/v1/(keys|webhooks)/"
CSRF = "a" * 32  # any 32 letters: the CSRF cookie's secret, sent back in the header


@pytest.fixture
def generous_limits(settings):
    rates = {"api_key": "1000000/min", "session": "1000000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture
def instructor_world(quiz, instructor, generous_limits):
    """The instructor's API key, after a term's worth of data made through the API itself."""
    client, token = key_client(instructor, rate_per_minute=100000)
    course = post_json(
        client, "/api/v1/courses/", {"code": "dl-2026", "title": "Глубокое обучение"}
    )
    assert course.status_code == 201, course.content
    course_quiz_assign(course=Course.objects.get(pk=course.json()["id"]), quiz=quiz, by=instructor)
    students = []
    for n in range(3):
        enrolled = post_json(
            client,
            f"/api/v1/courses/{course.json()['id']}/enrollments/",
            {"external_id": f"moodle-{n}", "email": f"s{n}@example.org", "last_name": f"Ст{n}"},
        )
        assert enrolled.status_code == 201, enrolled.content
        students.append(enrolled.json()["user"]["id"])
    for n, student in enumerate(students):
        attempt = post_json(client, "/api/v1/attempts/", {"quiz": quiz.pk, "user": student})
        assert attempt.status_code == 201, attempt.content
        uuid = attempt.json()["uuid"]
        for position in (1, 2):
            answered = post_json(
                client,
                reverse("api:response-submit", args=[uuid, position]),
                {"answer": str(position + n)},
            )
            assert answered.status_code in (200, 202), answered.content
        if n:  # the first stays in progress
            finished = client.post(reverse("api:attempt-finish", args=[uuid]))
            assert finished.status_code == 200, finished.content
    return token


def schemathesis(url: str, *options: str) -> tuple[int, str]:
    command = [
        str(CLI),
        "run",
        f"{url}/api/v1/schema/",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "1",
        "--generation-deterministic",
        "--no-color",
        "--phases",
        PHASES,
        "--workers",
        "2",
        *options,
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1100)
    output = done.stdout + done.stderr
    print(output)  # pytest -rP shows the run: phases, their times, the counts
    return done.returncode, output


def _assert_clean(code: int, output: str) -> None:
    summary = output[output.find("SUMMARY") :]
    banner = summary.strip().splitlines()[-1] if summary.strip() else output[-3000:]
    # «No issues found in …» or, with warnings only (an operation whose random ids found no
    # data), «2 warnings in …»: never a failure or an error.
    assert code == 0 and "failure" not in banner and "error" not in banner, output[-20000:]
    tested = re.search(r"Tested: (\d+)", summary)
    assert tested is not None and int(tested.group(1)) > 0, summary


@live
@pytest.mark.timeout(1200)
def test_every_operation_keeps_its_schema_with_an_instructors_key(live_server, instructor_world):
    code, output = schemathesis(
        live_server.url,
        "--exclude-path-regex",
        BROWSER_ONLY,
        "-H",
        f"Authorization: Bearer {instructor_world}",
    )
    _assert_clean(code, output)
    # Every phase asked for ran.
    for phase in PHASES.split(","):
        assert f"{phase.capitalize()} (in" in output, output


@live
@pytest.mark.timeout(1200)
def test_keys_and_webhooks_keep_their_schema_in_a_browser_session(
    live_server, instructor, generous_limits, settings
):
    settings.API_WEBHOOK_ALLOW_PRIVATE = False
    browser = Client()
    browser.force_login(instructor)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    code, output = schemathesis(
        live_server.url,
        "--include-path-regex",
        BROWSER_ONLY,
        "-H",
        f"Cookie: {settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF}",
        "-H",
        f"X-CSRFToken: {CSRF}",
        # The session travels in a raw Cookie header (with the CSRF cookie it needs), which
        # schemathesis cannot take away to probe a call without it: that one check is made by
        # test_browser_only_operations_refuse_a_call_without_the_session below instead.
        "--exclude-checks",
        "ignored_auth",
    )
    _assert_clean(code, output)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/keys/"),
        ("post", "/api/v1/keys/"),
        ("delete", "/api/v1/keys/1/"),
        ("get", "/api/v1/webhooks/"),
        ("post", "/api/v1/webhooks/"),
        ("delete", "/api/v1/webhooks/1/"),
        ("get", "/api/v1/webhooks/1/deliveries/"),
    ],
)
def test_browser_only_operations_refuse_a_call_without_the_session(instructor, method, path):
    from rest_framework.test import APIClient

    anonymous = getattr(APIClient(), method)(path, {}, format="json")
    assert anonymous.status_code == 401
    forged = APIClient()
    forged.force_login(instructor)
    forged.credentials(HTTP_AUTHORIZATION="Bearer nzk_forged_key")
    assert getattr(forged, method)(path, {}, format="json").status_code == 401
    by_key = key_client(instructor)[0]
    refused = getattr(by_key, method)(path, {}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "session_only"
