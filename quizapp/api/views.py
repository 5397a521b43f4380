"""REST API views: each operation checks access through one helper, validates, calls one service
(or selector) and responds. ``permissions`` on every view says who may call each method."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from question_bank.access import banks_visible_to
from quizapp.api import access, keys, permissions
from quizapp.api import selectors as api_selectors
from quizapp.api import serializers as s
from quizapp.api import services as api_services
from quizapp.api.errors import ApiError
from quizapp.api.idempotency import (
    HEADER,
    REPLAYED_HEADER,
    fingerprint,
    idempotency_key,
    idempotent,
    principal_of,
)
from quizapp.api.pagination import paged, paginate
from quizapp.attempts import selectors as quiz_selectors
from quizapp.attempts import services
from quizapp.core.errors import ErrorCode
from quizapp.courses import selectors as course_selectors
from quizapp.courses import services as courses
from quizapp.courses.selectors import quizzes_visible_or_managed
from quizapp.gradebook import regrade
from quizapp.gradebook import services as gradebook
from quizapp.models import Attempt
from quizapp.models.api import ApiKey, WebhookEndpoint
from quizapp.quizzes import services as quiz_services

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Неверный запрос (поля в error.fields)"),
    401: OpenApiResponse(s.ErrorSerializer, description="Нужен ключ API или вход"),
    403: OpenApiResponse(s.ErrorSerializer, description="Нет прав"),
    404: OpenApiResponse(s.ErrorSerializer, description="Не найдено (или не видно вам)"),
    429: OpenApiResponse(s.ErrorSerializer, description="Превышен лимит запросов"),
}


def responses(ok: dict, *extra: int) -> dict:
    """The operation's successful responses plus the errors every endpoint can give."""
    codes = {401, 403, 429, *extra}
    return {**ok, **{c: ERRORS.get(c, ERRORS[400]) for c in sorted(codes)}}


def conflict(description="Конфликт состояния (код в error.code)"):
    return OpenApiResponse(s.ErrorSerializer, description=description)


def query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
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

    def get_permissions(self):
        method = self.request.method.lower()
        classes = self.permissions.get("get" if method == "head" else method)
        if classes is None:
            classes = permissions.STUDENT  # the method is refused as "not allowed" afterwards
        return [cls() for cls in classes]


# --- banks, topics, questions -----------------------------------------------------------------


class BankListView(ApiView):
    permissions = {"get": permissions.STUDENT}

    @extend_schema(
        operation_id="banks_list",
        summary="Банки вопросов, видимые вызывающему",
        responses=responses({200: paged(s.BankOutSerializer)}, 400, 404),
        tags=["banks"],
    )
    def get(self, request):
        banks = api_selectors.bank_list(banks=banks_visible_to(request.user))
        return paginate(request, self, banks, s.BankOutSerializer)


class BankDetailView(ApiView):
    permissions = {"get": permissions.STUDENT}

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


