"""One error shape for the whole API.

    {"error": {"code": "attempt_finished",
               "message": "Попытка уже завершена.",
               "message_en": "The attempt is already finished.",
               "fields": {"items.0.question": [{"code": "required", "message": "…"}]}}}

``code`` is for programs; ``message`` (Russian) and ``message_en`` are for people; ``fields``
appears on validation errors and names every field that was refused.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from quizapp.core.errors import ServiceError

# A refused state change is a conflict; a refused request that no retry can fix is 400/403.
SERVICE_STATUS = {
    "attempt_finished": status.HTTP_409_CONFLICT,
    "time_over": status.HTTP_409_CONFLICT,
    "no_attempts_left": status.HTTP_409_CONFLICT,
    "quiz_has_attempts": status.HTTP_409_CONFLICT,
    "course_archived": status.HTTP_409_CONFLICT,
    "regrade_running": status.HTTP_409_CONFLICT,
    "idempotency_key_reused": status.HTTP_409_CONFLICT,
    "stale_draft": status.HTTP_409_CONFLICT,
    "no_version": status.HTTP_409_CONFLICT,
    "quiz_unpublished": status.HTTP_403_FORBIDDEN,
    "quiz_not_open": status.HTTP_403_FORBIDDEN,
    "quiz_closed": status.HTTP_403_FORBIDDEN,
    "not_instructor": status.HTTP_403_FORBIDDEN,
    "course_not_yours": status.HTTP_403_FORBIDDEN,
    "too_long": status.HTTP_400_BAD_REQUEST,
}

# Services speak Russian; the English text of each code for the integrations' logs.
MESSAGES_EN = {
    "invalid": "The request has invalid fields.",
    "parse_error": "The request body is not valid JSON.",
    "not_authenticated": "Authentication is required (an API key or a session).",
    "authentication_failed": "Authentication failed.",
    "invalid_api_key": "The API key is invalid or revoked.",
    "permission_denied": "You may not do this.",
    "key_scope": "The API key lacks the scope for this action.",
    "instructor_only": "Only instructors may do this.",
    "quiz_owner_only": "Only the quiz's author may change it.",
    "session_only": "Only a signed-in person (not an API key) may do this.",
    "not_found": "Not found.",
    "method_not_allowed": "Method not allowed.",
    "not_acceptable": "The requested response format is not available.",
    "unsupported_media_type": "Send the body as application/json.",
    "throttled": "Too many requests; retry later.",
    "attempt_finished": "The attempt is already finished.",
    "time_over": "The time limit of the attempt is over.",
    "no_attempts_left": "No attempts left for this quiz.",
    "quiz_has_attempts": "The quiz already has attempts; its questions can no longer change.",
    "idempotency_key_reused": "This Idempotency-Key was used with a different request.",
    "invalid_idempotency_key": "The Idempotency-Key header must be 1–255 printable characters.",
    "stale_draft": "A newer draft is already saved.",
    "no_version": "A question of the quiz has no version.",
    "quiz_unpublished": "The quiz is not published.",
    "quiz_not_open": "The quiz is not open yet.",
    "quiz_closed": "The quiz is closed.",
    "not_instructor": "Only instructors may have API keys.",
    "invalid_scopes": "Unknown API key scopes.",
    "too_long": "The answer is too long.",
    "course_code_taken": "This course code is taken.",
    "regrade_running": "A regrade of this question is already running.",
    "nothing_to_regrade": "Every answer is already graded with that version.",
    "wrong_version": "The version belongs to another question.",
    "course_archived": "The course is archived: no enrolments or changes.",
    "course_not_yours": "A key can be limited to one's own courses only.",
    "question_not_visible": "This question is not available to you.",
    "topic_not_visible": "This topic is not available to you.",
    "duplicate_question": "The question is already in the quiz.",
    "rule_too_few": "The topic has fewer questions than the rule asks for.",
    "bad_points": "Points must be a number above 0 and at most 1000.",
    "bad_count": "A rule draws from 1 to 50 questions.",
    "user_not_allowed": "Attempts for another user can be started only with an API key "
    "for the instructor's own quiz.",
}


class ApiError(exceptions.APIException):
    """A refusal decided in the API layer itself, with its own code and status."""

    def __init__(self, message: str, *, code: str, status_code: int = 400, message_en=None):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        if message_en:
            MESSAGES_EN.setdefault(code, message_en)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    error = {"code": code, "message": message, "message_en": MESSAGES_EN.get(code, message)}
    if fields:
        error["fields"] = fields
    return {"error": error}


def _flatten(detail, path="") -> dict[str, list[dict]]:
    """DRF's nested error detail as ``{"items.0.question": [{"code", "message"}]}``."""
    out: dict[str, list[dict]] = {}
    if isinstance(detail, dict):
        for name, sub in detail.items():
            out.update(_flatten(sub, f"{path}.{name}" if path else str(name)))
    elif isinstance(detail, list) and any(isinstance(d, (dict, list)) for d in detail):
        for index, sub in enumerate(detail):
            if sub:
                out.update(_flatten(sub, f"{path}.{index}" if path else str(index)))
    else:
        items = detail if isinstance(detail, list) else [detail]
        out[path or "non_field_errors"] = [
            {"code": getattr(d, "code", "invalid"), "message": str(d)} for d in items
        ]
    return out


def api_exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        field = getattr(exc, "field", None)
        fields = {field: [{"code": exc.code, "message": exc.message}]} if field else None
        message = f"{field}: {exc.message}" if field else exc.message
        return Response(
            error_body(exc.code, message, fields),
            status=SERVICE_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST),
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Не найдено.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API exception: a bug, left to Django's 500 handling
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        name, errors = next(iter(fields.items()))
        message = (
            errors[0]["message"]
            if name == "non_field_errors"
            else (f"{name}: {errors[0]['message']}")
        )
        response.data = error_body("invalid", message, fields)
        return response
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else "error"
    message = str(exc.detail)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        message = f"Слишком много запросов; повторите через {int(exc.wait) + 1} с."
    response.data = error_body(code, message)
    return response
