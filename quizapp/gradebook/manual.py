"""Essays graded by the instructor: the queue of a quiz, the answers to one question, a grade.

An essay answer is stored ``manual`` by the grading pipeline (``grader.kinds.essay``): it earns
nothing yet and the attempt's score is provisional (``Attempt.manual_count``). The instructor
grades it here — points from 0 to the item's points and a comment — which stores a
:class:`~quizapp.models.gradebook.ManualGrade`, makes the response ``graded`` with that share,
and rescores the attempt (``attempts.services.attempt_rescore``). The rescore announces the
attempt as graded: the LMS gets the score as «PendingManual» while other essays of the attempt
wait and «FullyGraded» with the last one; webhooks fire once, when nothing waits any more.

A question may carry a reusable rubric: criteria (:class:`~quizapp.models.RubricCriterion`),
each points to add or take off and the comment the student reads. Kept on the bank's question,
so every quiz using it grades alike. Ticking criteria gives the points (their sum, clamped to
0…the item's points) when no points are typed, and the comment (their texts, then the free
remark). The grade keeps a snapshot of the criteria it applied (``ManualGrade.criteria``):
editing or removing a criterion later does not silently change a grade already given.
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
from quizapp.core.roles import is_admin
from quizapp.models import Attempt, AttemptItem, ManualGrade, Quiz, Response, RubricCriterion
from quizapp.quizzes.selectors import can_manage_quiz

CENTS = Decimal("0.01")
# A question's rubric: at most this many criteria (the keys 1–9 tick the first nine), each
# worth at most this many points either way.
MAX_CRITERIA = 20
CRITERION_POINTS_LIMIT = Decimal(100)
CRITERION_TEXT_LIMIT = 300


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

    @property
    def applied_ids(self) -> set[int]:
        """The criteria ticked at the last grading (the page ticks them again)."""
        return {c["id"] for c in self.grade.criteria} if self.grade else set()


@dataclass
class QuestionAnswers:
    question: Question
    rubric: str
    solution: str
    answers: list[EssayAnswer] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # given before on this question, reusable
    criteria: list[RubricCriterion] = field(default_factory=list)

    @property
    def waiting(self) -> int:
        return sum(a.waiting for a in self.answers)

    @property
    def variants_differ(self) -> bool:
        """The students saw different texts (a template's numbers): the page opens each one."""
        return len({a.text for a in self.answers}) > 1

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
        criteria=rubric_criteria(question_id=question_id),
    )


@dataclass
class WaitingEssay:
    """One essay answer waiting for a grade, for the API's list (its variant rendered lazily:
    only the rows of the page asked for)."""

    item: AttemptItem
    response: Response
    criteria: list[RubricCriterion]

    @property
    def text(self) -> str:
        return grader.present(self.item.version.spec, self.item.seed).text


def waiting_essays(*, quiz: Quiz, attempts=None) -> list[WaitingEssay]:
    """The quiz's essay answers still waiting, oldest finished attempt first, then by position;
    each with its question's rubric criteria (read once per question). ``attempts``: only those
    (a queryset; the API passes what a course-limited key reaches)."""
    items = _essay_items(quiz)
    if attempts is not None:
        items = items.filter(attempt__in=attempts)
    items = list(
        items.select_related("version__question", "attempt__user").order_by(
            "attempt__finished_at", "attempt_id", "position"
        )
    )
    rubric: dict[int, list[RubricCriterion]] = {}
    rows = []
    for item, response in _answered(items):
        if response.status != Response.Status.MANUAL:
            continue
        question_id = item.version.question_id
        if question_id not in rubric:
            rubric[question_id] = rubric_criteria(question_id=question_id)
        response.item = item
        rows.append(WaitingEssay(item=item, response=response, criteria=rubric[question_id]))
    return rows


def next_waiting(*, quiz: Quiz, question_id: int, after: int | None = None) -> Response | None:
    """The next answer to the question still waiting (other than ``after``), for «Сохранить и
    следующий»."""
    # The page's order (waiting answers, oldest first) without rendering every variant.
    for _item, response in _answered(list(_question_items(quiz, question_id))):
        if response.status == Response.Status.MANUAL and response.pk != after:
            return response
    return None


