"""Printed exam tickets, mounted at /teach/tickets/ by quizapp/urls.py."""

from django.urls import path

from quizapp.tickets import views

urlpatterns = [
    path("<int:quiz_id>/", views.tickets_form, name="tickets"),
    path("<int:quiz_id>/<str:what>.pdf", views.tickets_download, name="tickets-download"),
    path("<int:quiz_id>/k/<str:token>/", views.ticket_key, name="ticket-key"),
]
