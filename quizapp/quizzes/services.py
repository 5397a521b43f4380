"""The quiz builder: an instructor's quizzes, their settings and items (fixed questions or rules).

Writes (services) and the access helper live here; the pages are in ``instructor_quiz_views``.
A quiz's items may change at any time: attempts already started keep the items, versions and
seeds they were given, so editing a quiz only affects attempts started afterwards.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from question_bank.access import banks_for_new_work
from question_bank.models import Question, Topic
from question_bank.selectors import rule_pool
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.models import Quiz, QuizItem

MAX_RULE_COUNT = 50


QUIZ_SETTINGS = (
    "title",
    "slug",
    "description",
    "time_limit_minutes",
    "max_attempts",
    "opens_at",
    "closes_at",
    "show_verdicts",
    "show_score",
    "show_solutions",
    "shuffle_items",
    "unreadable_policy",
    "answer_policy",
    "max_tries",
    "penalty",
    "is_published",
    "is_open",
)


class QuizItemError(ServiceError):
    """A refused item of a quiz sent as one document, with its index so the API names the field."""

    def __init__(self, index: int, error: ServiceError):
        super().__init__(error.message, code=error.code, field=f"items.{index}")


def quiz_dates_check(*, opens_at, closes_at) -> None:
    """The one rule on a quiz's dates (the pages, the API, and a database constraint agree)."""
    if opens_at and closes_at and closes_at <= opens_at:
        raise ServiceError(
            code=ErrorCode.CLOSES_BEFORE_OPENS,
            field="closes_at",
        )


def quiz_policy_check(*, max_tries, penalty) -> None:
    """The answer policy's bounds (the pages, the API and the database constraints agree): a
    penalty is a share of the item's points, 0…1; a limit of tries, when set, is at least one."""
    if penalty is not None and not (0 <= Decimal(str(penalty)) <= 1):
        raise ServiceError(code=ErrorCode.PENALTY_RANGE, field="penalty")
    if max_tries is not None and max_tries < 1:
        raise ServiceError(code=ErrorCode.MAX_TRIES_MIN, field="max_tries")


# The order in which results can be revealed (``show_verdicts``, ``show_solutions``).
_REVEAL_ORDER = {"during": 0, "after_answer": 0, "after_finish": 1, "after_close": 2, "never": 3}


def quiz_reveal_check(
    *, show_verdicts: str, show_solutions: str, answer_policy: str = "last"
) -> None:
    """Solutions may not come before the verdicts: a worked solution gives the verdict away.
    Tries with a check need the verdicts at once: a try is for learning whether it was right,
    and showing them anyway would quietly override what the instructor chose."""
    if _REVEAL_ORDER[show_solutions] < _REVEAL_ORDER[show_verdicts]:
        raise ServiceError(code=ErrorCode.SOLUTIONS_BEFORE_VERDICTS, field="show_solutions")
    if answer_policy == Quiz.AnswerPolicy.TRIES and show_verdicts != Quiz.Verdicts.DURING:
        raise ServiceError(code=ErrorCode.TRIES_NEED_VERDICTS, field="show_verdicts")


def _apply_settings(quiz: Quiz, settings: dict) -> list[str]:
    changed = [name for name in QUIZ_SETTINGS if name in settings]
    for name in changed:
        setattr(quiz, name, settings[name])
    if "slug" in changed and not quiz.slug:
        quiz.slug = f"quiz-{secrets.token_hex(4)}"
    quiz_dates_check(opens_at=quiz.opens_at, closes_at=quiz.closes_at)
    quiz_policy_check(max_tries=quiz.max_tries, penalty=quiz.penalty)
    quiz_reveal_check(
        show_verdicts=quiz.show_verdicts,
        show_solutions=quiz.show_solutions,
        answer_policy=quiz.answer_policy,
    )
    return changed


@transaction.atomic
def quiz_create(*, owner, settings: dict, items: list[dict] | None = None) -> Quiz:
    """A new quiz of ``owner`` from its settings (a random slug when none is given) and, when
    given, its items in order: the builder's form and the API's document both come here."""
    quiz = Quiz(owner=owner)
    _apply_settings(quiz, {"slug": "", **settings})
    quiz.save()
    if items:
        _set_items(quiz, items, user=owner)
    return quiz


@transaction.atomic
def quiz_update(*, quiz: Quiz, settings: dict, user, items: list[dict] | None = None) -> Quiz:
    """Change a quiz's settings (only the names given) and, when ``items`` is given, replace its
    items.

    Race: an attempt starting while the items are replaced would draw from a half-written list;
    the quiz row is locked (as the item services below do).
    """
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    changed = _apply_settings(quiz, settings)
    if changed:
        quiz.save(update_fields=changed)
    if items is not None:
        _set_items(quiz, items, user=user)
    return quiz


@transaction.atomic
def quiz_delete(*, quiz: Quiz) -> None:
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if quiz.attempts.exists():
        raise ServiceError(
            code=ErrorCode.QUIZ_HAS_ATTEMPTS,
        )
    quiz.delete()


