"""Page-number pagination: ``?page=2&page_size=100`` → ``{count, next, previous, results}``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination

from quizapp.api.fields import MAX_ID

PAGE_SIZE, MAX_PAGE_SIZE = 50, 200


class PageQuerySerializer(serializers.Serializer):
    """``page`` and ``page_size`` of every list; a value the schema excludes is refused (DRF's
    own pagination would quietly show page 1 or clamp the size)."""

    page = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=gettext_lazy("Номер страницы, с 1; за последней — 404."),
    )
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text=gettext_lazy("Сколько на странице (по умолчанию 50)."),
    )


class Pagination(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def _params(self, request) -> dict:
        names = (self.page_query_param, self.page_size_query_param)
        given = request.query_params
        params = PageQuerySerializer(data={name: given[name] for name in names if name in given})
        params.is_valid(raise_exception=True)
        return params.validated_data

    def get_page_size(self, request):
        return self._params(request).get("page_size", self.page_size)

    def get_page_number(self, request, paginator):
        return self._params(request).get("page", 1)


_PAGED: dict[type, type] = {}


def paged(serializer_class: type) -> type:
    """The schema of one page of ``serializer_class`` items (for the OpenAPI description)."""
    if serializer_class not in _PAGED:
        name = serializer_class.__name__.removesuffix("Serializer")
        _PAGED[serializer_class] = type(
            f"Paginated{name}",
            (serializers.Serializer,),
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": serializer_class(many=True),
            },
        )
    return _PAGED[serializer_class]


def paginate(request, view, queryset, serializer_class, context=None):
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context=context or {"request": request}).data
    return paginator.get_paginated_response(data)
