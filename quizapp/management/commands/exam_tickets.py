"""Printed exam tickets: ``exam_tickets QUIZ --count N -o tickets.pdf --keys keys.pdf``, or
``--students COURSE`` for one named ticket per student of the course (its code or id).

The QR code of each ticket opens its key page at ``--base-url`` (default: the setting
``NZ_PUBLIC_URL`` when there is one, else the first host of ALLOWED_HOSTS). ``--batch`` names
the set of tickets: the same batch prints the same tickets again (a key sheet printed later
still matches); without it every run draws new ones.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from quizapp.core.errors import ServiceError
from quizapp.courses.selectors import quiz_decimal_mark
from quizapp.models import Course, Quiz
from quizapp.tickets import pdf, services


def default_base_url() -> str:
    configured = getattr(settings, "NZ_PUBLIC_URL", "")
    if configured:
        return configured
    hosts = [h for h in settings.ALLOWED_HOSTS if h and h not in ("*", "testserver")]
    host = (hosts[0] if hosts else "localhost").lstrip(".")
    local = host in ("localhost", "127.0.0.1", "[::1]")
    return f"http://{host}:8000" if local else f"https://{host}"


class Command(BaseCommand):
    help = "Билеты для экзамена на бумаге (PDF) и лист ключей для проверяющего"

    def add_arguments(self, parser):
        parser.add_argument("quiz", help="тест: код (slug) или id")
        who = parser.add_mutually_exclusive_group()
        who.add_argument("--count", type=int, default=None, help="число нумерованных билетов")
        who.add_argument("--students", help="курс (код или id): именной билет каждому студенту")
        parser.add_argument("-o", "--output", default="tickets.pdf", help="файл билетов")
        parser.add_argument("--keys", help="файл ключей и решений (по умолчанию не пишется)")
        parser.add_argument("--base-url", default=None, help="адрес сайта для QR-кодов")
        parser.add_argument("--batch", default=None, help="набор билетов (повторяет те же билеты)")

    def handle(self, *args, quiz, count, students, output, keys, base_url, batch, **options):
        found = _find(Quiz, quiz, "slug")
        if found is None:
            raise CommandError(f"Тест {quiz!r} не найден.")
        course = None
        if students:
            course = _find(Course, students, "code")
            if course is None:
                raise CommandError(f"Курс {students!r} не найден.")
        elif count is None:
            count = 1
        batch = batch or services.new_batch()
        try:
            tickets = services.tickets_build(quiz=found, batch=batch, count=count, course=course)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        decimal = quiz_decimal_mark(quiz=found)
        base_url = base_url or default_base_url()
        Path(output).write_bytes(pdf.tickets_pdf(tickets, base_url=base_url, decimal=decimal))
        written = [output]
        if keys:
            Path(keys).write_bytes(pdf.keys_pdf(tickets, decimal=decimal))
            written.append(keys)
        self.stdout.write(
            f"Билетов: {len(tickets)} (набор {batch}); записано: {', '.join(written)}"
        )


def _find(model, text: str, field: str):
    query = Q(**{field: text})
    if text.isdigit():
        query |= Q(pk=int(text))
    return model.objects.filter(query).order_by("pk").first()
