"""``manage.py grader compute ENGINE --args JSON`` / ``--jsonl``: the public engine contract."""

import argparse
import sys

from django.core.management.base import BaseCommand, CommandError

from grader.cli import main


class Command(BaseCommand):
    help = "Движки расчёта ответов: compute ENGINE --args JSON, compute --jsonl, list"

    def add_arguments(self, parser):
        parser.add_argument("argv", nargs=argparse.REMAINDER)

    def run_from_argv(self, argv):
        # The contract's exit codes and output are the grader CLI's own, not Django's.
        sys.exit(main(argv[2:]))

    def handle(self, *args, argv=(), **options):
        code = main(list(argv), stdout=self.stdout, stderr=self.stderr)
        if code:
            raise CommandError("grader: неверные аргументы", returncode=code)
