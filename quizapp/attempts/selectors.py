"""Reads of the people-facing app."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max

import grader
from quizapp.models import Attempt, AttemptItem, Quiz, Response

CHOICE_KINDS = ("single_choice", "multiple_choice")


@dataclass
class ItemView:
    item: AttemptItem
    presented: grader.Presented
    response: Response | None
    show_solution: bool
    current: str  # what the answer box holds: the autosaved draft or the last submitted answer

    @property
    def answered(self) -> bool:
        return bool(self.current.strip())

    @property
    def chosen(self) -> set[int]:
        """Ticked options of a choice question, from the current answer."""
        parts = self.current.replace(";", ",").split(",")
        return {int(p) for p in parts if p.strip().isdigit()}

    @property
    def unanswered_solution(self) -> dict | None:
        """The key and worked solution of an item left without a graded answer, once allowed."""
        if not self.show_solution or (self.response and self.response.status == "graded"):
            return None
        try:
            result = grader.grade(self.item.version.spec, self.item.seed, "").as_dict()
        except grader.GraderError:
            return None
        return {"solution": result["solution"], "expected_display": result["expected_display"]}

    @property
    def earned(self) -> Decimal | None:
        if self.response is None or self.response.score is None:
            return None
        return (self.item.points * Decimal(str(self.response.score))).quantize(Decimal("0.01"))


@dataclass
class AttemptView:
    attempt: Attempt
    items: list[ItemView]

    @property
    def answered(self) -> int:
        return sum(v.answered for v in self.items)

    @property
    def unanswered(self) -> int:
        return len(self.items) - self.answered

    @property
    def pending(self) -> bool:
        return any(v.response and v.response.status == Response.Status.PENDING for v in self.items)

    @property
    def percent(self) -> int | None:
        a = self.attempt
        if a.score is None or not a.max_score:
            return None
        return round(100 * a.score / a.max_score)


def attempt_fully_graded(attempt: Attempt) -> bool:
    """Finished, scored and no answer still waiting for the worker: its score is final (until a
    regrade or an override announces it again)."""
    return (
        attempt.status == Attempt.Status.FINISHED
        and attempt.score is not None
        and not Response.objects.filter(
            item__attempt=attempt, status=Response.Status.PENDING
        ).exists()
    )


def quiz_attempts(*, quiz: Quiz, user) -> list[Attempt]:
    return list(Attempt.objects.filter(quiz=quiz, user=user).order_by("-number"))


def attempt_view(*, attempt: Attempt) -> AttemptView:
    """Every item of an attempt with its rendered variant and newest response (2 queries)."""
    items = list(attempt.items.select_related("version__question").order_by("position"))
    newest = latest_responses(items)
    solutions = attempt.quiz.show_solutions
    finished = attempt.status == Attempt.Status.FINISHED
    views = []
    for item in items:
        response = newest.get(item.pk)
        answered = response is not None and response.status == Response.Status.GRADED
        show = (solutions == Quiz.Solutions.AFTER_ANSWER and answered) or (
            solutions != Quiz.Solutions.NEVER and finished
        )
        views.append(
            ItemView(
                item=item,
                presented=grader.present(item.version.spec, item.seed),
                response=response,
                show_solution=show,
                current=item.draft or (response.raw if response else ""),
            )
        )
    return AttemptView(attempt=attempt, items=views)


def latest_responses(items) -> dict[int, Response]:
    """The newest response of each item, in one query (item id → response)."""
    ids = [item.pk for item in items]
    newest = (
        Response.objects.filter(item_id__in=ids)
        .values("item_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    return {r.item_id: r for r in Response.objects.filter(id__in=newest)}
