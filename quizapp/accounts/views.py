"""Registration, password reset with limits, the account page (the time zone) and the browser's
report of its zone. Login and logout are Django's own views with our templates (login throttled by
django-axes, quizapp/accounts/throttling.py)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from quizapp.accounts import services, timezones
from quizapp.accounts.throttling import password_reset_limited_message
from quizapp.core.errors import ErrorCode, ServiceError


class RegistrationForm(UserCreationForm):
    # Password reset works by e-mail, so an account without one could never recover access.
    email = forms.EmailField(label=_("Электронная почта"))

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Этот адрес уже зарегистрирован."))
        return email


def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "home"
        return redirect(target)
    context = {"form": form, "next": request.GET.get("next", "")}
    return render(request, "registration/register.html", context)


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited per client address and per submitted e-mail.

    Both counters grow with every valid submission, whether or not the address belongs to an
    account, and the refusal reads the same either way: the limit never tells which e-mails
    exist. The e-mail is normalised (case, spaces) so variants share one counter.
    """

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().casefold()
        limited = False
        for group, key in (
            ("password-reset-ip", "ip"),
            ("password-reset-email", lambda _group, _request: email),
        ):
            limited |= is_ratelimited(
                self.request,
                group=group,
                key=key,
                rate=settings.PASSWORD_RESET_RATE,
                increment=True,
            )
        if limited:
            form.add_error(None, password_reset_limited_message())
            response = self.form_invalid(form)
            response.status_code = ErrorCode.PASSWORD_RESET_THROTTLED.status
            return response
        return super().form_valid(form)


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Часовой пояс"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        field.choices = timezones.grouped_choices()
        field.error_messages["invalid_choice"] = ErrorCode.BAD_TIME_ZONE.message_ru


@login_required
def account(request):
    current = request.session.get(timezones.SESSION_KEY) or ""
    form = TimeZoneForm(request.POST or None, initial={"time_zone": current or settings.TIME_ZONE})
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.time_zone_set(
                user=request.user, time_zone=form.cleaned_data["time_zone"]
            )
        except ServiceError as exc:
            form.add_error("time_zone", exc.message)
        else:
            timezones.remember(request, profile.time_zone)
            zone = timezones.label(profile.time_zone)
            messages.success(request, _("Часовой пояс сохранён: %(zone)s.") % {"zone": zone})
            return redirect("account")
    context = {
        "form": form,
        "zone_label": timezones.label(timezone.get_current_timezone_name()),
        "now": timezone.now(),
    }
    return render(request, "registration/account.html", context, status=400 if form.errors else 200)


@require_POST
def time_zone_detect(request):
    """The browser's own zone, sent once per session by static/js/timezone.js."""
    request.session[timezones.DETECTED_KEY] = True
    name = request.POST.get("time_zone", "")[:64]
    if not timezones.is_valid(name):
        error = ErrorCode.BAD_TIME_ZONE
        return JsonResponse({"code": error, "message": str(error.message_ru)}, status=error.status)
    if request.session.get(timezones.SESSION_KEY):
        zone = request.session[timezones.SESSION_KEY]  # chosen or detected before: kept
    elif request.user.is_authenticated:
        zone = services.time_zone_detected(user=request.user, time_zone=name)
    else:
        zone = name
    request.session[timezones.SESSION_KEY] = zone
    return JsonResponse({"time_zone": zone})
