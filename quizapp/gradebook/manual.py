"""Essays graded by the instructor: the queue of a quiz, the answers to one question, a grade.

An essay answer is stored ``manual`` by the grading pipeline (``grader.kinds.essay``): it earns
nothing yet and the attempt's score is provisional (``Attempt.manual_count``). The instructor
grades it here — points from 0 to the item's points and a comment — which stores a
:class:`~quizapp.models.gradebook.ManualGrade`, makes the response ``graded`` with that share,
and rescores the attempt (``attempts.services.attempt_rescore``). The rescore announces the
attempt as graded: the LMS gets the score as «PendingManual» while other essays of the attempt
wait and «FullyGraded» with the last one; webhooks fire once, when nothing waits any more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext

import grader
from question_bank.models import Question
from quizapp.attempts.selectors import latest_responses, ru_plural
from quizapp.attempts.services import attempt_rescore
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.models import Attempt, AttemptItem, ManualGrade, Quiz, Response
from quizapp.quizzes.selectors import can_manage_quiz

CENTS = Decimal("0.01")


@dataclass
class QueueRow:
    """One essay question of a quiz: how many newest answers wait and how many are graded."""

    question: Question
    waiting: int = 0
    graded: int = 0


@dataclass
class EssayAnswer:
    """One student's newest answer to the question, with what the instructor needs beside it."""

    item: AttemptItem
    response: Response
    text: str  # the question as this student saw it (their variant)
    grade: ManualGrade | None = None

    @property
    def waiting(self) -> bool:
        return self.response.status == Response.Status.MANUAL

    @property
    def points(self) -> Decimal | None:
        if self.grade is None:
            return None
        return (self.item.points * Decimal(str(self.grade.score))).quantize(CENTS)


@dataclass
class QuestionAnswers:
    question: Question
    rubric: str
    solution: str
    answers: list[EssayAnswer] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # given before on this question, reusable

    @property
    def waiting(self) -> int:
        return sum(a.waiting for a in self.answers)

    @property
    def waiting_text(self) -> str:
        n = self.waiting
        return ru_plural(
            n,
            gettext("Ждёт проверки: %(n)s ответ."),
            gettext("Ждут проверки: %(n)s ответа."),
            gettext("Ждут проверки: %(n)s ответов."),
        ) % {"n": n}


def _essay_items(quiz: Quiz):
    return AttemptItem.objects.filter(
        attempt__quiz=quiz,
        attempt__status=Attempt.Status.FINISHED,
        version__question__kind=Question.Kind.ESSAY,
    )


def _answered(items) -> list[tuple[AttemptItem, Response]]:
    """Items with their newest answer, when that answer is an essay to grade (waiting or graded
    by hand; a blank one earned 0 by itself and is not the instructor's work)."""
    newest = latest_responses(items)
    pairs = []
    for item in items:
        response = newest.get(item.pk)
        if response is not None and (
            response.status == Response.Status.MANUAL or response.result.get("manual")
        ):
            pairs.append((item, response))
    return pairs


def manual_queue(*, quiz: Quiz) -> list[QueueRow]:
    """The quiz's essay questions (those answered in finished attempts), in quiz order."""
    items = list(_essay_items(quiz).select_related("version__question").order_by("position"))
    rows: dict[int, QueueRow] = {}
    for item in items:
        question = item.version.question
        rows.setdefault(question.pk, QueueRow(question=question))
    for item, response in _answered(items):
        row = rows[item.version.question_id]
        if response.status == Response.Status.MANUAL:
            row.waiting += 1
        else:
            row.graded += 1
    return list(rows.values())


def _question_items(quiz: Quiz, question_id: int):
    """The quiz's attempt items of one essay question, oldest finished attempt first."""
    return (
        _essay_items(quiz)
        .filter(version__question_id=question_id)
        .select_related("version__question")
        .order_by("attempt__finished_at", "pk")
    )


