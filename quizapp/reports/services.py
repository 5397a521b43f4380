"""Writes of error reports: a student's report of a variant they were shown, the owner's answer,
the student's reading of it.

Where a report comes from decides which variant it is about, and that is always found on the
server: a quiz item's own version and seed, the practice variant the student's session shows,
the flashcard's current variant. A seed posted by a client is never believed.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from question_bank.models import Question, QuestionVersion
from quizapp.core import versions
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.courses.selectors import banks_for_study
from quizapp.flashcards.selectors import card_seed, flashcard_for_user
from quizapp.models import AttemptItem, PracticeAnswer, QuestionReport
from quizapp.models.reports import ANSWER_MAX_LENGTH, MESSAGE_MAX_LENGTH, REPLY_MAX_LENGTH
from quizapp.practice.selectors import last_answer

__all__ = [
    "report_for_attempt_item",
    "report_for_practice",
    "report_for_flashcard",
    "report_resolve",
    "question_reports_resolve",
    "reports_mark_seen",
]


def _message(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise ServiceError(code=ErrorCode.REPORT_MESSAGE_EMPTY, field="message")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ServiceError(code=ErrorCode.REPORT_TOO_LONG, field="message")
    return text


def _report(
    *,
    user,
    source: str,
    version: QuestionVersion,
    seed: int,
    message: str,
    answer: str = "",
    attempt_item: AttemptItem | None = None,
    practice_answer: PracticeAnswer | None = None,
) -> tuple[QuestionReport, bool]:
    """The report, and whether it is new: a student's second report of the same variant while
    the first is open updates the first (its message and the answer attached) instead."""
    message = _message(message)
    if version.question.kind == Question.Kind.DESCRIPTION:
        raise ServiceError(code=ErrorCode.REPORT_NOT_A_QUESTION)
    fields = {
        "message": message,
        # The answer is attached, not typed by the student for the report: a longer one is cut.
        "answer": (answer or "")[:ANSWER_MAX_LENGTH],
        "version": version,
        "source": source,
        "attempt_item": attempt_item,
        "practice_answer": practice_answer,
    }
    key = {"user": user, "question_id": version.question_id, "seed": seed}
    for _ in range(2):
        # The race: two submits of the same variant at once (a double click). The partial unique
        # constraint lets one insert win; the other finds that row on its second pass and
        # updates it.
        with transaction.atomic():
            existing = (
                QuestionReport.objects.select_for_update()
                .filter(**key, status=QuestionReport.Status.OPEN)
                .first()
            )
            if existing is not None:
                for name, value in fields.items():
                    setattr(existing, name, value)
                existing.save()
                return existing, False
            try:
                with transaction.atomic():
                    return QuestionReport.objects.create(**key, **fields), True
            except IntegrityError:
                continue
    raise ServiceError(code=ErrorCode.REPORT_RESOLVED)  # pragma: no cover — a third racer


def report_for_attempt_item(
    *, user, attempt_item: AttemptItem, message: str
) -> tuple[QuestionReport, bool]:
    """A report of a quiz question: only on one's own attempt; the answer attached is the
    newest submitted one, else the draft."""
    if attempt_item.attempt.user_id != user.pk:
        raise ServiceError(code=ErrorCode.REPORT_NOT_SHOWN)
    response = attempt_item.responses.order_by("-created_at", "-id").first()
    if response is not None:
        answer = response.raw
    else:  # the autosave writes the draft with update(): the instance may be older
        attempt_item.refresh_from_db(fields=["draft"])
        answer = attempt_item.draft
    return _report(
        user=user,
        source=QuestionReport.Source.QUIZ,
        version=attempt_item.version,
        seed=attempt_item.seed,
        message=message,
        answer=answer,
        attempt_item=attempt_item,
    )


def report_for_practice(
    *, user, version: QuestionVersion, seed: int, message: str
) -> tuple[QuestionReport, bool]:
    """A report of a practice variant. ``version`` and ``seed`` come from the student's session
    (the variant their page shows) or from an answer of theirs; the bank must be one they study
    or the variant one they answered."""
    answer = last_answer(user=user, version=version, seed=seed)
    studies = banks_for_study(user).filter(pk=version.question.bank_id).exists()
    if answer is None and not studies:
        raise ServiceError(code=ErrorCode.REPORT_NOT_SHOWN)
    return _report(
        user=user,
        source=QuestionReport.Source.PRACTICE,
        version=version,
        seed=seed,
        message=message,
        answer=answer.raw if answer is not None else "",
        practice_answer=answer,
    )


def report_for_flashcard(
    *, user, question_id: int, message: str, answer: str = ""
) -> tuple[QuestionReport, bool]:
    """A report of the card on screen: its current variant (the seed the card page shows until
    the card is rated). ``answer`` is what the student's session holds of their typed answer."""
    found = flashcard_for_user(user=user, question_id=question_id)
    if found is None:
        raise ServiceError(code=ErrorCode.REPORT_NOT_SHOWN)
    question, state = found
    version = question.versions.order_by("-number").first()
    if version is None:
        raise ServiceError(code=ErrorCode.REPORT_NOT_SHOWN)
    seed = card_seed(
        user_id=user.pk, question_id=question.pk, variants=state.variants if state else 0
    )
    return _report(
        user=user,
        source=QuestionReport.Source.FLASHCARD,
        version=version,
        seed=seed,
        message=message,
        answer=answer,
    )


