"""Fixtures of the worker and fault tests."""

import os

import pytest

from tests.quizapp.attempts.stack import clear_queue, switch_broker, use_broker


@pytest.fixture
def shared_redis():
    """Point this process's Celery app at the real Redis; start from an empty queue."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    saved = use_broker(url)
    clear_queue(url)
    yield url
    switch_broker(**saved)
