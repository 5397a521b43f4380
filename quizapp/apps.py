from django.apps import AppConfig


class QuizappConfig(AppConfig):
    name = "quizapp"
    verbose_name = "Тесты и попытки"
