"""``manage.py import_bank FILE…``: validate completely, then store (all or nothing per file)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from question_bank.services import BankInvalid, bank_import_file
from question_bank.validation import DEFAULT_VARIANTS


class Command(BaseCommand):
    help = "Загрузить банки вопросов; файл с ошибками ничего не меняет"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--variants", type=int, default=DEFAULT_VARIANTS)

    def handle(self, *args, files, variants, **options):
        failed = 0
        for name in files:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(f"{name}: файл не найден")
                failed += 1
                continue
            try:
                bank, versions, problems = bank_import_file(
                    data=path.read_bytes(), filename=name, variants=variants
                )
            except BankInvalid as exc:
                for problem in exc.problems:
                    self.stdout.write(str(problem))
                    if problem.excerpt:  # a YAML syntax error: the lines, a caret at the place
                        self.stdout.write(problem.excerpt)
                self.stderr.write(f"{name}: не загружен, ошибок: {len(exc.problems)}")
                failed += 1
                continue
            for problem in problems:
                self.stdout.write(str(problem))
            self.stdout.write(f"{name}: банк «{bank.title}», вопросов {len(versions)}")
        if failed:
            raise CommandError(f"не загружено файлов: {failed}")
