"""Accommodations and course dates through the REST API (what an LMS would set), and what the
API shows of a student's terms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizapp.courses import services as courses
from quizapp.models import Accommodation, Attempt, CourseQuiz, Quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor, student, quiz):
    Quiz.objects.filter(pk=quiz.pk).update(time_limit_minutes=20, max_attempts=2, is_open=False)
    course = courses.course_create(owner=instructor, title="ГО", code="dl")
    courses.course_join(user=student, code=course.join_code)
    courses.course_quiz_assign(course=course, quiz=quiz, by=instructor)
    return course


def test_an_lms_grants_reads_changes_and_withdraws(lms, course, student, quiz, student_api):
    url = reverse("api:accommodation-list", args=[course.pk])
    created = lms.post(
        url,
        {"label": "ОВЗ", "students": [student.pk], "time_factor": "1.50", "extra_attempts": 1},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["students"] == [student.pk] and body["quiz"] is None
    assert body["time_factor"] == "1.50" and body["extra_attempts"] == 1
    assert [a["id"] for a in lms.get(url).json()["results"]] == [body["id"]]

    # The student's attempt has the longer time at once.
    started = student_api.post(reverse("api:attempt-list"), {"quiz": quiz.pk}, format="json")
    attempt = Attempt.objects.get(uuid=started.json()["uuid"])
    assert attempt.deadline == attempt.started_at + timedelta(minutes=30)
    detail = reverse("api:accommodation-detail", args=[course.pk, body["id"]])
    changed = lms.patch(detail, {"extra_minutes": 15, "quiz": quiz.pk}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["extra_minutes"] == 15 and changed.json()["time_factor"] == "1.50"
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=45)
    assert lms.delete(detail).status_code == 204
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=20)
    assert lms.get(detail).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"label": "x", "students": [], "extra_minutes": 5}, "students"),
        ({"label": "x", "students": ["me"], "extra_minutes": 5}, "students"),
        ({"label": "x", "students": [1], "time_factor": "9"}, "time_factor"),
        ({"label": "x", "students": [1], "time_factor": "."}, "time_factor"),  # schemathesis
        ({"label": "x", "students": [1], "time_factor": "1.5."}, "time_factor"),
        ({"label": "x", "students": [1], "time_factor": 1.5}, "time_factor"),
        ({"label": "x", "students": [1], "extra_minutes": 100000}, "extra_minutes"),
        ({"students": [1], "extra_minutes": 5}, "label"),
    ],
)
def test_bad_bodies_are_refused_with_the_field(lms, course, body, field):
    answer = lms.post(reverse("api:accommodation-list", args=[course.pk]), body, format="json")
    assert answer.status_code == 400
    assert field in str(answer.json())
    assert not Accommodation.objects.exists()


def test_service_refusals_are_structured(lms, course, outsider, student, quiz, instructor):
    """Valid bodies the course's rules refuse: 422 with a code and the field (400 is for a body
    outside the schema)."""
    url = reverse("api:accommodation-list", args=[course.pk])

    def refused(body) -> tuple[str, list[str]]:
        answer = lms.post(url, body, format="json")
        assert answer.status_code == 422, answer.content
        error = answer.json()["error"]
        return error["code"], list(error.get("fields", {}))

    base = {"label": "x", "extra_minutes": 5}
    assert refused({**base, "students": [outsider.pk]}) == ("not_course_student", ["students"])
    other = Quiz.objects.create(slug="other", title="Другой", owner=instructor, is_published=True)
    assert refused({**base, "students": [student.pk], "quiz": other.pk}) == (
        "quiz_not_in_course",
        ["quiz"],
    )
    assert refused({"label": "x", "students": [student.pk]})[0] == "accommodation_changes_nothing"
    assert not Accommodation.objects.exists()


def test_only_the_courses_instructor(course, other_instructor_api, student_api, student):
    url = reverse("api:accommodation-list", args=[course.pk])
    body = {"label": "x", "students": [student.pk], "extra_minutes": 5}
    assert other_instructor_api.post(url, body, format="json").status_code in (403, 404)
    assert student_api.get(url).status_code in (403, 404)
    assert not Accommodation.objects.exists()


def test_course_dates_through_the_api(lms, course, quiz, student_api):
    url = reverse("api:course-quiz-dates", args=[course.pk, quiz.pk])
    opens = timezone.now() + timedelta(days=1)
    answer = lms.put(
        url,
        {"opens_at": opens.isoformat(), "closes_at": (opens + timedelta(hours=2)).isoformat()},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert CourseQuiz.objects.get(course=course, quiz=quiz).opens_at is not None
    started = student_api.post(reverse("api:attempt-list"), {"quiz": quiz.pk}, format="json")
    assert started.status_code == 403 and started.json()["error"]["code"] == "quiz_not_open"
    bad = lms.put(
        url,
        {"opens_at": opens.isoformat(), "closes_at": (opens - timedelta(hours=2)).isoformat()},
        format="json",
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "closes_before_opens"
    assert lms.put(url, {"opens_at": None, "closes_at": None}, format="json").status_code == 200
    assert (
        student_api.post(reverse("api:attempt-list"), {"quiz": quiz.pk}, format="json").status_code
        == 201
    )
