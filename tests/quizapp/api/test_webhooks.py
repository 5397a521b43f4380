"""Webhooks: announced once per graded attempt, HMAC-signed, retried with backoff, logged.

The receiver is a real HTTP server on the loopback interface, run by the test.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from quizapp.api import tasks
from quizapp.api.services import webhook_endpoint_create
from quizapp.api.webhooks import attempt_graded_notify, webhook_delivery_send
from quizapp.models.api import WebhookDelivery, WebhookEndpoint

from .conftest import error_code, post_json

pytestmark = pytest.mark.django_db

HOOKS = "/api/v1/webhooks/"


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    # The receiver listens on 127.0.0.1, which the SSRF guard refuses by default.
    settings.API_WEBHOOK_ALLOW_PRIVATE = True


class Receiver:
    """A loopback HTTP server answering with the given statuses in turn (then 200)."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(statuses=()):
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for server in made:
        server.close()


def verify(secret: str, header: str, body: bytes) -> bool:
    """The receiver's check, as docs/api.md shows it."""
    parts = dict(p.split("=", 1) for p in header.split(","))
    mac = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), parts["v1"])


def finish_graded_attempt(student_api, quiz, commit):
    started = post_json(student_api, "/api/v1/attempts/", {"quiz": quiz.pk}).json()
    commit(
        post_json,
        student_api,
        reverse("api:response-submit", args=[started["uuid"], 1]),
        {"answer": "1"},
    )
    commit(student_api.post, reverse("api:attempt-finish", args=[started["uuid"]]))
    return started["uuid"]


def test_instructor_registers_a_webhook_and_sees_the_secret_once(instructor_api, instructor):
    created = post_json(instructor_api, HOOKS, {"url": "https://lms.example/hook"})
    assert created.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    assert created.json()["secret"] == endpoint.secret and endpoint.owner == instructor
    assert endpoint.events == ["attempt.graded"]
    listed = instructor_api.get(HOOKS).json()["results"]
    assert "secret" not in listed[0] and endpoint.secret not in json.dumps(listed)


def test_webhook_url_must_be_http(instructor_api):
    response = post_json(instructor_api, HOOKS, {"url": "ftp://lms.example/hook"})
    assert response.status_code == 400 and "url" in response.json()["error"]["fields"]
    assert not WebhookEndpoint.objects.exists()


def test_webhooks_are_managed_in_the_browser_only(lms, student_api):
    assert error_code(post_json(lms, HOOKS, {"url": "https://x.example/"})) == "session_only"
    assert error_code(student_api.get(HOOKS)) == "instructor_only"


def test_other_instructor_cannot_see_or_delete(other_instructor_api, instructor):
    endpoint = webhook_endpoint_create(owner=instructor, url="https://a.example/", events=[])
    assert other_instructor_api.delete(f"{HOOKS}{endpoint.pk}/").status_code == 404
    assert other_instructor_api.get(f"{HOOKS}{endpoint.pk}/deliveries/").status_code == 404
    assert WebhookEndpoint.objects.exists()


def test_graded_attempt_is_announced_once_signed(
    student_api, instructor_api, instructor, quiz, commit, receiver
):
    server = receiver()
    endpoint = webhook_endpoint_create(owner=instructor, url=server.url, events=[])
    attempt_uuid = finish_graded_attempt(student_api, quiz, commit)
    assert len(server.requests) == 1
    headers, body = server.requests[0]
    assert headers["X-Neurozachet-Event"] == "attempt.graded"
    assert verify(endpoint.secret, headers["X-Neurozachet-Signature"], body)
    assert not verify("whsec_wrong", headers["X-Neurozachet-Signature"], body)
    payload = json.loads(body)
    assert payload["event"] == "attempt.graded" and payload["data"]["attempt"] == attempt_uuid
    assert payload["data"]["max_score"] == "9.00" and payload["data"]["score"] is not None
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.tries, delivery.last_status_code) == ("succeeded", 1, 200)
    assert payload["delivery"] == delivery.pk == int(headers["X-Neurozachet-Delivery"])
    # Noticing the same graded attempt again (a second grader, a redelivered task) sends nothing.
    from quizapp.models import Attempt

    commit(attempt_graded_notify, attempt_id=Attempt.objects.get().pk)
    assert len(server.requests) == 1 and WebhookDelivery.objects.count() == 1
    log = instructor_api.get(f"{HOOKS}{endpoint.pk}/deliveries/").json()["results"]
    assert [d["status"] for d in log] == ["succeeded"]


