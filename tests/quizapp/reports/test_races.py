"""Races of error reports on PostgreSQL: a double submit of one variant leaves one open report;
two owners answering one report at once answer it once."""

from __future__ import annotations

import pytest

from quizapp.core.errors import ServiceError
from quizapp.models import QuestionReport
from quizapp.reports import services
from tests.quizapp.concurrency import in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_double_submit_leaves_one_open_report(item, student):
    def submit(message):
        return lambda: services.report_for_attempt_item(
            user=student, attempt_item=item, message=message
        )

    assert in_threads([submit("первый"), submit("второй"), submit("третий")]) == []
    report = QuestionReport.objects.get()
    assert report.status == "open" and report.message in {"первый", "второй", "третий"}


def test_two_answers_at_once_resolve_once(item, student, owner, admin):
    report, _ = services.report_for_attempt_item(user=student, attempt_item=item, message="x")
    errors = in_threads(
        [
            lambda: services.report_resolve(report=report, by=owner, outcome="no_error"),
            lambda: services.report_resolve(report=report, by=admin, outcome="key_fixed"),
        ]
    )
    assert len(errors) == 1 and isinstance(errors[0], ServiceError)
    assert errors[0].code == "report_resolved"
    report.refresh_from_db()
    assert report.status == "resolved" and report.outcome in {"no_error", "key_fixed"}
