"""Forms of the course pages: they validate input; the course services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quizapp.models.courses import Course


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = [
            "title", "code", "description", "decimal_mark", "exam_date", "study_retention",
            "join_enabled", "is_archived",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "exam_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "study_retention": forms.TextInput(attrs={"inputmode": "decimal"}),
        }
        localized_fields = ["study_retention"]  # «0,9» as well as «0.9»
        error_messages = {"code": {"unique": _("Этот код уже занят другим курсом.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["is_archived"]  # a new course is never archived

    def clean_code(self):
        return self.cleaned_data["code"].strip().lower()


class JoinForm(forms.Form):
    code = forms.CharField(label=_("Код приглашения"), max_length=32)
