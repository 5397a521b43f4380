from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from quizapp.accounts import views as accounts
from quizapp.attempts import views
from quizapp.flashcards import views as flashcard_views
from quizapp.practice import views as practice_views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", accounts.register, name="register"),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
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
    path("cards/", flashcard_views.flashcard_queue, name="flashcards"),
    path("cards/undo/", flashcard_views.flashcard_undo, name="flashcard-undo"),
    path("cards/decks/", flashcard_views.deck_list, name="flashcard-decks"),
    path("cards/decks/add/", flashcard_views.deck_add, name="flashcard-deck-add"),
    path("cards/decks/remove/", flashcard_views.deck_remove, name="flashcard-deck-remove"),
    path("cards/settings/", flashcard_views.study_settings, name="flashcard-settings"),
    path(
        "cards/<int:question_id>/reveal/",
        flashcard_views.flashcard_reveal,
        name="flashcard-reveal",
    ),
    path(
        "cards/<int:question_id>/answer/",
        flashcard_views.flashcard_answer,
        name="flashcard-answer",
    ),
    path("cards/<int:question_id>/rate/", flashcard_views.flashcard_rate, name="flashcard-rate"),
    path(
        "cards/<int:question_id>/suspend/",
        flashcard_views.flashcard_suspend,
        name="flashcard-suspend",
    ),
    path(
        "cards/<int:question_id>/unsuspend/",
        flashcard_views.flashcard_unsuspend,
        name="flashcard-unsuspend",
    ),
    path("cards/<int:question_id>/bury/", flashcard_views.flashcard_bury, name="flashcard-bury"),
    path("practice/", practice_views.practice_index, name="practice"),
    path("practice/topic/<int:topic_id>/", practice_views.practice_topic, name="practice-topic"),
    path(
        "practice/topic/<int:topic_id>/answer/",
        practice_views.practice_answer,
        name="practice-answer",
    ),
    path("practice/topic/<int:topic_id>/next/", practice_views.practice_next, name="practice-next"),
    path(
        "practice/topic/<int:topic_id>/preview/",
        practice_views.practice_preview,
        name="practice-preview",
    ),
    path("courses/", include("quizapp.courses.urls")),
    path("teach/quizzes/", include("quizapp.quizzes.urls")),
    path("teach/", include("quizapp.gradebook.urls")),
    path("banks/", include("question_bank.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("lti/", include("quizapp.lti.urls")),
    path("api/v1/", include("quizapp.api.urls")),
    path("admin/", admin.site.urls),
]
