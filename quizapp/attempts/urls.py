"""Quiz and attempt pages of students, mounted at / by quizapp/urls.py."""

from django.urls import path

from quizapp.attempts import views

urlpatterns = [
    path("quiz/<slug:slug>/", views.quiz_detail, name="quiz"),
    path("quiz/<slug:slug>/start/", views.attempt_start, name="attempt-start"),
    path("attempt/<uuid:attempt_uuid>/", views.attempt_detail, name="attempt"),
    path(
        "attempt/<uuid:attempt_uuid>/item/<int:position>/answer/",
        views.response_submit,
        name="response-submit",
    ),
    path(
        "attempt/<uuid:attempt_uuid>/item/<int:position>/draft/",
        views.draft_save,
        name="draft-save",
    ),
    path(
        "attempt/<uuid:attempt_uuid>/item/<int:position>/preview/",
        views.answer_preview,
        name="answer-preview",
    ),
    path("attempt/<uuid:attempt_uuid>/finish/", views.attempt_finish, name="attempt-finish"),
]
