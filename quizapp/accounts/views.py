"""Registration, and password reset with limits. Login and logout are Django's own views with our
templates (login throttled by django-axes, quizapp/accounts/throttling.py)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

from quizapp.accounts.throttling import password_reset_limited_message
from quizapp.core.errors import ErrorCode


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
