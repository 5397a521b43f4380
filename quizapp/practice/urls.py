"""Practice pages, mounted at / by quizapp/urls.py."""

from django.urls import path

from quizapp.practice import views

urlpatterns = [
    path("practice/", views.practice_index, name="practice"),
    path("practice/pick/", views.practice_adaptive, name="practice-adaptive"),
    path("practice/topic/<int:topic_id>/", views.practice_topic, name="practice-topic"),
    path(
        "practice/topic/<int:topic_id>/answer/",
        views.practice_answer,
        name="practice-answer",
    ),
    path("practice/topic/<int:topic_id>/next/", views.practice_next, name="practice-next"),
    path(
        "practice/topic/<int:topic_id>/preview/",
        views.practice_preview,
        name="practice-preview",
    ),
]
