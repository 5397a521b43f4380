"""Regrade after a bank fix: move a question's attempt items to a new version and grade again.

An item keeps its seed, so the student sees the same numbers and the new version's key is
computed for them. Every response of a moved item is graded again; its previous and new grading
are kept in :class:`~quizapp.models.gradebook.ResponseRegrade`, the response row holds the new
one, and finished attempts get their score recomputed (a manual override still wins, see
:mod:`quizapp.models.gradebook`). The rescore applies the attempt's own answer policy (the one
in force when it started, :mod:`quizapp.attempts.policies`); a regrade grades the stored tries
again and keeps their numbers, so it never adds a try or a penalty.

The work runs in a Celery task in batches of attempts; each attempt is one transaction that
moves its items, so a task that dies or is delivered twice resumes where it stopped and never
grades an item twice.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Count, F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from question_bank.models import Question, QuestionVersion
from question_bank.selectors import newest_versions
from quizapp.attempts.grading import apply_grade
from quizapp.attempts.services import attempt_rescore
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.core.roles import is_admin
from quizapp.core.tasks import enqueue_on_commit
from quizapp.gradebook.manual import manual_result
from quizapp.models import Attempt, AttemptItem, Quiz, Response
from quizapp.models.gradebook import ManualGrade, RegradeRun, ResponseRegrade

REGRADE_TASK = "grader.tasks.regrade_responses"
BATCH_ATTEMPTS = 50


def run_for_instructor(user, run_id) -> RegradeRun:
    run = (
        RegradeRun.objects.select_related("quiz", "question", "to_version", "from_version")
        .filter(pk=run_id)
        .first()
    )
    allowed = run is not None and (
        is_admin(user) or (run.quiz is not None and run.quiz.owner_id == user.pk)
    )
    if not allowed:
        raise Http404(_("Перепроверка не найдена"))
    return run


def _affected(run: RegradeRun):
    items = AttemptItem.objects.filter(version__question_id=run.question_id).exclude(
        version_id=run.to_version_id
    )
    if run.quiz_id:
        items = items.filter(attempt__quiz_id=run.quiz_id)
    if run.from_version_id:
        items = items.filter(version_id=run.from_version_id)
    return items


@transaction.atomic
def regrade_start(
    *,
    question: Question,
    to_version: QuestionVersion,
    by,
    quiz: Quiz | None = None,
    from_version: QuestionVersion | None = None,
) -> RegradeRun:
    """Create the run and enqueue its task once committed.

    Race: a double click on «Перепроверить»; the question row is locked while active runs are
    looked for, so the second click finds the first run and is refused.
    """
    if to_version.question_id != question.pk:
        raise ServiceError(code=ErrorCode.WRONG_VERSION)
    Question.objects.select_for_update().filter(pk=question.pk).first()
    active = RegradeRun.objects.filter(
        question=question, quiz=quiz, status__in=RegradeRun.ACTIVE
    ).exists()
    if active:
        raise ServiceError(code=ErrorCode.REGRADE_RUNNING)
    run = RegradeRun(
        question=question,
        quiz=quiz,
        from_version=from_version,
        to_version=to_version,
        created_by=by,
    )
    run.progress_total = _affected(run).count()
    if not run.progress_total:
        raise ServiceError(
            _("Все ответы уже проверены по версии %(number)s: перепроверять нечего.")
            % {"number": to_version.number},
            code=ErrorCode.NOTHING_TO_REGRADE,
        )
    run.save()
    enqueue_on_commit(REGRADE_TASK, run.pk)
    return run


def regrade_execute(*, run_id: int, batch: int = BATCH_ATTEMPTS) -> bool:
    """Regrade up to ``batch`` attempts of the run; True when more remain (enqueue again)."""
    with transaction.atomic():
        run = (
            RegradeRun.objects.select_for_update(of=("self",))
            .select_related("to_version")
            .filter(pk=run_id)
            .first()
        )
        if run is None or run.status not in RegradeRun.ACTIVE:
            return False  # a redelivery of a finished run
        if run.status == RegradeRun.Status.QUEUED:
            run.status = RegradeRun.Status.RUNNING
            run.save(update_fields=["status"])
    attempt_ids = list(
        _affected(run)
        .order_by("attempt_id")
        .values_list("attempt_id", flat=True)
        .distinct()[:batch]
    )
    for attempt_id in attempt_ids:
        _regrade_attempt(run, attempt_id)
    if len(attempt_ids) < batch or not _affected(run).exists():
        RegradeRun.objects.filter(pk=run.pk, status=RegradeRun.Status.RUNNING).update(
            status=RegradeRun.Status.DONE, finished_at=timezone.now()
        )
        return False
    return True


def _regrade_attempt(run: RegradeRun, attempt_id: int) -> None:
    """Move one attempt's items of the question and regrade their responses, atomically.

    Races: a student's submit or the attempt's end (both lock the attempt row first, then touch
    items), and a grading task for a pending response (locks the response). The attempt row is
    locked first, in the same order as those, then the items and their responses; so either the
    task graded the response before (and it is graded again here with the new version) or it
    finds it no longer pending and leaves it. Checking the items again under the lock makes a
    second delivery of the task skip what is done.
    """
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt_id)
        items = list(_affected(run).filter(attempt_id=attempt_id).select_for_update())
        if not items:
            return
        by_id = {item.pk: item for item in items}
        spec = run.to_version.spec
        records = []
        responses = Response.objects.select_for_update().filter(item__in=items).order_by("id")
        manual_grades = {
            g.response_id: g for g in ManualGrade.objects.filter(response__item__in=items)
        }
        for response in responses:
            item = by_id[response.item_id]
            old = (response.status, response.score, response.result)
            apply_grade(response, spec=spec, seed=item.seed, raw=response.raw)
            graded_by_hand = manual_grades.get(response.pk)
            if graded_by_hand is not None and response.status == Response.Status.MANUAL:
                # An essay the instructor graded keeps that grade: a regrade never overwrites it.
                response.status = Response.Status.GRADED
                response.score = graded_by_hand.score
                response.result = manual_result(response, graded_by_hand, max_points=item.points)
            response.save(update_fields=["status", "score", "result", "graded_at"])
            records.append(
                ResponseRegrade(
                    run=run,
                    response=response,
                    old_version_id=item.version_id,
                    new_version_id=run.to_version_id,
                    old_status=old[0],
                    old_score=old[1],
                    old_result=old[2],
                    new_status=response.status,
                    new_score=response.score,
                    new_result=response.result,
                )
            )
        ResponseRegrade.objects.bulk_create(records)
        AttemptItem.objects.filter(pk__in=by_id).update(version_id=run.to_version_id)
        if attempt.status == Attempt.Status.FINISHED:
            attempt_rescore(attempt)
        RegradeRun.objects.filter(pk=run.pk).update(progress_done=F("progress_done") + len(items))


def regrade_fail(*, run_id: int, error: str) -> None:
    """Mark a run failed after an unexpected error; what was done stays done."""
    RegradeRun.objects.filter(pk=run_id, status__in=RegradeRun.ACTIVE).update(
        status=RegradeRun.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


# --- Selectors ------------------------------------------------------------------------------


def regrade_candidates(*, quiz: Quiz) -> list[dict]:
    """The quiz's questions with how many attempt items are on each version (two queries)."""
    rows = (
        AttemptItem.objects.filter(attempt__quiz=quiz)
        .values("version__question_id", "version__question__title", "version__number")
        .annotate(n=Count("id"))
        .order_by("version__question__title", "version__number")
    )
    questions: dict[int, dict] = defaultdict(lambda: {"in_use": []})
    for row in rows:
        q = questions[row["version__question_id"]]
        q["id"] = row["version__question_id"]
        q["title"] = row["version__question__title"]
        q["in_use"].append((row["version__number"], row["n"]))
    newest = newest_versions(list(questions))
    result = []
    for qid, q in questions.items():
        q["newest"] = newest[qid]
        q["outdated"] = sum(n for number, n in q["in_use"] if number != newest[qid].number)
        result.append(q)
    result.sort(key=lambda q: (-q["outdated"], q["title"]))
    return result


