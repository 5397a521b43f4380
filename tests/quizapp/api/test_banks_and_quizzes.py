"""Banks, topics and questions (read, without keys); quizzes (CRUD for their instructor)."""

from __future__ import annotations

import pytest

from question_bank.models import Bank, Question
from quizapp.models import Quiz, QuizItem

from .conftest import error_code, key_client, post_json

pytestmark = pytest.mark.django_db

QUIZZES = "/api/v1/quizzes/"


@pytest.fixture
def private_bank(other_instructor):
    return Bank.objects.create(slug="private", title="Чужой банк", owner=other_instructor)


def test_banks_and_topics_are_listed_with_counts(student_api, quiz, private_bank):
    banks = student_api.get("/api/v1/banks/").json()
    assert banks["count"] == 1  # the other instructor's own bank is not visible
    bank = Bank.objects.get(slug=banks["results"][0]["slug"])
    assert banks["results"][0]["questions_count"] == bank.questions.count() == 9
    topics = student_api.get("/api/v1/topics/", {"bank": bank.pk}).json()
    assert topics["count"] == bank.topics.count() > 0
    one = student_api.get(f"/api/v1/topics/{topics['results'][0]['id']}/").json()
    assert one == topics["results"][0]
    assert student_api.get(f"/api/v1/banks/{private_bank.pk}/").status_code == 404


def test_bank_filter_is_validated(student_api, quiz):
    response = student_api.get("/api/v1/topics/", {"bank": "x"})
    assert response.status_code == 400 and "bank" in response.json()["error"]["fields"]


def test_questions_are_for_instructors_and_carry_no_key(instructor_api, student_api, quiz):
    assert error_code(student_api.get("/api/v1/questions/")) == "instructor_only"
    listed = instructor_api.get("/api/v1/questions/", {"kind": "single_choice"}).json()
    assert listed["count"] >= 1
    question = Question.objects.get(pk=listed["results"][0]["id"])
    detail = instructor_api.get(f"/api/v1/questions/{question.pk}/").json()
    assert detail["latest_version"] == 1 and detail["preview"]["kind"] == "single_choice"
    assert all(set(o) == {"index", "text"} for o in detail["preview"]["options"])
    text = str(detail)
    for secret in ("correct", "solution", "expected", "mistakes"):
        assert secret not in text


def test_other_instructors_private_questions_are_404(instructor_api, private_bank):
    question = Question.objects.create(bank=private_bank, slug="q", title="q", kind="numeric")
    assert instructor_api.get(f"/api/v1/questions/{question.pk}/").status_code == 404


def _quiz_body(question_ids, **extra):
    return {
        "slug": "api-quiz",
        "title": "Тест из API",
        "items": [{"question": pk, "points": "2"} for pk in question_ids],
        **extra,
    }


def test_instructor_creates_a_quiz_through_a_key(instructor, quiz):
    client, _ = key_client(instructor)
    questions = list(quiz.items.values_list("question_id", flat=True)[:2])
    response = post_json(client, QUIZZES, _quiz_body(questions, show_solutions="never"))
    assert response.status_code == 201, response.content
    created = Quiz.objects.get(slug="api-quiz")
    assert created.owner == instructor and created.show_solutions == "never"
    assert [(i.position, i.question_id, i.points) for i in created.items.all()] == [
        (1, questions[0], 2),
        (2, questions[1], 2),
    ]
    assert [i["question"] for i in response.json()["items"]] == questions


def test_topic_rule(instructor_api, quiz):
    question = Question.objects.filter(topic__isnull=False).first()
    body = {
        "slug": "rules",
        "title": "Правила",
        "items": [{"topic": question.topic_id, "count": 1}, {"question": question.pk}],
    }
    response = post_json(instructor_api, QUIZZES, body)
    assert response.status_code == 201, response.content
    rule, fixed = QuizItem.objects.filter(quiz__slug="rules").order_by("position")
    assert (rule.topic_id, rule.count, rule.question) == (question.topic_id, 1, None)
    assert fixed.question == question


def test_quiz_validation_names_the_nested_field(instructor_api, quiz):
    question = quiz.items.first().question_id
    body = {"slug": "demo", "title": "", "items": [{"question": question}, {"count": 2}]}
    response = post_json(instructor_api, QUIZZES, body)
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"slug", "title", "items.1.question"} <= set(fields)
    assert fields["slug"][0]["code"] == "unique"
    assert Quiz.objects.count() == 1


