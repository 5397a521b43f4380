"""Reads of free practice: the next question of a topic, and mastery per topic."""

from __future__ import annotations

import secrets

from question_bank.models import Bank, Question, QuestionVersion, Topic
from question_bank.selectors import bundled_bank_numbers, topic_with_subtopics
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.core.roles import is_admin
from quizapp.courses.selectors import banks_for_study
from quizapp.models import PracticeAnswer, Response
from quizapp.practice.mastery import Mastery, mastery_of

# Flashcards are self-rated; every other kind is graded and counts towards mastery, except a
# description, which has nothing to answer, and an essay, which only an instructor grades (in a
# quiz; in practice nobody would: a lecturer who wants essays as self-check cards imports them
# as flashcards, ``essays_as_cards``).
PRACTICE_KINDS = tuple(
    k
    for k in Question.Kind.values
    if k not in (Question.Kind.FLASHCARD, Question.Kind.DESCRIPTION, Question.Kind.ESSAY)
)
MASTERY_WINDOW = 20  # the newest answers that count
MASTERY_DECAY = 0.9  # each older answer weighs 10 % less: mastery follows recent work
DEMO_BANK_SLUG = "demo"  # the bank of `manage.py load_demo`: every kind of question, no course


def practice_pick(
    *, topic: Topic, exclude_version_id: int | None = None
) -> tuple[QuestionVersion, int]:
    """A random question of the topic (newest version) and a fresh random seed."""
    questions = list(
        Question.objects.filter(
            topic_id__in=topic_with_subtopics(topic), kind__in=PRACTICE_KINDS, is_archived=False
        )
        .order_by("pk")  # a seeded generator (the browser tests) picks the same question
        .values_list("pk", flat=True)
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


def topic_mastery(*, user, topics) -> dict[int, Mastery]:
    """Per topic: the estimate of its mastery with its range (``practice.mastery``) over the
    newest graded answers (recent weigh more).

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
    return {topic.pk: mastery_of(recent.get(topic.pk, []), decay=MASTERY_DECAY) for topic in topics}


def index_banks(*, user) -> list[Bank]:
    """The banks of the practice index, in course order.

    Order: the bundled banks first (no owner), by the number of their file
    (``question_bank/banks/NN-*.yaml``: 01-perceptron … 14-keras is the course), then the other
    bundled ones and the instructors' banks, oldest first.

    The demo bank (``load_demo``) shows every kind of question on toy topics that repeat the real
    ones; for a student it is noise beside the course. It is listed only when it is the only bank
    the user may study (a fresh embedded install: nothing else to practise), or for an admin, or
    for its owner if one published it. Its topics stay reachable by link (the demo quiz uses them).
    """
    numbers = bundled_bank_numbers()
    banks = sorted(
        banks_for_study(user),
        key=lambda b: (
            b.owner_id is not None,
            numbers.get(b.slug, 1_000_000) if b.owner_id is None else 0,
            b.pk,
        ),
    )
    if len(banks) > 1 and not is_admin(user):
        banks = [b for b in banks if b.slug != DEMO_BANK_SLUG or b.owner_id == user.pk]
    return banks


def topics_in_order(topics) -> list[Topic]:
    """A bank's topics as its file lists them: each top-level topic (creation order = the order
    in the file), its subtopics right below it, depth first. A topic whose parent is missing from
    ``topics`` is treated as top-level."""
    topics = sorted(topics, key=lambda t: t.pk)
    present = {t.pk for t in topics}
    children: dict[int | None, list[Topic]] = {}
    for topic in topics:
        parent = topic.parent_id if topic.parent_id in present else None
        children.setdefault(parent, []).append(topic)
    ordered: list[Topic] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        topic = stack.pop()
        ordered.append(topic)
        stack.extend(reversed(children.get(topic.pk, [])))
    return ordered


def matches(title: str, query: str) -> bool:
    """Search by title: every word of the query is part of the title (case and ё/е ignored)."""

    def fold(text: str) -> str:
        return text.casefold().replace("ё", "е")

    title = fold(title)
    return all(word in title for word in fold(query).split())


def practice_index(*, user, query: str = "") -> list[dict]:
    """The practice index: per bank (course order) its topics (file order, subtopics under their
    parent) with the user's mastery; with ``query``, only the topics whose title matches it and
    the parents of the subtopics that do (so a subtopic is never shown without its topic)."""
    banks = index_banks(user=user)
    topics = list(Topic.objects.filter(bank__in=banks))
    by_bank: dict[int, list[Topic]] = {}
    for topic in topics:
        by_bank.setdefault(topic.bank_id, []).append(topic)
    query = query.strip()
    mastery = topic_mastery(user=user, topics=topics)
    groups = []
    for bank in banks:
        ordered = topics_in_order(by_bank.get(bank.pk, []))
        if query:
            hit = {t.pk for t in ordered if matches(t.title, query)}
            keep = hit | {t.parent_id for t in ordered if t.pk in hit and t.parent_id}
            ordered = [t for t in ordered if t.pk in keep]
        else:
            hit = {t.pk for t in ordered}
        if ordered:
            rows = [{"topic": t, "match": t.pk in hit, "mastery": mastery[t.pk]} for t in ordered]
            groups.append({"bank": bank, "topics": rows})
    return groups
