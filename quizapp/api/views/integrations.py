"""API keys and webhooks, managed by a person in the browser."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from quizapp.api import access, keys, permissions
from quizapp.api import serializers as s
from quizapp.api import services as api_services
from quizapp.api.pagination import PageQuerySerializer, paged, paginate
from quizapp.api.views.base import ApiView, body, responses
from quizapp.models.api import ApiKey, WebhookEndpoint


class ApiKeyListView(ApiView):
    permissions = {"get": permissions.INSTRUCTOR_SESSION, "post": permissions.INSTRUCTOR_SESSION}

    @extend_schema(
        operation_id="keys_list",
        summary="Мои ключи API (без секретов)",
        parameters=[PageQuerySerializer],
        responses=responses({200: paged(s.ApiKeyOutSerializer)}, 400, 404),
        tags=["keys"],
    )
    def get(self, request):
        return paginate(
            request, self, ApiKey.objects.filter(owner=request.user), s.ApiKeyOutSerializer
        )

    @extend_schema(
        operation_id="keys_create",
        summary="Создать ключ API; ключ целиком возвращается один раз",
        request=s.ApiKeyInSerializer,
        responses=responses({201: s.ApiKeyCreatedOutSerializer}, 400, 404),
        tags=["keys"],
    )
    def post(self, request):
        data = body(s.ApiKeyInSerializer, request)
        key, token = keys.api_key_create(owner=request.user, **data)
        out = {**s.ApiKeyOutSerializer(key).data, "key": token}
        return Response(out, status=status.HTTP_201_CREATED)


class ApiKeyDetailView(ApiView):
    permissions = {"delete": permissions.INSTRUCTOR_SESSION}

    @extend_schema(
        operation_id="keys_revoke",
        summary="Отозвать ключ API",
        responses=responses({204: None}, 404),
        tags=["keys"],
    )
    def delete(self, request, key_id):
        key = access.get_api_key_for_owner(request, key_id)
        keys.api_key_revoke(key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookListView(ApiView):
    permissions = {"get": permissions.INSTRUCTOR_SESSION, "post": permissions.INSTRUCTOR_SESSION}

    @extend_schema(
        operation_id="webhooks_list",
        summary="Мои вебхуки",
        parameters=[PageQuerySerializer],
        responses=responses({200: paged(s.WebhookOutSerializer)}, 400, 404),
        tags=["webhooks"],
    )
    def get(self, request):
        endpoints = WebhookEndpoint.objects.filter(owner=request.user)
        return paginate(request, self, endpoints, s.WebhookOutSerializer)

    @extend_schema(
        operation_id="webhooks_create",
        summary="Подписаться на события; секрет подписи возвращается один раз",
        request=s.WebhookInSerializer,
        responses=responses({201: s.WebhookCreatedOutSerializer}, 400),
        tags=["webhooks"],
    )
    def post(self, request):
        data = body(s.WebhookInSerializer, request)
        endpoint = api_services.webhook_endpoint_create(owner=request.user, **data)
        out = {**s.WebhookOutSerializer(endpoint).data, "secret": endpoint.secret}
        return Response(out, status=status.HTTP_201_CREATED)


class WebhookDetailView(ApiView):
    permissions = {"delete": permissions.INSTRUCTOR_SESSION}

    @extend_schema(
        operation_id="webhooks_destroy",
        summary="Удалить вебхук",
        responses=responses({204: None}, 404),
        tags=["webhooks"],
    )
    def delete(self, request, webhook_id):
        endpoint = access.get_webhook_for_owner(request, webhook_id)
        api_services.webhook_endpoint_delete(endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListView(ApiView):
    permissions = {"get": permissions.INSTRUCTOR_SESSION}

    @extend_schema(
        operation_id="webhooks_deliveries",
        summary="Журнал отправок вебхука",
        parameters=[PageQuerySerializer],
        responses=responses({200: paged(s.WebhookDeliveryOutSerializer)}, 400, 404),
        tags=["webhooks"],
    )
    def get(self, request, webhook_id):
        endpoint = access.get_webhook_for_owner(request, webhook_id)
        return paginate(request, self, endpoint.deliveries.all(), s.WebhookDeliveryOutSerializer)