def test_a_question_of_a_bank_one_cannot_see_names_the_item(instructor_api, private_bank, quiz):
    hidden = Question.objects.create(bank=private_bank, slug="h", title="h", kind="numeric")
    body = _quiz_body([quiz.items.first().question_id, hidden.pk])
    response = post_json(instructor_api, QUIZZES, body)
    assert response.status_code == 404 and error_code(response) == "question_not_visible"
    assert response.json()["error"]["fields"]["items.1"][0]["code"] == "question_not_visible"
    assert not Quiz.objects.filter(slug="api-quiz").exists()


def test_a_rule_larger_than_its_topic_is_refused(instructor_api, quiz):
    topic = Question.objects.filter(topic__isnull=False).first().topic
    body = {"slug": "big", "title": "Big", "items": [{"topic": topic.pk, "count": 50}]}
    response = post_json(instructor_api, QUIZZES, body)
    assert response.status_code == 409 and error_code(response) == "rule_too_few"
    assert not Quiz.objects.filter(slug="big").exists()


def test_students_cannot_create_quizzes(student_api, quiz):
    response = post_json(student_api, QUIZZES, _quiz_body([quiz.items.first().question_id]))
    assert response.status_code == 403 and error_code(response) == "instructor_only"
    assert Quiz.objects.count() == 1


def test_quiz_list_hides_drafts_from_students(student_api, instructor_api, quiz, instructor):
    Quiz.objects.create(slug="draft", title="Черновик", owner=instructor, is_published=False)
    assert [q["slug"] for q in student_api.get(QUIZZES).json()["results"]] == ["demo"]
    mine = instructor_api.get(QUIZZES, {"mine": "true", "ordering": "title"}).json()["results"]
    assert {q["slug"] for q in mine} == {"demo", "draft"}


def test_items_are_shown_to_the_author_only(student_api, instructor_api, quiz):
    assert student_api.get(f"{QUIZZES}{quiz.pk}/").json()["items"] is None
    assert len(instructor_api.get(f"{QUIZZES}{quiz.pk}/").json()["items"]) == 9


def test_author_patches_a_quiz(instructor_api, quiz):
    response = instructor_api.patch(
        f"{QUIZZES}{quiz.pk}/", {"title": "Новое", "max_attempts": 2}, format="json"
    )
    assert response.status_code == 200 and response.json()["title"] == "Новое"
    quiz.refresh_from_db()
    assert (quiz.title, quiz.max_attempts) == ("Новое", 2)


def test_other_instructor_cannot_patch_or_delete(other_instructor_api, quiz):
    url = f"{QUIZZES}{quiz.pk}/"
    response = other_instructor_api.patch(url, {"title": "Чужое"}, format="json")
    assert response.status_code == 403 and error_code(response) == "quiz_owner_only"
    assert other_instructor_api.delete(url).status_code == 403
    quiz.refresh_from_db()
    assert quiz.title != "Чужое"


def test_closes_before_opens_is_refused(instructor_api, quiz):
    response = instructor_api.patch(
        f"{QUIZZES}{quiz.pk}/",
        {"opens_at": "2030-01-02T00:00:00Z", "closes_at": "2030-01-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 422 and error_code(response) == "closes_before_opens"
    assert "closes_at" in response.json()["error"]["fields"]


def test_items_change_for_new_attempts_only(instructor_api, student, quiz):
    from quizapp.attempts import services

    attempt = services.attempt_start(user=student, quiz=quiz)
    question = quiz.items.first().question_id
    response = instructor_api.patch(
        f"{QUIZZES}{quiz.pk}/", {"items": [{"question": question}]}, format="json"
    )
    assert response.status_code == 200 and len(response.json()["items"]) == 1
    assert quiz.items.count() == 1 and attempt.items.count() == 9
    deleted = instructor_api.delete(f"{QUIZZES}{quiz.pk}/")
    assert deleted.status_code == 409 and error_code(deleted) == "quiz_has_attempts"
    assert Quiz.objects.filter(pk=quiz.pk).exists()


def test_author_deletes_an_unused_quiz(instructor_api, quiz):
    assert instructor_api.delete(f"{QUIZZES}{quiz.pk}/").status_code == 204
    assert not Quiz.objects.filter(pk=quiz.pk).exists()
