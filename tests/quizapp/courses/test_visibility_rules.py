"""Who sees and starts which quiz: the whole table, through every path that shows or starts one.

(draft / published) × (in a course / in none) × (open / not) × (owner, enrolled student, other
student, other instructor, admin) → visible or not, checked through the dashboard list, the quiz
page, starting an attempt (POST), the API list, the API detail and the API start. A quiz is
private by default: only its owner and admins see a draft; a published quiz is seen by the
students of its courses, or by everybody logged in when it is open.
Run on SQLite and on PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from question_bank.models import Bank, Question, QuestionVersion
from quizapp.courses import services as courses
from quizapp.models import Attempt, Quiz, QuizItem
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ROLES = ("owner", "enrolled", "other_student", "other_instructor", "admin")
TITLE = "Сверточные сети: контрольная"
SPEC = {
    "kind": "single_choice",
    "text": "Сколько вентилей в классическом блоке LSTM?",
    "options": [
        {"text": "Два", "correct": False},
        {"text": "Три", "correct": True},
    ],
}


def expected_visible(*, published: bool, in_course: bool, is_open: bool, role: str) -> bool:
    """The rule, written out independently of the selector."""
    if role in ("owner", "admin"):
        return True
    if not published:
        return False
    return is_open or (in_course and role == "enrolled")


CASES = [
    pytest.param(published, in_course, is_open, role, id=f"{state}-{where}-{opened}-{role}")
    for (published, state), (in_course, where), (is_open, opened), role in itertools.product(
        [(False, "draft"), (True, "published")],
        [(True, "in-course"), (False, "no-course")],
        [(False, "closed"), (True, "open")],
        ROLES,
    )
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(django_user_model):
    from quizapp.core.roles import ADMIN_GROUP, INSTRUCTOR_GROUP

    return {
        "owner": make_user(django_user_model, "owner", INSTRUCTOR_GROUP),
        "enrolled": make_user(django_user_model, "enrolled"),
        "other_student": make_user(django_user_model, "other_student"),
        "other_instructor": make_user(django_user_model, "other_instructor", INSTRUCTOR_GROUP),
        "admin": make_user(django_user_model, "admin", ADMIN_GROUP),
    }


def _quiz(people, *, published: bool, in_course: bool, is_open: bool) -> Quiz:
    owner = people["owner"]
    bank = Bank.objects.create(slug="cnn-own", title="CNN", owner=owner)
    question = Question.objects.create(
        bank=bank, slug="lstm-gates", title="Вентили LSTM", kind="single_choice"
    )
    QuestionVersion.objects.create(question=question, number=1, spec=SPEC)
    quiz = Quiz.objects.create(
        slug="cnn-test", title=TITLE, owner=owner, is_published=published, is_open=is_open
    )
    QuizItem.objects.create(quiz=quiz, question=question, position=1)
    # The enrolled student is in the owner's course either way; the quiz is assigned to it only
    # "in a course" (being a student of the owner elsewhere must not leak a quiz).
    course = courses.course_create(owner=owner, title="Глубокое обучение", code="dl")
    courses.course_join(user=people["enrolled"], code=course.join_code)
    other = courses.course_create(owner=people["other_instructor"], title="Другой", code="x")
    courses.course_join(user=people["other_student"], code=other.join_code)
    if in_course:
        courses.course_quiz_assign(course=course, quiz=quiz, by=owner)
    return quiz


@pytest.mark.parametrize("published,in_course,is_open,role", CASES)
def test_visibility_table(client, people, published, in_course, is_open, role):
    quiz = _quiz(people, published=published, in_course=in_course, is_open=is_open)
    user = people[role]
    visible = expected_visible(published=published, in_course=in_course, is_open=is_open, role=role)
    client.force_login(user)

    # The dashboard's list.
    assert (TITLE in client.get(reverse("home")).content.decode()) == visible
    # The quiz page.
    page = client.get(reverse("quiz", args=[quiz.slug]))
    assert page.status_code == (200 if visible else 404)
    if visible:
        assert ("Черновик" in page.content.decode()) == (not published)

    # The API: list, detail.
    api = APIClient()
    api.force_login(user)
    listed = api.get("/api/v1/quizzes/", {"page_size": 100}).json()["results"]
    assert (quiz.pk in [q["id"] for q in listed]) == visible
    detail = api.get(f"/api/v1/quizzes/{quiz.pk}/")
    assert detail.status_code == (200 if visible else 404)
    if visible:
        assert (detail.json()["is_published"], detail.json()["is_open"]) == (published, is_open)
    else:
        assert detail.json()["error"]["code"] == "not_found"

    # Starting an attempt: only a visible, published quiz; a visible draft is refused with a
    # message (its owner sees it, nobody takes it yet).
    startable = visible and published
    started = client.post(reverse("attempt-start", args=[quiz.slug]))
    if not visible:
        assert started.status_code == 404
    elif startable:
        assert started.status_code == 302 and "/attempt/" in started["Location"]
    else:
        assert started["Location"] == reverse("quiz", args=[quiz.slug])
        follow = client.get(started["Location"]).content.decode()
        assert "Тест ещё не опубликован" in follow
    assert Attempt.objects.filter(user=user, quiz=quiz).count() == int(startable)

    # The API's start: the same rule (an attempt already in progress is returned, not doubled).
    api_start = api.post("/api/v1/attempts/", {"quiz": quiz.pk}, format="json")
    if not visible:
        assert api_start.status_code == 404
    elif not published:
        assert api_start.status_code == 403
        assert api_start.json()["error"]["code"] == "quiz_unpublished"
    else:
        assert api_start.status_code in (200, 201)
    assert Attempt.objects.filter(user=user, quiz=quiz).count() == int(startable)


def test_anonymous_sees_no_quiz_even_an_open_one(client, people):
    quiz = _quiz(people, published=True, in_course=False, is_open=True)
    assert TITLE not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("quiz", args=[quiz.slug])).url.startswith(reverse("login"))
    assert client.post(reverse("attempt-start", args=[quiz.slug])).status_code == 302
    assert not Attempt.objects.exists()


def test_the_service_refuses_an_invisible_quiz_whatever_the_caller(people):
    """No path bypasses the rule: the service checks it once more."""
    from quizapp.attempts.services import attempt_start
    from quizapp.core.errors import ServiceError

    quiz = _quiz(people, published=True, in_course=True, is_open=False)
    with pytest.raises(ServiceError) as refused:
        attempt_start(user=people["other_student"], quiz=quiz)
    assert refused.value.code == "quiz_not_visible"
    assert attempt_start(user=people["enrolled"], quiz=quiz).user == people["enrolled"]


def test_unassigning_the_only_course_makes_the_quiz_private_again(people):
    from quizapp.courses.selectors import quizzes_visible_to

    quiz = _quiz(people, published=True, in_course=True, is_open=False)
    assert list(quizzes_visible_to(people["enrolled"])) == [quiz]
    courses.course_quiz_unassign(course=quiz.courses.get(), quiz=quiz)
    assert list(quizzes_visible_to(people["enrolled"])) == []
    assert list(quizzes_visible_to(people["other_student"])) == []
    assert list(quizzes_visible_to(people["owner"])) == [quiz]


def test_api_creates_a_draft_by_default(people):
    api = APIClient()
    api.force_login(people["owner"])
    made = api.post(
        "/api/v1/quizzes/", {"slug": "api-quiz", "title": "Из API", "items": []}, format="json"
    )
    assert made.status_code == 201, made.json()
    assert (made.json()["is_published"], made.json()["is_open"]) == (False, False)
    other = APIClient()
    other.force_login(people["other_student"])
    assert other.get(f"/api/v1/quizzes/{made.json()['id']}/").status_code == 404
    opened = api.patch(
        f"/api/v1/quizzes/{made.json()['id']}/",
        {"is_published": True, "is_open": True},
        format="json",
    )
    assert (opened.json()["is_published"], opened.json()["is_open"]) == (True, True)
    assert other.get(f"/api/v1/quizzes/{made.json()['id']}/").status_code == 200
