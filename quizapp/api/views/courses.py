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
from quizapp.courses import accommodations
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


def _accommodation_values(course, data: dict, current=None) -> dict:
    """The service's arguments from a body (a PATCH keeps what it does not send)."""

    def value(name, default):
        if name in data:
            return data[name]
        return getattr(current, name) if current is not None else default

    quiz_id = data["quiz"] if "quiz" in data else (current.quiz_id if current else None)
    students = (
        data["students"]
        if "students" in data
        else list(current.students.values_list("pk", flat=True))
    )
    return {
        "label": value("label", ""),
        "student_ids": students,
        "quiz": access.get_course_quiz(course, quiz_id) if quiz_id else None,
        "time_factor": value("time_factor", 1),
        "extra_minutes": value("extra_minutes", 0),
        "closes_at": value("closes_at", None),
        "extra_attempts": value("extra_attempts", 0),
    }


class AccommodationListView(ApiView):
    permissions = {"get": permissions.INSTRUCTOR, "post": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="courses_accommodations_list",
        summary="Особые условия студентов курса: время, продление, попытки",
        parameters=[PageQuerySerializer],
        responses=responses({200: paged(s.AccommodationOutSerializer)}, 400, 404),
        tags=["courses"],
    )
    def get(self, request, course_id):
        course = access.get_course_for_user(request, course_id, manage=True)
        found = course.accommodations.prefetch_related("students").order_by("label", "pk")
        return paginate(request, self, found, s.AccommodationOutSerializer)

    @extend_schema(
        operation_id="courses_accommodations_create",
        summary="Назначить особые условия студентам курса",
        description=(
            "Время ×time_factor плюс extra_minutes, продление до closes_at, дополнительные "
            "попытки — для одного теста курса (quiz) или всех. Идущие попытки этих студентов "
            "получают новый срок сразу. 422 с полем: not_course_student — студент не из "
            "курса, quiz_not_in_course — тест не курса, extension_too_early — продление не "
            "позже закрытия теста, accommodation_changes_nothing — ничего не меняется."
        ),
        request=s.AccommodationInSerializer,
        responses=responses({201: s.AccommodationOutSerializer, 409: conflict()}, 400, 404, 422),
        tags=["courses"],
    )
    def post(self, request, course_id):
        course = access.get_course_for_user(request, course_id, manage=True)
        data = body(s.AccommodationInSerializer, request)
        granted = accommodations.accommodation_save(
            course=course, by=request.user, **_accommodation_values(course, data)
        )
        return Response(s.AccommodationOutSerializer(granted).data, status=status.HTTP_201_CREATED)


class AccommodationDetailView(ApiView):
    permissions = {
        "get": permissions.INSTRUCTOR,
        "patch": permissions.INSTRUCTOR,
        "delete": permissions.INSTRUCTOR,
    }

    @extend_schema(
        operation_id="courses_accommodations_retrieve",
        summary="Одни особые условия",
        responses=responses({200: s.AccommodationOutSerializer}, 404),
        tags=["courses"],
    )
    def get(self, request, course_id, accommodation_id):
        course = access.get_course_for_user(request, course_id, manage=True)
        found = access.get_accommodation(course, accommodation_id)
        return Response(s.AccommodationOutSerializer(found).data)

    @extend_schema(
        operation_id="courses_accommodations_update",
        summary="Изменить особые условия (присланные поля заменяют прежние)",
        request=s.AccommodationPatchInSerializer,
        responses=responses({200: s.AccommodationOutSerializer, 409: conflict()}, 400, 404, 422),
        tags=["courses"],
    )
    def patch(self, request, course_id, accommodation_id):
        course = access.get_course_for_user(request, course_id, manage=True)
        found = access.get_accommodation(course, accommodation_id)
        data = body(s.AccommodationPatchInSerializer, request)
        changed = accommodations.accommodation_save(
            course=course,
            by=request.user,
            accommodation=found,
            **_accommodation_values(course, data, found),
        )
        return Response(s.AccommodationOutSerializer(changed).data)

    @extend_schema(
        operation_id="courses_accommodations_destroy",
        summary="Отменить особые условия (идущие попытки получают обычный срок)",
        responses=responses({204: None}, 404),
        tags=["courses"],
    )
    def delete(self, request, course_id, accommodation_id):
        course = access.get_course_for_user(request, course_id, manage=True)
        accommodations.accommodation_delete(
            accommodation=access.get_accommodation(course, accommodation_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseQuizDatesView(ApiView):
    permissions = {"put": permissions.INSTRUCTOR}

    @extend_schema(
        operation_id="courses_quiz_dates_update",
        summary="Даты теста для этого курса (null — даты самого теста)",
        request=s.CourseQuizDatesSerializer,
        responses=responses({200: s.CourseQuizDatesOutSerializer, 409: conflict()}, 400, 404, 422),
        tags=["courses"],
    )
    def put(self, request, course_id, quiz_id):
        course = access.get_course_for_user(request, course_id, manage=True)
        link = access.get_course_quiz_link(course, quiz_id)
        data = body(s.CourseQuizDatesSerializer, request)
        link = accommodations.course_quiz_dates_set(course_quiz=link, **data)
        return Response(s.CourseQuizDatesOutSerializer(link).data)
