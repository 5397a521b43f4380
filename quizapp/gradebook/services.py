"""Manual score overrides: the one write of the gradebook. Every override is kept (the audit log
of :class:`~quizapp.models.gradebook.ScoreOverride`); reads live in ``gradebook.selectors``."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext

from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.core.signals import attempt_graded_announce
from quizapp.gradebook.selectors import CENTS, shown_score, with_shown_score
from quizapp.models import Attempt
from quizapp.models.gradebook import ScoreOverride


@transaction.atomic
def score_override(
    *, attempt: Attempt, new_score: Decimal | None, reason: str, by
) -> ScoreOverride:
    """Set the attempt's score by hand (``None``: back to the computed score), with a reason.

    Race: two instructors override the same attempt at once; the attempt row is locked so each
    override records as ``old_score`` the score the other one left, and the log stays a chain.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(code=ErrorCode.REASON_REQUIRED)
    attempt = with_shown_score(Attempt.objects.select_for_update(of=("self",))).get(pk=attempt.pk)
    if attempt.status != Attempt.Status.FINISHED:
        raise ServiceError(code=ErrorCode.ATTEMPT_NOT_FINISHED)
    if new_score is not None:
        new_score = Decimal(new_score).quantize(CENTS)
        if new_score < 0 or new_score > attempt.max_score:
            raise ServiceError(
                gettext("Оценка должна быть от 0 до %(max_score)s.")
                % {"max_score": attempt.max_score},
                code=ErrorCode.SCORE_OUT_OF_RANGE,
            )
    elif attempt.override_score is None:
        raise ServiceError(code=ErrorCode.NO_OVERRIDE)
    override = ScoreOverride.objects.create(
        attempt=attempt,
        old_score=shown_score(attempt),
        new_score=new_score,
        reason=reason,
        by=by,
    )
    # The LMS grade column (LTI) and webhooks follow the override.
    attempt_graded_announce(attempt_id=attempt.pk)
    return override
