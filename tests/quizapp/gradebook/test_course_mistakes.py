"""Typical mistakes over time (issue 17, point 6): the course's, by question and week, for the
instructor; the student's own repeated ones on their statistics page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from question_bank.models import Question
from quizapp.courses import services as courses
from quizapp.flashcards import mistake_stats
from quizapp.models import Enrollment, PracticeAnswer

pytestmark = pytest.mark.django_db


def _answer(user, version, *, mistake=None, parts=None, days_ago=0):
    result = {"correct": mistake is None and not parts}
    if mistake:
        result["mistake"] = {"id": mistake, "feedback": f"Объяснение {mistake}"}
    if parts:
        result["parts"] = [{"mistake": {"id": p, "feedback": f"Часть {p}"}} for p in parts]
    answer = PracticeAnswer.objects.create(
        user=user, version=version, seed=1, raw="1", status="graded", score=0.0, result=result
    )
    PracticeAnswer.objects.filter(pk=answer.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days_ago)
    )


@pytest.fixture
def course_with_students(owner, student, outsider, demo_quiz):
    course = courses.course_create(owner=owner, title="ГО", code="go")
    for user in (student, outsider):
        Enrollment.objects.create(course=course, user=user)
    return course


def test_course_mistakes_count_students_answers_and_weeks(
    course_with_students, student, outsider, django_user_model
):
    version = Question.objects.get(bank__slug="demo", slug="dense-params").versions.first()
    _answer(student, version, mistake="no_bias", days_ago=1)
    _answer(student, version, mistake="no_bias", days_ago=15)
    _answer(outsider, version, mistake="no_bias", days_ago=1)
    _answer(outsider, version)  # right
    _answer(outsider, version, parts=["first:clip"], days_ago=100)  # older than 12 weeks
    stranger = django_user_model.objects.create_user("stranger")
    _answer(stranger, version, mistake="no_bias")  # not in the course
    rows = mistake_stats.course_mistakes(course=course_with_students)
    top = rows[0]
    assert (top.mistake_id, top.student_count, top.answers, top.graded) == ("no_bias", 2, 3, 5)
    assert top.percent == 60.0 and top.feedback == "Объяснение no_bias"
    assert top.weekly[-1] == 2 and top.weekly[-3] == 1 and sum(top.weekly) == 3
    part = rows[1]
    assert (part.mistake_id, part.answers, sum(part.weekly)) == ("first:clip", 1, 0)


def test_student_sees_mistakes_made_more_than_once(student_client, student, demo_quiz):
    version = Question.objects.get(bank__slug="demo", slug="dense-params").versions.first()
    _answer(student, version, mistake="no_bias", days_ago=3)
    _answer(student, version, mistake="no_bias", days_ago=1)
    _answer(student, version, mistake="once_only", days_ago=1)
    rows = mistake_stats.student_mistakes(user=student)
    assert [(r.mistake_id, r.answers) for r in rows] == [("no_bias", 2)]
    page = student_client.get(reverse("flashcard-stats")).content.decode()
    assert "Ошибки, которые повторяются" in page and "Объяснение no_bias" in page
    assert "once_only" not in page and "сделана раз: 2" in page


def test_the_course_page_is_the_instructors_only(
    client, owner, student, course_with_students, other_instructor
):
    url = reverse("course-mistakes", args=[course_with_students.pk])
    client.force_login(owner)
    assert "Типичные ошибки студентов" in client.get(url).content.decode()
    client.force_login(other_instructor)
    assert client.get(url).status_code == 404
    client.force_login(student)
    assert client.get(url).status_code in (302, 403, 404)
