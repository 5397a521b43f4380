from django import forms
from django.utils.translation import gettext_lazy as _

from question_bank.services import upload_max_bytes


class BankUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Файл банка"),
        help_text=_(
            "Свой формат YAML (.yaml, .yml), Moodle XML (.xml), резервная копия курса Moodle "
            "(.mbz), GIFT (.gift, .txt), колода Anki (.apkg) или CrowdAnki (.json). Если "
            "резервная копия с файлами курса больше предела, загрузите из неё только "
            "questions.xml."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".yaml,.yml,.xml,.mbz,.gift,.txt,.apkg,.json"}
        ),
    )

    skip_invalid = forms.BooleanField(
        label=_("Импортировать остальное, пропустив вопросы с ошибками"),
        help_text=_(
            "Без этой отметки файл с ошибками не публикуется целиком. С ней вопросы с ошибками "
            "пропускаются, а в отчёте названы все пропущенные: название, тип, строка, причина."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "skip-invalid-help"}),
    )

    essays_as_cards = forms.BooleanField(
        label=_("Эссе — карточками для самопроверки"),
        help_text=_(
            "Без этой отметки эссе из Moodle и GIFT становятся вопросами, которые оценивает "
            "преподаватель (критерии — из информации для оценивающего). С ней — карточками: "
            "студент сам сверяет ответ с образцом."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "essays-as-cards-help"}),
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        """``too_large``: the upload handler skipped the file while it streamed in
        (:func:`quizapp.core.uploads.too_large_fields`), so it is missing for that reason."""
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        if too_large:
            self.fields["file"].required = False

    def clean_file(self):
        file = self.cleaned_data["file"]
        limit = upload_max_bytes()
        if self.too_large or file.size > limit:
            raise forms.ValidationError(
                _("Файл больше %(value).3g МБ: разделите банк на несколько файлов.")
                % {"value": limit / 1024 / 1024}
            )
        return file
