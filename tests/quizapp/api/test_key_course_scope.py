"""What a key limited to courses reads: a table of endpoints × (in scope, out of scope) objects,
for that key and for an unlimited key of the same instructor (docs/api.md, «Ключ, ограниченный
курсами»).

The instructor has two courses. ``in_course`` (the limited key's) has the demo quiz, drawn from
the demo bank, and a student with an attempt; ``other_course`` has a quiz drawn from another
bank of the instructor's, and its own student with an attempt; a third quiz is in no course. The
limited key gets 404 — never 403 — for everything of the other course, the course-less quiz and
the bank only they use; the unlimited key reads all of it.
"""

from __future__ import annotations

import copy

import pytest

from question_bank.models import Bank, Question
from question_bank.services import bank_import
from quizapp.courses.services import course_create, course_quiz_assign
from quizapp.models import Attempt, Enrollment, Quiz, QuizItem
from quizapp.models.gradebook import RegradeRun
from tests.conftest import make_user

from .conftest import error_code, key_client, post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(instructor, quiz, django_user_model, _demo_bank_data):
    data = copy.deepcopy(_demo_bank_data)
    data["bank"]["slug"], data["bank"]["title"] = "private-bank", "Личный банк"
    private_bank, versions = bank_import(data=data, user=instructor)
    other_quiz = Quiz.objects.create(
        slug="other", title="Тест другого курса", owner=instructor, is_published=True
    )
    QuizItem.objects.create(quiz=other_quiz, position=1, question=versions[0].question)
    loose_quiz = Quiz.objects.create(slug="loose", title="Тест вне курсов", owner=instructor)
    QuizItem.objects.create(quiz=loose_quiz, position=1, question=versions[1].question)

    in_course = course_create(owner=instructor, title="Курс ключа", code="key-course")
    course_quiz_assign(course=in_course, quiz=quiz, by=instructor)
    other_course = course_create(owner=instructor, title="Другой курс", code="other-course")
    course_quiz_assign(course=other_course, quiz=other_quiz, by=instructor)

    mine = make_user(django_user_model, "in_student")
    theirs = make_user(django_user_model, "other_student")
    Enrollment.objects.create(course=in_course, user=mine)
    Enrollment.objects.create(course=other_course, user=theirs)
    # The key's own student, enrolled in the other course too, at the other course's quiz: the
    # pair (quiz, student) is outside the key.
    Enrollment.objects.create(course=other_course, user=mine)

    demo_bank = quiz.items.first().question.bank
    in_question = quiz.items.first().question
    out_question = versions[0].question

    def run(q, question):
        return RegradeRun.objects.create(
            quiz=q, question=question, to_version=question.versions.first(), created_by=instructor
        )

    return {
        "in": {
            "quiz": quiz,
            "course": in_course,
            "bank": demo_bank,
            "topic": in_question.topic,
            "question": in_question,
            "attempt": Attempt.objects.create(quiz=quiz, user=mine),
            "regrade": run(quiz, in_question),
            "student": mine,
        },
        "out": {
            "quiz": other_quiz,
            "course": other_course,
            "bank": private_bank,
            "topic": out_question.topic,
            "question": out_question,
            "attempt": Attempt.objects.create(quiz=other_quiz, user=theirs),
            "regrade": run(other_quiz, out_question),
            "student": theirs,
        },
        "loose": loose_quiz,
        "cross_attempt": Attempt.objects.create(quiz=other_quiz, user=mine),
    }


