"""Errors of the LTI services: a code for tests and logs, a Russian message for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from quizapp.core.errors import ErrorCode, ServiceError

# The codes LTI shares with other services but words for its own situation.
MESSAGES = {
    ErrorCode.NOT_INSTRUCTOR: _("Выбирать тест может только преподаватель курса."),
}


class LtiError(ServiceError):
    """A refused launch or LTI action; ``status`` is the HTTP status the views answer with
    (the code's own unless the caller knows better)."""

    def __init__(self, code: ErrorCode, *, status: int | None = None, detail: str = ""):
        code = ErrorCode(code)
        message = MESSAGES.get(code)
        super().__init__(None if message is None else str(message), code=code)
        self.status = status or code.status
        # The library's English reason, for logs only: never shown to the user.
        self.detail = detail
