"""The child side of :mod:`grader.sandbox`: one long-lived process grading under OS limits.

Started by the pool as ``python -m grader.sandbox_child CONFIG`` (a fresh interpreter: nothing of
the web process, its threads or its database sockets is inherited). It limits itself before
importing anything heavy — ``RLIMIT_AS`` (address space), no core files — imports the grader,
NumPy and SymPy and grades one answer of each costly kind so the first real call is warm, says
``ready`` and serves requests until its input closes.

A request is ``(language, items)``, an item ``(op, args)``; for each item the child raises its
CPU-time limit to what it has used plus the budget (a backstop: the parent's wall clock kills
first, but a child whose parent died mid-call must not spin forever) and answers with one
message, streamed as soon as the item is done:

- ``("ok", payload)``: the grader's plain data;
- ``("raised", exception, traceback_text)``: the grader raised (a broken spec: ``SpecError``);
- ``("refused", reason)``: a ``MemoryError`` or a ``RecursionError``; the child then exits, so
  the next answer starts on a fresh heap.

Messages are built here, so they are translated here: with the project's compiled catalogue
(``gettext``, no Django) in the language the parent sends with each request.
"""

from __future__ import annotations

import json
import math
import os
import sys

# Before NumPy is imported: one BLAS thread, so its per-thread buffers fit under RLIMIT_AS.
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
for _var in THREAD_VARS:
    os.environ[_var] = "1"


def _limit_memory(memory_mb: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU/SIGABRT must not write cores
    if memory_mb > 0:
        limit = memory_mb * 2**20
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _limit_cpu(seconds: int) -> None:
    """Let this item use at most ``seconds`` more CPU seconds; SIGXCPU ends the process."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime) + seconds + 1
    _old, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _warm() -> None:
    from grader import grading

    expression = {"kind": "expression", "variables": ["t"], "answer": {"expr": "t*(1 - t)"}}
    grading.grade(expression, None, "t - t^2")
    grading.preview(expression, None, "t - t^2")
    grading.grade({"kind": "numeric", "answer": {"value": 0.5}}, None, "1/2")
    # Loads the Russian morphological dictionaries once, before the first student waits for them.
    grading.grade({"kind": "short_text", "answers": ["затухание градиента"]}, None, "затуханий")


def _grade(spec, seed, raw):
    from grader import grading

    return grading.grade(spec, seed, raw).as_dict()


def _preview(spec, seed, raw):
    from grader import grading

    return grading.preview(spec, seed, raw)


def _check(spec, count):
    from grader import checks

    return [list(problem) for problem in checks.check_question(spec, count)]


def _allocate(megabytes):
    """Probe for the tests: hold ``megabytes`` at once (RLIMIT_AS refuses a large one)."""
    return len(bytearray(megabytes * 2**20))


def _spin(seconds):
    """Probe for the tests: burn CPU in Python for ``seconds`` (the wall clock stops it)."""
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return seconds


def _sympy_power(exponent):
    """Probe for the tests: the production memory bomb, built with the parser's rule bypassed."""
    import sympy

    return str(type((2 * sympy.Symbol("t")) ** exponent))


def _abort(_unused=None):
    """Probe for the tests: die the way a crash in C code does."""
    os.abort()


OPS = {
    "grade": _grade,
    "preview": _preview,
    "check": _check,
    "_allocate": _allocate,
    "_spin": _spin,
    "_sympy_power": _sympy_power,
    "_abort": _abort,
}


class _Translators:
    """``gettext`` of the project's catalogue per language; the source language needs none."""

    def __init__(self, locale_dirs: list[str]):
        self.locale_dirs = locale_dirs
        self.cache: dict[str, object] = {}

    def get(self, language: str | None):
        if not language or not self.locale_dirs:
            return None
        if language not in self.cache:
            import gettext

            lang, _sep, country = language.replace("_", "-").partition("-")
            name = f"{lang.lower()}_{country.upper()}" if country else lang.lower()
            translation = gettext.NullTranslations()
            for directory in reversed(self.locale_dirs):  # the first directory wins, as in Django
                found = gettext.translation("django", directory, [name], fallback=True)
                found.add_fallback(translation)
                translation = found
            self.cache[language] = translation.gettext
        return self.cache[language]


def _portable(exc: BaseException):
    """The exception itself when it survives pickling, else a RuntimeError naming it."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def serve(inbox, outbox, config: dict) -> int:
    import traceback

    from grader import i18n

    translators = _Translators(config.get("locale_dirs") or [])
    cpu_seconds = int(config["cpu_seconds"])
    while True:
        try:
            language, items = inbox.recv()
        except (EOFError, OSError):
            return 0  # the parent closed the pipe or died: nothing more to do
        i18n.install(translators.get(language))
        for item in items:
            op, args = item[0], item[1]
            # An item may carry its own budget (a bank question's checks): seconds of wall clock
            # for the parent, the same of CPU here.
            _limit_cpu(math.ceil(item[2]) + 1 if len(item) > 2 else cpu_seconds)
            try:
                reply = ("ok", OPS[op](*args))
            except MemoryError:
                reply = ("refused", "memory")
            except RecursionError:
                reply = ("refused", "recursion")
            except Exception as exc:
                reply = ("raised", _portable(exc), traceback.format_exc())
            try:
                outbox.send(reply)
            except (OSError, MemoryError):
                return 4
            if reply[0] == "refused":
                return 3  # a fresh heap for whatever comes next


def main(argv: list[str]) -> int:
    config = json.loads(argv[1])
    _limit_memory(int(config["memory_mb"]))
    from multiprocessing.connection import Connection

    inbox = Connection(int(config["fd_in"]), writable=False)
    outbox = Connection(int(config["fd_out"]), readable=False)
    _warm()
    outbox.send(("ready", os.getpid()))
    return serve(inbox, outbox, config)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
