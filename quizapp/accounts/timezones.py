"""Each person's own time zone: "today" of the flashcards and every time shown on pages.

The zone is kept in the student's StudyProfile and copied into the session when they log in (and
when they change it), so the middleware reads no database; a session from before this existed
looks the profile up once. A visitor's zone lives in the session only. Stored times stay UTC.

Where no zone is known yet, the page loads static/js/timezone.js, which sends the browser's zone
(``Intl.DateTimeFormat().resolvedOptions().timeZone``) once to :func:`quizapp.accounts.views.
time_zone_detect`; a zone the person chose on the account page is never replaced by a detected one.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.utils import timezone
from django.utils.translation import gettext_lazy

from quizapp.models import StudyProfile

SESSION_KEY = "time_zone"
# Set once the browser has reported its zone in this session (valid or not): ask only once.
DETECTED_KEY = "time_zone_detected"

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


def grouped_choices() -> list:
    """For a <select>: Russia's zones in their own group first, then every other zone."""
    everything = choices()
    first = len([name for name, _ in RUSSIAN if name in all_zones()])
    return [
        (gettext_lazy("Россия"), everything[:first]),
        (gettext_lazy("Другие часовые пояса"), everything[first:]),
    ]


def label(name: str) -> str:
    return dict(RUSSIAN).get(name, name.replace("_", " "))


def is_valid(name: str) -> bool:
    return name in all_zones()


class UserTimezoneMiddleware:
    """Activate the person's zone for the request (the site's zone while none is known).

    ``request.detect_time_zone`` tells the base template to load the detection script: no zone
    is known and the browser has not been asked in this session yet.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = ""
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None:
            name = session.get(SESSION_KEY)
            if name is None and user is not None and user.is_authenticated:
                name = profile_zone(user)
                session[SESSION_KEY] = name
        valid = bool(name) and is_valid(name)
        if valid:
            timezone.activate(zoneinfo.ZoneInfo(name))
        request.detect_time_zone = (
            session is not None and not valid and not session.get(DETECTED_KEY)
        )
        try:
            return self.get_response(request)
        finally:
            # Activation is per thread: the next request (or a test) must not inherit it.
            timezone.deactivate()


def profile_zone(user) -> str:
    zone = StudyProfile.objects.filter(user=user).values_list("time_zone", flat=True).first()
    return zone or ""


def remember(request, name: str) -> None:
    """After the person chose a zone: the session cache follows; no detection replaces it."""
    request.session[SESSION_KEY] = name
    request.session[DETECTED_KEY] = True
