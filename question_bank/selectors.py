"""Reads of the question bank."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from question_bank.access import banks_visible_to, can_manage_bank
from question_bank.formats.common import FORMAT_TAG
from question_bank.models import Bank, BankUpload, Question, QuestionVersion, Topic


def bank_as_native(*, bank: Bank) -> dict:
    """A stored bank, with the newest version of every question, as the native bank structure."""
    topics = [
        {"slug": t.slug, "title": t.title, **({"parent": t.parent.slug} if t.parent else {})}
        for t in bank.topics.select_related("parent").order_by("pk")
    ]
    newest = {}
    for version in (
        QuestionVersion.objects.filter(question__bank=bank)
        .select_related("question__topic")
        .order_by("question__pk", "-number")
    ):
        newest.setdefault(version.question_id, version)
    questions = []
    for version in newest.values():
        question = version.question
        entry = {"slug": question.slug, "title": question.title}
        if question.topic:
            entry["topic"] = question.topic.slug
        questions.append({**entry, **version.spec})
    meta = {
        "slug": bank.slug,
        "title": bank.title,
        "description": bank.description,
        "language": bank.language,
        "version": bank.version,
        "authors": bank.authors,
        "license": bank.license,
    }
    return {"format": FORMAT_TAG, "bank": meta, "topics": topics, "questions": questions}


def _count(model, field: str, *, distinct: str = "pk"):
    """A correlated COUNT subquery: one query for any number of banks, no join fan-out."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count(distinct, distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def bank_list_for_user(*, user) -> list[Bank]:
    """The banks ``user`` may see, with counts and ``can_manage``, in a fixed number of queries."""
    banks = list(
        banks_visible_to(user)
        .select_related("owner")
        .annotate(
            question_count=_count(Question, "bank"),
            topic_count=_count(Topic, "bank"),
            version_count=_count(QuestionVersion, "question__bank"),
        )
        # own banks before bundled, archived ones last
        .order_by("is_archived", F("owner").asc(nulls_last=True), "title")
    )
    for bank in banks:
        bank.can_manage = can_manage_bank(user, bank)
    # An archived bank is listed only to those who can bring it back.
    return [bank for bank in banks if bank.can_manage or not bank.is_archived]


def bank_upload_list(*, user, limit: int = 10) -> list[BankUpload]:
    return list(
        BankUpload.objects.filter(owner=user.pk)
        .select_related("bank")
        .defer("data", "parsed", "report")[:limit]
    )


def newest_versions(question_ids) -> dict[int, QuestionVersion]:
    """The newest version of each question (question id → version), in two queries."""
    newest = list(
        QuestionVersion.objects.filter(question_id__in=question_ids)
        .values("question_id")
        .annotate(last=Max("number"))
    )
    if not newest:
        return {}
    wanted = Q()
    for row in newest:
        wanted |= Q(question_id=row["question_id"], number=row["last"])
    return {v.question_id: v for v in QuestionVersion.objects.filter(wanted)}


def topic_with_subtopics(topic: Topic) -> list[int]:
    """The ids of a topic and of every topic below it (quizzes and practice draw from all)."""
    ids, frontier = [topic.pk], [topic.pk]
    while frontier:
        frontier = list(Topic.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def rule_pool(topic: Topic):
    """The questions a quiz rule («N случайных из темы») draws from: the topic and its subtopics,
    not archived, and only what a student answers — a self-rated flashcard and a description
    (an information item with nothing to answer) are never drawn at random; an instructor adds
    them to a quiz one by one."""
    return Question.objects.filter(
        topic_id__in=topic_with_subtopics(topic), is_archived=False
    ).exclude(kind__in=(Question.Kind.FLASHCARD, Question.Kind.DESCRIPTION))


BUNDLED_DIR = Path(__file__).resolve().parent / "banks"
_BANK_SLUG = re.compile(r"^bank:[ \t]*\n(?:[ \t]+.*\n)*?[ \t]+slug:[ \t]*[\"']?([\w-]+)", re.M)


@functools.cache
def bundled_bank_numbers() -> dict[str, int]:
    """Slug → course position of the bundled banks: the ``NN`` of ``question_bank/banks/NN-*.yaml``.

    The file numbers are the course's order (01-perceptron … 14-keras). The database keeps no
    order of banks, and the order of ids is only the order of the imports (a bank whose first
    import failed ends last), so lists in course order read it here. Only each file's head is
    read (the ``bank:`` block comes first), once per process."""
    numbers: dict[str, int] = {}
    for path in sorted(BUNDLED_DIR.glob("[0-9]*-*.yaml")):
        with path.open(encoding="utf-8") as file:
            found = _BANK_SLUG.search(file.read(4096))
        if found:
            numbers.setdefault(found.group(1), int(path.name.split("-", 1)[0]))
    return numbers
