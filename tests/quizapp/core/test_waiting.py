"""The register of waiting work, the sweeper, ``manage.py grading`` and what a student sees when
the broker is unreachable (no Redis needed: the broker address points at a closed port)."""

from __future__ import annotations

import io
import json
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from quizapp.attempts import services
from quizapp.core import tasks as core_tasks
from quizapp.core import waiting
from quizapp.models import Response
from tests.quizapp.attempts.stack import switch_broker, use_broker

# Nothing listens on port 1 of the loopback: a connection is refused at once.
UNREACHABLE = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sent(monkeypatch):
    """Record what the sweeper would send instead of sending it."""
    log = []
    monkeypatch.setattr(waiting, "send_task", lambda name, *args: log.append((name, args)) or True)
    return log


def _waiting_answers(student, quiz, n: int, *, age_seconds: int):
    attempt = services.attempt_start(user=student, quiz=quiz)
    item = attempt.items.first()
    rows = [services.response_submit(item=item, raw=str(k)) for k in range(n)]
    Response.objects.filter(pk__in=[r.pk for r in rows]).update(
        created_at=timezone.now() - timedelta(seconds=age_seconds)
    )
    return rows


def _kind(key):
    return next(kind for kind in waiting.status() if kind["key"] == key)


def test_every_kind_of_waiting_row_is_registered():
    keys = {work.key for work in waiting.registered()}
    assert keys == {"responses", "practice", "uploads", "regrades", "lti", "webhooks"}


def test_status_counts_states_and_the_age_of_the_oldest(student, demo_quiz):
    rows = _waiting_answers(student, demo_quiz, 3, age_seconds=30)
    services.responses_grade_batch(first_id=rows[0].pk, limit=1)
    kind = _kind("responses")
    assert kind["waiting"] == 2 and sum(kind["states"].values()) == 3
    assert 29 <= kind["oldest_waiting_seconds"] < 60
    assert kind["queue"] == "grading"


def test_sweep_sends_one_drain_for_answers_that_waited_and_then_holds(
    student, demo_quiz, sent, settings
):
    settings.GRADING_SWEEP_AFTER = 10
    _waiting_answers(student, demo_quiz, 5, age_seconds=2)  # merely queued: left alone
    assert waiting.sweep()["responses"] == 0 and sent == []
    _waiting_answers(student, demo_quiz, 5, age_seconds=30)
    assert waiting.sweep()["responses"] == 1
    assert sent == [("quizapp.attempts.tasks.grade_pending_responses", ())]
    # Run again at once (beat every few seconds, an operator by hand): held, nothing piles up.
    assert waiting.sweep()["responses"] == 0 and len(sent) == 1


def test_sweep_by_hand_grades_everything_in_the_embedded_mode(student, demo_quiz):
    rows = _waiting_answers(student, demo_quiz, 4, age_seconds=60)
    out = io.StringIO()
    call_command("grading", "sweep", stdout=out)
    assert "Ответы в тестах" in out.getvalue()
    assert Response.objects.filter(pk__in=[r.pk for r in rows], status="pending").count() == 0


def test_rows_of_other_kinds_are_sent_again_one_by_one(owner, sent):
    from quizapp.models.api import WebhookDelivery, WebhookEndpoint

    endpoint = WebhookEndpoint.objects.create(
        owner=owner, url="https://lms.example/hook", secret="s", events=["attempt.graded"]
    )
    lost = WebhookDelivery.objects.create(endpoint=endpoint, event="attempt.graded", event_key="a")
    fresh = WebhookDelivery.objects.create(endpoint=endpoint, event="attempt.graded", event_key="b")
    WebhookDelivery.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    assert waiting.sweep(keys={"webhooks"}) == {"webhooks": 1}
    assert sent == [("quizapp.api.tasks.deliver_webhook", (lost.pk,))]
    assert waiting.sweep(keys={"webhooks"}) == {"webhooks": 0}  # held
    assert fresh.pk not in [args[0] for _, args in sent]


def test_grading_status_command(student, demo_quiz):
    _waiting_answers(student, demo_quiz, 2, age_seconds=90)
    out = io.StringIO()
    call_command("grading", "status", stdout=out)
    text = out.getvalue()
    assert "Ответы в тестах" in text and "ждут      2" in text
    assert "брокера нет" in text  # the embedded mode grades in the web process
    out = io.StringIO()
    call_command("grading", "status", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {k["key"]: k["waiting"] for k in data["kinds"]}["responses"] == 2


@pytest.mark.django_db(transaction=True)
def test_a_submit_with_the_broker_unreachable_is_saved_and_says_so(
    client, student, demo_quiz, monkeypatch
):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    client.force_login(student)
    saved = use_broker(UNREACHABLE)
    tries = []
    real_claim = core_tasks.nudges.claim

    def counting_claim(*args, **kwargs):
        tries.append(args[0])
        return real_claim(*args, **kwargs)

    monkeypatch.setattr(core_tasks.nudges, "claim", counting_claim)
    try:
        pages = []
        for position in (1, 2):
            started = time.monotonic()
            url = reverse("response-submit", args=[attempt.uuid, position])
            pages.append(client.post(url, {"answer": "42"}, follow=True))
            assert time.monotonic() - started < 5
    finally:
        switch_broker(**saved)
    for page in pages:
        assert page.status_code == 200
        assert "Ответ сохранён, проверка задерживается" in page.content.decode()
    assert list(Response.objects.values_list("status", flat=True)) == ["pending", "pending"]
    # After the first failure the process pauses publishing: the second submit did not wait.
    assert len(tries) == 1


def test_a_drain_lingers_for_answers_that_keep_coming_then_lets_go(sent):
    """Answers arriving while it looks are taken by the same drain; it stops after the linger,
    with one last look after letting go of its flag."""
    arrivals = iter([3, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    calls = []

    def grade_batch():
        calls.append(1)
        return next(arrivals, 0)

    started = time.monotonic()
    done = waiting.drain(grade_batch, "x.drain", key="test", batch_size=100, linger=0.2)
    assert done == 5
    assert 0.2 <= time.monotonic() - started < 2
    assert sent == []  # no helper was recruited: no batch came back full
    assert len(calls) >= 5


def test_a_full_batch_recruits_one_more_drain(sent, monkeypatch):
    monkeypatch.setattr(core_tasks.nudges, "claim", lambda key, ttl=None: True)
    arrivals = iter([100, 100, 40])
    done = waiting.drain(lambda: next(arrivals, 0), "x.drain", key="t", batch_size=100, linger=0)
    assert done == 240
    assert sent == [("x.drain", ()), ("x.drain", ())]
