"""Typical mistakes over time (issue 17, point 6).

* A course's (the instructor's view): for every typical mistake recognised in its students'
  answers — in the course's quizzes and in their practice — how many answers and students made
  it, its share of the question's graded answers, and answers with it per week for the last
  ``WEEKS`` weeks (does a lecture on it help?).
* A student's: the mistakes they made more than once, newest first.

A mistake is named by its question and id (``unbiased_variance``; a part's ``first:clip``) and
explained by the feedback the student saw last (rendered with that variant's numbers).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from quizapp.core.signals import mistake_ids
from quizapp.models import Course, PracticeAnswer, Response

__all__ = ["MistakeRow", "WEEKS", "course_mistakes", "student_mistakes"]

WEEKS = 12
GRADED = ("graded",)


@dataclass
class MistakeRow:
    question_id: int
    question_title: str
    mistake_id: str
    feedback: str = ""
    answers: int = 0
    students: set = field(default_factory=set)
    graded: int = 0  # graded answers to the question (the share's denominator)
    weekly: list[int] = field(default_factory=lambda: [0] * WEEKS)
    last_seen: dt.datetime | None = None

    @property
    def student_count(self) -> int:
        return len(self.students)

    @property
    def percent(self) -> float:
        return round(100 * self.answers / self.graded, 1) if self.graded else 0.0

    @property
    def spark(self) -> list[dict]:
        """Bars of the weekly counts in a 96×20 box (oldest week on the left)."""
        top = max(self.weekly) or 1
        return [
            {"x": i * 8, "h": round(18 * n / top, 1), "y": round(20 - 18 * n / top, 1), "n": n}
            for i, n in enumerate(self.weekly)
        ]


def _rows(answers, *, now: dt.datetime, who) -> list[MistakeRow]:
    """``answers``: (user_id, question_id, question_title, result, at) of graded answers."""
    start = now - dt.timedelta(weeks=WEEKS)
    found: dict[tuple[int, str], MistakeRow] = {}
    graded: dict[int, int] = defaultdict(int)
    for user_id, question_id, title, result, at in answers:
        graded[question_id] += 1
        for mistake_id, feedback in mistake_ids(result):
            row = found.get((question_id, mistake_id))
            if row is None:
                row = found[(question_id, mistake_id)] = MistakeRow(question_id, title, mistake_id)
            row.answers += 1
            row.students.add(user_id)
            if row.last_seen is None or at >= row.last_seen:
                row.last_seen, row.feedback = at, feedback or row.feedback
            if at >= start:
                week = min(WEEKS - 1, int((at - start) / dt.timedelta(weeks=1)))
                row.weekly[week] += 1
    for row in found.values():
        row.graded = graded[row.question_id]
    return [row for row in found.values() if who(row)]


def course_mistakes(*, course: Course, now: dt.datetime | None = None) -> list[MistakeRow]:
    """The typical mistakes of the course's students, the most widespread first."""
    now = now or timezone.now()
    students = course.enrollments.filter(role="student").values("user_id")
    answers = _answers(
        Q(item__attempt__quiz__in=course.quizzes.all(), item__attempt__user__in=students),
        Q(user__in=students),
    )
    rows = _rows(answers, now=now, who=lambda row: True)
    return sorted(rows, key=lambda r: (-r.student_count, -r.answers, r.question_title))


def student_mistakes(*, user, now: dt.datetime | None = None) -> list[MistakeRow]:
    """The typical mistakes the student made more than once, the most recent first."""
    now = now or timezone.now()
    answers = _answers(Q(item__attempt__user=user), Q(user=user))
    rows = _rows(answers, now=now, who=lambda row: row.answers > 1)
    return sorted(rows, key=lambda r: r.last_seen, reverse=True)


def _answers(quiz: Q, practice: Q) -> list[tuple]:
    """(user_id, question_id, question_title, result, at) of the graded quiz answers matching
    ``quiz`` and practice answers matching ``practice``."""
    fields = ("version__question_id", "version__question__title", "result", "created_at")
    quiz_rows = Response.objects.filter(quiz, status__in=GRADED).values_list(
        "item__attempt__user_id", *(f"item__{name}" if name.startswith("version") else name
                                     for name in fields),
    )  # fmt: skip
    practice_rows = PracticeAnswer.objects.filter(practice, status__in=GRADED).values_list(
        "user_id", *fields
    )
    return [*quiz_rows, *practice_rows]
