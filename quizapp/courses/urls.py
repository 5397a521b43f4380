"""Course pages, mounted at /courses/ by quizapp/urls.py."""

from django.urls import path

from quizapp.courses import views

urlpatterns = [
    path("", views.course_list, name="courses"),
    path("new/", views.course_create, name="course-create"),
    path("join/", views.course_join, name="course-join"),
    path("join/<str:code>/", views.course_join_link, name="course-join-link"),
    path("<int:course_id>/", views.course_detail, name="course"),
    path("<int:course_id>/edit/", views.course_edit, name="course-edit"),
    path("<int:course_id>/leave/", views.course_leave, name="course-leave"),
    path("<int:course_id>/code/", views.join_code_regenerate, name="course-code-regenerate"),
    path(
        "<int:course_id>/members/<int:enrollment_id>/remove/",
        views.enrollment_remove,
        name="course-member-remove",
    ),
    path(
        "<int:course_id>/accommodations/",
        views.course_accommodations,
        name="course-accommodations",
    ),
    path(
        "<int:course_id>/accommodations/<int:accommodation_id>/",
        views.accommodation_edit,
        name="course-accommodation-edit",
    ),
    path(
        "<int:course_id>/accommodations/<int:accommodation_id>/delete/",
        views.accommodation_delete,
        name="course-accommodation-delete",
    ),
    path(
        "<int:course_id>/quizzes/<int:quiz_id>/dates/",
        views.course_quiz_dates,
        name="course-quiz-dates",
    ),
    path("<int:course_id>/quizzes/assign/", views.course_quiz_assign, name="course-quiz-assign"),
    path(
        "<int:course_id>/quizzes/<int:quiz_id>/unassign/",
        views.course_quiz_unassign,
        name="course-quiz-unassign",
    ),
]
