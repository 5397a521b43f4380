"""Each student's own time zone: "today" of the flashcards and the times shown on pages.

The zone is kept in the student's StudyProfile and copied into the session when they log in (and
when they change it), so the middleware reads no database; a session from before this existed
looks the profile up once. Stored times stay UTC.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy

from quizapp.models import StudyProfile

SESSION_KEY = "time_zone"

# Russia's zones first (west to east), then every other zone by name.
RUSSIAN = [
    ("Europe/Kaliningrad", gettext_lazy("Калининград (UTC+2)")),
    ("Europe/Moscow", gettext_lazy("Москва (UTC+3)")),
    ("Europe/Samara", gettext_lazy("Самара (UTC+4)")),
    ("Asia/Yekaterinburg", gettext_lazy("Екатеринбург (UTC+5)")),
    ("Asia/Omsk", gettext_lazy("Омск (UTC+6)")),
    ("Asia/Novosibirsk", gettext_lazy("Новосибирск (UTC+7)")),
    ("Asia/Krasnoyarsk", gettext_lazy("Красноярск (UTC+7)")),
    ("Asia/Irkutsk", gettext_lazy("Иркутск (UTC+8)")),
    ("Asia/Yakutsk", gettext_lazy("Якутск (UTC+9)")),
    ("Asia/Vladivostok", gettext_lazy("Владивосток (UTC+10)")),
    ("Asia/Magadan", gettext_lazy("Магадан (UTC+11)")),
    ("Asia/Kamchatka", gettext_lazy("Камчатка (UTC+12)")),
]


@cache
def all_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def choices() -> list[tuple[str, str]]:
    first = [(name, label) for name, label in RUSSIAN if name in all_zones()]
    seen = {name for name, _ in first}
    rest = sorted(z for z in all_zones() if z not in seen and "/" in z and not z.startswith("Etc"))
    return first + [(z, z.replace("_", " ")) for z in rest]


def label(name: str) -> str:
    return dict(RUSSIAN).get(name, name.replace("_", " "))


def is_valid(name: str) -> bool:
    return name in all_zones()


class UserTimezoneMiddleware:
    """Activate the logged-in student's zone for the request (the site's zone otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = ""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            name = request.session.get(SESSION_KEY)
            if name is None:
                name = _profile_zone(user)
                request.session[SESSION_KEY] = name
        if name and is_valid(name):
            timezone.activate(zoneinfo.ZoneInfo(name))
        try:
            return self.get_response(request)
        finally:
            # Activation is per thread: the next request (or a test) must not inherit it.
            timezone.deactivate()


def _profile_zone(user) -> str:
    zone = StudyProfile.objects.filter(user=user).values_list("time_zone", flat=True).first()
    return zone or ""


@receiver(user_logged_in, dispatch_uid="time_zone_on_login")
def _copy_on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = _profile_zone(user)


def remember(request, name: str) -> None:
    """After the student changes the zone: the session cache follows."""
    request.session[SESSION_KEY] = name
