"""The site's URLs: each domain package mounts its own ``urls.py``; URL names are global."""

from django.contrib import admin
from django.urls import include, path
from django.views import defaults

from quizapp import health
from quizapp.api.views.fallback import server_error as api_server_error
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
    path("teach/tickets/", include("quizapp.tickets.urls")),
    path("teach/", include("quizapp.api.key_urls")),
    path("banks/", include("quizapp.banks.urls")),
    path("reports/", include("quizapp.reports.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("lti/", include("quizapp.lti.urls")),
    path("api/v1/", include("quizapp.api.urls")),
    path("admin/", admin.site.urls),
]


def server_error(request):
    """A failure inside /api/ answers JSON in the API's error shape, as every other API error."""
    if request.path.startswith("/api/"):
        return api_server_error(request)
    return defaults.server_error(request)


handler500 = server_error
