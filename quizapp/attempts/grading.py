"""Grading a stored answer: the bound on what is stored, and the grader's verdict written onto a
Response or PracticeAnswer row."""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext as _

import grader
from grader.errors import EngineError, SpecError
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.models import Response

logger = logging.getLogger(__name__)

MAX_RAW_LENGTH = 2000


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
