"""Every page sends the Content-Security-Policy, with no inline exception, and its HTML has
nothing that policy would refuse: no inline script with code, no style attribute or element."""

from __future__ import annotations

import os
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from question_bank.models import Bank, Topic
from quizapp.attempts import services
from quizapp.models import Quiz

pytestmark = pytest.mark.django_db

EXPECTED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=|\son[a-z]+\s*=\s*[\"']|javascript:", re.I)


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    return {
        part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()
    }


def _check(response, url):
    assert response.status_code == 200, url
    policy = _policy(response)
    expected = dict(EXPECTED)
    if url == "/api/v1/redoc/":
        # Redoc's bundle inserts <style> elements: its page alone allows their fixed hashes
        # (quizapp/api/urls.py), and nothing inline besides.
        from quizapp.api.urls import REDOC_STYLE_HASHES

        expected["style-src"] = " ".join(["'self'", *REDOC_STYLE_HASHES])
    for directive, value in expected.items():
        assert policy[directive] == value, (url, directive, policy)
    assert "'nonce-" not in response["Content-Security-Policy"]
    if response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html).group(0))
        found = INLINE_STYLE.search(html)
        assert not found, (url, html[max(0, found.start() - 80) : found.end() + 80])


@pytest.fixture
def demo(demo_quiz):
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    return Bank.objects.get(slug="demo")


def test_every_page_sends_the_policy_and_has_no_inline_code(client, student, admin, demo):
    exam = Quiz.objects.get(slug="demo-exam")
    topic = Topic.objects.get(bank=demo, slug="regularization")
    finished = services.attempt_start(user=student, quiz=exam)
    for item in finished.items.all():
        services.response_submit(item=item, raw="1")
    services.attempt_finish(attempt=finished)
    Quiz.objects.filter(pk=exam.pk).update(max_attempts=None)
    open_attempt = services.attempt_start(user=student, quiz=Quiz.objects.get(slug="demo"))

    anonymous = [
        reverse("login"),
        reverse("register"),
        reverse("password_reset"),
        "/api/v1/docs/",
        "/api/v1/docs/?script",
        "/api/v1/redoc/",
    ]
    for url in anonymous:
        _check(client.get(url), url)

    client.force_login(student)
    for url in [
        reverse("home"),
        reverse("practice"),
        reverse("practice-topic", args=[topic.pk]),
        reverse("flashcards"),
        reverse("flashcard-decks"),
        reverse("quiz", args=[exam.slug]),
        open_attempt.get_absolute_url(),
        finished.get_absolute_url(),  # the result
        reverse("courses"),
    ]:
        _check(client.get(url), url)

    client.force_login(admin)
    for url in [
        reverse("banks:list"),
        reverse("banks:detail", args=[demo.pk]),
        reverse("gradebook-index"),
        reverse("gradebook-quiz", args=[exam.pk]),
        reverse("analysis-quiz", args=[exam.pk]),
        reverse("regrade", args=[exam.pk]),
        reverse("teach-quizzes"),
        reverse("teach-quiz-edit", args=[exam.pk]),
        reverse("teach-quiz-new"),
        reverse("api-keys"),
    ]:
        _check(client.get(url), url)


def test_error_and_lockout_pages_send_the_policy_too(client, student, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and _policy(missing)["script-src"] == "'self'"
    for i in range(10):
        client.post("/login/", {"username": "student", "password": f"x{i}"})
    locked = client.post("/login/", {"username": "student", "password": "x"})
    assert locked.status_code == 429 and _policy(locked)["style-src"] == "'self'"


def test_the_item_analysis_bar_needs_no_inline_style(
    client, student, admin, demo, django_capture_on_commit_callbacks
):
    exam = Quiz.objects.get(slug="demo-exam")
    with django_capture_on_commit_callbacks(execute=True):  # graded (eager tasks) on commit
        attempt = services.attempt_start(user=student, quiz=exam)
        for item in attempt.items.all():
            services.response_submit(item=item, raw="1")
        services.attempt_finish(attempt=attempt)
    client.force_login(admin)
    html = client.get(reverse("analysis-quiz", args=[exam.pk])).content.decode()
    assert re.search(r'<meter class="ia-bar[^"]*" min="0" max="100" value="\d+"', html)