# Detail endpoints: (name, URL from the objects of one side).
DETAILS = [
    ("quiz", lambda o: f"/api/v1/quizzes/{o['quiz'].pk}/"),
    ("quiz gradebook", lambda o: f"/api/v1/quizzes/{o['quiz'].pk}/gradebook/"),
    ("regrade", lambda o: f"/api/v1/regrades/{o['regrade'].pk}/"),
    ("course", lambda o: f"/api/v1/courses/{o['course'].pk}/"),
    ("enrollments", lambda o: f"/api/v1/courses/{o['course'].pk}/enrollments/"),
    ("bank", lambda o: f"/api/v1/banks/{o['bank'].pk}/"),
    ("topic", lambda o: f"/api/v1/topics/{o['topic'].pk}/"),
    ("question", lambda o: f"/api/v1/questions/{o['question'].pk}/"),
    ("attempt", lambda o: f"/api/v1/attempts/{o['attempt'].uuid}/"),
    ("attempt result", lambda o: f"/api/v1/attempts/{o['attempt'].uuid}/result/"),
    ("accommodations", lambda o: f"/api/v1/courses/{o['course'].pk}/accommodations/"),
]
# List endpoints: (name, URL, how a row names an object, which object of a side it must show).
LISTS = [
    ("quizzes", "/api/v1/quizzes/", "id", lambda o: o["quiz"].pk),
    ("my quizzes", "/api/v1/quizzes/?mine=true", "id", lambda o: o["quiz"].pk),
    ("courses", "/api/v1/courses/", "id", lambda o: o["course"].pk),
    ("banks", "/api/v1/banks/", "id", lambda o: o["bank"].pk),
    ("attempts", "/api/v1/attempts/", "uuid", lambda o: str(o["attempt"].uuid)),
]


def _all_ids(client, url: str, field: str) -> set:
    found, page = set(), url
    while page:
        body = client.get(page).json()
        found |= {row[field] for row in body["results"]}
        page = body["next"]
    return found


@pytest.fixture
def limited(instructor, world):
    return key_client(instructor, courses=[world["in"]["course"]])[0]


@pytest.fixture
def unlimited(instructor, world):
    return key_client(instructor)[0]


@pytest.mark.parametrize(("name", "url"), DETAILS, ids=[d[0] for d in DETAILS])
def test_limited_key_detail_in_scope_200_out_of_scope_404(limited, world, name, url):
    assert limited.get(url(world["in"])).status_code == 200, name
    response = limited.get(url(world["out"]))
    assert response.status_code == 404, (name, response.content)
    assert error_code(response) == "not_found"


@pytest.mark.parametrize(("name", "url"), DETAILS, ids=[d[0] for d in DETAILS])
def test_unlimited_key_reads_both_sides(unlimited, world, name, url):
    for side in ("in", "out"):
        assert unlimited.get(url(world[side])).status_code == 200, (name, side)


@pytest.mark.parametrize(("name", "url", "field", "pick"), LISTS, ids=[x[0] for x in LISTS])
def test_lists_show_only_the_scope(limited, unlimited, world, name, url, field, pick):
    seen = _all_ids(limited, url, field)
    assert pick(world["in"]) in seen, name
    assert pick(world["out"]) not in seen, name
    everything = _all_ids(unlimited, url, field)
    assert {pick(world["in"]), pick(world["out"])} <= everything, name


def test_quiz_in_no_course_is_outside_a_limited_key(limited, unlimited, world):
    loose = world["loose"]
    assert limited.get(f"/api/v1/quizzes/{loose.pk}/").status_code == 404
    assert loose.pk not in _all_ids(limited, "/api/v1/quizzes/", "id")
    assert unlimited.get(f"/api/v1/quizzes/{loose.pk}/").status_code == 200


def test_topics_and_questions_lists_keep_to_the_scoped_banks(limited, unlimited, world):
    in_bank, out_bank = world["in"]["bank"], world["out"]["bank"]
    topics = _all_ids(limited, "/api/v1/topics/?page_size=200", "id")
    assert world["in"]["topic"].pk in topics and world["out"]["topic"].pk not in topics
    questions = _all_ids(limited, "/api/v1/questions/?page_size=200", "id")
    assert questions == set(Question.objects.filter(bank=in_bank).values_list("pk", flat=True))
    assert world["out"]["question"].pk in _all_ids(
        unlimited, f"/api/v1/questions/?bank={out_bank.pk}&page_size=200", "id"
    )
    # A shared bank no quiz of the key uses is outside it too.
    shared = Bank.objects.create(slug="shared-extra", title="Общий банк")
    assert limited.get(f"/api/v1/banks/{shared.pk}/").status_code == 404
    assert unlimited.get(f"/api/v1/banks/{shared.pk}/").status_code == 200


def test_attempt_of_own_student_at_another_courses_quiz_is_outside(limited, unlimited, world):
    cross = world["cross_attempt"]
    assert limited.get(f"/api/v1/attempts/{cross.uuid}/").status_code == 404
    assert str(cross.uuid) not in _all_ids(limited, "/api/v1/attempts/", "uuid")
    assert unlimited.get(f"/api/v1/attempts/{cross.uuid}/").status_code == 200