def manual_answers(*, quiz: Quiz, question_id: int) -> QuestionAnswers:
    """The answers to one essay question of the quiz, waiting ones first, oldest first."""
    items = list(_question_items(quiz, question_id).select_related("attempt__user"))
    if not items:
        raise ServiceError(code=ErrorCode.QUESTION_NOT_IN_QUIZ)
    pairs = _answered(items)
    grades = {
        g.response_id: g for g in ManualGrade.objects.filter(response__in=[r for _, r in pairs])
    }
    answers = [
        EssayAnswer(
            item=item,
            response=response,
            text=grader.present(item.version.spec, item.seed).text,
            grade=grades.get(response.pk),
        )
        for item, response in pairs
    ]
    answers.sort(key=lambda a: not a.waiting)  # stable: oldest first within each group
    newest_spec = items[-1].version.spec
    comments = (
        ManualGrade.objects.filter(
            response__item__version__question_id=question_id, response__item__attempt__quiz=quiz
        )
        .exclude(comment="")
        .order_by("-graded_at")
        .values_list("comment", flat=True)
    )
    return QuestionAnswers(
        question=items[-1].version.question,
        rubric=newest_spec.get("rubric", ""),
        solution=newest_spec.get("solution", ""),
        answers=answers,
        comments=list(dict.fromkeys(comments))[:50],
    )


def next_waiting(*, quiz: Quiz, question_id: int, after: int | None = None) -> Response | None:
    """The next answer to the question still waiting (other than ``after``), for «Сохранить и
    следующий»."""
    # The page's order (waiting answers, oldest first) without rendering every variant.
    for _item, response in _answered(list(_question_items(quiz, question_id))):
        if response.status == Response.Status.MANUAL and response.pk != after:
            return response
    return None


def manual_result(response: Response, grade: ManualGrade, *, max_points: Decimal) -> dict:
    """The stored result of an essay graded by hand: what the student's result page shows."""
    points = (max_points * Decimal(str(grade.score))).quantize(CENTS)
    return {
        **response.result,
        "status": "graded",
        "score": grade.score,
        "correct": grade.score >= 1,
        "feedback": grade.comment,
        "manual": {
            "points": str(points),
            "max_points": str(max_points),
            "comment": grade.comment,
        },
    }


def manual_grade_save(*, response: Response, points: Decimal, comment: str, by) -> ManualGrade:
    """Grade one essay answer: ``points`` of the item's points, and a comment for the student.

    Saving again changes the grade (one row per answer, the newest word counts). Only the
    quiz's owner (or an admin: ``can_manage_quiz``, the gradebook's rule) may grade.

    Race: two instructors (or a double click) grade answers of one attempt at once; the attempt
    row is locked, so each rescore sees the other's grade and the last one announces the
    attempt fully graded.
    """
    with transaction.atomic():
        response = Response.objects.select_related("item__attempt__quiz", "item__version").get(
            pk=response.pk
        )
        item = response.item
        attempt = Attempt.objects.select_for_update().get(pk=item.attempt_id)
        if not can_manage_quiz(by, attempt.quiz):
            raise ServiceError(code=ErrorCode.QUIZ_OWNER_ONLY)
        newest = latest_responses([item]).get(item.pk)
        is_essay = item.version.spec.get("kind") == Question.Kind.ESSAY
        if (
            not is_essay
            or attempt.status != Attempt.Status.FINISHED
            or newest is None
            or newest.pk != response.pk
            or not (response.status == Response.Status.MANUAL or response.result.get("manual"))
        ):
            raise ServiceError(code=ErrorCode.NOT_AN_ESSAY)
        points = Decimal(points).quantize(CENTS)
        if points < 0 or points > item.points:
            raise ServiceError(
                gettext("Баллы за ответ должны быть от 0 до %(max)s.") % {"max": item.points},
                code=ErrorCode.POINTS_OUT_OF_RANGE,
            )
        share = float(points / item.points) if item.points else 0.0
        grade, _created = ManualGrade.objects.update_or_create(
            response=response,
            defaults={"score": share, "comment": (comment or "").strip(), "by": by},
        )
        response.status = Response.Status.GRADED
        response.score = share
        response.result = manual_result(response, grade, max_points=item.points)
        response.save(update_fields=["status", "score", "result"])
        attempt_rescore(attempt)
    return grade