def rubric_criteria(*, question_id: int) -> list[RubricCriterion]:
    """The question's rubric criteria in their order."""
    return list(RubricCriterion.objects.filter(question_id=question_id).order_by("position", "pk"))


def criteria_comment(criteria: list[dict], remark: str) -> str:
    """What the student reads: each applied criterion with its points, then the free remark."""
    ticked = "; ".join(f"{c['text']} ({signed(Decimal(c['points']))})" for c in criteria)
    # « — », not a new line: the gradebook's table shows the feedback on one line.
    return " — ".join(part for part in (ticked, remark) if part)


def signed(points: Decimal) -> str:
    """«+3», «−0.5»: a criterion's points with their sign (a true minus), no trailing zeros."""
    text = format(abs(points).normalize(), "f")
    return ("−" if points < 0 else "+") + text


def manual_result(response: Response, grade: ManualGrade, *, max_points: Decimal) -> dict:
    """The stored result of an essay graded by hand: what the student's result page shows."""
    points = (max_points * Decimal(str(grade.score))).quantize(CENTS)
    return {
        **response.result,
        "status": "graded",
        "score": grade.score,
        "correct": grade.score >= 1,
        "feedback": criteria_comment(grade.criteria, grade.comment),
        "manual": {
            "points": str(points),
            "max_points": str(max_points),
            "comment": grade.comment,
            "criteria": [{"text": c["text"], "points": c["points"]} for c in grade.criteria],
        },
    }


def _applied_criteria(question_id: int, criterion_ids) -> list[dict]:
    """The snapshot of the ticked criteria, in the rubric's order; refuses another question's."""
    ids = set(criterion_ids or ())
    if not ids:
        return []
    found = [c for c in rubric_criteria(question_id=question_id) if c.pk in ids]
    if len(found) != len(ids):
        raise ServiceError(code=ErrorCode.RUBRIC_CRITERION_UNKNOWN)
    return [{"id": c.pk, "text": c.text, "points": str(c.points)} for c in found]


def criteria_points(criteria: list[dict], *, max_points: Decimal) -> Decimal:
    """The sum of the criteria's points, clamped to 0…``max_points``."""
    total = sum((Decimal(c["points"]) for c in criteria), Decimal(0))
    return min(max(total, Decimal(0)), max_points).quantize(CENTS)


def manual_grade_save(
    *,
    response: Response,
    points: Decimal | None,
    comment: str,
    by,
    criteria: list[int] | None = None,
) -> ManualGrade:
    """Grade one essay answer: ``points`` of the item's points, and a comment for the student.

    ``criteria`` are ids of the question's rubric criteria that apply; with ``points`` None the
    points are their sum, clamped to 0…the item's points (typed points win: the instructor may
    round a sum). Saving again changes the grade (one row per answer, the newest word counts).
    Only the quiz's owner (or an admin: ``can_manage_quiz``, the gradebook's rule) may grade.

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
        applied = _applied_criteria(item.version.question_id, criteria)
        if points is None:
            if not applied:
                raise ServiceError(code=ErrorCode.POINTS_REQUIRED)
            points = criteria_points(applied, max_points=item.points)
        points = Decimal(points).quantize(CENTS)
        if points < 0 or points > item.points:
            raise ServiceError(
                gettext("Баллы за ответ должны быть от 0 до %(max)s.") % {"max": item.points},
                code=ErrorCode.POINTS_OUT_OF_RANGE,
            )
        share = float(points / item.points) if item.points else 0.0
        grade, _created = ManualGrade.objects.update_or_create(
            response=response,
            defaults={
                "score": share,
                "comment": (comment or "").strip(),
                "criteria": applied,
                "by": by,
            },
        )
        response.status = Response.Status.GRADED
        response.score = share
        response.result = manual_result(response, grade, max_points=item.points)
        response.save(update_fields=["status", "score", "result"])
        attempt_rescore(attempt)
    return grade


# --- the rubric's criteria ----------------------------------------------------------------------


def can_edit_criterion(user, criterion: RubricCriterion) -> bool:
    """Its author, the owner of the question's bank, or an admin: a criterion is shared by every
    quiz using the question, so another instructor's quiz does not rewrite it."""
    if is_admin(user):
        return True
    if criterion.created_by_id is not None and criterion.created_by_id == user.pk:
        return True
    owner_id = criterion.question.bank.owner_id
    return owner_id is not None and owner_id == user.pk


