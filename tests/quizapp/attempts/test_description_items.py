"""A description in a quiz: shown between the questions, never answered, weighs nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from question_bank.models import Question, QuestionVersion, Topic
from quizapp.attempts import selectors, services
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.models import Quiz
from quizapp.quizzes import services as quiz_services

pytestmark = pytest.mark.django_db

INTRO = "Дальше — задачи о Dropout. Везде p — вероятность выключить нейрон."


@pytest.fixture
def intro(demo_quiz):
    topic = Topic.objects.get(bank__slug="demo", slug="regularization")
    question = Question.objects.create(
        bank=topic.bank, topic=topic, slug="intro", title="Вводная", kind="description"
    )
    QuestionVersion.objects.create(
        question=question, number=1, spec={"kind": "description", "text": INTRO}
    )
    return question


@pytest.fixture
def quiz(owner, intro):
    quiz = Quiz.objects.create(slug="owned", title="Контрольная", owner=owner, is_published=True)
    quiz_services.quiz_item_add_question(quiz=quiz, question=intro, user=owner, points=5)
    dropout = Question.objects.get(bank__slug="demo", slug="dropout-vector")
    quiz_services.quiz_item_add_question(quiz=quiz, question=dropout, user=owner, points=2)
    return quiz


def test_a_description_weighs_nothing_whatever_points_are_asked(quiz):
    intro_item = quiz.items.get(position=1)
    assert intro_item.points == 0
    quiz_services.quiz_item_update(item=intro_item, points="3")
    intro_item.refresh_from_db()
    assert intro_item.points == 0


def test_rules_never_draw_a_description(owner, intro):
    quiz = Quiz.objects.create(slug="rules", title="Правила", owner=owner)
    topic = intro.topic
    answerable = (
        Question.objects.filter(topic=topic, is_archived=False)
        .exclude(kind__in=("flashcard", "description"))
        .count()
    )
    with pytest.raises(ServiceError) as refused:
        quiz_services.quiz_item_add_rule(quiz=quiz, topic=topic, user=owner, count=answerable + 1)
    assert refused.value.code == ErrorCode.RULE_TOO_FEW
    quiz_services.quiz_item_add_rule(quiz=quiz, topic=topic, user=owner, count=answerable)
    quiz.is_published = True
    quiz.save()
    for _ in range(5):
        attempt = services.attempt_start(user=owner, quiz=quiz)
        kinds = {item.version.question.kind for item in attempt.items.all()}
        assert "description" not in kinds and len(kinds) >= 1
        services.attempt_finish(attempt=attempt)


def test_the_attempt_counts_questions_only_and_refuses_an_answer_to_the_description(owner, quiz):
    # The owner tries their own quiz (a student would need a course that assigns it).
    attempt = services.attempt_start(user=owner, quiz=quiz)
    assert attempt.max_score == 2
    view = selectors.attempt_view(attempt=attempt)
    assert [v.informational for v in view.items] == [True, False]
    assert (len(view.questions), view.answered, view.unanswered) == (1, 0, 1)
    intro_item = attempt.items.get(position=1)
    for call in (
        lambda: services.response_submit(item=intro_item, raw="42"),
        lambda: services.draft_save(item=intro_item, raw="42", rev=1),
    ):
        with pytest.raises(ServiceError) as refused:
            call()
        assert refused.value.code == ErrorCode.NOTHING_TO_ANSWER


def test_the_attempt_and_result_pages_show_the_description_without_an_answer_box(
    client, owner, quiz
):
    client.force_login(owner)
    attempt = services.attempt_start(user=owner, quiz=quiz)
    page = client.get(attempt.get_absolute_url()).content.decode()
    assert "Дальше — задачи о Dropout" in page
    assert 'id="item-1"' in page and 'id="nav-1"' not in page and 'id="nav-2"' in page
    assert f'action="{reverse("draft-save", args=[attempt.uuid, 1])}"' not in page
    assert "из 1" in page  # «Отвечено: 0 из 1»: the description is not a question
    services.attempt_finish(attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.max_score == 2 and attempt.score == Decimal(0)
    result = client.get(attempt.get_absolute_url()).content.decode()
    assert "Дальше — задачи о Dropout" in result
    assert result.count("Ответа нет.") == 1