class TopicListView(ApiView):
    permissions = {"get": permissions.STUDENT}

    @extend_schema(
        operation_id="topics_list",
        summary="Темы (фильтр по банку)",
        parameters=[s.TopicFilterSerializer],
        responses=responses({200: paged(s.TopicOutSerializer)}, 400, 404),
        tags=["banks"],
    )
    def get(self, request):
        filters = query(s.TopicFilterSerializer, request)
        topics = api_selectors.topic_list(
            banks=banks_visible_to(request.user), bank=filters.get("bank")
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
        topic = api_selectors.topic_list(banks=banks_visible_to(request.user)).get(pk=topic.pk)
        return Response(s.TopicOutSerializer(topic).data)


class QuestionListView(ApiView):
    permissions = {"get": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="questions_list",
        summary="Вопросы (без ключей ответов)",
        parameters=[s.QuestionFilterSerializer],
        responses=responses({200: paged(s.QuestionOutSerializer)}, 400, 404),
        tags=["banks"],
    )
    def get(self, request):
        filters = query(s.QuestionFilterSerializer, request)
        questions = api_selectors.question_list(banks=banks_visible_to(request.user), **filters)
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


# --- quizzes ----------------------------------------------------------------------------------


class QuizListView(ApiView):
    permissions = {"get": permissions.STUDENT, "post": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="quizzes_list",
        summary="Тесты: доступные вызывающему и его собственные",
        parameters=[s.QuizFilterSerializer],
        responses=responses({200: paged(s.QuizOutSerializer)}, 400, 404),
        tags=["quizzes"],
    )
    def get(self, request):
        filters = query(s.QuizFilterSerializer, request)
        quizzes = (
            access.managed_quizzes(request.user)
            if filters["mine"]
            else quizzes_visible_or_managed(request.user)
        )
        if filters.get("is_published") is not None:
            quizzes = quizzes.filter(is_published=filters["is_published"])
        quizzes = quizzes.order_by(filters.get("ordering") or "title", "pk")
        return paginate(request, self, quizzes, s.QuizOutSerializer)

    @extend_schema(
        operation_id="quizzes_create",
        summary="Создать тест (преподаватель)",
        request=s.QuizInSerializer,
        responses=responses({201: s.QuizDetailOutSerializer}, 400),
        tags=["quizzes"],
    )
    def post(self, request):
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
        responses=responses({200: s.QuizDetailOutSerializer, 409: conflict()}, 400, 404),
        tags=["quizzes"],
    )
    def patch(self, request, quiz_id):
        quiz = access.get_quiz_for_manager(request, quiz_id)
        data = body(s.QuizPatchInSerializer, request, instance=quiz, context={"request": request})
        items = data.pop("items", None)
        quiz = quiz_services.quiz_update(
            quiz=quiz, settings=data, items=items, user=request.user
        )
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
        responses=responses({200: paged(s.GradebookRowSerializer)}, 400, 404),
        tags=["results"],
    )
    def get(self, request, quiz_id):
        quiz = access.get_quiz_for_course_manager(request, quiz_id)
        book = gradebook.gradebook(quiz=quiz)
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
            "400 nothing_to_regrade — перепроверять нечего."
        ),
        request=s.RegradeInSerializer,
        responses=responses({202: s.RegradeRunOutSerializer, 409: conflict()}, 400, 404),
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


# --- attempts ---------------------------------------------------------------------------------


def _attempt_detail(attempt: Attempt, context: dict) -> dict:
    items = quiz_selectors.attempt_view(attempt=attempt).items
    reveal = api_selectors.solutions_revealed(attempt)
    return s.AttemptDetailOutSerializer(
        attempt, context={**context, "items": items, "reveal": reveal}
    ).data


class AttemptListView(ApiView):
    permissions = {"get": permissions.STUDENT, "post": permissions.STUDENT}

    @extend_schema(
        operation_id="attempts_list",
        summary="Попытки и их баллы: свои, а преподавателю — попытки его тестов",
        parameters=[s.AttemptFilterSerializer],
        responses=responses({200: paged(s.AttemptOutSerializer)}, 400, 404),
        tags=["attempts", "results"],
    )
    def get(self, request):
        filters = query(s.AttemptFilterSerializer, request)
        attempts = api_selectors.attempt_list(access.visible_attempts(request), filters=filters)
        return paginate(request, self, attempts, s.AttemptOutSerializer)

    @extend_schema(
        operation_id="attempts_create",
        summary="Начать попытку (или получить уже идущую)",
        description="По ключу API можно указать user — студента теста владельца ключа.",
        request=s.AttemptStartInSerializer,
        responses=responses(
            {201: s.AttemptDetailOutSerializer, 200: s.AttemptDetailOutSerializer, 409: conflict()},
            400,
            404,
        ),
        tags=["attempts"],
    )
    def post(self, request):
        data = body(s.AttemptStartInSerializer, request)
        quiz = access.get_quiz_for_user(request, data["quiz"])
        student = access.get_student_for_attempt(request, quiz, data.get("user"))
        started = timezone.now()
        attempt = services.attempt_start(user=student, quiz=quiz)
        created = attempt.started_at >= started
        attempt = access.get_attempt_for_actor(request, attempt.uuid)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(_attempt_detail(attempt, {"request": request}), status=code)


class AttemptDetailView(ApiView):
    permissions = {"get": permissions.STUDENT}

    @extend_schema(
        operation_id="attempts_retrieve",
        summary="Попытка: варианты вопросов и последние ответы (ключи — только после завершения)",
        responses=responses({200: s.AttemptDetailOutSerializer}, 404),
        tags=["attempts"],
    )
    def get(self, request, attempt_uuid):
        attempt = access.get_attempt_for_reader(request, attempt_uuid)
        return Response(_attempt_detail(attempt, {"request": request}))


