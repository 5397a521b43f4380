from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from quizapp import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("quiz/<slug:slug>/start/", views.attempt_start, name="attempt-start"),
    path("attempt/<uuid:attempt_uuid>/", views.attempt_detail, name="attempt"),
    path(
        "attempt/<uuid:attempt_uuid>/item/<int:position>/answer/",
        views.response_submit,
        name="response-submit",
    ),
    path("attempt/<uuid:attempt_uuid>/finish/", views.attempt_finish, name="attempt-finish"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
