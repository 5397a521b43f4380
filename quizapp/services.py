"""Writes of the people-facing app: attempts and responses. Views, the API and tasks call these."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

import grader
from grader.errors import EngineError, SpecError
from quizapp.errors import ServiceError
from quizapp.models import Attempt, AttemptItem, Quiz, Response, item_seed

logger = logging.getLogger(__name__)

MAX_RAW_LENGTH = 2000


@transaction.atomic
def attempt_start(*, user, quiz: Quiz) -> Attempt:
    """Start an attempt: fix every item's question version and seed."""
    if not quiz.is_published:
        raise ServiceError("Тест ещё не опубликован.", code="quiz_unpublished")
    if quiz.max_attempts is not None:
        used = Attempt.objects.filter(user=user, quiz=quiz).count()
        if used >= quiz.max_attempts:
            raise ServiceError("Попытки закончились.", code="no_attempts_left")
    attempt = Attempt.objects.create(user=user, quiz=quiz)
    items = []
    total = Decimal(0)
    for quiz_item in quiz.items.select_related("question", "version"):
        version = quiz_item.version or quiz_item.question.versions.order_by("-number").first()
        if version is None:
            raise ServiceError(f"У вопроса «{quiz_item.question}» нет версий.", code="no_version")
        items.append(
            AttemptItem(
                attempt=attempt,
                quiz_item=quiz_item,
                version=version,
                position=quiz_item.position,
                seed=item_seed(attempt.uuid, quiz_item.position),
                points=quiz_item.points,
            )
        )
        total += quiz_item.points
    AttemptItem.objects.bulk_create(items)
    attempt.max_score = total
    attempt.save(update_fields=["max_score"])
    return attempt


def response_submit(*, item: AttemptItem, raw: str) -> Response:
    """Save the raw answer as a pending response, then enqueue its grading once committed.

    Race: a submit can cross ``attempt_finish`` or a time-limit close; the attempt row is locked so
    an answer is either saved before the attempt closes or refused, never half-recorded.
    """
    from grader.tasks import grade_response

    raw = clean_raw(raw)
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=item.attempt_id)
        _ensure_open(attempt)
        response = Response.objects.create(item=item, raw=raw)
        transaction.on_commit(lambda: grade_response.delay(response.pk))
    return response


def clean_raw(raw) -> str:
    """The raw answer as stored; refused before anything is saved when it is too long."""
    raw = raw if isinstance(raw, str) else ""
    if len(raw) > MAX_RAW_LENGTH:
        raise ServiceError(
            f"Ответ слишком длинный (больше {MAX_RAW_LENGTH} символов).", code="too_long"
        )
    return raw


def apply_grade(record, *, spec: dict, seed: int, raw: str) -> None:
    """Grade ``raw`` and store the outcome on a Response or PracticeAnswer row (not saved).

    A broken spec is the bank's fault, not the student's: the answer is kept as ``failed`` so a
    regrade after the fix can grade it.
    """
    try:
        result = grader.grade(spec, seed, raw).as_dict()
    except (SpecError, EngineError) as exc:
        logger.error("spec error grading %s %s: %s", type(record).__name__, record.pk, exc.message)
        record.status = Response.Status.FAILED
        record.score = None
        record.result = {
            "error": exc.as_dict(),
            "feedback": "Ошибка в вопросе: ответ сохранён и будет проверен после исправления.",
        }
    else:
        graded = result["status"] == "graded"
        record.status = Response.Status.GRADED if graded else Response.Status.INVALID
        record.score = result["score"] if graded else None
        record.result = result
    record.graded_at = timezone.now()


def _ensure_open(attempt: Attempt) -> None:
    if attempt.status != Attempt.Status.IN_PROGRESS:
        raise ServiceError("Попытка уже завершена.", code="attempt_finished")
    limit = attempt.quiz.time_limit_minutes
    if limit and timezone.now() > attempt.started_at + timezone.timedelta(
        minutes=limit, seconds=30
    ):
        raise ServiceError("Время на тест истекло.", code="time_over")


def response_grade(*, response_id: int) -> Response | None:
    """Grade a pending response. Idempotent: a response already graded is left as it is.

    Race: the same task can be delivered twice (late ack after a lost worker); the row lock and
    the status check make the second delivery a no-op.
    """
    with transaction.atomic():
        response = (
            # of=("self",): lock only the response; locking the joined attempt and question
            # version rows too would serialise every grading of the same question and deadlock
            # against attempt_finish.
            Response.objects.select_for_update(of=("self",))
            .select_related("item__version", "item__attempt")
            .filter(pk=response_id)
            .first()
        )
        if response is None or response.status != Response.Status.PENDING:
            return response
        item = response.item
        apply_grade(response, spec=item.version.spec, seed=item.seed, raw=response.raw)
        response.save(update_fields=["status", "score", "result", "graded_at"])
        if item.attempt.status == Attempt.Status.FINISHED:
            _rescore(item.attempt)
    return response


@transaction.atomic
def attempt_finish(*, attempt: Attempt) -> Attempt:
    """Close an attempt and compute its score from the latest graded answer of every item.

    Race: a double click or two tabs finishing at once; the row lock makes the second call see
    the attempt already finished and return it unchanged.
    """
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.status == Attempt.Status.FINISHED:
        return attempt
    attempt.status = Attempt.Status.FINISHED
    attempt.finished_at = timezone.now()
    attempt.save(update_fields=["status", "finished_at"])
    _rescore(attempt)
    return attempt


def _rescore(attempt: Attempt) -> None:
    total = Decimal(0)
    items = list(attempt.items.all())
    newest = latest_responses(items)
    for item in items:
        latest = newest.get(item.pk)
        if latest is not None and latest.score is not None:
            total += item.points * Decimal(str(latest.score))
    Attempt.objects.filter(pk=attempt.pk).update(score=total.quantize(Decimal("0.01")))


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
