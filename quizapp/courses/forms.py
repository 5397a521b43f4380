"""Forms of the course pages: they validate input; the course services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from quizapp.models.accommodations import MAX_EXTRA_ATTEMPTS, MAX_EXTRA_MINUTES, MAX_TIME_FACTOR
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


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format="%Y-%m-%dT%H:%M")


class AccommodationForm(forms.Form):
    """Extra time, a later close date or extra attempts for some of the course's students."""

    label = forms.CharField(
        label=_("Название"),
        max_length=100,
        help_text=_("Например: «ОВЗ, +50 % времени» или «Болел, пересдача до 20.12»."),
    )
    students = forms.ModelMultipleChoiceField(
        label=_("Студенты"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Выберите хотя бы одного студента.")},
    )
    quiz = forms.ModelChoiceField(
        label=_("Тест"),
        queryset=None,
        required=False,
        empty_label=_("все тесты курса"),
    )
    time_factor = forms.DecimalField(
        label=_("Множитель времени"),
        min_value=Decimal(1),
        max_value=MAX_TIME_FACTOR,
        decimal_places=2,
        initial=Decimal(1),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("1 — без изменений; 1,5 — на 50 % больше времени."),
    )
    extra_minutes = forms.IntegerField(
        label=_("Дополнительные минуты"), min_value=0, max_value=MAX_EXTRA_MINUTES, initial=0
    )
    closes_at = forms.DateTimeField(
        label=_("Сдать до (продление)"),
        required=False,
        widget=LocalDateTimeInput(),
        help_text=_("Позже даты закрытия теста; пусто — как у всех."),
    )
    extra_attempts = forms.IntegerField(
        label=_("Дополнительные попытки"), min_value=0, max_value=MAX_EXTRA_ATTEMPTS, initial=0
    )

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["students"].queryset = (
            get_user_model()
            .objects.filter(enrollments__course=course, enrollments__role="student")
            .order_by("last_name", "first_name", "username")
        )
        self.fields["students"].label_from_instance = _student_label
        self.fields["quiz"].queryset = course.quizzes.order_by("title", "id")


def _student_label(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


class CourseQuizDatesForm(forms.Form):
    opens_at = forms.DateTimeField(label=_("Открыт с"), required=False, widget=LocalDateTimeInput())
    closes_at = forms.DateTimeField(
        label=_("Открыт до"), required=False, widget=LocalDateTimeInput()
    )
