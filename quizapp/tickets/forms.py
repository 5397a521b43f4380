"""The tickets form: how many numbered tickets, or a course for one named ticket per student."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from quizapp.courses.selectors import can_manage
from quizapp.models import Course
from quizapp.tickets.services import WEB_MAX_TICKETS

_BATCH = re.compile(r"[0-9a-f]{4,32}")


class TicketsForm(forms.Form):
    count = forms.IntegerField(
        label=_("Сколько нумерованных билетов"),
        min_value=1,
        max_value=WEB_MAX_TICKETS,
        initial=10,
        required=False,
        error_messages={
            "min_value": _("Нужен хотя бы один билет."),
            "max_value": _(
                "На странице — не больше %(limit_value)s билетов за раз; больше печатает "
                "команда manage.py exam_tickets."
            ),
            "invalid": _("Число билетов — целое число."),
        },
    )
    course = forms.ModelChoiceField(
        label=_("Именные билеты для студентов курса (вместо номеров)"),
        queryset=Course.objects.none(),
        required=False,
        empty_label=_("— без имён, нумерованные —"),
    )
    batch = forms.CharField(widget=forms.HiddenInput, max_length=32)

    def __init__(self, *args, quiz, user, **kwargs):
        super().__init__(*args, **kwargs)
        courses = Course.objects.filter(quizzes=quiz).order_by("title", "pk")
        self.fields["course"].queryset = Course.objects.filter(
            pk__in=[c.pk for c in courses if can_manage(user, c)]
        ).order_by("title", "pk")

    def clean_batch(self):
        batch = self.cleaned_data["batch"]
        if not _BATCH.fullmatch(batch):
            raise forms.ValidationError(_("Форма устарела: откройте её заново."))
        return batch

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("course") and not data.get("count"):
            self.add_error("count", _("Укажите число билетов или выберите курс."))
        if data.get("course"):
            data["count"] = None
        return data
