"""«Интеграции»: the instructor's API key pages, mounted at /teach/ by quizapp/urls.py."""

from django.urls import path

from quizapp.api import key_views

urlpatterns = [
    path("integrations/", key_views.key_list, name="api-keys"),
    path("integrations/new/", key_views.key_create, name="api-key-create"),
    path("integrations/<int:key_id>/revoke/", key_views.key_revoke, name="api-key-revoke"),
]
