"""What every API view shares: the base class, body and query parsing, schema helpers."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from quizapp.api import permissions
from quizapp.api import serializers as s
from quizapp.api.errors import ApiError
from quizapp.core.errors import ErrorCode
from quizapp.core.uploads import body_too_large

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Неверный запрос (поля в error.fields)"),
    401: OpenApiResponse(s.ErrorSerializer, description="Нужен ключ API или вход"),
    403: OpenApiResponse(s.ErrorSerializer, description="Нет прав"),
    404: OpenApiResponse(s.ErrorSerializer, description="Не найдено (или не видно вам)"),
    413: OpenApiResponse(s.ErrorSerializer, description="Тело запроса больше допустимого"),
    409: OpenApiResponse(
        s.ErrorSerializer,
        description="Конфликт: значение занято (unique, course_code_taken) или состояние "
        "не допускает действия (код в error.code)",
    ),
    422: OpenApiResponse(
        s.ErrorSerializer,
        description="Запрос верен по схеме, но нарушает правило между полями "
        "(closes_before_opens, duplicate_question…; код в error.code)",
    ),
    429: OpenApiResponse(s.ErrorSerializer, description="Превышен лимит запросов"),
}


def responses(ok: dict, *extra: int) -> dict:
    """The operation's successful responses plus the errors every endpoint can give."""
    codes = {401, 403, 429, *extra}
    return {**ok, **{c: ERRORS.get(c, ERRORS[400]) for c in sorted(codes)}}


def conflict(description="Конфликт состояния (код в error.code)"):
    return OpenApiResponse(s.ErrorSerializer, description=description)


def query(serializer_class, request) -> dict:
    # A plain dict, not the QueryDict: DRF reads an empty form value as «not given», so
    # ``?status=`` listed everything; here an empty value is refused like any other the schema
    # excludes.
    params = request.query_params.dict()
    serializer = serializer_class(data=params, context={"request": request})
    empty = [name for name in serializer.fields if params.get(name) == ""]
    if empty:
        message = gettext("Пустое значение: задайте его или уберите параметр из запроса.")
        raise ValidationError({name: [message] for name in empty}, code="blank")
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def body(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ApiView(APIView):
    """``permissions`` maps a method to its permission classes; no entry, no access."""

    permissions: dict[str, list] = {}
    metadata_class = None  # no OPTIONS metadata: the OpenAPI schema describes the API

    def initial(self, request, *args, **kwargs):
        # Before authentication, throttling or parsing read anything: a JSON parser would hold
        # the whole body in memory.
        limit = body_too_large(request)
        if limit is not None:
            raise ApiError(
                gettext("Тело запроса больше %(value).3g МБ: такой запрос не принимается.")
                % {"value": limit / 1024 / 1024},
                code=ErrorCode.REQUEST_TOO_LARGE,
            )
        super().initial(request, *args, **kwargs)

    def get_permissions(self):
        method = self.request.method.lower()
        classes = self.permissions.get("get" if method == "head" else method)
        if classes is None:
            classes = permissions.STUDENT  # the method is refused as "not allowed" afterwards
        return [cls() for cls in classes]
