"""Courses and enrolments through the API: an LMS maps its students by their external id."""

from __future__ import annotations

import pytest

from quizapp.courses.services import course_create, course_quiz_assign
from quizapp.models import Attempt, Course, Enrollment
from quizapp.models.api import ApiKey

from .conftest import error_code, key_client, post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor, quiz):
    made = course_create(owner=instructor, title="Глубокое обучение", code="dl-2026")
    course_quiz_assign(course=made, quiz=quiz, by=instructor)
    return made


@pytest.fixture
def other_course(instructor):
    return course_create(owner=instructor, title="Другой курс", code="other")


def enroll_url(course):
    return f"/api/v1/courses/{course.pk}/enrollments/"


def test_instructor_creates_a_course_through_a_key(lms, instructor):
    response = post_json(lms, "/api/v1/courses/", {"code": "ml-1", "title": "ML"})
    assert response.status_code == 201
    course = Course.objects.get(code="ml-1")
    assert course.owner == instructor and response.json()["id"] == course.pk


def test_taken_course_code_is_refused(lms, course):
    response = post_json(lms, "/api/v1/courses/", {"code": "dl-2026", "title": "again"})
    assert response.status_code == 409 and error_code(response) == "course_code_taken"
    assert Course.objects.count() == 1


def test_lms_enrols_a_student_by_external_id_once(lms, course):
    body = {"external_id": "moodle-42", "first_name": "Анна", "email": "anna@example.org"}
    first = post_json(lms, enroll_url(course), body)
    assert first.status_code == 201
    enrollment = Enrollment.objects.get()
    assert enrollment.external_id == "moodle-42" and enrollment.course == course
    assert enrollment.user.first_name == "Анна" and not enrollment.user.has_usable_password()
    again = post_json(lms, enroll_url(course), body)
    assert again.status_code == 200 and again.json()["id"] == enrollment.pk
    found = lms.get(enroll_url(course), {"external_id": "moodle-42"}).json()["results"]
    assert [e["user"]["id"] for e in found] == [enrollment.user_id]
    assert Enrollment.objects.count() == 1


def test_the_same_lms_student_in_another_course_is_the_same_user(lms, course, other_course):
    post_json(lms, enroll_url(course), {"external_id": "s-1"})
    post_json(lms, enroll_url(other_course), {"external_id": "s-1"})
    users = set(Enrollment.objects.values_list("user_id", flat=True))
    assert len(users) == 1 and Enrollment.objects.count() == 2


def test_existing_accounts_are_never_claimed_by_name(lms, course, student):
    post_json(lms, enroll_url(course), {"external_id": "student", "email": student.email})
    assert Enrollment.objects.get().user != student


def test_others_cannot_see_or_change_the_roster(other_instructor, student_api, course):
    client, _ = key_client(other_instructor)
    assert client.get(enroll_url(course)).status_code == 404
    assert post_json(client, enroll_url(course), {"external_id": "x"}).status_code == 404
    assert error_code(student_api.get(enroll_url(course))) == "instructor_only"
    assert not Enrollment.objects.exists()


def test_student_sees_own_courses_only(student_api, student, course, other_course):
    Enrollment.objects.create(course=course, user=student)
    listed = student_api.get("/api/v1/courses/").json()["results"]
    assert [c["code"] for c in listed] == ["dl-2026"]
    assert student_api.get(f"/api/v1/courses/{other_course.pk}/").status_code == 404


def test_remove_a_member(lms, course):
    created = post_json(lms, enroll_url(course), {"external_id": "gone"}).json()
    assert lms.delete(f"{enroll_url(course)}{created['id']}/").status_code == 204
    assert not Enrollment.objects.exists()


def test_key_limited_to_a_course(instructor, student, quiz, course, other_course):
    client, _ = key_client(instructor, courses=[course])
    assert [c["code"] for c in client.get("/api/v1/courses/").json()["results"]] == ["dl-2026"]
    assert client.get(f"/api/v1/courses/{other_course.pk}/").status_code == 404
    assert post_json(client, enroll_url(other_course), {"external_id": "x"}).status_code == 404
    # A student outside the key's courses cannot have an attempt started by it.
    refused = post_json(client, "/api/v1/attempts/", {"quiz": quiz.pk, "user": student.pk})
    assert refused.status_code == 422 and error_code(refused) == "not_enrolled"
    assert "user" in refused.json()["error"]["fields"]
    Enrollment.objects.create(course=course, user=student)
    started = post_json(client, "/api/v1/attempts/", {"quiz": quiz.pk, "user": student.pk})
    assert started.status_code == 201 and Attempt.objects.get().user == student


def test_key_cannot_be_limited_to_someone_elses_course(other_instructor_api, course):
    response = post_json(
        other_instructor_api, "/api/v1/keys/", {"name": "x", "courses": [course.pk]}
    )
    assert response.status_code == 403 and error_code(response) == "course_not_yours"
    assert not ApiKey.objects.exists()


def test_results_filtered_by_course(instructor_api, student, outsider, quiz, course):
    Enrollment.objects.create(course=course, user=student)
    Attempt.objects.create(quiz=quiz, user=student)
    Attempt.objects.create(quiz=quiz, user=outsider)
    listed = instructor_api.get("/api/v1/attempts/", {"course": course.pk}).json()["results"]
    assert [a["user"]["username"] for a in listed] == ["student"]


def test_key_limited_to_a_course_does_not_reach_attempts_of_other_courses(
    instructor, student, quiz, course, other_course
):
    Enrollment.objects.create(course=course, user=student)
    Enrollment.objects.create(course=other_course, user=student)
    attempt = Attempt.objects.create(quiz=quiz, user=student)
    limited, _ = key_client(instructor, courses=[other_course])
    assert limited.get("/api/v1/attempts/").json()["results"] == []
    for url in (f"/api/v1/attempts/{attempt.uuid}/", f"/api/v1/attempts/{attempt.uuid}/result/"):
        assert limited.get(url).status_code == 404
    assert limited.post(f"/api/v1/attempts/{attempt.uuid}/finish/").status_code == 404
    assert limited.get(f"/api/v1/quizzes/{quiz.pk}/gradebook/").status_code == 404
    # The quiz belongs to the other course: this key does not see it, so starts nothing.
    refused = post_json(limited, "/api/v1/attempts/", {"quiz": quiz.pk, "user": student.pk})
    assert refused.status_code == 404 and Attempt.objects.count() == 1
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    # The key of the quiz's course reaches the same attempt.
    full, _ = key_client(instructor, courses=[course])
    listed = full.get("/api/v1/attempts/").json()["results"]
    assert [a["uuid"] for a in listed] == [str(attempt.uuid)]
    assert full.get(f"/api/v1/attempts/{attempt.uuid}/").status_code == 200
    assert full.get(f"/api/v1/quizzes/{quiz.pk}/gradebook/").status_code == 200
