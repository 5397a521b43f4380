"""«Интеграции»: an instructor's API keys for LMS servers, in the browser.

A new key's token is shown once, right after it is made (kept in the session for that one page
view only); afterwards only its prefix is known, and revoking is final.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quizapp.api.keys import api_key_create, api_key_revoke
from quizapp.core.errors import ServiceError
from quizapp.core.roles import instructor_required
from quizapp.models.api import ApiKey
from quizapp.models.courses import Course

NEW_TOKEN = "api-key:new-token"


@instructor_required
def key_list(request):
    keys = ApiKey.objects.filter(owner=request.user).prefetch_related("courses").order_by("-id")
    context = {
        "keys": keys,
        "courses": Course.objects.filter(owner=request.user).order_by("title"),
        "new_token": request.session.pop(NEW_TOKEN, None),
        "scopes": ApiKey.Scope.choices,
    }
    return render(request, "instructor/api_keys.html", context)


@instructor_required
@require_POST
def key_create(request):
    name = request.POST.get("name", "").strip()[:100]
    courses = list(
        Course.objects.filter(owner=request.user, pk__in=request.POST.getlist("courses"))
    )
    if not name:
        messages.error(request, _("Назовите ключ: например, «Moodle факультета»."))
        return redirect("api-keys")
    try:
        _key, token = api_key_create(
            owner=request.user,
            name=name,
            scopes=request.POST.getlist("scopes") or [ApiKey.Scope.READ],
            courses=courses,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        request.session[NEW_TOKEN] = token
    return redirect("api-keys")


@instructor_required
@require_POST
def key_revoke(request, key_id):
    key = get_object_or_404(ApiKey, pk=key_id, owner=request.user)
    api_key_revoke(key=key)
    messages.success(
        request,
        _("Ключ «%(name)s» отозван: запросы с ним больше не принимаются.") % {"name": key.name},
    )
    return redirect("api-keys")
