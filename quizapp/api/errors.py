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
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from quizapp.core.errors import ErrorCode, ServiceError, error_code


class ApiError(exceptions.APIException):
    """A refusal decided in the API layer itself, with its own code and status."""

    def __init__(self, message: str | None = None, *, code: ErrorCode, status_code=None):
        code = ErrorCode(code)
        super().__init__(detail=str(code.message_ru) if message is None else message, code=code)
        self.status_code = status_code or code.status


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    # The English text is the code's own; a code of a library's that no member knows keeps the
    # message it came with.
    member = error_code(code)
    message_en = member.message_en if member is not None else message
    error = {"code": str(code), "message": message, "message_en": message_en}
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


def _refusal_code(fields: dict[str, list[dict]]) -> str:
    """``invalid`` (400) for a request the schema excludes; when every refusal is one that a
    schema-valid request meets — a reference to nothing (``does_not_exist``, 404), a taken value
    (``unique``, 409), a rule across fields (422) — that code and its status (the lowest of
    several: a missing reference before a taken slug)."""
    members = {error_code(error["code"]) for errors in fields.values() for error in errors}
    if None in members or any(member.status == 400 for member in members):
        return str(ErrorCode.INVALID)
    return str(min(members, key=lambda member: member.status))


def api_exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        field = getattr(exc, "field", None)
        fields = {field: [{"code": exc.code, "message": exc.message}]} if field else None
        message = f"{field}: {exc.message}" if field else exc.message
        return Response(
            error_body(exc.code, message, fields),
            status=exc.status,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(ErrorCode.NOT_FOUND.message_ru))
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
        code = _refusal_code(fields)
        response.data = error_body(code, message, fields)
        response.status_code = error_code(code).status
        return response
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else "error"
    message = str(exc.detail)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        message = _("Слишком много запросов; повторите через %(seconds)d с.") % {
            "seconds": int(exc.wait) + 1
        }
    response.data = error_body(code, message)
    return response
