"""The gradebook: students × quizzes, a drill-down to every answer, and who may see them.

Who sees what (the pages, exports and services agree through the access helpers here):
- a course's gradebook: the course's owner and admins;
- a quiz's gradebook, item analysis and regrade: the quiz's owner and admins;
- an attempt: the quiz's owner, admins, and the owner of a course the quiz is assigned to when
  the attempt's student is enrolled in that course.
Everyone else gets 404 (ids reveal nothing); a logged-in student gets 403 from
``instructor_required`` first.

A cell of the gradebook is the student's best finished attempt at the quiz, by the score shown
(an override counts: see :mod:`quizapp.models.gradebook`); attempts in progress are counted but
not scored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.utils.translation import gettext

import grader
from quizapp.attempts import policies
from quizapp.core.roles import is_admin
from quizapp.courses.accommodations import Terms, quiz_terms_many
from quizapp.models import Accommodation, Attempt, Quiz, Response
from quizapp.models.courses import Course, CourseQuiz, Enrollment
from quizapp.models.gradebook import ScoreOverride
from quizapp.quizzes.selectors import can_manage_quiz

CENTS = Decimal("0.01")


def attempt_for_instructor(user, attempt_uuid) -> Attempt:
    attempt = Attempt.objects.select_related("quiz", "user").filter(uuid=attempt_uuid).first()
    if attempt is None:
        raise Http404(gettext("Попытка не найдена"))
    if can_manage_quiz(user, attempt.quiz):
        return attempt
    teaches = CourseQuiz.objects.filter(
        quiz=attempt.quiz, course__owner=user, course__enrollments__user=attempt.user
    ).exists()
    if not teaches:
        raise Http404(gettext("Попытка не найдена"))
    return attempt


def courses_taught(user):
    return Course.objects.all() if is_admin(user) else Course.objects.filter(owner=user)


def with_shown_score(attempts):
    """Annotate ``override_id`` and ``override_score`` from the newest override (one subquery)."""
    newest = ScoreOverride.objects.filter(attempt=OuterRef("pk")).order_by("-id")
    return attempts.annotate(
        override_id=Subquery(newest.values("pk")[:1]),
        override_score=Subquery(newest.values("new_score")[:1]),
    )


def shown_score(attempt) -> Decimal | None:
    """The score people see: the newest override's, else the computed one."""
    override = getattr(attempt, "override_score", None)
    if override is None and not hasattr(attempt, "override_score"):
        newest = attempt.score_overrides.order_by("-id").first()
        override = newest.new_score if newest else None
    return attempt.score if override is None else Decimal(str(override)).quantize(CENTS)


@dataclass(frozen=True)
class Best:
    """A cell's best finished attempt: what the page, the exports and the API show of it."""

    uuid: object
    shown: Decimal | None
    max_score: Decimal
    finished_at: object
    override_score: object  # the newest override's score, None when there is none
    # Unreadable answers under the quiz's «review» rule and no override yet: the score is
    # provisional until the instructor decides (with an override).
    awaits_review: bool = False
    # Essays of the attempt still wait in the manual-grading queue: provisional too.
    awaits_manual: bool = False


@dataclass
class Cell:
    best: Best | None = None
    attempts: int = 0
    in_progress: int = 0
    # The student's own terms when they differ from the quiz's (an accommodation, the course's
    # dates): the gradebook marks who had what.
    terms: Terms | None = None

    @property
    def terms_text(self) -> str:
        if self.terms is None:
            return ""
        labels = [a.label for a in self.terms.accommodations]
        summary = self.terms.summary()
        return "; ".join([*labels, summary] if summary else labels)

    @property
    def score(self) -> Decimal | None:
        return None if self.best is None else self.best.shown

    @property
    def overridden(self) -> bool:
        return self.best is not None and self.best.override_score is not None


@dataclass
class Row:
    student: object
    cells: list[Cell] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((c.score for c in self.cells if c.score is not None), Decimal(0))


