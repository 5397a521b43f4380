"""Liveness for load balancers and docker-compose."""

from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """The database answers: the app can serve."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
