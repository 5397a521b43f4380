"""Load the demo bank, a demo quiz with every kind of question, and (embedded mode) a demo user."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from question_bank.services import bank_import_file
from quizapp.models import Quiz, QuizItem

DEMO_FILE = Path(settings.BASE_DIR) / "question_bank" / "demo" / "demo.yaml"


class Command(BaseCommand):
    help = "Загрузить демонстрационный банк и тест (повторный запуск ничего не дублирует)"

    def add_arguments(self, parser):
        parser.add_argument("--no-user", action="store_true", help="не создавать пользователя demo")

    @transaction.atomic
    def handle(self, *args, no_user=False, **options):
        bank, versions, _ = bank_import_file(
            data=DEMO_FILE.read_bytes(), filename=str(DEMO_FILE), variants=20
        )
        quiz, _ = Quiz.objects.update_or_create(
            slug="demo",
            defaults={"title": "Демо-тест: все типы вопросов", "description": bank.description},
        )
        for position, version in enumerate(versions, start=1):
            QuizItem.objects.update_or_create(
                quiz=quiz, position=position, defaults={"question": version.question}
            )
        quiz.items.filter(position__gt=len(versions)).delete()
        self.stdout.write(f"Банк «{bank.title}»: {len(versions)} вопросов; тест «{quiz.title}».")
        if not no_user and settings.DEBUG:
            user_model = get_user_model()
            if not user_model.objects.filter(username="demo").exists():
                user_model.objects.create_user("demo", password="demo")
            self.stdout.write("Вход для демонстрации: пользователь demo, пароль demo.")