class AttemptItemView(ApiView):
    permissions = {"get": permissions.STUDENT}

    @extend_schema(
        operation_id="attempts_item_retrieve",
        summary="Один вопрос попытки: отрисованный вариант и последний ответ",
        responses=responses({200: s.AttemptItemOutSerializer}, 404),
        tags=["attempts"],
    )
    def get(self, request, attempt_uuid, position):
        attempt = access.get_attempt_for_reader(request, attempt_uuid)
        view = next(
            (
                v
                for v in quiz_selectors.attempt_view(attempt=attempt).items
                if v.item.position == position
            ),
            None,
        )
        if view is None:
            raise Http404
        reveal = api_selectors.solutions_revealed(attempt)
        return Response(s.AttemptItemOutSerializer(view, context={"reveal": reveal}).data)


class ResponseSubmitView(ApiView):
    permissions = {"post": permissions.STUDENT}

    @extend_schema(
        operation_id="attempts_answer",
        summary="Отправить ответ; проверка идёт в фоне (202 и адрес статуса)",
        description=(
            "С заголовком Idempotency-Key повтор того же запроса возвращает сохранённый ответ "
            "(заголовок Idempotent-Replayed: true) и не создаёт второго ответа; тот же ключ с "
            "другим телом — 409 idempotency_key_reused."
        ),
        parameters=[
            OpenApiParameter(
                HEADER, str, OpenApiParameter.HEADER, required=False, description="1–255 символов"
            )
        ],
        request=s.AnswerInSerializer,
        responses=responses({202: s.SubmitAcceptedSerializer, 409: conflict()}, 400, 404),
        tags=["attempts"],
    )
    def post(self, request, attempt_uuid, position):
        attempt = access.get_attempt_for_actor(request, attempt_uuid)
        item = access.get_attempt_item(attempt, position)
        data = body(s.AnswerInSerializer, request)

        def submit():
            response = services.response_submit(item=item, raw=data["answer"])
            url = reverse("api:response-detail", args=[response.pk])
            return 202, {"id": response.pk, "status": response.status, "status_url": url}

        code, out, replayed = idempotent(
            principal=principal_of(request),
            key=idempotency_key(request),
            print_=fingerprint(request, data),
            call=submit,
        )
        headers = {"Location": out["status_url"]}
        if replayed:
            headers[REPLAYED_HEADER] = "true"
        return Response(out, status=code, headers=headers)


class DraftView(ApiView):
    permissions = {"put": permissions.STUDENT}

    @extend_schema(
        operation_id="attempts_draft",
        summary="Автосохранение набранного ответа (не отправляет его на проверку)",
        description="rev — счётчик клиента; более старый черновик не затирает новый (409).",
        request=s.DraftInSerializer,
        responses=responses({200: s.DraftOutSerializer, 409: conflict()}, 400, 404),
        tags=["attempts"],
    )
    def put(self, request, attempt_uuid, position):
        attempt = access.get_attempt_for_actor(request, attempt_uuid)
        item = access.get_attempt_item(attempt, position)
        data = body(s.DraftInSerializer, request)
        if not services.draft_save(item=item, raw=data["answer"], rev=data["rev"]):
            raise ApiError(code=ErrorCode.STALE_DRAFT, status_code=409)
        item.refresh_from_db(fields=["draft", "draft_rev", "draft_saved_at"])
        return Response(s.DraftOutSerializer(item).data)


class AttemptFinishView(ApiView):
    permissions = {"post": permissions.STUDENT}

    @extend_schema(
        operation_id="attempts_finish",
        summary="Завершить попытку (повтор безопасен)",
        request=None,
        responses=responses({200: s.AttemptOutSerializer}, 404),
        tags=["attempts"],
    )
    def post(self, request, attempt_uuid):
        attempt = access.get_attempt_for_actor(request, attempt_uuid)
        services.attempt_finish(attempt=attempt)
        attempt = access.get_attempt_for_actor(request, attempt_uuid)
        return Response(s.AttemptOutSerializer(attempt).data)


class AttemptResultView(ApiView):
    permissions = {"get": permissions.STUDENT}

    @extend_schema(
        operation_id="attempts_result",
        summary="Результат попытки: балл и ответы (ключи — после завершения, если тест разрешает)",
        responses=responses({200: s.AttemptDetailOutSerializer}, 404),
        tags=["results"],
    )
    def get(self, request, attempt_uuid):
        attempt = access.get_attempt_for_reader(request, attempt_uuid)
        return Response(_attempt_detail(attempt, {"request": request}))