def _answer(outcome: str, reply: str) -> str:
    if outcome not in QuestionReport.Outcome.values:
        raise ServiceError(code=ErrorCode.REPORT_BAD_OUTCOME, field="outcome")
    reply = (reply or "").strip()
    if len(reply) > REPLY_MAX_LENGTH:
        raise ServiceError(code=ErrorCode.REPORT_TOO_LONG, field="reply")
    return reply


def _close(report: QuestionReport, *, by, outcome: str, reply: str, now) -> None:
    report.status = QuestionReport.Status.RESOLVED
    report.outcome = outcome
    report.reply = reply
    report.resolved_by = by
    report.resolved_at = now
    report.outcome_seen = False
    report.save()  # the reporter's dashboard token is bumped by the save signal


def report_resolve(*, report: QuestionReport, by, outcome: str, reply: str = "") -> QuestionReport:
    """The owner's answer. Access is the caller's (``selectors.report_for_owner``)."""
    reply = _answer(outcome, reply)
    with transaction.atomic():
        # The race: two owners (or two tabs) answering one report; the second is told it is done.
        report = QuestionReport.objects.select_for_update().get(pk=report.pk)
        if report.status == QuestionReport.Status.RESOLVED:
            raise ServiceError(code=ErrorCode.REPORT_RESOLVED)
        _close(report, by=by, outcome=outcome, reply=reply, now=timezone.now())
    return report


def question_reports_resolve(*, question: Question, by, outcome: str, reply: str = "") -> int:
    """One answer to every open report of the question (a wrong key is reported by many
    students at once); the number answered. Access is the caller's."""
    reply = _answer(outcome, reply)
    now = timezone.now()
    with transaction.atomic():
        # Locked: a report answered meanwhile on its own is not answered twice.
        reports = list(
            QuestionReport.objects.select_for_update()
            .filter(question=question, status=QuestionReport.Status.OPEN)
            .order_by("pk")
        )
        for report in reports:
            _close(report, by=by, outcome=outcome, reply=reply, now=now)
    return len(reports)


def reports_mark_seen(*, user) -> int:
    """The student has read their answered reports: the dashboard stops telling them."""
    changed = QuestionReport.objects.filter(
        user=user, status=QuestionReport.Status.RESOLVED, outcome_seen=False
    ).update(outcome_seen=True)
    if changed:
        versions.bump(versions.STUDY, user.pk)  # update() sends no save signal
    return changed
