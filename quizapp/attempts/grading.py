"""Grading a stored answer: the bound on what is stored, and the grader's verdict written onto a
Response or PracticeAnswer row."""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

import grader
from grader.errors import EngineError, SpecError
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.models import Response

logger = logging.getLogger(__name__)

MAX_RAW_LENGTH = 2000

# Shown when an answer was saved but the broker could not take its grading task: the sweeper
# sends it once the broker is back (docs/grading-pipeline.md).
GRADING_DELAYED = _lazy(
    "Ответ сохранён, проверка задерживается: результат появится здесь сам, как только "
    "сервер проверки снова будет доступен. Отправлять ответ ещё раз не нужно."
)


def grading_delayed(record) -> bool:
    """Whether the grading task of a row just saved could not be sent (see Dispatch)."""
    dispatch = getattr(record, "dispatch", None)
    return dispatch is not None and dispatch.sent is False


def clean_raw(raw) -> str:
    """The raw answer as stored; refused before anything is saved when it is too long."""
    raw = raw if isinstance(raw, str) else ""
    if len(raw) > MAX_RAW_LENGTH:
        raise ServiceError(
            _("Ответ слишком длинный (больше %(MAX_RAW_LENGTH)s символов).")
            % {"MAX_RAW_LENGTH": MAX_RAW_LENGTH},
            code=ErrorCode.TOO_LONG,
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
            "feedback": _("Ошибка в вопросе: ответ сохранён и будет проверен после исправления."),
        }
    else:
        graded = result["status"] == "graded"
        record.status = Response.Status.GRADED if graded else Response.Status.INVALID
        record.score = result["score"] if graded else None
        record.result = result
    record.graded_at = timezone.now()


# What a graded row changes: one bulk UPDATE writes these for a whole batch.
GRADE_FIELDS = ["status", "score", "result", "graded_at"]


def claim_pending(queryset, *, first_id: int | None, limit: int) -> list:
    """Lock up to ``limit`` pending rows of ``queryset`` for grading, skipping locked ones.

    With ``first_id`` the batch starts with that row, and is empty when that row is no longer
    pending or another worker holds it: a task sent for an answer that an earlier batch took
    costs one query. The rest of the batch is the oldest pending rows (first come, first graded).
    Call inside a transaction; the locks last until it commits.
    """
    pending = queryset.select_for_update(skip_locked=True, of=("self",)).filter(
        status=Response.Status.PENDING
    )
    rows = []
    if first_id is not None:
        rows = list(pending.filter(pk=first_id))
        if not rows:
            return []
        pending = pending.exclude(pk=first_id)
    if limit > len(rows):
        rows += list(pending.order_by("pk")[: limit - len(rows)])
    return rows


def grade_rows(rows, *, spec_seed) -> None:
    """Grade claimed rows in memory (``spec_seed(row)`` gives the spec and the seed); not saved."""
    for row in rows:
        try:
            spec, seed = spec_seed(row)
            apply_grade(row, spec=spec, seed=seed, raw=row.raw)
        except Exception:
            # A bug must not keep a whole batch (and every later batch) ungraded: this answer is
            # kept as failed, like one of a broken question, for a regrade after the fix.
            logger.exception("grading %s %s crashed", type(row).__name__, row.pk)
            row.status = Response.Status.FAILED
            row.score = None
            row.result = {
                "error": {"code": "grader_crashed"},
                "feedback": _("Сбой проверки: ответ сохранён и будет проверен повторно."),
            }
            row.graded_at = timezone.now()
