"""Results: attempts with scores (filtered, ordered, paginated) and the per-quiz gradebook."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from quizapp.models import Attempt

from .conftest import error_code

pytestmark = pytest.mark.django_db

ATTEMPTS = "/api/v1/attempts/"


@pytest.fixture
def attempts(quiz, student, outsider):
    """Two finished attempts of the student (4 and 7 points), one open of the outsider."""
    now = timezone.now()
    made = [
        Attempt.objects.create(
            quiz=quiz,
            user=student,
            number=n,
            status="finished",
            score=Decimal(score),
            max_score=Decimal(9),
            finished_at=now - timedelta(days=days),
        )
        for n, score, days in ((1, 4, 3), (2, 7, 1))
    ]
    made.append(Attempt.objects.create(quiz=quiz, user=outsider, max_score=Decimal(9)))
    return made


def test_student_sees_only_own_attempts(student_api, attempts):
    data = student_api.get(ATTEMPTS).json()
    assert data["count"] == 2
    assert {a["user"]["username"] for a in data["results"]} == {"student"}


def test_instructor_sees_attempts_of_own_quizzes_with_filters(instructor_api, attempts, student):
    everything = instructor_api.get(ATTEMPTS).json()
    assert everything["count"] == 3
    mine = instructor_api.get(ATTEMPTS, {"user": student.pk, "ordering": "-score"}).json()
    assert [a["score"] for a in mine["results"]] == ["7.00", "4.00"]
    since = (timezone.now() - timedelta(days=2)).isoformat()
    recent = instructor_api.get(ATTEMPTS, {"finished_after": since, "status": "finished"})
    assert [a["number"] for a in recent.json()["results"]] == [2]
    assert recent.json()["results"][0]["graded"] is True


def test_other_instructor_sees_none_of_them(other_instructor_api, attempts):
    assert other_instructor_api.get(ATTEMPTS).json()["count"] == 0


def test_pagination(instructor_api, attempts):
    page = instructor_api.get(ATTEMPTS, {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    second = instructor_api.get(ATTEMPTS, {"page_size": 2, "page": 2}).json()
    assert len(second["results"]) == 1 and second["previous"]
    assert error_code(instructor_api.get(ATTEMPTS, {"page": 9})) == "not_found"


def test_bad_filters_name_the_field(instructor_api, attempts):
    response = instructor_api.get(ATTEMPTS, {"started_after": "yesterday", "ordering": "x"})
    assert response.status_code == 400
    assert {"started_after", "ordering"} <= set(response.json()["error"]["fields"])


def test_gradebook_has_a_row_per_student(instructor_api, quiz, attempts):
    rows = instructor_api.get(f"/api/v1/quizzes/{quiz.pk}/gradebook/").json()["results"]
    by_name = {r["user"]["username"]: r for r in rows}
    best = attempts[1]
    assert by_name["student"]["attempts"] == 2 and by_name["student"]["in_progress"] == 0
    assert by_name["student"]["best_attempt"] == str(best.uuid)
    assert by_name["student"]["score"] == "7.00" and by_name["student"]["max_score"] == "9.00"
    assert by_name["student"]["overridden"] is False
    assert by_name["outsider"]["in_progress"] == 1 and by_name["outsider"]["score"] is None


def test_gradebook_shows_an_override(instructor_api, instructor, quiz, attempts):
    from quizapp.gradebook.services import score_override

    score_override(attempt=attempts[0], new_score=Decimal(9), reason="апелляция", by=instructor)
    rows = instructor_api.get(f"/api/v1/quizzes/{quiz.pk}/gradebook/").json()["results"]
    student = next(r for r in rows if r["user"]["username"] == "student")
    assert (student["score"], student["overridden"]) == ("9.00", True)
    assert student["best_attempt"] == str(attempts[0].uuid)


def test_gradebook_is_for_the_quiz_author(student_api, other_instructor_api, quiz, attempts):
    url = f"/api/v1/quizzes/{quiz.pk}/gradebook/"
    assert error_code(student_api.get(url)) == "instructor_only"
    assert error_code(other_instructor_api.get(url)) == "quiz_owner_only"
