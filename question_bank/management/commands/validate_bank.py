"""``manage.py validate_bank FILE…``: schema, references, many variants of every template, and
questions that repeat one another within and across the files (warnings)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from question_bank.management.problems import count_skipped, write_problems
from question_bank.services import bank_validate_file
from question_bank.validation import DEFAULT_VARIANTS, check_near_duplicates


class Command(BaseCommand):
    help = "Проверить банки вопросов (YAML, Moodle XML, GIFT) без сохранения"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument(
            "--variants", type=int, default=DEFAULT_VARIANTS, help="вариантов на шаблон"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="проверить, что импортирует import_bank --skip-invalid",
        )

    def handle(self, *args, files, variants, skip_invalid, **options):
        errors = 0
        parsed = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(f"{name}: файл не найден")
                errors += 1
                continue
            result, problems = bank_validate_file(
                data=path.read_bytes(), filename=name, variants=variants, skip_invalid=skip_invalid
            )
            write_problems(self.stdout.write, problems)
            errors += sum(p.severity == "error" for p in problems)
            if result.bank is not None:
                parsed.append((name, result))
                questions = result.bank["questions"]
                templates = sum(1 for q in questions if q.get("params"))
                skipped = count_skipped(problems)
                self.stdout.write(
                    f"{name}: вопросов {len(questions)}, шаблонов {templates}, "
                    f"ошибок {sum(p.severity == 'error' for p in problems)}"
                    + (f", пропущено вопросов с ошибками: {skipped}" if skipped else "")
                )
        # Near-duplicates within and across the files given (e.g. all the bundled banks).
        for problem in check_near_duplicates(parsed):
            self.stdout.write(str(problem))
        if errors:
            raise CommandError(f"найдено ошибок: {errors}")
