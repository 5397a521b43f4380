"""Reads of error reports: the owner's queue (who owns a question: its bank's owner; bundled
banks have none, so their reports go to admins), one question's reports with the variant
reproduced, a student's own reports, the counts item analysis shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from question_bank import preview
from question_bank.models import Question, QuestionVersion
from quizapp.core.roles import is_admin
from quizapp.models import AttemptItem, QuestionReport, Quiz
from quizapp.quizzes.selectors import managed_quizzes

__all__ = [
    "questions_owned_by",
    "report_queue",
    "question_for_owner",
    "report_for_owner",
    "question_reports",
    "student_reports",
    "unseen_outcomes",
    "report_counts",
    "item_report_counts",
    "quizzes_using",
]


def questions_owned_by(user) -> QuerySet[Question]:
    """The questions whose reports ``user`` answers: their own banks', every one for an admin."""
    if is_admin(user):
        return Question.objects.all()
    return Question.objects.filter(bank__owner=user.pk)


def report_queue(*, user, status: str = QuestionReport.Status.OPEN) -> QuerySet[Question]:
    """The questions with reports in ``status`` (open by default), the most reported first."""
    return (
        questions_owned_by(user)
        .filter(reports__status=status)
        .annotate(
            report_count=Count("reports", filter=Q(reports__status=status)),
            first_report=Min("reports__created_at", filter=Q(reports__status=status)),
            last_report=Max("reports__created_at", filter=Q(reports__status=status)),
        )
        .select_related("bank", "topic")
        .order_by("-report_count", "first_report", "pk")
    )


def question_for_owner(user, question_id: int) -> Question:
    """The question if ``user`` answers its reports; otherwise "not found" (404)."""
    question = questions_owned_by(user).select_related("bank").filter(pk=question_id).first()
    if question is None:
        raise Http404(_("Вопрос не найден"))
    return question


def report_for_owner(user, report_id: int) -> QuestionReport:
    report = (
        QuestionReport.objects.filter(question__in=questions_owned_by(user), pk=report_id)
        .select_related("question", "version")
        .first()
    )
    if report is None:
        raise Http404(_("Сообщение не найдено"))
    return report


@dataclass
class ReportView:
    report: QuestionReport
    variant: dict  # question_bank.preview's variant of the report's version and seed
    check: dict | None = None  # what the grader says of the attached answer now (that version)
    newest: QuestionVersion | None = None  # a newer version of the question, if there is one
    newest_check: dict | None = None  # the same answer checked by the newer version
    newest_key: str = ""


@dataclass
class QuestionQueue:
    question: Question
    open: list[ReportView] = field(default_factory=list)
    resolved: list[QuestionReport] = field(default_factory=list)
    open_total: int = 0  # all open reports; ``open`` holds the oldest OPEN_SHOWN of them

    @property
    def open_more(self) -> int:
        return self.open_total - len(self.open)


# Each open report costs up to four grader calls (its variant, the answer checked, the newest
# version's variant and check): the page shows the oldest this many, and says how many more.
OPEN_SHOWN = 50


def question_reports(*, question: Question, resolved_limit: int = 20) -> QuestionQueue:
    """The question's oldest open reports (at most OPEN_SHOWN), each with its variant reproduced
    and the attached answer checked now (by the version the student had and, after a fix, by the
    newest), and the latest answered ones."""
    newest = question.versions.order_by("-number").first()
    open_reports = question.reports.filter(status=QuestionReport.Status.OPEN)
    reports = list(
        open_reports.select_related("user", "version", "attempt_item__attempt__quiz").order_by(
            "created_at", "pk"
        )[:OPEN_SHOWN]
    )
    variants: dict[tuple[int, int], dict] = {}
    views = []
    for report in reports:
        key = (report.version_id, report.seed)
        if key not in variants:
            variants[key] = preview.template_variants(
                spec=report.version.spec, seeds=[report.seed]
            )[0]
        view = ReportView(report=report, variant=variants[key])
        gradable = report.answer and question.kind not in (
            Question.Kind.FLASHCARD,
            Question.Kind.ESSAY,
        )
        if gradable:
            view.check = preview.check_answer(
                spec=report.version.spec, seed=report.seed, raw=report.answer
            )
        if newest is not None and newest.pk != report.version_id:
            view.newest = newest
            fresh = preview.template_variants(spec=newest.spec, seeds=[report.seed])[0]
            view.newest_key = fresh.get("key_display", "")
            if gradable:
                view.newest_check = preview.check_answer(
                    spec=newest.spec, seed=report.seed, raw=report.answer
                )
        views.append(view)
    resolved = list(
        question.reports.filter(status=QuestionReport.Status.RESOLVED)
        .select_related("user", "resolved_by")
        .order_by("-resolved_at", "-pk")[:resolved_limit]
    )
    total = len(views) if len(views) < OPEN_SHOWN else open_reports.count()
    return QuestionQueue(question=question, open=views, resolved=resolved, open_total=total)


@dataclass
class QuizUse:
    quiz: Quiz
    stale: bool  # some attempt holds an older version than the newest: a regrade would change it


def quizzes_using(*, user, question: Question) -> list[QuizUse]:
    """The quizzes ``user`` manages whose attempts drew this question (where a regrade after a
    fix goes), each with whether any of its attempts still holds an older version."""
    newest = question.versions.order_by("-number").values_list("pk", flat=True).first()
    drawn = AttemptItem.objects.filter(version__question=question)
    stale = set(drawn.exclude(version_id=newest).values_list("attempt__quiz_id", flat=True))
    quizzes = managed_quizzes(user).filter(pk__in=drawn.values("attempt__quiz_id"))
    return [QuizUse(quiz=q, stale=q.pk in stale) for q in quizzes.order_by("title", "pk")]


def student_reports(*, user) -> QuerySet[QuestionReport]:
    return (
        QuestionReport.objects.filter(user=user)
        .select_related("question", "attempt_item__attempt__quiz")
        .order_by("-created_at", "-pk")
    )


def unseen_outcomes(*, user) -> int:
    """The student's answered reports they have not read yet."""
    return QuestionReport.objects.filter(
        user=user, status=QuestionReport.Status.RESOLVED, outcome_seen=False
    ).count()


def report_counts(*, question_ids) -> dict[int, tuple[int, int]]:
    """Per question: (open reports, all reports); questions without any are left out."""
    rows = (
        QuestionReport.objects.filter(question_id__in=list(question_ids))
        .values("question_id")
        .annotate(
            open=Count("pk", filter=Q(status=QuestionReport.Status.OPEN)),
            total=Count("pk"),
        )
    )
    return {row["question_id"]: (row["open"], row["total"]) for row in rows}


def item_report_counts(*, user, question_ids) -> dict[int, dict]:
    """Item analysis's column: per reported question its open and all reports, and whether
    ``user`` answers them (then the page links to the question's queue)."""
    question_ids = list(question_ids)
    counts = report_counts(question_ids=question_ids)
    owned = set(questions_owned_by(user).filter(pk__in=list(counts)).values_list("pk", flat=True))
    return {
        qid: {"open": open_, "total": total, "owned": qid in owned}
        for qid, (open_, total) in counts.items()
    }
