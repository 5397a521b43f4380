"""Login lockout (django-axes) and password-reset limits (django-ratelimit): the callables the
settings name, and the Russian pages and JSON errors a refused person or program gets.

Two counters of failed logins live in the default cache (Redis in production), each for
``AXES_COOLOFF_TIME`` after its last failure:

- per **username** (normalised: case and surrounding spaces do not make a new name): at
  ``AXES_FAILURE_LIMIT`` failures the account is locked — the right password too is refused
  until the cool-off has passed; a successful login before that resets this counter;
- per **client address**: at ``LOGIN_IP_FAILURE_LIMIT`` failures (a higher bar) every login from
  that address is refused, so trying many usernames from one address does not escape the limit,
  while one attacker on one account behind a university's NAT locks only that account.

axes keeps one count per lockout parameter and compares the largest with one limit;
:func:`failure_limit` gives that limit per request so that each counter meets its own bar.
"""

from __future__ import annotations

import math
import time

from axes.helpers import get_client_ip_address, get_cool_off, make_cache_key_list
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext, ngettext

from quizapp.core.errors import ErrorCode

# When an account or address was locked (for the «try again in N minutes» message): the
# counters' own expiry cannot be read back from a Django cache.
_LOCKED_AT = "nz-login-locked-at:"


def normalise_username(request, credentials) -> str | None:
    """AXES_USERNAME_CALLABLE: «Anna», « anna » and «anna» count as one username."""
    raw = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if raw is None and request is not None and hasattr(request, "POST"):
        raw = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    if raw is None:
        return None
    return str(raw).strip().casefold() or None


def _keys(request, credentials) -> tuple[str | None, str]:
    username = normalise_username(request, credentials)
    ip = get_client_ip_address(request)
    user_key = make_cache_key_list([{"username": username}])[0] if username else None
    return user_key, make_cache_key_list([{"ip_address": ip}])[0]


def failure_limit(request, credentials) -> int:
    """AXES_FAILURE_LIMIT: the bar the largest of the two counters is compared with.

    The account's bar once its own counter has reached it; otherwise the address's bar, which
    is higher, so a username counter below its bar never locks through the address's bar.
    """
    user_limit = settings.LOGIN_USER_FAILURE_LIMIT
    ip_limit = settings.LOGIN_IP_FAILURE_LIMIT
    if not ip_limit:
        return user_limit
    user_key, _ip_key = _keys(request, credentials)
    if user_key is not None and cache.get(user_key, 0) >= user_limit:
        return user_limit
    return ip_limit


def _locked_key(request, credentials) -> str:
    user_key, ip_key = _keys(request, credentials)
    if user_key is not None and cache.get(user_key, 0) >= settings.LOGIN_USER_FAILURE_LIMIT:
        return _LOCKED_AT + user_key
    return _LOCKED_AT + ip_key


def minutes_left(request, credentials) -> int:
    cool_off = get_cool_off(request).total_seconds()
    key = _locked_key(request, credentials)
    locked_at = cache.get(key)
    if locked_at is None:
        cache.add(key, time.time(), timeout=math.ceil(cool_off))
        return max(1, math.ceil(cool_off / 60))
    return max(1, math.ceil((locked_at + cool_off - time.time()) / 60))


def _wants_json(request: HttpRequest) -> bool:
    if request.path.startswith("/api/"):
        return True
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429 with our page in Russian, or the API's error shape."""
    minutes = minutes_left(request, credentials)
    message = ngettext(
        "Слишком много неудачных попыток входа. Вход временно заблокирован: "
        "попробуйте через %(n)d минуту.",
        "Слишком много неудачных попыток входа. Вход временно заблокирован: "
        "попробуйте через %(n)d минут.",
        minutes,
    ) % {"n": minutes}
    if _wants_json(request):
        code = ErrorCode.LOGIN_LOCKED
        body = {
            "error": {
                "code": str(code),
                "message": message,
                "message_en": code.message_en,
                "retry_after": minutes * 60,
            }
        }
        response = JsonResponse(body, status=code.status)
    else:
        response = render(
            request,
            "registration/lockout.html",
            {"message": message, "minutes": minutes},
            status=ErrorCode.LOGIN_LOCKED.status,
        )
    response["Retry-After"] = str(minutes * 60)
    return response


@receiver(user_logged_in, dispatch_uid="nz-login-reset-username-counter")
def _reset_username_counter(sender, request, user, **kwargs):
    """A successful login clears the account's counter, not the address's.

    The address's counter stays (until its cool-off): otherwise an attacker could clear it by
    logging into an account of their own between rounds of guessing other people's passwords.
    """
    if request is None:
        return
    user_key, _ip_key = _keys(request, {settings.AXES_USERNAME_FORM_FIELD: user.get_username()})
    if user_key is not None:
        cache.delete(user_key)
        cache.delete(_LOCKED_AT + user_key)


def password_reset_limited_message() -> str:
    return gettext(
        "Слишком много запросов на сброс пароля. Попробуйте через час "
        "или обратитесь к преподавателю."
    )
