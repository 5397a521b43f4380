"""Validating an LTI message: django-lti/pylti1p3 do the checks, this module names the failures.

pylti1p3 checks the OIDC state, the JWT, the nonce, the issuer/client id, the signature against
the platform's JWKS and the deployment, and raises ``LtiException`` with an English reason. Each
reason becomes an :class:`~quizapp.lti.errors.LtiError` with a code and a Russian message, so a
bad launch is a 4xx page, never a 500.

pylti1p3 only checks that a nonce was issued by our login step; it does not spend it, so the same
id_token could be posted again while the nonce lives. :class:`ToolMessageLaunch` spends it.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.translation import gettext
from lti_tool.models import Key, LtiLaunch
from lti_tool.utils import DjangoToolConfig
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.exception import LtiException, OIDCException

from quizapp.core.errors import ErrorCode
from quizapp.lti.errors import LtiError

logger = logging.getLogger(__name__)

# A nonce is remembered as spent for as long as pylti1p3 keeps launch data (a day).
NONCE_TTL_SECONDS = 24 * 3600
SESSION_LAUNCH_ID = "lti_launch_id"


def cache_name() -> str:
    """The cache holding OIDC nonces and launch data; must be shared by every web process."""
    return "lti" if "lti" in settings.CACHES else "default"


def _storage() -> DjangoCacheDataStorage:
    return DjangoCacheDataStorage(cache_name=cache_name())


class ToolMessageLaunch(DjangoMessageLaunch):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # PyJWT checks exp/iat only when present; LTI 1.3 §5.1.2 requires both, and a token
        # without exp would stay valid for ever.
        self.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})

    def validate_registration(self):
        # pylti1p3 takes the first audience as the client id and ignores azp: a token issued to
        # another tool (azp) that also lists us, or several audiences without azp, is not ours.
        super().validate_registration()
        body = self._get_jwt_body()
        client_id = self._registration.get_client_id()
        aud = body.get("aud")
        several = isinstance(aud, list) and len(aud) > 1
        if (several or "azp" in body) and body.get("azp") != client_id:
            raise LtiException("Client id not registered for this issuer (azp)")
        return self

    def validate_nonce(self):
        super().validate_nonce()
        body = self._get_jwt_body()
        digest = hashlib.sha256(f"{body.get('iss')}\n{body.get('nonce')}".encode()).hexdigest()
        # cache.add is atomic (locmem lock, Redis SET NX): of two posts of one id_token, one wins.
        if not caches[cache_name()].add(f"lti-nonce-spent:{digest}", 1, NONCE_TTL_SECONDS):
            raise LtiException("Nonce already used")
        return self


# Substrings of pylti1p3's reasons → (code, HTTP status). First match wins.
_REASONS = [
    ("registration details", ErrorCode.UNKNOWN_PLATFORM, 403),
    ("could not find", ErrorCode.MISSING_PARAMS, 400),
    ("state", ErrorCode.BAD_STATE, 400),
    ("nonce", ErrorCode.BAD_NONCE, 400),
    ("registration not found", ErrorCode.UNKNOWN_PLATFORM, 403),
    ("client id not registered", ErrorCode.UNKNOWN_PLATFORM, 403),
    ("unable to find deployment", ErrorCode.UNKNOWN_PLATFORM, 403),
    ("error during fetch url", ErrorCode.PLATFORM_UNREACHABLE, 502),
    ("invalid response from", ErrorCode.PLATFORM_UNREACHABLE, 502),
    ("can't decode id_token", ErrorCode.BAD_SIGNATURE, 403),
    ("public key", ErrorCode.BAD_SIGNATURE, 403),
    ("kid", ErrorCode.BAD_SIGNATURE, 403),
    ("alg", ErrorCode.BAD_SIGNATURE, 403),
    ("id_token", ErrorCode.BAD_TOKEN, 400),
    ("jwt", ErrorCode.BAD_TOKEN, 400),
]


def error_from(exc: Exception) -> LtiError:
    if isinstance(exc, Key.DoesNotExist):
        return LtiError(ErrorCode.NO_KEYS, status=503)
    reason = str(exc)
    lowered = reason.lower()
    code, status = next(
        ((c, s) for needle, c, s in _REASONS if needle in lowered), (ErrorCode.BAD_MESSAGE, 400)
    )
    logger.info("LTI message refused (%s): %s", code, reason)
    return LtiError(code, status=status, detail=reason)


def launch_validate(request) -> LtiLaunch:
    """The validated launch posted to the tool, or :class:`LtiError`."""
    message_launch = ToolMessageLaunch(request, DjangoToolConfig(), launch_data_storage=_storage())
    try:
        message_launch.validate()
    except (LtiException, Key.DoesNotExist) as exc:
        raise error_from(exc) from None
    except (KeyError, TypeError, ValueError) as exc:
        # A syntactically valid JWT whose claims have the wrong shape.
        raise LtiError(ErrorCode.BAD_MESSAGE, detail=repr(exc)) from None
    return LtiLaunch(message_launch)


def launch_restore(request) -> LtiLaunch:
    """The launch this browser session came from (deep linking picks a quiz after the launch)."""
    launch_id = request.session.get(SESSION_LAUNCH_ID)
    if not launch_id:
        raise LtiError(ErrorCode.LAUNCH_EXPIRED, status=400)
    try:
        message_launch = ToolMessageLaunch.from_cache(
            launch_id, request, DjangoToolConfig(), launch_data_storage=_storage()
        )
    except (LtiException, Key.DoesNotExist):
        raise LtiError(ErrorCode.LAUNCH_EXPIRED, status=400) from None
    return LtiLaunch(message_launch)


class _OIDCLogin(DjangoOIDCLogin):
    """pylti1p3's login, with our page for the check that the LMS's frame keeps cookies.

    pylti1p3's page has an inline script and inline styles, which the CSP of every page refuses;
    ours (templates/lti/cookie_check.html) runs the same check from static/js/lti-cookie-check.js
    and reads the launch parameters from a JSON data block.
    """

    _PARAMS = (
        "iss",
        "login_hint",
        "target_link_uri",
        "lti_message_hint",
        "lti_deployment_id",
        "client_id",
    )

    def get_cookies_allowed_js_check(self) -> str:
        params = {"lti1p3_new_window": "1"}
        for name in (*self._PARAMS, *self.get_additional_login_params()):
            value = self._get_request_param(name)
            if value:
                params[name] = value
        context = {
            "params": params,
            "secure": self._request.is_secure(),
            "main_text": self._cookies_unavailable_msg_main_text,
            "click_text": self._cookies_unavailable_msg_click_text,
            "loading_text": self._cookies_check_loading_text,
        }
        return render_to_string("lti/cookie_check.html", context, request=self._request)


def oidc_login_redirect(request, *, registration_uuid=None, params):
    """Answer the platform's login initiation: a redirect to its auth endpoint with state/nonce."""
    target_link_uri = params.get("target_link_uri")
    if not target_link_uri or not params.get("iss") or not params.get("login_hint"):
        raise LtiError(ErrorCode.MISSING_PARAMS)
    oidc_login = _OIDCLogin(
        request, DjangoToolConfig(registration_uuid), launch_data_storage=_storage()
    )
    oidc_login.enable_check_cookies(
        main_msg=gettext(
            "Браузер не даёт встроенному заданию сохранять cookie. "
            "Откройте задание в новой вкладке."
        ),
        click_msg=gettext("Открыть в новой вкладке"),
        loading_msg=gettext("Загрузка…"),
    )
    try:
        return oidc_login.redirect(target_link_uri)
    except (LtiException, OIDCException, Key.DoesNotExist) as exc:
        raise error_from(exc) from None
