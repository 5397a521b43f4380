"""Authentication of the API: an integration's key (``Authorization: Bearer nzk_…``) or the
browser's session (with Django's CSRF check, as DRF's SessionAuthentication does)."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from quizapp.api.keys import api_key_authenticate
from quizapp.core.errors import ErrorCode
from quizapp.models.api import ApiKey


class ApiKeyAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None  # the browser's session, if any
        # A credential that is not a valid key is refused, even beside a session cookie: a
        # request that authenticates itself wrongly must not pass as someone else.
        if header[0].lower() != self.keyword or len(header) != 2:
            raise AuthenticationFailed(
                gettext("Заголовок Authorization: ожидается «Bearer <ключ>»."),
                code=ErrorCode.INVALID_API_KEY,
            )
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            token = ""
        key = api_key_authenticate(token=token)
        if key is None:
            raise AuthenticationFailed(
                gettext("Ключ API неверен или отозван."), code=ErrorCode.INVALID_API_KEY
            )
        return key.owner, key

    def authenticate_header(self, request):
        # Makes an unauthenticated request a 401 (with this header) rather than a 403.
        return 'Bearer realm="api"'


def api_key_of(request) -> ApiKey | None:
    """The key a request was made with; None for the browser's session."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiKey) else None


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "quizapp.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "nzk_<prefix>_<secret>",
            "description": "Ключ интеграции (LMS): выдаёт преподаватель, виден один раз.",
        }
