"""Reads of the question bank."""

from __future__ import annotations

from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from question_bank.access import banks_visible_to, can_manage_bank
from question_bank.formats.common import FORMAT_TAG
from question_bank.models import Bank, BankUpload, Question, QuestionVersion, Topic
from quizapp.core.roles import is_admin


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
        .order_by(F("owner").asc(nulls_last=True), "title")  # own banks before bundled
    )
    for bank in banks:
        bank.can_manage = can_manage_bank(user, bank)
    return banks


def bank_upload_list(*, user, limit: int = 10) -> list[BankUpload]:
    return list(
        BankUpload.objects.filter(owner=user.pk)
        .select_related("bank")
        .defer("data", "parsed", "report")[:limit]
    )


def bank_overview(*, bank: Bank, user) -> dict:
    """A bank's topics → questions → versions, with where each version is used.

    "Used" means quizzes that pin a version, quizzes that take a question's newest version,
    quizzes that draw from a topic, and how many attempts were made with each version. Quizzes
    of other instructors are counted, not named (an admin sees every name).
    """
    from quizapp.models import QuizItem

    topics = list(bank.topics.order_by("title"))
    questions = list(bank.questions.order_by("pk"))  # the order of the file
    versions = (
        QuestionVersion.objects.filter(question__bank=bank)
        .annotate(attempts=Count("attempt_items__attempt", distinct=True))
        .order_by("question_id", "-number")
    )
    by_question = {q.pk: q for q in questions}
    for question in questions:
        question.version_rows, question.latest_quizzes = [], _Usage()
    for version in versions:
        version.quizzes = _Usage()
        by_question[version.question_id].version_rows.append(version)
    by_version = {v.pk: v for q in questions for v in q.version_rows}
    by_topic = {t.pk: t for t in topics}
    for topic in topics:
        topic.quizzes, topic.question_rows = _Usage(), []

    everything = is_admin(user)
    items = QuizItem.objects.filter(question__bank=bank) | QuizItem.objects.filter(topic__bank=bank)
    for item in items.select_related("quiz").order_by("quiz__title", "position"):
        quiz = item.quiz
        usage = (
            by_version[item.version_id].quizzes
            if item.version_id in by_version
            else by_question[item.question_id].latest_quizzes
            if item.question_id in by_question
            else by_topic[item.topic_id].quizzes
        )
        usage.add(quiz, visible=everything or quiz.owner_id == user.pk)

    loose = []
    for question in questions:
        question.is_template = bool(
            question.version_rows and question.version_rows[0].spec.get("params")
        )
        (
            by_topic[question.topic_id].question_rows if question.topic_id in by_topic else loose
        ).append(question)
    return {
        "topics": _tree(topics),
        "loose_questions": loose,
        "question_count": len(questions),
        "version_count": len(by_version),
    }


class _Usage:
    """Quizzes using something: the ones the viewer may see by name, the others as a count."""

    def __init__(self):
        self.named, self.hidden_ids = {}, set()

    def add(self, quiz, *, visible: bool) -> None:
        if visible:
            self.named[quiz.pk] = quiz
        else:
            self.hidden_ids.add(quiz.pk)

    @property
    def quizzes(self) -> list:
        return list(self.named.values())

    @property
    def hidden(self) -> int:
        return len(self.hidden_ids)

    def __bool__(self) -> bool:
        return bool(self.named or self.hidden_ids)


def _tree(topics: list[Topic]) -> list[Topic]:
    """Topics in depth-first order with ``depth`` set, children after their parent."""
    children = {}
    for topic in topics:
        children.setdefault(topic.parent_id, []).append(topic)
    known = {t.pk for t in topics}
    ordered = []

    def walk(topic, depth):
        topic.depth = depth
        ordered.append(topic)
        for child in children.get(topic.pk, []):
            walk(child, depth + 1)

    for topic in topics:
        if topic.parent_id is None or topic.parent_id not in known:
            walk(topic, 0)
    return ordered


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
