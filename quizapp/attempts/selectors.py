"""Reads of the people-facing app."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max
from django.utils.translation import gettext

import grader
from question_bank.models import Question
from quizapp.attempts.policies import TryState, item_outcome, responses_by_item, try_state
from quizapp.attempts.visibility import Visibility, attempt_visibility
from quizapp.models import Attempt, AttemptItem, Quiz, Response

CHOICE_KINDS = ("single_choice", "multiple_choice")
# Answers picked, not typed: options and a flashcard's rating are always readable.
PICKED_KINDS = (*CHOICE_KINDS, "flashcard")


def ru_plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian form for ``n``: 1 ответ, 2 ответа, 5 ответов (21 ответ, 11 ответов).

    Not ``ngettext``: the source language is Russian and has no catalogue of its own, so
    Django's fallback would pick between two forms only («5 ответа»).

    >>> [ru_plural(n, "ответ", "ответа", "ответов") for n in (1, 2, 5, 11, 21, 22, 112)]
    ['ответ', 'ответа', 'ответов', 'ответов', 'ответ', 'ответа', 'ответов']
    """
    if n % 10 == 1 and n % 100 != 11:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many


def unreadable_label(n: int) -> str:
    """«1 ответ не распознан», «2 ответа не распознаны», «5 ответов не распознаны»."""
    return ru_plural(
        n,
        gettext("%(n)s ответ не распознан"),
        gettext("%(n)s ответа не распознаны"),
        gettext("%(n)s ответов не распознаны"),
    ) % {"n": n}


@dataclass
class ItemView:
    item: AttemptItem
    presented: grader.Presented
    response: Response | None
    show_solution: bool
    current: str  # what the answer box holds: the autosaved draft or the last submitted answer
    # Why the answer cannot be read ({"code", "message"}), or None: before the finish, how the
    # grader's preview understands ``current``; after it, the newest response's verdict.
    unreadable: dict | None = None
    # The item's tries under the attempt's answer policy (used, left, penalty, closed), and its
    # share of the points under that policy (the best try less its penalty under «tries»).
    tries: TryState | None = None
    share: Decimal | None = None
    # Whether the student may see if the answer was right (Quiz.show_verdicts, now).
    show_verdict: bool = True

    @property
    def informational(self) -> bool:
        """A description: read, never answered, not counted among the questions."""
        return self.presented.kind == Question.Kind.DESCRIPTION

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
        waiting = (Response.Status.GRADED, Response.Status.MANUAL)  # manual: after the grade
        if not self.show_solution or (self.response and self.response.status in waiting):
            return None
        try:
            result = grader.grade(self.item.version.spec, self.item.seed, "").as_dict()
        except grader.GraderError:
            return None
        return {"solution": result["solution"], "expected_display": result["expected_display"]}

    @property
    def earned(self) -> Decimal | None:
        if self.tries is not None:  # the policy's share (attempt_view sets both)
            share = self.share
        elif self.response is None or self.response.score is None:
            return None
        else:
            share = Decimal(str(self.response.score))
        if share is None:
            return None
        return (self.item.points * share).quantize(Decimal("0.01"))


@dataclass
class AttemptView:
    attempt: Attempt
    items: list[ItemView]
    visible: Visibility

    @property
    def hidden_results(self) -> list[str]:
        """What of a finished attempt the quiz hides from its student now, and until when:
        «Баллы, верно или нет и решения: после закрытия теста, 08.12.2026 18:00.»"""
        quiz, visible = self.attempt.quiz, self.visible
        hidden = [
            (gettext("баллы"), quiz.show_score, visible.score),
            (gettext("верно или нет"), quiz.show_verdicts, visible.verdicts),
            (gettext("решения"), quiz.show_solutions, visible.solutions),
        ]
        groups: dict[str, list[str]] = {}
        for name, setting, shown in hidden:
            if not shown:
                groups.setdefault(visible.when(setting), []).append(name)
        sentences = []
        for when, names in groups.items():
            listed = names[-1]
            if len(names) > 1:
                listed = gettext("%(some)s и %(last)s") % {
                    "some": ", ".join(names[:-1]),
                    "last": listed,
                }
            sentences.append(f"{listed[:1].upper()}{listed[1:]}: {when}.")
        return sentences

    @property
    def questions(self) -> list[ItemView]:
        """The items to answer (descriptions between them are only read)."""
        return [v for v in self.items if not v.informational]

    @property
    def answered(self) -> int:
        return sum(v.answered for v in self.questions)

    @property
    def unanswered(self) -> int:
        return len(self.questions) - self.answered

    @property
    def unreadable_items(self) -> list[ItemView]:
        return [v for v in self.items if v.unreadable is not None]

    @property
    def unreadable(self) -> int:
        return len(self.unreadable_items)

    @property
    def unreadable_text(self) -> str:
        return unreadable_label(self.unreadable)

    @property
    def unanswered_items(self) -> list[ItemView]:
        return [v for v in self.questions if not v.answered]

    @property
    def provisional(self) -> bool:
        """The score waits for the instructor: unreadable answers under the «review» rule and no
        override yet (an override is the instructor's decision)."""
        a = self.attempt
        return (
            a.status == Attempt.Status.FINISHED
            and a.unreadable_count > 0
            and a.quiz.unreadable_policy == Quiz.Unreadable.REVIEW
            and not a.score_overrides.exists()
        )

    @property
    def awaiting_manual(self) -> int:
        """Essays of a finished attempt not graded by the instructor yet: the score is
        provisional until the manual-grading queue has them all."""
        return self.attempt.manual_count if self.attempt.awaits_manual else 0

    @property
    def awaiting_manual_text(self) -> str:
        """«1 ответ ждёт проверки преподавателем», «2 ответа ждут…», «5 ответов ждут…»."""
        return ru_plural(
            self.awaiting_manual,
            gettext("%(n)s ответ ждёт проверки преподавателем."),
            gettext("%(n)s ответа ждут проверки преподавателем."),
            gettext("%(n)s ответов ждут проверки преподавателем."),
        ) % {"n": self.awaiting_manual}

    @property
    def pending(self) -> bool:
        return any(v.response and v.response.status == Response.Status.PENDING for v in self.items)

    @property
    def percent(self) -> int | None:
        a = self.attempt
        if a.score is None or not a.max_score:
            return None
        return round(100 * a.score / a.max_score)


