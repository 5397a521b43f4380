"""Courses and enrolments, by id or by an LMS's external id."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from quizapp.api import access, permissions
from quizapp.api import serializers as s
from quizapp.api import services as api_services
from quizapp.api.pagination import PageQuerySerializer, paged, paginate
from quizapp.api.views.base import ApiView, body, conflict, query, responses
from quizapp.courses import selectors as course_selectors
from quizapp.courses import services as courses


class CourseListView(ApiView):
    permissions = {"get": permissions.STUDENT, "post": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="courses_list",
        summary="Курсы вызывающего: которые он ведёт и на которые записан",
        parameters=[PageQuerySerializer],
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
        responses=responses({201: s.CourseOutSerializer}, 400, 409),
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
        parameters=[s.EnrollmentFilterSerializer, PageQuerySerializer],
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
