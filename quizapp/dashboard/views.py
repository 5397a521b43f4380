"""The home page: the quizzes a visitor may take and, for a student, their dashboard."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from quizapp.courses.selectors import quizzes_visible_to
from quizapp.dashboard.selectors import dashboard


def home(request):
    board = None
    if request.user.is_authenticated:
        board = dashboard(user=request.user, now=timezone.now())
    return render(
        request,
        "quizapp/home.html",
        {"quizzes": quizzes_visible_to(request.user), "board": board},
    )
