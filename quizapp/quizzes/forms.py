"""The quiz settings form of the builder's pages: it validates input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quizapp.core.errors import ServiceError
from quizapp.models import Quiz
from quizapp.quizzes.services import QUIZ_SETTINGS, quiz_dates_check, quiz_policy_check


class QuizForm(forms.ModelForm):
    """Quiz settings; the slug is optional (a random one is made), dates are local times."""

    class Meta:
        model = Quiz
        fields = list(QUIZ_SETTINGS)
        widgets = {
            "opens_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "slug": _("Латиница, цифры и дефисы; пусто — придумаем сами."),
            "time_limit_minutes": _("Пусто — без ограничения."),
            "max_attempts": _("Пусто — без ограничения."),
            "is_published": _(
                "Без отметки тест — черновик: его видите только вы (и администраторы). "
                "Студенты видят опубликованный тест, назначенный их курсу."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["time_limit_minutes"].min_value = 1
        self.fields["max_attempts"].min_value = 1
        # Optional in a post: a form sent without it (an older page) keeps the quiz's setting.
        self.fields["unreadable_policy"].required = False
        self.fields["answer_policy"].required = False
        self.fields["penalty"].required = False
        self.fields["penalty"].widget.attrs.update({"inputmode": "decimal", "step": "0.05"})
        self.fields["max_tries"].widget.attrs["min"] = 1

    def clean_answer_policy(self):
        return self.cleaned_data.get("answer_policy") or self.instance.answer_policy

    def clean_penalty(self):
        penalty = self.cleaned_data.get("penalty")
        return self.instance.penalty if penalty is None else penalty

    def clean_unreadable_policy(self):
        return self.cleaned_data.get("unreadable_policy") or self.instance.unreadable_policy

    def clean(self):
        data = super().clean()
        try:
            quiz_dates_check(opens_at=data.get("opens_at"), closes_at=data.get("closes_at"))
        except ServiceError as exc:
            self.add_error(exc.field, exc.message)
        try:
            quiz_policy_check(max_tries=data.get("max_tries"), penalty=data.get("penalty"))
        except ServiceError as exc:
            self.add_error(exc.field, exc.message)
        return data
