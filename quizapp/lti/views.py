"""LTI endpoints: JWKS, OIDC login, launch, quiz pickers, the score log. Thin: services do it."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.csp import CSP, build_policy
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from lti_tool.models import LtiMembership, LtiResourceLink
from lti_tool.views import jwks  # noqa: F401  (served as is: the active keys as a JWKS)

from quizapp.core.errors import ErrorCode
from quizapp.core.roles import instructor_required, is_instructor
from quizapp.lti import services
from quizapp.lti.errors import LtiError
from quizapp.lti.launch import (
    SESSION_LAUNCH_ID,
    launch_restore,
    launch_validate,
    oidc_login_redirect,
)
from quizapp.models import Quiz

LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _error(request, exc: LtiError) -> HttpResponse:
    return render(
        request, "lti/error.html", {"message": exc.message, "code": exc.code}, status=exc.status
    )


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def oidc_login(request, registration_uuid=None):
    params = request.POST if request.method == "POST" else request.GET
    try:
        return oidc_login_redirect(request, registration_uuid=registration_uuid, params=params)
    except LtiError as exc:
        return _error(request, exc)


@csrf_exempt
@xframe_options_exempt
@require_POST
def launch(request):
    try:
        lti_launch = launch_validate(request)
        outcome = services.lti_launch_accept(lti_launch=lti_launch)
    except LtiError as exc:
        return _error(request, exc)
    login(request, outcome.user, backend=LOGIN_BACKEND)
    request.session[SESSION_LAUNCH_ID] = lti_launch.get_launch_id()
    if lti_launch.is_deep_link_launch:
        if not outcome.is_instructor:
            return _error(request, LtiError(ErrorCode.NOT_INSTRUCTOR, status=403))
        return redirect("lti-deep-link")
    if not lti_launch.is_resource_launch:
        return _error(request, LtiError(ErrorCode.BAD_MESSAGE))
    if outcome.quiz_link is not None:
        return redirect("quiz", slug=outcome.quiz_link.quiz.slug)
    if outcome.is_instructor:
        return redirect("lti-link", resource_link_id=lti_launch.resource_link.pk)
    return _error(request, LtiError(ErrorCode.NOT_LINKED, status=409))


def _deep_link_return(request, answer: services.DeepLinkAnswer) -> HttpResponse:
    """The page that posts the chosen quiz back to the LMS (static/js/lti-autosubmit.js).

    The one form of the site whose target is another origin: this response alone lets the form
    go to the LMS's return URL (the origin only), the rest of the policy unchanged.
    """
    response = render(request, "lti/deep_link_return.html", {"answer": answer})
    target = urlsplit(answer.return_url)
    policy = dict(settings.SECURE_CSP)
    policy["form-action"] = [*policy["form-action"], f"{target.scheme}://{target.netloc}"]
    response.headers[str(CSP.HEADER_ENFORCE)] = build_policy(policy)
    return response


@login_required
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def deep_link(request):
    """Deep Linking: the instructor picks a quiz inside the LMS; the LMS creates the link."""
    try:
        lti_launch = launch_restore(request)
        if not lti_launch.is_deep_link_launch or not is_instructor(request.user):
            raise LtiError(ErrorCode.NOT_INSTRUCTOR, status=403)
        if request.method == "POST":
            quiz = get_object_or_404(Quiz, pk=request.POST.get("quiz"))
            answer = services.lti_deep_link_response(
                lti_launch=lti_launch,
                quiz=quiz,
                by=request.user,
                launch_url=request.build_absolute_uri(reverse("lti-launch")),
            )
            return _deep_link_return(request, answer)
    except LtiError as exc:
        return _error(request, exc)
    quizzes = services.linkable_quizzes(request.user)
    return render(request, "lti/pick_quiz.html", {"quizzes": quizzes, "deep_linking": True})


@login_required
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def link_pick(request, resource_link_id):
    """A link the LMS made without a quiz (added by hand): its instructor picks the quiz here."""
    resource_link = get_object_or_404(LtiResourceLink, pk=resource_link_id)
    teaches = LtiMembership.objects.filter(
        context_id=resource_link.context_id, user__auth_user=request.user, is_instructor=True
    ).exists()
    if not teaches:
        return _error(request, LtiError(ErrorCode.NOT_INSTRUCTOR, status=403))
    if request.method == "POST":
        quiz = get_object_or_404(Quiz, pk=request.POST.get("quiz"))
        try:
            link = services.lti_quiz_link_set(
                resource_link=resource_link, quiz=quiz, by=request.user
            )
        except LtiError as exc:
            return _error(request, exc)
        return redirect("quiz", slug=link.quiz.slug)
    quizzes = services.linkable_quizzes(request.user)
    return render(
        request, "lti/pick_quiz.html", {"quizzes": quizzes, "resource_link": resource_link}
    )


@instructor_required
@xframe_options_exempt
def scores(request):
    """What was sent to the LMS gradebooks, and what was not (with the platform's answer)."""
    passbacks = services.passbacks_for(request.user)[:200]
    return render(request, "lti/scores.html", {"passbacks": passbacks})


@instructor_required
@require_POST
def score_retry(request, passback_id):
    passback = get_object_or_404(services.passbacks_for(request.user), pk=passback_id)
    services.lti_passback_retry(passback=passback)
    return redirect("lti-scores")
