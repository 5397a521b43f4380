"""``manage.py restore FILE``: load a backup (``manage.py backup``) into an empty database."""

from django.core.management.base import BaseCommand, CommandError

from quizapp import backup


class Command(BaseCommand):
    help = (
        "Восстановить данные из копии manage.py backup в пустую базу (после manage.py migrate); "
        "всё в одной транзакции, счётчики id выставляются заново."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="файл копии (.json или .json.gz)")
        parser.add_argument("--database", default="default")

    def handle(self, *args, file, database="default", **options):
        try:
            counts = backup.restore_from_file(file, using=database)
        except FileNotFoundError as exc:
            raise CommandError(f"Файл не найден: {file}") from exc
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Восстановлено из {file}: {backup.summary(counts)}.")