def test_open_attempt_or_pending_answer_is_not_announced(
    student_api, instructor, quiz, django_capture_on_commit_callbacks, receiver
):
    server = receiver()
    webhook_endpoint_create(owner=instructor, url=server.url, events=[])
    started = post_json(student_api, "/api/v1/attempts/", {"quiz": quiz.pk}).json()
    # The answer is saved but its grading never runs: the attempt is finished, not graded.
    post_json(
        student_api, reverse("api:response-submit", args=[started["uuid"], 1]), {"answer": "1"}
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        student_api.post(reverse("api:attempt-finish", args=[started["uuid"]]))
    for callback in callbacks:
        if "grade_response" not in repr(callback.__code__.co_names):
            callback()
    assert server.requests == [] and not WebhookDelivery.objects.exists()


def test_failed_delivery_is_retried_with_backoff_and_logged(
    student_api, instructor, quiz, commit, receiver, settings
):
    settings.API_WEBHOOK_EAGER_RETRIES = True
    server = receiver(statuses=[500, 503])
    webhook_endpoint_create(owner=instructor, url=server.url, events=[])
    finish_graded_attempt(student_api, quiz, commit)
    assert len(server.requests) == 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.tries, delivery.last_error) == ("succeeded", 3, "")
    # The same delivery id every time, so the receiver can drop duplicates.
    assert {h["X-Neurozachet-Delivery"] for h, _ in server.requests} == {str(delivery.pk)}


def test_unreachable_endpoint_fails_for_good_in_eager_mode(
    student_api, instructor, quiz, commit, receiver
):
    server = receiver()
    url = server.url
    server.close()  # nothing listens there any more
    webhook_endpoint_create(owner=instructor, url=url, events=[])
    finish_graded_attempt(student_api, quiz, commit)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.tries == 1
    assert delivery.last_status_code is None and delivery.last_error


def test_backoff_doubles_up_to_an_hour():
    assert [tasks.backoff(n) for n in range(4)] == [10, 20, 40, 80]
    assert tasks.backoff(20) == 3600


def test_worker_retries_with_the_backoff_countdown(instructor, monkeypatch):
    endpoint = webhook_endpoint_create(owner=instructor, url="http://127.0.0.1:9/", events=[])
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="attempt.graded", event_key="attempt.graded:x", payload={}
    )
    sent = []

    def refuse(url, body, headers, timeout):
        sent.append(url)
        return 502

    monkeypatch.setattr("quizapp.api.webhooks.post_json", refuse)
    first = webhook_delivery_send(delivery_id=delivery.pk, final=False)
    assert (first.status, first.tries, first.last_error) == ("pending", 1, "HTTP 502")
    retries = []

    class Retry(Exception):
        pass

    def fake_retry(countdown):
        retries.append(countdown)
        return Retry()

    monkeypatch.setattr(tasks.deliver_webhook, "retry", fake_retry)
    # As a worker runs it: not eager, second try (retries=1).
    tasks.deliver_webhook.push_request(retries=1, is_eager=False)
    try:
        with pytest.raises(Retry):
            tasks.deliver_webhook.run(delivery.pk)
    finally:
        tasks.deliver_webhook.pop_request()
    assert retries == [20] and len(sent) == 2
    assert WebhookDelivery.objects.get().tries == 2
