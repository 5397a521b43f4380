"""Quizzes: the list, one quiz, create and change them, their gradebook and regrades."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from quizapp.api import access, permissions
from quizapp.api import serializers as s
from quizapp.api.pagination import PageQuerySerializer, paged, paginate
from quizapp.api.views.base import ApiView, body, conflict, query, responses
from quizapp.gradebook import regrade, selectors
from quizapp.quizzes import services as quiz_services


class QuizListView(ApiView):
    permissions = {"get": permissions.STUDENT, "post": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="quizzes_list",
        summary="Тесты: доступные вызывающему и его собственные",
        parameters=[s.QuizFilterSerializer, PageQuerySerializer],
        responses=responses({200: paged(s.QuizOutSerializer)}, 400, 404),
        tags=["quizzes"],
    )
    def get(self, request):
        filters = query(s.QuizFilterSerializer, request)
        quizzes = (
            access.visible_managed_quizzes(request)
            if filters["mine"]
            else access.visible_quizzes(request)
        )
        if filters.get("is_published") is not None:
            quizzes = quizzes.filter(is_published=filters["is_published"])
        quizzes = quizzes.order_by(filters.get("ordering") or "title", "pk")
        return paginate(request, self, quizzes, s.QuizOutSerializer)

    @extend_schema(
        operation_id="quizzes_create",
        summary="Создать тест (преподаватель)",
        request=s.QuizInSerializer,
        responses=responses({201: s.QuizDetailOutSerializer}, 400, 404, 409, 422),
        tags=["quizzes"],
    )
    def post(self, request):
        access.refuse_scoped_key_create(request)
        data = body(s.QuizInSerializer, request, context={"request": request})
        items = data.pop("items")
        quiz = quiz_services.quiz_create(owner=request.user, settings=data, items=items)
        out = s.QuizDetailOutSerializer(quiz, context={"manager": True}).data
        return Response(out, status=status.HTTP_201_CREATED)


class QuizDetailView(ApiView):
    permissions = {
        "get": permissions.STUDENT,
        "patch": permissions.INSTRUCTOR,
        "delete": permissions.INSTRUCTOR,
    }

    @extend_schema(
        operation_id="quizzes_retrieve",
        summary="Один тест (вопросы — только автору)",
        responses=responses({200: s.QuizDetailOutSerializer}, 404),
        tags=["quizzes"],
    )
    def get(self, request, quiz_id):
        quiz = access.get_quiz_for_user(request, quiz_id)
        manager = access.can_manage_quiz(request.user, quiz)
        return Response(s.QuizDetailOutSerializer(quiz, context={"manager": manager}).data)

    @extend_schema(
        operation_id="quizzes_partial_update",
        summary="Изменить тест (автор); items заменяет весь список",
        request=s.QuizPatchInSerializer,
        responses=responses({200: s.QuizDetailOutSerializer}, 400, 404, 409, 422),
        tags=["quizzes"],
    )
    def patch(self, request, quiz_id):
        quiz = access.get_quiz_for_manager(request, quiz_id)
        data = body(s.QuizPatchInSerializer, request, instance=quiz, context={"request": request})
        items = data.pop("items", None)
        quiz = quiz_services.quiz_update(quiz=quiz, settings=data, items=items, user=request.user)
        return Response(s.QuizDetailOutSerializer(quiz, context={"manager": True}).data)

    @extend_schema(
        operation_id="quizzes_destroy",
        summary="Удалить тест без попыток (автор)",
        responses=responses({204: None, 409: conflict()}, 404),
        tags=["quizzes"],
    )
    def delete(self, request, quiz_id):
        quiz = access.get_quiz_for_manager(request, quiz_id)
        quiz_services.quiz_delete(quiz=quiz)
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuizGradebookView(ApiView):
    permissions = {"get": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="quizzes_gradebook",
        summary="Ведомость теста: строка на студента (лучшая попытка, с учётом правок)",
        parameters=[PageQuerySerializer],
        responses=responses({200: paged(s.GradebookRowSerializer)}, 400, 404),
        tags=["results"],
    )
    def get(self, request, quiz_id):
        quiz = access.get_quiz_for_course_manager(request, quiz_id)
        book = selectors.gradebook(quiz=quiz)
        return paginate(request, self, book.rows, s.GradebookRowSerializer)


class QuizRegradeView(ApiView):
    permissions = {"post": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="quizzes_regrade",
        summary="Перепроверить ответы на вопрос теста по другой версии (в фоне: 202)",
        description=(
            "Каждый вопрос попытки сохраняет seed, так что студент видит те же числа, а ключ "
            "считается по новой версии; завершённые попытки пересчитываются. "
            "409 regrade_running — перепроверка этого вопроса уже идёт; "
            "409 nothing_to_regrade — перепроверять нечего."
        ),
        request=s.RegradeInSerializer,
        responses=responses({202: s.RegradeRunOutSerializer, 409: conflict()}, 400, 404, 422),
        tags=["results"],
    )
    def post(self, request, quiz_id):
        quiz = access.get_quiz_for_manager(request, quiz_id)
        data = body(s.RegradeInSerializer, request)
        question, to_version, from_version = access.get_versions_for_regrade(request, data)
        run = regrade.regrade_start(
            question=question,
            to_version=to_version,
            from_version=from_version,
            by=request.user,
            quiz=quiz,
        )
        out = s.RegradeRunOutSerializer(run).data
        return Response(
            out, status=status.HTTP_202_ACCEPTED, headers={"Location": out["status_url"]}
        )


class RegradeDetailView(ApiView):
    permissions = {"get": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="regrades_retrieve",
        summary="Ход перепроверки",
        responses=responses({200: s.RegradeRunOutSerializer}, 404),
        tags=["results"],
    )
    def get(self, request, run_id):
        run = access.get_regrade_for_instructor(request, run_id)
        return Response(s.RegradeRunOutSerializer(run).data)
