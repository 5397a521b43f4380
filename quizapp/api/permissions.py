"""Who may call an endpoint. Each view lists its classes explicitly (see ``STUDENT`` & co.);
which *object* the caller may touch is decided by the access helpers in ``access.py``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated

from quizapp.api.authentication import api_key_of
from quizapp.core import roles


class KeyScope(BasePermission):
    """A key without the ``write`` scope can only read."""

    message = _("У ключа API нет права на это действие.")
    code = "key_scope"

    def has_permission(self, request, view):
        key = api_key_of(request)
        if key is None:
            return True
        return key.allows("read" if request.method in SAFE_METHODS else "write")


class IsInstructor(BasePermission):
    message = _("Доступно только преподавателям.")
    code = "instructor_only"

    def has_permission(self, request, view):
        return roles.is_instructor(request.user)


class BrowserSession(BasePermission):
    """Keys and webhooks are managed by a person in the browser, never by another key."""

    message = _("Доступно только из браузера (вход по паролю), не по ключу API.")
    code = "session_only"

    def has_permission(self, request, view):
        return api_key_of(request) is None


# Any signed-in user: a student (own attempts), an instructor, or an integration's key.
STUDENT = [IsAuthenticated, KeyScope]
# Instructors and admins, in the browser or through a key.
INSTRUCTOR = [IsAuthenticated, KeyScope, IsInstructor]
# Instructors in the browser only.
INSTRUCTOR_SESSION = [IsAuthenticated, BrowserSession, IsInstructor]