@dataclass
class Gradebook:
    title: str
    quizzes: list[Quiz]
    rows: list[Row]
    course: Course | None = None
    students_total: int = 0  # all the students, when ``rows`` is one page of them

    @property
    def max_total(self) -> Decimal:
        return sum((q.max_score or Decimal(0) for q in self.quizzes), Decimal(0))


def gradebook_students(*, course: Course | None = None, quiz: Quiz | None = None):
    """The gradebook's students in row order: a course's enrolled ones, or a quiz's takers."""
    user_model = get_user_model()
    if course is not None:
        students = user_model.objects.filter(
            enrollments__course=course, enrollments__role=Enrollment.Role.STUDENT
        )
    else:
        students = user_model.objects.filter(
            Exists(Attempt.objects.filter(quiz=quiz, user=OuterRef("pk")))
        )
    return students.order_by("last_name", "first_name", "username", "pk")


def gradebook(
    *, course: Course | None = None, quiz: Quiz | None = None, students=None
) -> Gradebook:
    """Students × quizzes of a course (its enrolled students), or of one quiz (who attempted it).

    ``students``: one page of :func:`gradebook_students` (all of them by default). Three
    queries whatever the size: the quizzes, the students, and their attempts as tuples with the
    newest override's score each — no model instance per attempt (10,000 at 5,000 attempts
    of two quizzes).
    """
    if course is not None:
        quizzes = list(Quiz.objects.filter(course_links__course=course).order_by("title", "id"))
        title = course.title
    else:
        quizzes = [quiz]
        title = quiz.title
    if students is None:
        students = gradebook_students(course=course, quiz=quiz)
    students = list(students)
    newest = ScoreOverride.objects.filter(attempt=OuterRef("pk")).order_by("-id")
    attempts = (
        Attempt.objects.filter(quiz__in=[q.pk for q in quizzes], user__in=[s.pk for s in students])
        .annotate(override_score=Subquery(newest.values("new_score")[:1]))
        .order_by("number", "pk")
        .values_list(
            "user_id",
            "quiz_id",
            "status",
            "uuid",
            "score",
            "max_score",
            "finished_at",
            "override_score",
            "unreadable_count",
            "manual_count",
        )
    )
    column = {q.pk: i for i, q in enumerate(quizzes)}
    rows = {s.pk: Row(student=s, cells=[Cell() for _ in quizzes]) for s in students}
    for q in quizzes:
        q.max_score = None
    finished = Attempt.Status.FINISHED
    review = Quiz.Unreadable.REVIEW
    for (
        user_id,
        quiz_id,
        status,
        uuid,
        score,
        max_score,
        finished_at,
        override,
        unreadable,
        manual,
    ) in attempts:
        cell = rows[user_id].cells[column[quiz_id]]
        cell.attempts += 1
        if status != finished:
            cell.in_progress += 1
            continue
        shown = score if override is None else Decimal(str(override)).quantize(CENTS)
        quiz_ = quizzes[column[quiz_id]]
        quiz_.max_score = max(quiz_.max_score or Decimal(0), max_score)
        if cell.best is None or (shown or 0) > (cell.best.shown or 0):
            awaits = bool(unreadable) and quiz_.unreadable_policy == review and override is None
            cell.best = Best(
                uuid, shown, max_score, finished_at, override, awaits, awaits_manual=bool(manual)
            )
    _mark_terms(quizzes, rows, column)
    return Gradebook(
        title=title,
        quizzes=quizzes,
        rows=list(rows.values()),
        course=course,
        students_total=len(rows),
    )


def _mark_terms(quizzes, rows: dict, column: dict) -> None:
    """Mark the cells of students with accommodations or course dates (two queries a quiz, only
    when the quizzes have any)."""
    if not rows or not (
        Accommodation.objects.filter(
            Q(quiz__in=quizzes) | Q(quiz__isnull=True, course__course_quizzes__quiz__in=quizzes)
        ).exists()
        or CourseQuiz.objects.filter(quiz__in=quizzes)
        .filter(Q(opens_at__isnull=False) | Q(closes_at__isnull=False))
        .exists()
    ):
        return
    for quiz in quizzes:
        for user_id, terms in quiz_terms_many(user_ids=list(rows), quiz=quiz).items():
            if terms.special:
                rows[user_id].cells[column[quiz.pk]].terms = terms


