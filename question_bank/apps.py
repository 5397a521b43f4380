from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class QuestionBankConfig(AppConfig):
    name = "question_bank"
    verbose_name = gettext_lazy("Банки вопросов")

    def ready(self):
        # Services enqueue uploads' tasks by their registered names: every process must know them.
        from question_bank import tasks  # noqa: F401
