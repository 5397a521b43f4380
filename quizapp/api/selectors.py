"""Reads of the API: lists with their filters, and what of a grade result a caller may see."""

from __future__ import annotations

from dataclasses import replace

from django.db.models import Count, Max, Q

import grader
from grader.errors import EngineError, SpecError
from question_bank.models import Question, QuestionVersion, Topic
from quizapp.attempts.visibility import EVERYTHING, Visibility, attempt_visibility
from quizapp.courses.accommodations import quiz_terms
from quizapp.models import Attempt, Response
from quizapp.quizzes.selectors import can_manage_quiz

# What a student may always see of a graded answer: the verdict, never the key.
OPEN_RESULT_FIELDS = ("score", "correct", "parsed_display", "feedback", "parts", "manual")
# Added once the attempt is finished and the quiz shows solutions.
KEY_RESULT_FIELDS = ("expected", "expected_display", "solution", "mistake")
# A multipart question's field results: what of each is a key (shown as KEY_RESULT_FIELDS are).
PART_KEY_FIELDS = ("expected_display", "mistake")


def attempt_reveal(attempt: Attempt, *, user, terms_memo: dict | None = None) -> Visibility:
    """What the caller may see of an attempt: its instructor (the quiz's manager, an LMS's key)
    every verdict and score, and the keys once it is finished; its student what the quiz shows
    them now (``attempts.visibility``: verdicts, score and solutions each have their time).

    ``terms_memo``: a list of attempts reads each student's terms for a quiz once, not once per
    attempt (``(user id, quiz id)`` → terms)."""
    if user is not None and can_manage_quiz(user, attempt.quiz):
        finished = attempt.status == Attempt.Status.FINISHED
        return replace(EVERYTHING, solutions=finished, live_solutions=False)
    quiz, terms = attempt.quiz, None
    if terms_memo is not None and "after_close" in (
        quiz.show_verdicts,
        quiz.show_score,
        quiz.show_solutions,
    ):
        key = (attempt.user_id, attempt.quiz_id)
        if key not in terms_memo:
            terms_memo[key] = quiz_terms(user=attempt.user, quiz=quiz)
        terms = terms_memo[key]
    return attempt_visibility(attempt, terms=terms)


def result_for_client(response: Response, *, visible: Visibility) -> dict:
    """A whitelist, not a blacklist: a field the grader adds later stays hidden by default.

    An answer that could not be read says so whatever the quiz hides (the student must fix its
    format, it is no verdict); a graded one shows nothing while the verdicts are hidden."""
    reveal = visible.solutions
    result = response.result or {}
    if response.status == Response.Status.FAILED:
        return {"feedback": result.get("feedback", "")}
    if response.status == Response.Status.INVALID:
        error = result.get("error") or {}
        return {
            "feedback": result.get("feedback", ""),
            "error": {"code": error.get("code", "invalid"), "message": error.get("message", "")},
        }
    if response.status != Response.Status.GRADED or not visible.verdicts:
        return {}
    shown = {k: result[k] for k in OPEN_RESULT_FIELDS if k in result}
    if reveal:
        shown.update({k: result[k] for k in KEY_RESULT_FIELDS if k in result})
    elif any(isinstance(part, dict) for part in shown.get("parts") or []):
        # The fields of a multipart question carry their own keys: hidden like the question's.
        shown["parts"] = [
            {k: v for k, v in part.items() if k not in PART_KEY_FIELDS} for part in shown["parts"]
        ]
    return shown


def variant_for_client(version: QuestionVersion, seed: int | None) -> dict | None:
    """The rendered question; None when the bank's spec is broken (reported, not a 500)."""
    try:
        presented = grader.present(version.spec, seed).as_dict()
    except (SpecError, EngineError):
        return None
    return presented_for_client(presented)


def presented_for_client(presented: dict) -> dict:
    """A whitelist of ``grader.Presented``: what a student sees before answering."""
    keep = ("kind", "text", "options", "hints", "input_hint", "answer_shape", "stems")
    shown = {k: presented[k] for k in keep if k in presented}
    if presented.get("parts"):
        shown["parts"] = presented["parts"]  # the fields' texts and options, never a key
    return shown


def bank_list(*, banks):
    return banks.annotate(
        topics_count=Count("topics", distinct=True),
        questions_count=Count("questions", distinct=True),
    ).order_by("title", "pk")


def topic_list(*, banks, bank=None):
    topics = Topic.objects.filter(bank__in=banks)
    if bank is not None:
        topics = topics.filter(bank=bank)
    return topics.annotate(questions_count=Count("questions")).order_by("bank_id", "title", "pk")


def question_list(*, banks, bank=None, topic=None, kind=None):
    questions = Question.objects.filter(bank__in=banks).annotate(
        latest_version=Max("versions__number")
    )
    if bank is not None:
        questions = questions.filter(bank=bank)
    if topic is not None:
        questions = questions.filter(topic=topic)
    if kind:
        questions = questions.filter(kind=kind)
    return questions.order_by("bank_id", "slug", "pk")


def question_latest_version(question: Question) -> QuestionVersion | None:
    return question.versions.order_by("-number").first()


def attempt_list(attempts, *, filters: dict):
    """Filter (quiz, user, status, dates) and order a queryset of visible attempts."""
    if filters.get("course") is not None:
        attempts = attempts.filter(
            quiz__course_links__course_id=filters["course"],
            user__enrollments__course_id=filters["course"],
        )
    if filters.get("quiz") is not None:
        attempts = attempts.filter(quiz_id=filters["quiz"])
    if filters.get("user") is not None:
        attempts = attempts.filter(user_id=filters["user"])
    if filters.get("status"):
        attempts = attempts.filter(status=filters["status"])
    for name, lookup in (
        ("started_after", "started_at__gte"),
        ("started_before", "started_at__lt"),
        ("finished_after", "finished_at__gte"),
        ("finished_before", "finished_at__lt"),
    ):
        if filters.get(name) is not None:
            attempts = attempts.filter(**{lookup: filters[name]})
    ordering = filters.get("ordering") or "-started_at"
    return (
        attempts.select_related("quiz", "user")
        .annotate(pending=Count("items__responses", filter=Q(items__responses__status="pending")))
        .order_by(ordering, "-pk")
    )
