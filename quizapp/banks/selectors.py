"""Reads of the bank pages that need the quizzes: where each question, version and topic is used."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from question_bank.models import Bank, QuestionVersion, Topic
from quizapp.core.roles import is_admin
from quizapp.models import Attempt, FlashcardState, PracticeAnswer, QuizItem


def bank_overview(*, bank: Bank, user) -> dict:
    """A bank's topics → questions → versions, with where each version is used.

    "Used" means quizzes that pin a version, quizzes that take a question's newest version,
    quizzes that draw from a topic, and how many attempts were made with each version. Quizzes
    of other instructors are counted, not named (an admin sees every name).
    """
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


@dataclass(frozen=True)
class BankUsage:
    """What students did with a bank's questions, and which quizzes still use them."""

    attempts: int
    cards: int
    practice: int
    quizzes: int

    @property
    def has_student_work(self) -> bool:
        return bool(self.attempts or self.cards or self.practice)


def bank_usage(*, bank: Bank) -> BankUsage:
    """Counted through the bank's question versions (attempts, practice), its questions
    (flashcard states) and quiz items (questions or topic rules of the bank): four queries."""
    versions = QuestionVersion.objects.filter(question__bank=bank).values("pk")
    attempts = Attempt.objects.filter(items__version__in=versions).values("pk").distinct().count()
    cards = FlashcardState.objects.filter(question__bank=bank).count()
    practice = PracticeAnswer.objects.filter(version__in=versions).count()
    quizzes = (
        QuizItem.objects.filter(Q(question__bank=bank) | Q(topic__bank=bank))
        .values("quiz")
        .distinct()
        .count()
    )
    return BankUsage(attempts=attempts, cards=cards, practice=practice, quizzes=quizzes)