def attempt_scored(attempt: Attempt) -> bool:
    """Finished, scored and no answer still waiting for the worker; essays may still wait for
    the instructor (``attempt.manual_count``): the LMS then gets the score as «PendingManual»."""
    return (
        attempt.status == Attempt.Status.FINISHED
        and attempt.score is not None
        and not Response.objects.filter(
            item__attempt=attempt, status=Response.Status.PENDING
        ).exists()
    )


def attempt_fully_graded(attempt: Attempt) -> bool:
    """Scored and no essay waiting for the instructor: its score is final (until a regrade or an
    override announces it again)."""
    return attempt_scored(attempt) and attempt.manual_count == 0


def quiz_attempts(*, quiz: Quiz, user) -> list[Attempt]:
    return list(Attempt.objects.filter(quiz=quiz, user=user).order_by("-number"))


def attempt_view(*, attempt: Attempt, visible: Visibility | None = None) -> AttemptView:
    """Every item of an attempt with its rendered variant and newest response, and what its
    student may see of them now (``visible``; computed when not given)."""
    items = list(attempt.items.select_related("version__question").order_by("position"))
    newest = latest_responses(items)
    visible = visible or attempt_visibility(attempt)
    finished = attempt.status == Attempt.Status.FINISHED
    views = []
    for item in items:
        response = newest.get(item.pk)
        answered = response is not None and response.status == Response.Status.GRADED
        views.append(
            ItemView(
                item=item,
                presented=grader.present(item.version.spec, item.seed),
                response=response,
                show_solution=visible.solutions or (visible.live_solutions and answered),
                current=item.draft or (response.raw if response else ""),
                show_verdict=visible.verdicts,
            )
        )
    if finished:
        for view in views:
            if view.response is not None and view.response.status == Response.Status.INVALID:
                error = (view.response.result or {}).get("error") or {}
                view.unreadable = {
                    "code": error.get("code", "invalid"),
                    "message": (view.response.result or {}).get("feedback", ""),
                }
    else:
        _mark_unreadable_drafts(views)
    _attach_tries(attempt, views)
    return AttemptView(attempt=attempt, items=views, visible=visible)


def _attach_tries(attempt: Attempt, views: list[ItemView]) -> None:
    """Each item's tries under the attempt's policy (one query), for the page and the API."""
    by_item = responses_by_item([view.item.pk for view in views])
    hide_open = attempt.answer_policy == Quiz.AnswerPolicy.TRIES
    finished = attempt.status == Attempt.Status.FINISHED
    for view in views:
        view.tries = try_state(attempt, by_item[view.item.pk])
        outcome = item_outcome(attempt, by_item[view.item.pk])
        view.share = outcome.share
        deciding = outcome.deciding
        if finished and deciding is not None and view.response is not None:
            if deciding.pk != view.response.pk:
                # Tries: the best try counts, not the newest — its verdict stands beside the
                # points it earned (and a later unreadable try leaves nothing to fix).
                view.response = deciding
                if deciding.status == Response.Status.GRADED:
                    view.unreadable = None
        if hide_open and not view.tries.closed and attempt.status != Attempt.Status.FINISHED:
            # The worked solution of a wrong try would give the next try away.
            view.show_solution = False


def _mark_unreadable_drafts(views: list[ItemView]) -> None:
    """Before the finish: ask the grader (its limited child, one round trip for the attempt) how
    each typed answer is understood, so the page, the finish confirmation and the API say which
    ones cannot be read while they can still be fixed."""
    typed = [v for v in views if v.answered and v.presented.kind not in PICKED_KINDS]
    previews = grader.preview_many([(v.item.version.spec, v.item.seed, v.current) for v in typed])
    for view, preview in zip(typed, previews, strict=True):
        if preview is not None and not preview.get("ok") and preview.get("code") != "empty":
            view.unreadable = {"code": preview.get("code", ""), "message": preview["message"]}


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
