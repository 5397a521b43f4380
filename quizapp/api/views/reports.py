"""Error reports in questions: a student (or an LMS for them) reports a quiz question; the
question's owner lists and resolves the reports."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from quizapp.api import access, permissions
from quizapp.api import serializers as s
from quizapp.api.pagination import PageQuerySerializer, paged, paginate
from quizapp.api.views.base import ApiView, body, conflict, query, responses
from quizapp.models import QuestionReport
from quizapp.reports import selectors, services
from quizapp.reports.throttling import check_report_rate

_REPORTS = QuestionReport.objects.select_related("version", "attempt_item__attempt")


class AttemptItemReportView(ApiView):
    permissions = {"post": permissions.STUDENT}

    @extend_schema(
        operation_id="attempts_item_report",
        summary="Сообщить об ошибке в вопросе попытки",
        description=(
            "Вариант (версия вопроса и seed) и последний ответ студента сервер берёт из самой "
            "попытки. Пока сообщение об этом варианте открыто, повторное обновляет его (200); "
            "новое — 201. По ключу API сообщение пишется от имени студента попытки. "
            "422 report_not_a_question — это описание, а не вопрос; 429 report_throttled — "
            "слишком много сообщений подряд."
        ),
        request=s.ReportInSerializer,
        responses=responses(
            {201: s.ReportOutSerializer, 200: s.ReportOutSerializer}, 400, 404, 422
        ),
        tags=["reports"],
    )
    def post(self, request, attempt_uuid, position):
        attempt = access.get_attempt_for_actor(request, attempt_uuid)
        item = access.get_attempt_item(attempt, position)
        data = body(s.ReportInSerializer, request)
        check_report_rate(request, user=attempt.user)
        report, created = services.report_for_attempt_item(
            user=attempt.user, attempt_item=item, message=data["message"]
        )
        report = _REPORTS.get(pk=report.pk)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(s.ReportOutSerializer(report).data, status=code)


class ReportListView(ApiView):
    permissions = {"get": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="reports_list",
        summary="Сообщения об ошибках в вопросах ваших банков (администратору — всех)",
        parameters=[s.ReportFilterSerializer, PageQuerySerializer],
        responses=responses({200: paged(s.ReportOutSerializer)}, 400, 404),
        tags=["reports"],
    )
    def get(self, request):
        filters = query(s.ReportFilterSerializer, request)
        reports = _REPORTS.filter(question__in=selectors.questions_owned_by(request.user))
        reports = access.reports_in_key_scope(request, reports)
        if "status" in filters:
            reports = reports.filter(status=filters["status"])
        if "question" in filters:
            reports = reports.filter(question_id=filters["question"])
        reports = reports.order_by("-created_at", "-pk")
        return paginate(request, self, reports, s.ReportOutSerializer)


class ReportResolveView(ApiView):
    permissions = {"post": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="reports_resolve",
        summary="Разобрать сообщение: итог и ответ студенту",
        description=(
            "Если ключ был неверен: опубликуйте исправленный банк и запустите перепроверку "
            "(POST /api/v1/quizzes/{quiz_id}/regrades/), затем отметьте итог key_fixed. "
            "409 report_resolved — сообщение уже разобрано."
        ),
        request=s.ReportResolveInSerializer,
        responses=responses({200: s.ReportOutSerializer, 409: conflict()}, 400, 404),
        tags=["reports"],
    )
    def post(self, request, report_id):
        report = selectors.report_for_owner(request.user, report_id)
        if not access.reports_in_key_scope(request, _REPORTS.filter(pk=report.pk)).exists():
            raise Http404  # a course-limited key: a report outside its courses does not exist
        data = body(s.ReportResolveInSerializer, request)
        services.report_resolve(report=report, by=request.user, **data)
        return Response(s.ReportOutSerializer(_REPORTS.get(pk=report.pk)).data)