@dataclass
class TryRow:
    """One answer of an item as the instructor sees it: its try number under the attempt's
    policy (None: unreadable or failed, not a try), the penalty taken off its share of the
    points and what it is worth after it."""

    response: Response
    number: int | None
    penalty: Decimal
    value: Decimal | None

    @property
    def result(self) -> dict:
        return self.response.result or {}

    @property
    def share_percent(self) -> str:
        return policies.percent(self.response.score or 0)

    @property
    def penalty_percent(self) -> str:
        return policies.percent(self.penalty)

    @property
    def value_percent(self) -> str:
        return policies.percent(self.value or 0)


@dataclass
class AnswerRow:
    item: object
    question: object
    response: object | None
    responses_count: int
    # Every answer of the item, oldest first, and the item's share under the attempt's policy.
    tries: list[TryRow] = field(default_factory=list)
    share: Decimal | None = None

    @property
    def result(self) -> dict:
        return (self.response.result or {}) if self.response else {}

    @property
    def earned(self) -> Decimal | None:
        if self.share is None:
            return None
        return (self.item.points * self.share).quantize(Decimal("0.01"))

    @property
    def mistake(self) -> str:
        mistake = self.result.get("mistake") or {}
        return mistake.get("id", "")


@dataclass
class AttemptDetail:
    attempt: Attempt
    answers: list[AnswerRow]
    overrides: list[ScoreOverride]
    others: list[Attempt]


def _try_rows(attempt: Attempt, responses: list[Response]) -> list[TryRow]:
    penalty = attempt.penalty if attempt.answer_policy == Quiz.AnswerPolicy.TRIES else Decimal(0)
    rows = []
    for response in responses:
        counted = policies.counts_as_try(response)
        number = (response.try_number or None) if counted else None
        taken = penalty * ((number or 1) - 1)
        value = None
        if response.score is not None:
            value = policies.try_value(share=response.score, try_number=number, penalty=penalty)
        rows.append(TryRow(response=response, number=number, penalty=taken, value=value))
    return rows


def attempt_detail(*, attempt: Attempt) -> AttemptDetail:
    """Every item of an attempt with its newest answer as graded, the override log, the other
    attempts of the same student at the same quiz."""
    items = list(attempt.items.select_related("version__question").order_by("position"))
    by_item: dict[int, list[Response]] = {item.pk: [] for item in items}
    for response in Response.objects.filter(item__attempt=attempt).order_by("id"):
        by_item[response.item_id].append(response)
    answers = []
    for item in items:
        item.text = grader.present(item.version.spec, item.seed).text
        responses = by_item[item.pk]
        answers.append(
            AnswerRow(
                item=item,
                question=item.version.question,
                response=responses[-1] if responses else None,
                responses_count=len(responses),
                tries=_try_rows(attempt, responses),
                share=policies.item_outcome(attempt, responses).share,
            )
        )
    attempt = with_shown_score(Attempt.objects.select_related("quiz", "user")).get(pk=attempt.pk)
    attempt.shown = shown_score(attempt)
    attempt.review_open = (
        attempt.unreadable_count > 0
        and attempt.quiz.unreadable_policy == Quiz.Unreadable.REVIEW
        and attempt.override_id is None
    )
    overrides = list(attempt.score_overrides.select_related("by").order_by("-id"))
    others = list(
        Attempt.objects.filter(quiz_id=attempt.quiz_id, user_id=attempt.user_id)
        .exclude(pk=attempt.pk)
        .order_by("number")
    )
    return AttemptDetail(attempt=attempt, answers=answers, overrides=overrides, others=others)


# CSV: UTF-8 with a BOM, so Excel opens Cyrillic correctly. The default separator is ";" with a
# decimal comma, which is what Excel expects in a Russian locale; ``sep=","`` gives plain CSV
# (comma separator, decimal point) for scripts and other spreadsheets.
