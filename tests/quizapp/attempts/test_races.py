"""Races that only a real database shows: row locks on PostgreSQL."""

from __future__ import annotations

import pytest

from quizapp.attempts import services
from quizapp.core.errors import ServiceError
from quizapp.models import Attempt, Response
from tests.quizapp.concurrency import in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_finish_closes_once(student, demo_quiz):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    finished_at = []

    def finish():
        finished_at.append(services.attempt_finish(attempt=attempt).finished_at)

    assert in_threads([finish] * 4) == []
    assert len(set(finished_at)) == 1
    assert Attempt.objects.get(pk=attempt.pk).status == Attempt.Status.FINISHED


def test_submit_racing_finish_is_saved_or_refused_never_lost(student, demo_quiz):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = attempt.items.get(version__question__slug="lstm-gates")
    outcomes = []

    def submit():
        try:
            services.response_submit(item=item, raw="1")
            outcomes.append("saved")
        except ServiceError as exc:
            outcomes.append(exc.code)

    def finish():
        services.attempt_finish(attempt=attempt)

    assert in_threads([submit, finish, submit, submit, finish, submit]) == []
    saved = outcomes.count("saved")
    assert Response.objects.filter(item=item).count() == saved
    assert set(outcomes) <= {"saved", "attempt_finished"}
