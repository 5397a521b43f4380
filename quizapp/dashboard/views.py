"""The home page: the quizzes a visitor may take and, for a student, their dashboard.

The dashboard costs a dozen queries (today's cards, mastery by topic, the 14-day forecast, the
quizzes, the attempts); a student opens it after every few answers. Its HTML is cached per
student under the version tokens of what it shows (quizapp.core.versions): an answer, a rating, a
new deck or attempt, a change to quizzes or courses bumps a token, and the next visit renders it
afresh. The local date and time zone are in the key too (the forecast starts "today").
"""

from __future__ import annotations

import hashlib
from functools import cache as cache_for_process

from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from quizapp.core import versions
from quizapp.core.roles import is_admin, is_instructor
from quizapp.courses.selectors import quizzes_visible_to
from quizapp.dashboard.selectors import dashboard, demo_login_offered

# A safety net, not the invalidation: whatever a token missed is shown at most this late.
CACHE_SECONDS = 15 * 60
MAIN_TEMPLATE = "quizapp/_home_main.html"


@cache_for_process
def _layout() -> str:
    """A stamp of the fragment's template: a shared (Redis) cache may still hold pages rendered
    by the previous release's template, and a new release must not serve them."""
    source = get_template(MAIN_TEMPLATE).template.source
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def home(request):
    return render(request, "quizapp/home.html", {"main": _main(request)})


def _main(request) -> str:
    user = request.user
    if not user.is_authenticated:  # not cached: the same page for every visitor, no dashboard
        return _render_main(request, board=None, demo_login=demo_login_offered())
    now = timezone.now()
    study, catalogue = versions.tokens((versions.STUDY, user.pk), (versions.CATALOGUE, None))
    role = "a" if is_admin(user) else "i" if is_instructor(user) else "s"
    zone = timezone.get_current_timezone_name()
    # date_joined: a database restored or rebuilt may give the same id to another person.
    born = int(user.date_joined.timestamp() * 1_000_000)
    key = (
        f"nz:home:{_layout()}:{user.pk}:{born}:{role}:{study}:{catalogue}:{zone}:"
        f"{timezone.localdate(now).isoformat()}:{get_language()}"
    )
    html = cache.get(key)
    if html is None:
        html = _render_main(request, board=dashboard(user=user, now=now))
        cache.set(key, html, CACHE_SECONDS)
    return mark_safe(html)  # our own template's output, escaped when it was rendered


def _render_main(request, *, board, demo_login: bool = False) -> str:
    return render_to_string(
        MAIN_TEMPLATE,
        {"quizzes": quizzes_visible_to(request.user), "board": board, "demo_login": demo_login},
        request=request,
    )
