"""Webhooks must not become a way to make the server call its own network (SSRF): a URL that is
or resolves to a loopback, private, link-local or multicast address is refused, at registration
when it is a literal address and at every delivery after resolving the name, and redirects are
not followed. API_WEBHOOK_ALLOW_PRIVATE turns this off (the loopback tests in test_webhooks)."""

from __future__ import annotations

import socket

import pytest

from quizapp.api.services import webhook_endpoint_create
from quizapp.api.webhooks import webhook_delivery_send
from quizapp.models.api import WebhookDelivery, WebhookEndpoint

from .conftest import post_json

pytestmark = pytest.mark.django_db

HOOKS = "/api/v1/webhooks/"


@pytest.fixture(autouse=True)
def _private_refused(settings):
    settings.API_WEBHOOK_ALLOW_PRIVATE = False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8000/",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "http://0.0.0.0:5432/",
    ],
)
def test_literal_private_address_is_refused_at_registration(instructor_api, url):
    response = post_json(instructor_api, HOOKS, {"url": url})
    assert response.status_code == 400 and "url" in response.json()["error"]["fields"]
    assert not WebhookEndpoint.objects.exists()


def _delivery(owner, url):
    endpoint = webhook_endpoint_create(owner=owner, url=url, events=[])
    return WebhookDelivery.objects.create(
        endpoint=endpoint, event="attempt.graded", event_key="attempt.graded:x", payload={}
    )


def test_name_resolving_to_a_private_address_is_not_called(instructor, monkeypatch):
    # DNS says the public-looking name is the metadata service.
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port or 80))]

    monkeypatch.setattr("socket.getaddrinfo", resolve)
    sent = []
    delivery = _delivery(instructor, "https://hooks.example.org/x")
    delivery = webhook_delivery_send(
        delivery_id=delivery.pk, final=True, transport=lambda *a: sent.append(a) or 200
    )
    assert sent == []
    assert delivery.status == "failed" and "private" in delivery.last_error


def test_public_address_is_called(instructor, monkeypatch):
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port or 443))]

    monkeypatch.setattr("socket.getaddrinfo", resolve)
    sent = []
    delivery = _delivery(instructor, "https://hooks.example.org/x")
    delivery = webhook_delivery_send(
        delivery_id=delivery.pk, final=True, transport=lambda *a: sent.append(a) or 200
    )
    assert len(sent) == 1 and delivery.status == "succeeded"


def test_redirects_are_not_followed():
    import urllib.request

    from quizapp.api import webhooks

    handler = webhooks._NoRedirect()
    request = urllib.request.Request("https://hooks.example.org/x", data=b"{}", method="POST")
    assert handler.redirect_request(request, None, 302, "Found", {}, "http://127.0.0.1/") is None
