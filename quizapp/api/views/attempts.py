"""Attempts: start, answer, save drafts, finish, read results."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from quizapp.api import access, permissions
from quizapp.api import selectors as api_selectors
from quizapp.api import serializers as s
from quizapp.api.errors import ApiError
from quizapp.api.idempotency import (
    HEADER,
    KEY_PATTERN,
    REPLAYED_HEADER,
    fingerprint,
    idempotency_key,
    idempotent,
    principal_of,
)
from quizapp.api.pagination import PageQuerySerializer, paged, paginate
from quizapp.api.views.base import ApiView, body, conflict, query, responses
from quizapp.attempts import selectors as quiz_selectors
from quizapp.attempts import services
from quizapp.core.errors import ErrorCode
from quizapp.gradebook import manual
from quizapp.models import Attempt


def _attempt_detail(attempt: Attempt, context: dict) -> dict:
    visible = api_selectors.attempt_reveal(attempt, user=context["request"].user)
    items = quiz_selectors.attempt_view(attempt=attempt, visible=visible).items
    return s.AttemptDetailOutSerializer(
        attempt, context={**context, "items": items, "visible": visible}
    ).data


class AttemptListView(ApiView):
    permissions = {"get": permissions.STUDENT, "post": permissions.STUDENT}

    @extend_schema(
        operation_id="attempts_list",
        summary="Попытки и их баллы: свои, а преподавателю — попытки его тестов",
        parameters=[s.AttemptFilterSerializer, PageQuerySerializer],
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
        description="По ключу API можно указать user — студента теста владельца ключа; "
        "студенту, не записанному на курс теста, — 422 not_enrolled.",
        request=s.AttemptStartInSerializer,
        responses=responses(
            {201: s.AttemptDetailOutSerializer, 200: s.AttemptDetailOutSerializer, 409: conflict()},
            400,
            404,
            422,
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
        visible = api_selectors.attempt_reveal(attempt, user=request.user)
        views = quiz_selectors.attempt_view(attempt=attempt, visible=visible).items
        view = next((v for v in views if v.item.position == position), None)
        if view is None:
            raise Http404
        return Response(s.AttemptItemOutSerializer(view, context={"visible": visible}).data)


class ResponseSubmitView(ApiView):
    permissions = {"post": permissions.STUDENT}

    @extend_schema(
        operation_id="attempts_answer",
        summary="Отправить ответ; проверка идёт в фоне (202 и адрес статуса)",
        description=(
            "Вопрос попытки можно ответить снова (засчитывается последний ответ), поэтому два "
            "запроса без ключа — два ответа, и каждый проверяется. Так при answer_policy=last; "
            "при tries каждый ответ — попытка (до max_tries, за каждую после первой штраф "
            "penalty; после верного ответа — 409 item_solved, после последней попытки — 409 "
            "no_tries_left), при once первый ответ окончательный (второй — 409 answer_final); "
            "нераспознанный ответ попыткой не считается, его можно отправить снова. "
            "Чтобы повтор после обрыва был безопасен, пошлите ключ одним из двух способов. "
            "С заголовком Idempotency-Key "
            "повтор того же запроса возвращает сохранённый ответ (заголовок "
            "Idempotent-Replayed: true) и не создаёт второго ответа; тот же ключ с другим "
            "телом — 409 idempotency_key_reused. С полем submit_token (UUID) повтор с тем же "
            "токеном возвращает уже сохранённый ответ на этот вопрос с его текущим статусом "
            "(200, Idempotent-Replayed: true); тот же токен с другим ответом — 409 "
            "submit_token_reused."
        ),
        parameters=[
            OpenApiParameter(
                HEADER,
                {"type": "string", "minLength": 1, "maxLength": 255, "pattern": KEY_PATTERN},
                OpenApiParameter.HEADER,
                required=False,
                description="1–255 видимых символов ASCII (пробелы — только внутри), например UUID",
            )
        ],
        request=s.AnswerInSerializer,
        responses=responses(
            {202: s.SubmitAcceptedSerializer, 200: s.SubmitAcceptedSerializer, 409: conflict()},
            400,
            404,
        ),
        tags=["attempts"],
    )
    def post(self, request, attempt_uuid, position):
        attempt = access.get_attempt_for_actor(request, attempt_uuid)
        item = access.get_attempt_item(attempt, position)
        data = body(s.AnswerInSerializer, request)

        def submit():
            response = services.response_submit(
                item=item, raw=data["answer"], client_token=data.get("submit_token")
            )
            url = reverse("api:response-detail", args=[response.pk])
            code = 200 if response.replayed else 202
            return code, {"id": response.pk, "status": response.status, "status_url": url}

        code, out, replayed = idempotent(
            principal=principal_of(request),
            key=idempotency_key(request),
            print_=fingerprint(request, data),
            call=submit,
        )
        headers = {"Location": out["status_url"]}
        if replayed or code == 200:
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
        return Response(s.AttemptOutSerializer(attempt, context={"request": request}).data)


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
        return Response(s.ResponseOutSerializer(response, context={"request": request}).data)


class EssayWaitingListView(ApiView):
    permissions = {"get": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="quizzes_essays_waiting",
        summary="Эссе теста, ждущие ручной проверки",
        description=(
            "Новейшие ответы на эссе в завершённых попытках, ещё не оцененные: сначала самые "
            "давние попытки. У каждого — вопрос, как его видел студент, баллы вопроса в тесте "
            "и критерии оценки вопроса (их id передаются в responses/{id}/grade/). "
            "Читает автор теста или администратор: 403 quiz_owner_only."
        ),
        parameters=[PageQuerySerializer],
        responses=responses({200: paged(s.WaitingEssayOutSerializer)}, 400, 404),
        tags=["results"],
    )
    def get(self, request, quiz_id):
        quiz = access.get_quiz_for_course_manager(request, quiz_id)
        # A course-limited key: its courses' students only, as grading them is (404 otherwise).
        attempts = access.attempts_in_key_scope(request, Attempt.objects.filter(quiz=quiz))
        rows = manual.waiting_essays(quiz=quiz, attempts=attempts)
        return paginate(request, self, rows, s.WaitingEssayOutSerializer)


class ResponseGradeView(ApiView):
    permissions = {"post": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="responses_grade",
        summary="Оценить ответ на эссе вручную",
        description=(
            "Эссе проверяет преподаватель: ответ ждёт со статусом manual. Оценка (баллы от 0 до "
            "баллов вопроса и комментарий) делает ответ graded и пересчитывает балл попытки; "
            "повторная оценка заменяет прежнюю. criteria — id критериев оценки вопроса "
            "(quizzes/{id}/essays/waiting/): без points баллы — их сумма, не меньше 0 и не "
            "больше баллов вопроса; их тексты идут студенту перед комментарием и сохраняются "
            "в оценке как есть. Когда оценено последнее эссе попытки, уходят "
            "вебхук attempt.graded и оценка в LMS (FullyGraded). Оценивает автор теста или "
            "администратор: 403 quiz_owner_only; 422 not_an_essay — не эссе или попытка не "
            "завершена; 422 points_out_of_range — баллов больше, чем у вопроса; "
            "422 points_required — нет ни баллов, ни критериев; 422 rubric_criterion_unknown — "
            "критерий не этого вопроса."
        ),
        request=s.ManualGradeInSerializer,
        responses=responses({200: s.ResponseOutSerializer}, 400, 404, 422),
        tags=["results"],
    )
    def post(self, request, response_id):
        response = access.get_response_for_reader(request, response_id)
        data = body(s.ManualGradeInSerializer, request)
        manual.manual_grade_save(
            response=response,
            points=data.get("points"),
            comment=data["comment"],
            criteria=data["criteria"],
            by=request.user,
        )
        response.refresh_from_db()
        return Response(s.ResponseOutSerializer(response, context={"request": request}).data)