def regrade_target(*, quiz: Quiz, question_id) -> tuple[Question, QuestionVersion]:
    """The question chosen on the page (one used in the quiz) and its newest version."""
    try:
        question_id = int(question_id)
    except (TypeError, ValueError):
        question_id = None
    used = AttemptItem.objects.filter(attempt__quiz=quiz, version__question_id=question_id)
    if question_id is None or not used.exists():
        raise ServiceError(code=ErrorCode.QUESTION_NOT_IN_QUIZ)
    version = newest_versions([question_id])[question_id]
    return version.question, version


def regrade_runs(*, quiz: Quiz) -> list[RegradeRun]:
    return list(
        RegradeRun.objects.filter(quiz=quiz)
        .select_related("question", "to_version", "created_by")
        .order_by("-created_at", "-id")[:20]
    )


def run_changes(*, run: RegradeRun, limit: int = 200) -> dict:
    """What the run changed: counts, and the responses whose score changed (first ``limit``)."""
    changes = run.responses.select_related("response__item__attempt__user", "old_version")
    changed = []
    total = up = down = 0
    for change in changes.order_by("id"):
        total += 1
        old, new = change.old_score or 0.0, change.new_score or 0.0
        if new > old:
            up += 1
        elif new < old:
            down += 1
        if (new != old or change.old_status != change.new_status) and len(changed) < limit:
            changed.append(change)
    return {"total": total, "up": up, "down": down, "changed": changed}


def run_status(run: RegradeRun) -> dict:
    return {
        "status": run.status,
        "status_display": str(run.get_status_display()),
        "done": run.progress_done,
        "total": run.progress_total,
        "percent": run.percent,
        "finished": run.status not in RegradeRun.ACTIVE,
    }
