"""Command line of the engine contract (``python manage.py grader …`` or ``python -m grader …``).

``grader compute ENGINE --args 'JSON'`` prints ``{"answer": ...}``; bad args print a message to
stderr and exit 2. ``grader compute --jsonl`` reads ``{"engine": ..., "args": {...}}`` lines from
stdin and writes one line per input, ``{"answer": ...}`` or ``{"error": "..."}``, in order.
``grader list`` prints the engines with their arguments.
"""

from __future__ import annotations

import argparse
import json
import sys

from grader.engines import compute, get, names
from grader.errors import GraderError
from grader.i18n import _

EXIT_BAD_ARGS = 2
MAX_LINE = 1_000_000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description=_("Движки расчёта ответов"))
    sub = parser.add_subparsers(dest="command", required=True)
    compute = sub.add_parser("compute", help=_("вычислить ответ движка"))
    compute.add_argument("engine", nargs="?", help=_("имя движка"))
    compute.add_argument("--args", default="{}", help=_("аргументы движка в JSON"))
    compute.add_argument(
        "--jsonl", action="store_true", help=_("читать задания построчно из stdin")
    )
    sub.add_parser("list", help=_("перечислить движки"))
    return parser


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def compute_one(engine: str, args) -> dict:
    """One request → ``{"answer": ...}`` or ``{"error": ..., "code": ...}``; never raises."""
    if not isinstance(engine, str) or not engine:
        return {"error": _("не задано имя движка (engine)"), "code": "missing_engine"}
    if not isinstance(args, dict):
        return {"error": _("args должен быть JSON-объектом"), "code": "bad_args"}
    try:
        return {"answer": compute(engine, **args)}
    except GraderError as exc:
        return {"error": exc.message, "code": exc.code}
    except RecursionError:
        return {"error": _("слишком глубокая вложенность аргументов"), "code": "too_deep"}


def main(argv=None, stdin=None, stdout=None, stderr=None) -> int:
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    try:
        options = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if options.command == "list":
        for name in names():
            eng = get(name)
            print(f"{name}({', '.join(eng.parameters)}): {eng.summary}", file=stdout)
        return 0
    if options.jsonl:
        for line in stdin:
            if not line.strip():
                continue
            try:
                if len(line) > MAX_LINE:
                    raise ValueError(_("строка длиннее 1 МБ"))
                request = json.loads(line)
                if not isinstance(request, dict):
                    raise ValueError(_("ожидался JSON-объект"))
                result = compute_one(request.get("engine"), request.get("args", {}))
            except (ValueError, RecursionError) as exc:
                result = {
                    "error": _("некорректная строка JSON: %(exc)s") % {"exc": exc},
                    "code": "bad_json",
                }
            print(_dump(result), file=stdout, flush=True)
        return 0
    if not options.engine:
        print(_("ошибка: укажите движок или --jsonl"), file=stderr)
        return EXIT_BAD_ARGS
    try:
        args = json.loads(options.args)
    except ValueError as exc:
        print(_("ошибка: --args не является корректным JSON: %(exc)s") % {"exc": exc}, file=stderr)
        return EXIT_BAD_ARGS
    result = compute_one(options.engine, args)
    if "error" in result:
        print(_("ошибка: %(result)s") % {"result": result["error"]}, file=stderr)
        return EXIT_BAD_ARGS
    print(_dump(result), file=stdout)
    return 0
