"""The quiz settings form of the builder's pages: it validates input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quizapp.core.errors import ServiceError
from quizapp.models import Quiz
from quizapp.quizzes.services import (
    QUIZ_SETTINGS,
    quiz_dates_check,
    quiz_policy_check,
    quiz_reveal_check,
)

KEPT_WHEN_ABSENT = ("unreadable_policy", "show_verdicts", "show_score", "answer_policy")


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
            "show_verdicts": _(
                "«Сразу» — ответ проверяется по кнопке «Ответить», и студент видит, верен ли он; "
                "иначе ответы сохраняются и проверяются после завершения."
            ),
            "show_score": _(
                "«После закрытия» — для каждого студента после его даты закрытия (с продлением)."
            ),
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
        # Optional in a post: a form sent without them (an older page, a script) keeps the
        # quiz's settings.
        for name in KEPT_WHEN_ABSENT:
            self.fields[name].required = False
        self.fields["penalty"].required = False
        self.fields["penalty"].widget.attrs.update({"inputmode": "decimal", "step": "0.05"})
        self.fields["max_tries"].widget.attrs["min"] = 1

    def _kept(self, name):
        return self.cleaned_data.get(name) or getattr(self.instance, name)

    def clean_answer_policy(self):
        return self._kept("answer_policy")

    def clean_penalty(self):
        penalty = self.cleaned_data.get("penalty")  # 0 is a penalty too: only «absent» keeps
        return self.instance.penalty if penalty is None else penalty

    def clean_unreadable_policy(self):
        return self._kept("unreadable_policy")

    def clean_show_verdicts(self):
        return self._kept("show_verdicts")

    def clean_show_score(self):
        return self._kept("show_score")

    def clean(self):
        data = super().clean()
        try:
            quiz_dates_check(opens_at=data.get("opens_at"), closes_at=data.get("closes_at"))
        except ServiceError as exc:
            self.add_error(exc.field, exc.message)
        verdicts, solutions = data.get("show_verdicts"), data.get("show_solutions")
        if verdicts and solutions:
            try:
                quiz_reveal_check(
                    show_verdicts=verdicts,
                    show_solutions=solutions,
                    answer_policy=data.get("answer_policy") or self.instance.answer_policy,
                )
            except ServiceError as exc:
                self.add_error(exc.field, exc.message)
        try:
            quiz_policy_check(max_tries=data.get("max_tries"), penalty=data.get("penalty"))
        except ServiceError as exc:
            self.add_error(exc.field, exc.message)
        return data