def test_writes_follow_the_same_scope(limited, unlimited, world, django_user_model):
    for side in ("in", "out"):
        quiz, course = world[side]["quiz"], world[side]["course"]
        newcomer = make_user(django_user_model, f"new_{side}")
        Enrollment.objects.create(course=course, user=newcomer)
        changed = limited.patch(f"/api/v1/quizzes/{quiz.pk}/", {"title": "Новое"}, format="json")
        started = post_json(limited, "/api/v1/attempts/", {"quiz": quiz.pk, "user": newcomer.pk})
        if side == "in":
            assert changed.status_code == 200
            assert started.status_code == 201, started.content
            item = f"/api/v1/attempts/{started.json()['uuid']}/items/1/"
            assert limited.get(item).status_code == 200
            assert unlimited.get(item).status_code == 200
        else:
            assert changed.status_code == started.status_code == 404
            assert error_code(changed) == error_code(started) == "not_found"
            # The unlimited key starts an attempt at the other course's quiz for its student.
            again = post_json(
                unlimited, "/api/v1/attempts/", {"quiz": quiz.pk, "user": newcomer.pk}
            )
            assert again.status_code == 201, again.content
            item = f"/api/v1/attempts/{again.json()['uuid']}/items/1/"
            assert limited.get(item).status_code == 404
            assert unlimited.get(item).status_code == 200


def test_limited_key_creates_no_quiz(limited, unlimited, world):
    payload = {
        "slug": "new-quiz",
        "title": "Новый",
        "items": [{"question": world["in"]["question"].pk}],
    }
    refused = post_json(limited, "/api/v1/quizzes/", payload)
    assert refused.status_code == 403 and error_code(refused) == "key_scope"
    assert "ограниченный курсами" in refused.json()["error"]["message"]
    assert post_json(unlimited, "/api/v1/quizzes/", payload).status_code == 201


def test_limited_key_reads_and_resolves_its_courses_essays_and_reports_only(
    limited, unlimited, world, instructor
):
    """One quiz in both courses: the waiting essays and the error reports of the other course's
    student stay outside the key (as grading that essay already was: 404)."""
    from question_bank.models import QuestionVersion
    from quizapp.models import AttemptItem, QuestionReport, Response

    quiz = world["in"]["quiz"]
    course_quiz_assign(course=world["out"]["course"], quiz=quiz, by=instructor)
    essay = Question.objects.create(
        bank=world["out"]["bank"], topic=world["out"]["topic"], slug="why", title="Эссе",
        kind="essay",
    )  # fmt: skip
    version = QuestionVersion.objects.create(
        question=essay, number=1, spec={"kind": "essay", "text": "Зачем нужен Dropout?"}
    )
    reports, attempts = {}, {}
    for side in ("in", "out"):
        student = world[side]["student"]
        attempt = attempts[side] = Attempt.objects.create(
            quiz=quiz, user=student, status="finished"
        )
        item = AttemptItem.objects.create(attempt=attempt, version=version, position=1, seed=1)
        Response.objects.create(item=item, raw="Чтобы не переобучаться", status="manual")
        reports[side] = QuestionReport.objects.create(
            user=student, question=essay, version=version, seed=1, source="quiz",
            attempt_item=item, message="Ошибка в условии?",
        )  # fmt: skip

    essays = f"/api/v1/quizzes/{quiz.pk}/essays/waiting/"
    assert _all_ids(limited, essays, "attempt") == {str(attempts["in"].uuid)}
    assert _all_ids(unlimited, essays, "attempt") == {str(a.uuid) for a in attempts.values()}
    assert _all_ids(limited, "/api/v1/reports/", "id") == {reports["in"].pk}
    assert _all_ids(unlimited, "/api/v1/reports/", "id") == {reports["in"].pk, reports["out"].pk}
    resolve = "/api/v1/reports/{}/resolve/"
    body = {"outcome": "no_error"}
    assert post_json(limited, resolve.format(reports["out"].pk), body).status_code == 404
    assert post_json(limited, resolve.format(reports["in"].pk), body).status_code == 200
    assert post_json(unlimited, resolve.format(reports["out"].pk), body).status_code == 200
