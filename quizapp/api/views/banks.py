"""Banks, topics and questions: what an instructor's key or a student may read."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from quizapp.api import access, permissions
from quizapp.api import selectors as api_selectors
from quizapp.api import serializers as s
from quizapp.api.pagination import PageQuerySerializer, paged, paginate
from quizapp.api.views.base import ApiView, body, conflict, query, responses
from quizapp.banks import services as bank_services
from quizapp.core.roles import is_instructor


class BankListView(ApiView):
    permissions = {"get": permissions.STUDENT}

    @extend_schema(
        operation_id="banks_list",
        summary="Банки вопросов, видимые вызывающему",
        parameters=[PageQuerySerializer],
        responses=responses({200: paged(s.BankOutSerializer)}, 400, 404),
        tags=["banks"],
    )
    def get(self, request):
        banks = access.visible_banks(request)
        if not is_instructor(request.user):
            banks = banks.filter(is_archived=False)  # archived: no longer for study
        banks = api_selectors.bank_list(banks=banks)
        return paginate(request, self, banks, s.BankOutSerializer)


class BankDetailView(ApiView):
    permissions = {
        "get": permissions.STUDENT,
        "patch": permissions.INSTRUCTOR,
        "delete": permissions.INSTRUCTOR,
    }

    @extend_schema(
        operation_id="banks_retrieve",
        summary="Один банк",
        responses=responses({200: s.BankOutSerializer}, 404),
        tags=["banks"],
    )
    def get(self, request, bank_id):
        bank = access.get_bank_for_user(request, bank_id)
        bank = api_selectors.bank_list(banks=type(bank).objects.filter(pk=bank.pk)).get()
        return Response(s.BankOutSerializer(bank).data)

    @extend_schema(
        operation_id="banks_partial_update",
        summary="Отправить банк в архив или вернуть из архива (владелец)",
        request=s.BankPatchInSerializer,
        responses=responses({200: s.BankOutSerializer}, 400, 404),
        tags=["banks"],
    )
    def patch(self, request, bank_id):
        bank = access.get_bank_for_manager(request, bank_id)
        data = body(s.BankPatchInSerializer, request)
        if "is_archived" in data:
            bank = bank_services.bank_archive(bank=bank, archived=data["is_archived"])
        bank = api_selectors.bank_list(banks=type(bank).objects.filter(pk=bank.pk)).get()
        return Response(s.BankOutSerializer(bank).data)

    @extend_schema(
        operation_id="banks_destroy",
        summary="Удалить банк, которым никто не пользовался (владелец)",
        description="Банк с попытками, ответами тренировки или карточками студентов не "
        "удаляется (409 bank_in_use): его можно только отправить в архив.",
        responses=responses({204: None, 409: conflict()}, 404),
        tags=["banks"],
    )
    def delete(self, request, bank_id):
        bank = access.get_bank_for_manager(request, bank_id)
        bank_services.bank_delete(bank=bank)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TopicListView(ApiView):
    permissions = {"get": permissions.STUDENT}

    @extend_schema(
        operation_id="topics_list",
        summary="Темы (фильтр по банку)",
        parameters=[s.TopicFilterSerializer, PageQuerySerializer],
        responses=responses({200: paged(s.TopicOutSerializer)}, 400, 404),
        tags=["banks"],
    )
    def get(self, request):
        filters = query(s.TopicFilterSerializer, request)
        topics = api_selectors.topic_list(
            banks=access.visible_banks(request), bank=filters.get("bank")
        )
        return paginate(request, self, topics, s.TopicOutSerializer)


class TopicDetailView(ApiView):
    permissions = {"get": permissions.STUDENT}

    @extend_schema(
        operation_id="topics_retrieve",
        summary="Одна тема",
        responses=responses({200: s.TopicOutSerializer}, 404),
        tags=["banks"],
    )
    def get(self, request, topic_id):
        topic = access.get_topic_for_user(request, topic_id)
        topic = api_selectors.topic_list(banks=access.visible_banks(request)).get(pk=topic.pk)
        return Response(s.TopicOutSerializer(topic).data)


class QuestionListView(ApiView):
    permissions = {"get": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="questions_list",
        summary="Вопросы (без ключей ответов)",
        parameters=[s.QuestionFilterSerializer, PageQuerySerializer],
        responses=responses({200: paged(s.QuestionOutSerializer)}, 400, 404),
        tags=["banks"],
    )
    def get(self, request):
        filters = query(s.QuestionFilterSerializer, request)
        questions = api_selectors.question_list(banks=access.visible_banks(request), **filters)
        return paginate(request, self, questions, s.QuestionOutSerializer)


class QuestionDetailView(ApiView):
    permissions = {"get": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="questions_retrieve",
        summary="Один вопрос с образцом варианта (без ключа)",
        responses=responses({200: s.QuestionDetailOutSerializer}, 404),
        tags=["banks"],
    )
    def get(self, request, question_id):
        question = access.get_question_for_user(request, question_id)
        version = api_selectors.question_latest_version(question)
        question.latest_version = version.number if version else None
        data = s.QuestionDetailOutSerializer(question, context={"version": version}).data
        return Response(data)
