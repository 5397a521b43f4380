"""Grading a stored answer: the bound on what is stored, and the grader's verdict written onto a
Response or PracticeAnswer row."""

from __future__ import annotations

import logging

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import grader
from grader.errors import EngineError, SpecError
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.models import Response

logger = logging.getLogger(__name__)

MAX_RAW_LENGTH = 2000
# The longest answer of any kind: an essay's own ``max_length`` may go up to this (the bank
# schema's bound); every other kind stays within MAX_RAW_LENGTH (``grader.raw_limit``).
MAX_ESSAY_LENGTH = 20_000

# Shown when an answer was saved but the broker could not take its grading task: the sweeper
# sends it once the broker is back (docs/grading-pipeline.md).
GRADING_DELAYED = gettext_lazy(
    "Ответ сохранён, проверка задерживается: результат появится здесь сам, как только "
    "сервер проверки снова будет доступен. Отправлять ответ ещё раз не нужно."
)


def grading_delayed(record) -> bool:
    """Whether the grading task of a row just saved could not be sent (see Dispatch)."""
    dispatch = getattr(record, "dispatch", None)
    return dispatch is not None and dispatch.sent is False


def clean_raw(raw, *, limit: int = MAX_RAW_LENGTH) -> str:
    """The raw answer as stored; refused before anything is saved when it is longer than
    ``limit`` (an essay's is its own ``max_length``: ``grader.raw_limit(spec)``)."""
    raw = raw if isinstance(raw, str) else ""
    if len(raw) > limit:
        raise ServiceError(
            _("Ответ слишком длинный (больше %(MAX_RAW_LENGTH)s символов).")
            % {"MAX_RAW_LENGTH": limit},
            code=ErrorCode.TOO_LONG,
        )
    return raw


def apply_grade(record, *, spec: dict, seed: int, raw: str) -> None:
    """Grade ``raw`` (bounded, in the grader's child process) and store the outcome on a
    Response or PracticeAnswer row (not saved)."""
    try:
        result = grader.grade(spec, seed, raw).as_dict()
    except (SpecError, EngineError) as exc:
        result = {"status": "error", "error": exc.as_dict()}
    store_grade(record, result)


def store_grade(record, result: dict) -> None:
    """Write a grader result (``GradeResult.as_dict()``, or ``status="error"`` for an answer the
    grader could not grade) onto the row; not saved.

    A broken spec is the bank's fault, not the student's, and a crash is ours: either way the
    answer is kept as ``failed`` so a regrade after the fix can grade it. Never ``wrong``.
    """
    if result["status"] == "error":
        error = result["error"]
        crashed = error.get("code") == "internal_error"
        logger.error(
            "%s grading %s %s: %s",
            "crash" if crashed else "spec error",
            type(record).__name__,
            record.pk,
            error.get("message"),
        )
        record.status = Response.Status.FAILED
        record.score = None
        record.result = {
            "error": error,
            "feedback": (
                _("Сбой проверки: ответ сохранён и будет проверен повторно.")
                if crashed
                else _("Ошибка в вопросе: ответ сохранён и будет проверен после исправления.")
            ),
        }
    else:
        status = result["status"]
        if status == "manual":
            # An essay: kept for the instructor (gradebook.manual), never claimed again.
            record.status = Response.Status.MANUAL
        else:
            record.status = (
                Response.Status.GRADED if status == "graded" else Response.Status.INVALID
            )
        record.score = result["score"] if status == "graded" else None
        record.result = result
    record.graded_at = timezone.now()


# What a graded row changes: :func:`save_grades` writes these for a whole batch.
GRADE_FIELDS = ["status", "score", "result", "graded_at"]


def save_grades(rows) -> None:
    """Write the grades of a batch of rows of one model: one statement executed for all rows.

    Not ``QuerySet.bulk_update``: its CASE WHEN expression for 100 rows took 60 % of a batch's
    time in Python (profiled: 0.3 s per 100 answers), more than grading them. Here one
    parameterised UPDATE is sent for every row at once (psycopg pipelines ``executemany``).
    """
    if not rows:
        return
    model = type(rows[0])
    fields = [model._meta.get_field(name) for name in GRADE_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


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
    """Grade claimed rows (``spec_seed(row)`` gives the spec and the seed) in one round trip to
    a grader child process, and store each outcome on its row; not saved. An answer over its
    budget is ``invalid``, an answer that crashed the grader ``failed``: neither holds up the
    rest of the batch."""
    items = []
    for row in rows:
        spec, seed = spec_seed(row)
        items.append((spec, seed, row.raw))
    for row, result in zip(rows, grader.grade_many(items), strict=True):
        store_grade(row, result)
