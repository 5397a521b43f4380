"""``attempt_graded`` is announced after commit whenever a finished attempt's score changes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quizapp.attempts import services
from quizapp.core.signals import attempt_graded
from quizapp.gradebook.services import score_override

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced():
    seen = []

    def receiver(sender, attempt_id, **kwargs):
        seen.append(attempt_id)

    attempt_graded.connect(receiver, dispatch_uid="test-announced")
    yield seen
    attempt_graded.disconnect(dispatch_uid="test-announced")


def test_finish_grading_and_override_announce(
    student, demo_quiz, announced, django_capture_on_commit_callbacks
):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    services.draft_save(item=attempt.items.get(position=1), raw="1", rev=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.attempt_finish(attempt=attempt)
    assert announced == []  # nothing before commit
    for callback in callbacks:
        callback()
    # Finishing announces, then the late grading of the draft announces again.
    assert announced and set(announced) == {attempt.pk}
    announced.clear()
    with django_capture_on_commit_callbacks(execute=True):
        score_override(attempt=attempt, new_score=Decimal("5"), reason="апелляция", by=None)
    assert announced == [attempt.pk]


def test_a_failing_receiver_does_not_break_grading(
    student, demo_quiz, django_capture_on_commit_callbacks, caplog
):
    def broken(sender, attempt_id, **kwargs):
        raise RuntimeError("LMS down")

    attempt_graded.connect(broken, dispatch_uid="test-broken")
    try:
        attempt = services.attempt_start(user=student, quiz=demo_quiz)
        with django_capture_on_commit_callbacks(execute=True):
            services.attempt_finish(attempt=attempt)
    finally:
        attempt_graded.disconnect(dispatch_uid="test-broken")
    attempt.refresh_from_db()
    assert attempt.status == "finished"
    assert "LMS down" in caplog.text