def _set_items(quiz: Quiz, items: list[dict], *, user) -> None:
    """Replace the quiz's items, in the list's order, through the item services below.

    Attempts already started keep their own items, versions and seeds, so this (like the
    builder's page) affects only attempts started afterwards.
    """
    quiz.items.all().delete()
    for index, item in enumerate(items):
        points = item.get("points", Decimal(1))
        try:
            if item.get("question") is not None:
                quiz_item_add_question(
                    quiz=quiz, question=item["question"], user=user, points=points
                )
            else:
                quiz_item_add_rule(
                    quiz=quiz, topic=item["topic"], user=user, count=item["count"], points=points
                )
        except ServiceError as exc:
            raise QuizItemError(index, exc) from exc


def _next_position(quiz: Quiz) -> int:
    return (quiz.items.aggregate(last=Max("position"))["last"] or 0) + 1


def _points(points) -> Decimal:
    try:
        value = Decimal(str(points).replace(",", "."))
    except ArithmeticError:
        value = Decimal(-1)
    if not value.is_finite() or value <= 0 or value > 1000:
        raise ServiceError(code=ErrorCode.BAD_POINTS)
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def quiz_item_add_question(*, quiz: Quiz, question: Question, user, points=1) -> QuizItem:
    """Add a fixed question (its newest version at each attempt's start)."""
    if question.is_archived or not banks_for_new_work(user).filter(pk=question.bank_id).exists():
        raise ServiceError(code=ErrorCode.QUESTION_NOT_VISIBLE)
    if quiz.items.filter(question=question).exists():
        raise ServiceError(code=ErrorCode.DUPLICATE_QUESTION)
    Quiz.objects.select_for_update().filter(pk=quiz.pk).first()  # serialise position numbering
    # A description is read, not answered: it weighs nothing in the score.
    informational = question.kind == Question.Kind.DESCRIPTION
    return QuizItem.objects.create(
        quiz=quiz,
        question=question,
        position=_next_position(quiz),
        points=Decimal(0) if informational else _points(points),
    )


@transaction.atomic
def quiz_item_add_rule(*, quiz: Quiz, topic: Topic, user, count: int, points=1) -> QuizItem:
    """Add a rule: ``count`` random questions of the topic (and subtopics) for every attempt."""
    if not banks_for_new_work(user).filter(pk=topic.bank_id).exists():
        raise ServiceError(code=ErrorCode.TOPIC_NOT_VISIBLE)
    if not 1 <= count <= MAX_RULE_COUNT:
        raise ServiceError(
            _("Сколько вопросов брать из темы: от 1 до %(MAX_RULE_COUNT)s.")
            % {"MAX_RULE_COUNT": MAX_RULE_COUNT},
            code=ErrorCode.BAD_COUNT,
        )
    available = rule_pool(topic).count()
    if available < count:
        raise ServiceError(
            _("В теме «%(title)s» только %(available)s вопросов для теста, а нужно %(count)s.")
            % {"title": topic.title, "available": available, "count": count},
            code=ErrorCode.RULE_TOO_FEW,
        )
    Quiz.objects.select_for_update().filter(pk=quiz.pk).first()
    return QuizItem.objects.create(
        quiz=quiz, topic=topic, count=count, position=_next_position(quiz), points=_points(points)
    )


@transaction.atomic
def quiz_item_update(*, item: QuizItem, points, count: int | None = None) -> QuizItem:
    informational = item.question_id and item.question.kind == Question.Kind.DESCRIPTION
    item.points = Decimal(0) if informational else _points(points)
    fields = ["points"]
    if item.topic_id and count is not None:
        if not 1 <= count <= MAX_RULE_COUNT:
            raise ServiceError(
                _("Сколько вопросов брать из темы: от 1 до %(MAX_RULE_COUNT)s.")
                % {"MAX_RULE_COUNT": MAX_RULE_COUNT},
                code=ErrorCode.BAD_COUNT,
            )
        item.count = count
        fields.append("count")
    item.save(update_fields=fields)
    return item


@transaction.atomic
def quiz_item_remove(*, item: QuizItem) -> None:
    """Remove an item and close the gap, so positions stay 1..N."""
    quiz = Quiz.objects.select_for_update().get(pk=item.quiz_id)
    item.delete()
    for position, other in enumerate(quiz.items.order_by("position"), start=1):
        if other.position != position:
            QuizItem.objects.filter(pk=other.pk).update(position=position)


@transaction.atomic
def quiz_item_move(*, item: QuizItem, delta: int) -> None:
    """Swap the item with its neighbour above (-1) or below (+1).

    Race: two moves at once would both read the old positions; the quiz row is locked. Positions
    are unique per quiz, so the swap parks one item on position 0 for a moment.
    """
    quiz = Quiz.objects.select_for_update().get(pk=item.quiz_id)
    item.refresh_from_db()
    neighbour = quiz.items.filter(position=item.position + delta).first()
    if neighbour is None:
        return
    mine, theirs = item.position, neighbour.position
    QuizItem.objects.filter(pk=item.pk).update(position=0)
    QuizItem.objects.filter(pk=neighbour.pk).update(position=mine)
    QuizItem.objects.filter(pk=item.pk).update(position=theirs)