def _clean_criterion(points, text: str) -> tuple[Decimal, str]:
    text = " ".join((text or "").split())
    try:
        points = Decimal(points).quantize(CENTS)
    except (ArithmeticError, TypeError, ValueError):
        raise ServiceError(code=ErrorCode.RUBRIC_CRITERION_INVALID) from None
    if (
        not points.is_finite()
        or abs(points) > CRITERION_POINTS_LIMIT
        or not text
        or len(text) > CRITERION_TEXT_LIMIT
    ):
        raise ServiceError(code=ErrorCode.RUBRIC_CRITERION_INVALID)
    return points, text


def rubric_criterion_add(
    *, quiz: Quiz, question_id: int, points: Decimal, text: str, by
) -> RubricCriterion:
    """Add a criterion at the end of the question's rubric, from the grading page of ``quiz``
    (whose owner, or an admin, may add: the one who grades its essays)."""
    if not can_manage_quiz(by, quiz):
        raise ServiceError(code=ErrorCode.QUIZ_OWNER_ONLY)
    points, text = _clean_criterion(points, text)
    with transaction.atomic():
        # Race: two criteria added at once would both pass the bound; the question row is
        # locked so the count and the position are read one at a time.
        question = Question.objects.select_for_update().filter(pk=question_id).first()
        if question is None or not _question_items(quiz, question_id).exists():
            raise ServiceError(code=ErrorCode.QUESTION_NOT_IN_QUIZ)
        existing = list(
            RubricCriterion.objects.filter(question=question).values_list("position", flat=True)
        )
        if len(existing) >= MAX_CRITERIA:
            raise ServiceError(code=ErrorCode.RUBRIC_TOO_LONG)
        return RubricCriterion.objects.create(
            question=question,
            position=max(existing, default=0) + 1,
            points=points,
            text=text,
            created_by=by,
        )


def rubric_criterion_update(
    *, criterion: RubricCriterion, points: Decimal, text: str, by
) -> RubricCriterion:
    """Change a criterion's points and text; grades already given keep their snapshot."""
    if not can_edit_criterion(by, criterion):
        raise ServiceError(code=ErrorCode.RUBRIC_CRITERION_NOT_YOURS)
    criterion.points, criterion.text = _clean_criterion(points, text)
    criterion.save(update_fields=["points", "text"])
    return criterion


def rubric_criterion_delete(*, criterion: RubricCriterion, by) -> None:
    """Remove a criterion; grades that applied it keep their snapshot."""
    if not can_edit_criterion(by, criterion):
        raise ServiceError(code=ErrorCode.RUBRIC_CRITERION_NOT_YOURS)
    criterion.delete()


def rubric_criterion_move_up(*, criterion: RubricCriterion, by) -> None:
    """Swap a criterion with the one before it (the keys 1–9 follow the rubric's order)."""
    if not can_edit_criterion(by, criterion):
        raise ServiceError(code=ErrorCode.RUBRIC_CRITERION_NOT_YOURS)
    with transaction.atomic():
        # Race: two moves in one rubric at once would read the same order; the question row is
        # locked so they renumber one after the other.
        Question.objects.select_for_update().filter(pk=criterion.question_id).first()
        ordered = rubric_criteria(question_id=criterion.question_id)
        index = next((i for i, c in enumerate(ordered) if c.pk == criterion.pk), 0)
        if index == 0:
            return
        ordered[index - 1], ordered[index] = ordered[index], ordered[index - 1]
        for position, each in enumerate(ordered, start=1):
            each.position = position
        RubricCriterion.objects.bulk_update(ordered, ["position"])
