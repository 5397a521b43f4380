"""Error reports through the API: a student (or the LMS's key for them) reports a quiz question,
the bank's owner lists and resolves; refusals carry their codes."""

from __future__ import annotations

import pytest

from quizapp.attempts import services as attempts
from quizapp.models import QuestionReport
from tests.quizapp.api.conftest import error_code, post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(quiz, instructor):
    """The demo bank given to the quiz's instructor: its reports are theirs to answer."""
    bank = quiz.items.first().question.bank
    bank.owner = instructor
    bank.save(update_fields=["owner"])
    return bank


@pytest.fixture
def item(quiz, student):
    attempt = attempts.attempt_start(user=student, quiz=quiz)
    return attempt.items.get(version__question__slug="dense-params")


def _url(item):
    return f"/api/v1/attempts/{item.attempt.uuid}/items/{item.position}/reports/"


def test_a_student_reports_and_a_repeat_updates(student_api, item):
    attempts.response_submit(item=item, raw="447")
    first = post_json(student_api, _url(item), {"message": "Ключ неверен"})
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["seed"] == str(item.seed) and body["version"] == item.version.number
    assert body["answer"] == "447" and body["status"] == "open" and body["outcome"] == ""
    assert body["attempt_uuid"] == str(item.attempt.uuid) and body["position"] == item.position
    again = post_json(student_api, _url(item), {"message": "Уточнение"})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert QuestionReport.objects.get().message == "Уточнение"


def test_the_lms_reports_for_its_student(lms, item, student):
    response = post_json(lms, _url(item), {"message": "Опечатка"})
    assert response.status_code == 201
    assert QuestionReport.objects.get().user == student


@pytest.mark.parametrize(
    ("data", "field"),
    [({}, "message"), ({"message": ""}, "message"), ({"message": "я" * 2001}, "message"),
     ({"message": "x", "seed": 5}, "seed")],
)  # fmt: skip
def test_a_bad_body_is_refused(student_api, item, data, field):
    response = post_json(student_api, _url(item), data)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not QuestionReport.objects.exists()


def test_another_students_attempt_is_not_found(outsider_api, item):
    response = post_json(outsider_api, _url(item), {"message": "x"})
    assert response.status_code == 404 and error_code(response) == "not_found"


def test_the_report_rate_is_limited(student_api, item, settings):
    settings.QUESTION_REPORT_RATE = "1/h"
    assert post_json(student_api, _url(item), {"message": "раз"}).status_code == 201
    response = post_json(student_api, _url(item), {"message": "два"})
    assert response.status_code == 429 and error_code(response) == "report_throttled"


def test_the_owner_lists_and_resolves(instructor_api, student_api, owned, item, student):
    post_json(student_api, _url(item), {"message": "Ключ неверен"})
    report = QuestionReport.objects.get()
    listed = instructor_api.get("/api/v1/reports/", {"status": "open"})
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["results"]] == [report.pk]
    other = instructor_api.get("/api/v1/reports/", {"question": item.version.question_id + 1000})
    assert other.json()["results"] == []
    resolved = post_json(
        instructor_api,
        f"/api/v1/reports/{report.pk}/resolve/",
        {"outcome": "key_fixed", "reply": "Исправлено"},
    )
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["status"] == "resolved" and resolved.json()["outcome"] == "key_fixed"
    assert resolved.json()["resolved_at"] is not None
    report.refresh_from_db()
    assert report.reply == "Исправлено" and report.resolved_by_id == owned.owner_id
    again = post_json(
        instructor_api, f"/api/v1/reports/{report.pk}/resolve/", {"outcome": "no_error"}
    )
    assert again.status_code == 409 and error_code(again) == "report_resolved"
    assert instructor_api.get("/api/v1/reports/", {"status": "open"}).json()["results"] == []


def test_a_bad_outcome_is_refused(instructor_api, student_api, owned, item):
    post_json(student_api, _url(item), {"message": "x"})
    report = QuestionReport.objects.get()
    response = post_json(instructor_api, f"/api/v1/reports/{report.pk}/resolve/", {"outcome": "x"})
    assert response.status_code == 400 and "outcome" in response.json()["error"]["fields"]


def test_other_instructors_and_students_cannot_see_or_resolve(
    other_instructor_api, student_api, owned, item
):
    post_json(student_api, _url(item), {"message": "x"})
    report = QuestionReport.objects.get()
    assert other_instructor_api.get("/api/v1/reports/").json()["results"] == []
    response = post_json(
        other_instructor_api, f"/api/v1/reports/{report.pk}/resolve/", {"outcome": "no_error"}
    )
    assert response.status_code == 404
    assert student_api.get("/api/v1/reports/").status_code == 403
    report.refresh_from_db()
    assert report.status == "open"


def test_a_bundled_banks_reports_go_to_admins(instructor_api, student_api, item):
    post_json(student_api, _url(item), {"message": "x"})
    # The demo bank has no owner here: the quiz's instructor does not answer its reports.
    assert instructor_api.get("/api/v1/reports/").json()["results"] == []


def test_the_lms_key_counts_each_students_reports_apart(lms, quiz, item, outsider, settings):
    settings.QUESTION_REPORT_RATE = "1/h"
    other = attempts.attempt_start(user=outsider, quiz=quiz).items.get(position=item.position)
    assert post_json(lms, _url(item), {"message": "раз"}).status_code == 201
    assert post_json(lms, _url(other), {"message": "раз"}).status_code == 201
    response = post_json(lms, _url(item), {"message": "два"})
    assert response.status_code == 429 and error_code(response) == "report_throttled"
