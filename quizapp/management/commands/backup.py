"""``manage.py backup [FILE]``: the whole database as one consistent JSON file (quizapp.backup)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from quizapp import backup


class Command(BaseCommand):
    help = (
        "Сохранить все данные приложения в JSON (gzip, если имя кончается на .gz); "
        "«-» — в стандартный вывод. Восстановление: manage.py restore FILE."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", help="куда писать (по умолчанию neurozachet-ДАТА-ВРЕМЯ.json.gz)"
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, file=None, database="default", **options):
        if file == "-":
            counts = backup.backup_write(sys.stdout, using=database)
            self.stderr.write(f"Сохранено: {backup.summary(counts)}.")
            return
        file = file or backup.default_backup_name()
        try:
            counts = backup.backup_to_file(file, using=database)
        except OSError as exc:
            raise CommandError(f"Не удалось записать {file}: {exc}") from exc
        self.stdout.write(f"Сохранено в {file}: {backup.summary(counts)}.")
