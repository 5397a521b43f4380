"""``manage.py import_bank FILE…``: validate completely, then store (all or nothing per file).

``--skip-invalid`` (lenient mode, asked for explicitly): store the valid questions and name every
question left out for its errors (name, type, line, reason); an error of the file itself still
refuses it. ``--essays-as-cards``: Moodle and GIFT essays become self-check flashcards instead of
essays graded by the instructor.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from question_bank.management.problems import count_skipped, write_problems
from question_bank.services import BankInvalid, bank_import_file
from question_bank.validation import DEFAULT_VARIANTS


class Command(BaseCommand):
    help = "Загрузить банки вопросов; файл с ошибками ничего не меняет"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--variants", type=int, default=DEFAULT_VARIANTS)
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="импортировать остальное, пропустив вопросы с ошибками (каждый будет назван)",
        )
        parser.add_argument(
            "--essays-as-cards",
            action="store_true",
            help="эссе Moodle и GIFT — карточками для самопроверки, а не вопросами, "
            "которые оценивает преподаватель",
        )

    def handle(self, *args, files, variants, skip_invalid, essays_as_cards, **options):
        failed = 0
        for name in files:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(f"{name}: файл не найден")
                failed += 1
                continue
            try:
                bank, versions, problems = bank_import_file(
                    data=path.read_bytes(),
                    filename=name,
                    variants=variants,
                    skip_invalid=skip_invalid,
                    essays_as_cards=essays_as_cards,
                )
            except BankInvalid as exc:
                write_problems(self.stdout.write, [*exc.warnings, *exc.problems])
                self.stderr.write(f"{name}: не загружен, ошибок: {len(exc.problems)}")
                failed += 1
                continue
            write_problems(self.stdout.write, problems)
            line = f"{name}: банк «{bank.title}», вопросов {len(versions)}"
            if skipped := count_skipped(problems):
                line += f", пропущено вопросов с ошибками: {skipped}"
            self.stdout.write(line)
        if failed:
            raise CommandError(f"не загружено файлов: {failed}")
