"""Reads of the people-facing app."""

from __future__ import annotations

from dataclasses import dataclass

import grader
from quizapp.models import Attempt, AttemptItem, Quiz, Response
from quizapp.services import latest_responses


@dataclass
class ItemView:
    item: AttemptItem
    presented: grader.Presented
    response: Response | None
    show_solution: bool


def quiz_list_published():
    return Quiz.objects.filter(is_published=True).order_by("title")


def attempt_items_view(*, attempt: Attempt) -> list[ItemView]:
    """Every item of an attempt with its rendered variant and newest response (3 queries)."""
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
            )
        )
    return views
