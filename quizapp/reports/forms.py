"""Forms of error reports: the student's message and the owner's answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quizapp.core.errors import ErrorCode
from quizapp.models import QuestionReport
from quizapp.models.reports import MESSAGE_MAX_LENGTH, REPLY_MAX_LENGTH


class ReportForm(forms.Form):
    message = forms.CharField(
        label=_("Что не так с вопросом?"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": ErrorCode.REPORT_MESSAGE_EMPTY.message_ru,
            "max_length": ErrorCode.REPORT_TOO_LONG.message_ru,
        },
    )


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Итог"),
        choices=QuestionReport.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": ErrorCode.REPORT_BAD_OUTCOME.message_ru,
            "invalid_choice": ErrorCode.REPORT_BAD_OUTCOME.message_ru,
        },
    )
    reply = forms.CharField(
        label=_("Ответ студенту"),
        required=False,
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": ErrorCode.REPORT_TOO_LONG.message_ru},
    )
    everyone = forms.BooleanField(
        label=_("Тот же итог и ответ — всем открытым сообщениям об этом вопросе"), required=False
    )
