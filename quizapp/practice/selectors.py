"""Reads of free practice: the next question of a topic, and mastery per topic."""

from __future__ import annotations

import secrets

from question_bank.models import Question, QuestionVersion, Topic
from question_bank.selectors import topic_with_subtopics
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.models import PracticeAnswer, Response

# Flashcards are self-rated; every other kind is graded and counts towards mastery.
PRACTICE_KINDS = tuple(k for k in Question.Kind.values if k != Question.Kind.FLASHCARD)
MASTERY_WINDOW = 20  # the newest answers that count
MASTERY_DECAY = 0.9  # each older answer weighs 10 % less: mastery follows recent work

# Flashcards are self-rated; every other kind is graded and counts towards mastery.


def practice_pick(
    *, topic: Topic, exclude_version_id: int | None = None
) -> tuple[QuestionVersion, int]:
    """A random question of the topic (newest version) and a fresh random seed."""
    questions = list(
        Question.objects.filter(
            topic_id__in=topic_with_subtopics(topic), kind__in=PRACTICE_KINDS
        ).values_list("pk", flat=True)
    )
    if not questions:
        raise ServiceError(code=ErrorCode.EMPTY_TOPIC)
    if exclude_version_id is not None and len(questions) > 1:
        current = QuestionVersion.objects.filter(pk=exclude_version_id).values_list(
            "question_id", flat=True
        )
        questions = [q for q in questions if q not in set(current)] or questions
    question_id = secrets.choice(questions)
    version = QuestionVersion.objects.filter(question_id=question_id).order_by("-number").first()
    return version, secrets.randbits(62)


def last_answer(*, user, version: QuestionVersion, seed: int) -> PracticeAnswer | None:
    """The student's newest answer to this variant: the one its page shows."""
    return (
        PracticeAnswer.objects.filter(user=user, version=version, seed=seed)
        .order_by("-created_at", "-id")
        .first()
    )


def topic_mastery(*, user, topics) -> dict[int, dict]:
    """Per topic: weighted share right over the newest graded answers (recent weigh more).

    One query for all topics; subtopics count towards their parents.
    """
    topics = list(topics)
    parent_of = {
        t.pk: t.parent_id for t in Topic.objects.filter(bank__in={t.bank_id for t in topics})
    }
    recent: dict[int, list[float]] = {}
    answers = (
        PracticeAnswer.objects.filter(user=user, status=Response.Status.GRADED, topic__isnull=False)
        .order_by("-created_at", "-id")
        .values_list("topic_id", "score")
    )
    for topic_id, score in answers.iterator():
        node = topic_id
        while node is not None:
            bucket = recent.setdefault(node, [])
            if len(bucket) < MASTERY_WINDOW:
                bucket.append(score)
            node = parent_of.get(node)
    mastery = {}
    for topic in topics:
        scores = recent.get(topic.pk, [])
        weights = [MASTERY_DECAY**k for k in range(len(scores))]
        share = (
            sum(w * s for w, s in zip(weights, scores, strict=True)) / sum(weights)
            if scores
            else None
        )
        mastery[topic.pk] = {"answers": len(scores), "share": share}
    return mastery
