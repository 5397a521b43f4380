"""``manage.py export_bank SOURCE --format moodle|gift|anki -o FILE``.

SOURCE is a bank file (any importable format) or the slug of a stored bank.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from question_bank.formats import parse_file
from question_bank.models import Bank
from question_bank.selectors import bank_as_native


class Command(BaseCommand):
    help = (
        "Выгрузить банк в Moodle XML (шаблоны — calculated с набором вариантов), GIFT или "
        "Anki (.apkg)"
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="файл банка или код (slug) сохранённого банка")
        parser.add_argument("--format", choices=["moodle", "gift", "anki"], required=True)
        parser.add_argument("-o", "--output", required=True)
        parser.add_argument("--variants", type=int, default=10, help="вариантов на шаблон")

    def handle(self, *args, source, format, output, variants, **options):
        bank = self._load(source)
        warnings = []
        if format == "moodle":
            from question_bank.formats.moodle import export_moodle_xml

            data = export_moodle_xml(bank, variants=variants, warnings=warnings)
            Path(output).write_bytes(data)
        elif format == "gift":
            from question_bank.formats.gift_export import export_gift

            Path(output).write_text(export_gift(bank, warnings=warnings), encoding="utf-8")
        else:
            from question_bank.formats.anki import export_anki

            notes = export_anki(bank, output, variants=variants, warnings=warnings)
        for warning in warnings:
            self.stderr.write(str(warning))
        line = f"{output}: вопросов: {len(bank['questions'])}"
        if format == "anki":
            # A template gives a note per distinct variant (up to --variants), so the deck holds
            # more notes than the bank has questions; each note of our note type is one card.
            line += f" → заметок Anki: {notes} (по одной карточке на заметку)"
            # A description asks nothing and a broken question gives no card: both are skipped.
            if skipped := sum(1 for w in warnings if w.code == "export_skipped"):
                line += f"; пропущено вопросов: {skipped}"
        self.stdout.write(line)

    def _load(self, source: str) -> dict:
        path = Path(source)
        if path.is_file():
            result = parse_file(path.read_bytes(), source)
            for problem in result.problems:
                self.stderr.write(str(problem))
            if not result.ok:
                raise CommandError(f"{source}: банк с ошибками не выгружается")
            return result.bank
        stored = Bank.objects.filter(slug=source).first()
        if stored is None:
            raise CommandError(f"{source}: нет ни такого файла, ни банка с таким кодом")
        return bank_as_native(bank=stored)
