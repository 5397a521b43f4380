"""LTI score passback with essays: «PendingManual» while an essay waits for the instructor,
«FullyGraded» once the last one is graded (issue 16 item 5)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quizapp.gradebook import manual
from quizapp.models.lti import LtiScorePassback
from tests.quizapp.gradebook.essays import (  # noqa: F401 (fixtures)
    essay_quiz,
    essay_response,
    finish_with_essay,
)
from tests.quizapp.lti.test_passback import launched  # noqa: F401 (fixture)


@pytest.mark.django_db
def test_pending_manual_then_fully_graded(
    request, owner, platform, django_capture_on_commit_callbacks
):
    # Imported fixtures, asked for by name (a parameter would shadow the import).
    learner, quiz = request.getfixturevalue("launched"), request.getfixturevalue("essay_quiz")
    attempt = finish_with_essay(learner, quiz, django_capture_on_commit_callbacks)
    [first] = platform.scores
    assert first["body"]["gradingProgress"] == "PendingManual"
    assert first["body"]["activityProgress"] == "Completed"
    assert first["body"]["scoreGiven"] == 0.0
    passback = LtiScorePassback.objects.get()
    assert passback.grading_progress == "PendingManual" and passback.status == "sent"

    # A grade of 0 leaves the score as it was: the LMS still learns the grading is done.
    with django_capture_on_commit_callbacks(execute=True):
        manual.manual_grade_save(
            response=essay_response(attempt), points=Decimal(0), comment="", by=owner
        )
    assert [s["body"]["gradingProgress"] for s in platform.scores] == [
        "PendingManual",
        "FullyGraded",
    ]
    assert platform.scores[1]["body"]["scoreGiven"] == 0.0

    with django_capture_on_commit_callbacks(execute=True):
        manual.manual_grade_save(
            response=essay_response(attempt), points=Decimal("2.5"), comment="", by=owner
        )
    assert platform.scores[2]["body"]["gradingProgress"] == "FullyGraded"
    assert platform.scores[2]["body"]["scoreGiven"] == 2.5
    passback.refresh_from_db()
    assert (passback.sent_score, passback.grading_progress) == (Decimal("2.50"), "FullyGraded")
    assert LtiScorePassback.objects.count() == 1


@pytest.mark.django_db
def test_fully_graded_only_with_the_last_of_two_essays_graded_by_criteria(
    request, owner, platform, django_capture_on_commit_callbacks
):
    from question_bank.models import Question, QuestionVersion
    from quizapp.attempts import services
    from quizapp.models import QuizItem, Response, RubricCriterion
    from tests.quizapp.gradebook.essays import SPEC, essay_item

    learner, quiz = request.getfixturevalue("launched"), request.getfixturevalue("essay_quiz")
    first_question = Question.objects.get(slug="dropout-essay")
    second_question = Question.objects.create(
        bank=first_question.bank,
        topic=first_question.topic,
        slug="bn-essay",
        title="Эссе о BatchNorm",
        kind="essay",
    )
    QuestionVersion.objects.create(question=second_question, number=1, spec=SPEC)
    QuizItem.objects.create(quiz=quiz, question=second_question, position=99, points=2)
    formula = RubricCriterion.objects.create(question=first_question, points=3, text="Формула")
    attempt = services.attempt_start(user=learner, quiz=quiz)
    for item in attempt.items.filter(version__question__kind="essay"):
        with django_capture_on_commit_callbacks(execute=True):
            services.response_submit(item=item, raw="Ответ")
    with django_capture_on_commit_callbacks(execute=True):
        services.attempt_finish(attempt=attempt)
    assert [s["body"]["gradingProgress"] for s in platform.scores] == ["PendingManual"]

    first = Response.objects.get(item=essay_item(attempt))
    with django_capture_on_commit_callbacks(execute=True):
        manual.manual_grade_save(
            response=first, points=None, comment="", criteria=[formula.pk], by=owner
        )
    assert platform.scores[-1]["body"]["gradingProgress"] == "PendingManual"
    assert platform.scores[-1]["body"]["scoreGiven"] == 3.0

    second = Response.objects.get(item__attempt=attempt, item__version__question=second_question)
    with django_capture_on_commit_callbacks(execute=True):
        manual.manual_grade_save(response=second, points=Decimal(2), comment="", by=owner)
    assert platform.scores[-1]["body"]["gradingProgress"] == "FullyGraded"
    assert platform.scores[-1]["body"]["scoreGiven"] == 5.0
    assert [s["body"]["gradingProgress"] for s in platform.scores].count("FullyGraded") == 1
