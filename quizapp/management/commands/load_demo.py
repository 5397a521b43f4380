"""Load the demo bank, a demo quiz with every kind of question, and (embedded mode) a demo user."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from question_bank.services import bank_import_file
from quizapp.models import Quiz, QuizItem

DEMO_FILE = Path(settings.BASE_DIR) / "question_bank" / "demo" / "demo.yaml"
# Quizzes are private drafts by default; the demo ones are for anybody who logs in (the demo
# user, a newly registered one), with no course to join: published and open.
DEMO_VISIBILITY = {"is_published": True, "is_open": True}


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
            defaults={
                "title": "Демо-тест: все типы вопросов",
                "description": bank.description,
                **DEMO_VISIBILITY,
            },
        )
        for position, version in enumerate(versions, start=1):
            QuizItem.objects.update_or_create(
                quiz=quiz, position=position, defaults={"question": version.question}
            )
        quiz.items.filter(position__gt=len(versions)).delete()
        exam = self._exam(bank)
        self.stdout.write(
            f"Банк «{bank.title}»: {len(versions)} вопросов; тесты «{quiz.title}», «{exam.title}»."
        )
        if not no_user and settings.DEBUG:
            user_model = get_user_model()
            if not user_model.objects.filter(username="demo").exists():
                user_model.objects.create_user("demo", password="demo")
            self.stdout.write("Вход для демонстрации: пользователь demo, пароль demo.")

    def _exam(self, bank) -> Quiz:
        """A timed exam drawn from topics: every student and every retake gets own questions."""
        exam, _ = Quiz.objects.update_or_create(
            slug="demo-exam",
            defaults={
                "title": "Контрольная (демо): 15 минут",
                "description": "Случайные вопросы из тем, вопросы перемешаны, решения — после "
                "завершения. Ответы сохраняются по мере ввода.",
                "time_limit_minutes": 15,
                "max_attempts": 3,
                "shuffle_items": True,
                "show_verdicts": Quiz.Verdicts.AFTER_FINISH,
                "show_solutions": Quiz.Solutions.AFTER_FINISH,
                **DEMO_VISIBILITY,
            },
        )
        exam.items.all().delete()
        topics = {t.slug: t for t in bank.topics.all()}
        rules = [("regularization", 2), ("cnn", 1), ("mlp", 1), ("activations", 1), ("rnn", 1)]
        for position, (slug, count) in enumerate(rules, start=1):
            QuizItem.objects.create(quiz=exam, position=position, topic=topics[slug], count=count)
        return exam
