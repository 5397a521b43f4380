"""The site's URLs: each domain package mounts its own ``urls.py``; URL names are global."""

from django.contrib import admin
from django.urls import include, path

from quizapp import health
from quizapp.dashboard import views as dashboard

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("", include("quizapp.accounts.urls")),
    path("", include("quizapp.attempts.urls")),
    path("", include("quizapp.flashcards.urls")),
    path("", include("quizapp.practice.urls")),
    path("courses/", include("quizapp.courses.urls")),
    path("teach/quizzes/", include("quizapp.quizzes.urls")),
    path("teach/", include("quizapp.gradebook.urls")),
    path("teach/", include("quizapp.api.key_urls")),
    path("banks/", include("quizapp.banks.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("lti/", include("quizapp.lti.urls")),
    path("api/v1/", include("quizapp.api.urls")),
    path("admin/", admin.site.urls),
]
