"""Paths under /api/v1/ that name no operation: a JSON 404 in the API's error shape.

Without it ``/api/v1/quizzes/abc/`` (an id that is not a number) fell through to Django's HTML
404 page — with DEBUG on, the list of every URL pattern.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from quizapp.api.errors import error_body
from quizapp.core.errors import ErrorCode


def _json(data: dict, *, status: int) -> JsonResponse:
    # Russian as is, like DRF's JSON renderer (not \u escapes).
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt  # it changes nothing: a POST gets the same JSON 404, not the HTML CSRF page
def not_found(request):
    message = str(ErrorCode.NOT_FOUND.message_ru)
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not-found":
            message = _("Адрес API оканчивается косой чертой: %(path)s") % {
                "path": request.path + "/"
            }
    return _json(error_body(ErrorCode.NOT_FOUND, message), status=404)


def server_error(request):
    """Django's 500 handler for paths under /api/ (``quizapp.urls.handler500``)."""
    return _json(
        error_body(ErrorCode.SERVER_ERROR, str(ErrorCode.SERVER_ERROR.message_ru)), status=500
    )
