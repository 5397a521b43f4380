"""Flashcard pages, mounted at / by quizapp/urls.py."""

from django.urls import path

from quizapp.flashcards import views

urlpatterns = [
    path("cards/", views.flashcard_queue, name="flashcards"),
    path("cards/undo/", views.flashcard_undo, name="flashcard-undo"),
    path("cards/decks/", views.deck_list, name="flashcard-decks"),
    path("cards/decks/add/", views.deck_add, name="flashcard-deck-add"),
    path("cards/decks/remove/", views.deck_remove, name="flashcard-deck-remove"),
    path("cards/settings/", views.study_settings, name="flashcard-settings"),
    path("cards/stats/", views.flashcard_statistics, name="flashcard-stats"),
    path(
        "cards/<int:question_id>/reveal/",
        views.flashcard_reveal,
        name="flashcard-reveal",
    ),
    path(
        "cards/<int:question_id>/answer/",
        views.flashcard_answer,
        name="flashcard-answer",
    ),
    path("cards/<int:question_id>/rate/", views.flashcard_rate, name="flashcard-rate"),
    path(
        "cards/<int:question_id>/suspend/",
        views.flashcard_suspend,
        name="flashcard-suspend",
    ),
    path(
        "cards/<int:question_id>/unsuspend/",
        views.flashcard_unsuspend,
        name="flashcard-unsuspend",
    ),
    path("cards/<int:question_id>/bury/", views.flashcard_bury, name="flashcard-bury"),
]
