from django import forms

from question_bank.services import upload_max_bytes


class BankUploadForm(forms.Form):
    file = forms.FileField(
        label="Файл банка",
        help_text="Свой формат YAML (.yaml, .yml), Moodle XML (.xml) или GIFT (.gift, .txt).",
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.xml,.gift,.txt"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        limit = upload_max_bytes()
        if file.size > limit:
            raise forms.ValidationError(
                f"Файл больше {limit / 1024 / 1024:.3g} МБ: разделите банк на несколько файлов."
            )
        return file
