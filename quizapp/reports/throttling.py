"""The limit on error reports per user (django-ratelimit, counted in the default cache like the
password-reset limits of quizapp/accounts): the pages and the API share one counter."""

from __future__ import annotations

from django.conf import settings
from django_ratelimit.core import is_ratelimited

from quizapp.core.errors import ErrorCode, ServiceError


def check_report_rate(request, *, user) -> None:
    """Counts this submit against ``user``, the report's author (an LMS's key reports for many
    students: each has their own count); refuses it (429 ``report_throttled``) past
    QUESTION_REPORT_RATE."""
    if is_ratelimited(
        request,
        group="question-report",
        key=lambda _group, _request: str(user.pk),
        rate=settings.QUESTION_REPORT_RATE,
        increment=True,
    ):
        raise ServiceError(code=ErrorCode.REPORT_THROTTLED)