class ResponseDetailView(ApiView):
    permissions = {"get": permissions.STUDENT}

    @extend_schema(
        operation_id="responses_retrieve",
        summary="Статус и результат проверки одного ответа",
        responses=responses({200: s.ResponseOutSerializer}, 404),
        tags=["attempts"],
    )
    def get(self, request, response_id):
        response = access.get_response_for_reader(request, response_id)
        return Response(s.ResponseOutSerializer(response).data)


# --- courses and enrolments ------------------------------------------------------------------


class CourseListView(ApiView):
    permissions = {"get": permissions.STUDENT, "post": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="courses_list",
        summary="Курсы вызывающего: которые он ведёт и на которые записан",
        responses=responses({200: paged(s.CourseOutSerializer)}, 400, 404),
        tags=["courses"],
    )
    def get(self, request):
        found = access.visible_courses(request).order_by("title", "pk")
        return paginate(request, self, found, s.CourseOutSerializer)

    @extend_schema(
        operation_id="courses_create",
        summary="Создать курс (преподаватель)",
        request=s.CourseInSerializer,
        responses=responses({201: s.CourseOutSerializer}, 400),
        tags=["courses"],
    )
    def post(self, request):
        data = body(s.CourseInSerializer, request)
        course = courses.course_create(owner=request.user, **data)
        return Response(s.CourseOutSerializer(course).data, status=status.HTTP_201_CREATED)


class CourseDetailView(ApiView):
    permissions = {"get": permissions.STUDENT}

    @extend_schema(
        operation_id="courses_retrieve",
        summary="Один курс",
        responses=responses({200: s.CourseOutSerializer}, 404),
        tags=["courses"],
    )
    def get(self, request, course_id):
        course = access.get_course_for_user(request, course_id)
        return Response(s.CourseOutSerializer(course).data)


class EnrollmentListView(ApiView):
    permissions = {"get": permissions.INSTRUCTOR, "post": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="courses_enrollments_list",
        summary="Участники курса; поиск по внешнему id LMS",
        parameters=[s.EnrollmentFilterSerializer],
        responses=responses({200: paged(s.EnrollmentOutSerializer)}, 400, 404),
        tags=["courses"],
    )
    def get(self, request, course_id):
        course = access.get_course_for_user(request, course_id, manage=True)
        filters = query(s.EnrollmentFilterSerializer, request)
        members = course_selectors.roster(course)
        if filters.get("external_id"):
            members = members.filter(external_id=filters["external_id"])
        return paginate(request, self, members, s.EnrollmentOutSerializer)

    @extend_schema(
        operation_id="courses_enrollments_upsert",
        summary="Записать студента LMS по его внешнему id (создаёт пользователя; повтор безопасен)",
        request=s.EnrollmentInSerializer,
        responses=responses(
            {201: s.EnrollmentOutSerializer, 200: s.EnrollmentOutSerializer, 409: conflict()},
            400,
            404,
        ),
        tags=["courses"],
    )
    def post(self, request, course_id):
        course = access.get_course_for_user(request, course_id, manage=True)
        data = body(s.EnrollmentInSerializer, request)
        enrollment, created = api_services.enrollment_upsert_external(course=course, **data)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(s.EnrollmentOutSerializer(enrollment).data, status=code)


class EnrollmentDetailView(ApiView):
    permissions = {"delete": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="courses_enrollments_destroy",
        summary="Убрать участника из курса (его попытки остаются)",
        responses=responses({204: None, 409: conflict()}, 404),
        tags=["courses"],
    )
    def delete(self, request, course_id, enrollment_id):
        course = access.get_course_for_user(request, course_id, manage=True)
        enrollment = access.get_enrollment_for_manager(request, course, enrollment_id)
        courses.enrollment_remove(enrollment=enrollment)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- keys and webhooks (managed by a person in the browser) ----------------------------------


class ApiKeyListView(ApiView):
    permissions = {"get": permissions.INSTRUCTOR_SESSION, "post": permissions.INSTRUCTOR_SESSION}

    @extend_schema(
        operation_id="keys_list",
        summary="Мои ключи API (без секретов)",
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
        responses=responses({201: s.ApiKeyCreatedOutSerializer}, 400),
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
        responses=responses({200: paged(s.WebhookDeliveryOutSerializer)}, 400, 404),
        tags=["webhooks"],
    )
    def get(self, request, webhook_id):
        endpoint = access.get_webhook_for_owner(request, webhook_id)
        return paginate(request, self, endpoint.deliveries.all(), s.WebhookDeliveryOutSerializer)
