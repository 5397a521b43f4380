"""Reloading a bank file without a question (a duplicate removed from the bundled banks).

The question is archived, not deleted: attempts keep its versions (PROTECT), the attempt that
holds it can still be answered and finished, and it is drawn no more for new quizzes, quiz
rules, practice or flashcards. A file that has it again brings it back.
"""

from __future__ import annotations

import pytest
import yaml

from question_bank.models import Question, QuestionVersion
from question_bank.services import bank_import_file
from quizapp.attempts import services as attempts
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.flashcards.selectors import study_questions
from quizapp.models import Quiz, QuizItem, StudyDeck
from quizapp.practice.selectors import practice_pick
from quizapp.quizzes.selectors import question_search
from quizapp.quizzes.services import quiz_item_add_question
from tests.conftest import DEMO

pytestmark = pytest.mark.django_db

GONE = "dense-params"  # topic mlp, which keeps one more question: cafe-network


def _reload(*, without: str | None):
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["questions"] = [q for q in data["questions"] if q["slug"] != without]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return bank_import_file(data=text.encode(), filename="demo.yaml", variants=3)


def test_a_question_dropped_from_the_file_is_archived_and_old_attempts_keep_it(
    demo_quiz, student, owner, django_user_model, django_capture_on_commit_callbacks
):
    attempt = attempts.attempt_start(user=student, quiz=demo_quiz)
    item = attempt.items.get(version__question__slug=GONE)
    versions_before = QuestionVersion.objects.filter(question__slug=GONE).count()

    bank, versions, _ = _reload(without=GONE)

    question = Question.objects.get(bank=bank, slug=GONE)
    assert question.is_archived
    assert QuestionVersion.objects.filter(question=question).count() == versions_before
    assert not Question.objects.filter(bank=bank, is_archived=True).exclude(slug=GONE).exists()
    # The attempt that holds it goes on: answer, grade, finish.
    item.refresh_from_db()
    assert item.version.question == question
    with django_capture_on_commit_callbacks(execute=True):
        attempts.response_submit(item=item, raw="1")
        attempts.attempt_finish(attempt=attempt)
    response = item.responses.get()
    assert (response.status, response.score) == ("graded", 0)  # by the archived version

    # No new use: search, fixed items, rules, practice, flashcards.
    assert GONE not in {q.slug for q in question_search(user=owner, text="")}
    quiz = Quiz.objects.create(slug="rules", title="Правила", is_published=True, is_open=True)
    with pytest.raises(ServiceError) as refused:
        quiz_item_add_question(quiz=quiz, question=question, user=owner)
    assert refused.value.code == ErrorCode.QUESTION_NOT_VISIBLE
    QuizItem.objects.create(quiz=quiz, position=1, topic=question.topic, count=1)
    for n in range(8):
        user = django_user_model.objects.create_user(f"s{n}", password="pw-student-1")
        drawn = attempts.attempt_start(user=user, quiz=quiz).items.get()
        assert drawn.version.question.slug != GONE
    for _ in range(12):
        version, _seed = practice_pick(topic=question.topic)
        assert version.question.slug != GONE
    StudyDeck.objects.create(user=student, bank=bank)
    assert GONE not in set(study_questions(user=student).values_list("slug", flat=True))


def test_a_file_that_has_the_question_again_brings_it_back(demo_quiz):
    _reload(without=GONE)
    bank, _versions, _ = _reload(without=None)
    assert not Question.objects.get(bank=bank, slug=GONE).is_archived
