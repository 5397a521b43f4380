"""Error report pages, mounted at /reports/ by quizapp/urls.py."""

from django.urls import path

from quizapp.reports import views

urlpatterns = [
    path("", views.report_index, name="reports"),
    path("mine/", views.my_reports, name="reports-mine"),
    path("question/<int:question_id>/", views.question_queue, name="reports-question"),
    path("<int:report_id>/resolve/", views.report_resolve, name="report-resolve"),
    path(
        "quiz/<uuid:attempt_uuid>/<int:position>/",
        views.report_quiz_item,
        name="report-quiz-item",
    ),
    path("practice/<int:topic_id>/", views.report_practice, name="report-practice"),
    path("card/<int:question_id>/", views.report_flashcard, name="report-flashcard"),
]
