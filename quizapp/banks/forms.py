from django import forms
from django.utils.translation import gettext_lazy as _

from question_bank.services import upload_max_bytes


class BankUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Файл банка"),
        help_text="Свой формат YAML (.yaml, .yml), Moodle XML (.xml) или GIFT (.gift, .txt).",
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.xml,.gift,.txt"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        limit = upload_max_bytes()
        if file.size > limit:
            raise forms.ValidationError(
                _("Файл больше %(value).3g МБ: разделите банк на несколько файлов.")
                % {"value": limit / 1024 / 1024}
            )
        return file
