from django.apps import AppConfig


class QuizappConfig(AppConfig):
    name = "quizapp"
    verbose_name = "Тесты и попытки"

    def ready(self):
        from quizapp import timezones  # noqa: F401  (copies a student's zone into the session at login)
