"""Bounded grading: every evaluation of untrusted input runs in a child process under OS limits.

A student's text (and a bank author's spec) reaches SymPy and NumPy, whose C code no Python
timeout can interrupt: ``(2*t)^(10^300)`` once took a web worker to 2.4 GB before it was killed.
The expression parser refuses what it can foresee (:mod:`grader.expr.symbolic`); this module is
the backstop for the rest, enforced by the operating system:

- a pool of ``workers`` long-lived children (fresh interpreters started with
  ``python -m grader.sandbox_child``: nothing of the web process is inherited, neither its threads
  nor its database sockets nor its environment's secrets), started lazily at the first call and
  warm (grader, NumPy and SymPy imported, one answer graded) before they serve;
- each child caps its address space (``RLIMIT_AS``, ``memory_mb``) and, per item, its CPU time
  (``RLIMIT_CPU`` raised to what it used plus the budget, for a child whose parent died);
- the parent gives every item ``timeout`` seconds of wall clock, then SIGKILLs the child and
  starts a replacement; a child that dies (killed by the kernel, aborted, SIGXCPU) is replaced
  too, and a ``MemoryError`` inside a child comes back as a refusal.

A refused evaluation is an ``invalid`` verdict with code ``too_costly`` and a Russian message
saying the answer is too complex to check, never a wrong answer and never an exception. A broken
spec still raises :class:`~grader.errors.SpecError` as the in-process grader does.

Public calls, safe from any number of threads (gunicorn's gthread, runserver):

- :func:`grade` ``(spec, seed, raw) -> GradeResult`` — ``grader.grade`` is this function;
- :func:`preview` ``(spec, seed, raw) -> dict`` — ``grader.preview`` is this function;
- :func:`grade_many` ``([(spec, seed, raw), …]) -> [dict, …]`` — a batch in one round trip;
- :func:`configure` — the host's settings (the web app calls it in ``QuizappConfig.ready()``);
- :func:`warm_up` — start the children and wait for them (else the first call does);
- :func:`shutdown` — stop the children (also done at exit).

The in-process functions stay in :mod:`grader.grading`: the child runs them, and unit tests of the
grader's logic call them directly.
"""

from __future__ import annotations

import atexit
import json
import logging
import math
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from grader.errors import GraderError
from grader.i18n import _, gettext_noop

__all__ = [
    "configure",
    "grade",
    "preview",
    "grade_many",
    "preview_many",
    "shutdown",
    "warm_up",
    "Settings",
    "SandboxError",
    "REFUSED",
]

logger = logging.getLogger(__name__)

REFUSED = "too_costly"  # the error code of an answer the sandbox refused to finish

_MESSAGES = {
    "timeout": gettext_noop(
        "Выражение слишком сложное для проверки: она не уложилась в отведённое время. "
        "Упростите запись."
    ),
    "memory": gettext_noop(
        "Выражение слишком сложное для проверки: ей не хватило памяти. Упростите запись."
    ),
    "recursion": gettext_noop(
        "Выражение слишком сложное для проверки: слишком глубокая вложенность. Упростите запись."
    ),
    "crashed": gettext_noop(
        "Выражение слишком сложное для проверки: проверка прервана. Упростите запись."
    ),
}

_CHECK_MESSAGES = {
    "timeout": gettext_noop(
        "проверка вопроса не уложилась в отведённое время: упростите параметры, ограничения "
        "или формулы вопроса"
    ),
    "memory": gettext_noop(
        "проверке вопроса не хватило памяти: упростите параметры, ограничения или формулы вопроса"
    ),
    "recursion": gettext_noop("слишком глубокая вложенность в формулах вопроса"),
    "crashed": gettext_noop("проверка вопроса прервана: упростите формулы вопроса"),
}

_ROOT = Path(__file__).resolve().parent.parent  # where the child finds the same ``grader``
_ENV_KEPT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "PYTHONPATH")


class SandboxError(RuntimeError):
    """The sandbox cannot work (a child does not start): a deployment error, not a verdict."""


@dataclass(frozen=True)
class Settings:
    """``workers`` children; ``memory_mb`` of address space each (0: no limit); ``timeout``
    seconds of wall clock per item; ``locale_dirs`` where the compiled ``django.mo`` catalogues
    are; ``language()`` the caller's language, asked in the caller's thread at each call."""

    workers: int = 2
    memory_mb: int = 768
    timeout: float = 1.5
    check_timeout: float = 60.0
    start_timeout: float = 60.0
    locale_dirs: tuple[str, ...] = ()
    language: Callable[[], str | None] | None = None

    def __post_init__(self):
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if self.memory_mb < 0 or min(self.timeout, self.check_timeout, self.start_timeout) <= 0:
            raise ValueError("memory_mb must be >= 0, timeout and start_timeout > 0")

    @property
    def cpu_seconds(self) -> int:
        return math.ceil(self.timeout) + 1


class _Child:
    """One child process and the two pipes to it."""

    def __init__(self, settings: Settings):
        parent_in, child_out = os.pipe()
        child_in, parent_out = os.pipe()
        config = {
            "fd_in": child_in,
            "fd_out": child_out,
            "memory_mb": settings.memory_mb,
            "cpu_seconds": settings.cpu_seconds,
            "locale_dirs": list(settings.locale_dirs),
        }
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "grader.sandbox_child", json.dumps(config)],
                cwd=_ROOT,
                env=_child_env(),
                pass_fds=(child_in, child_out),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C at runserver's terminal is the parent's business
            )
        except BaseException:
            os.close(parent_in)
            os.close(parent_out)
            raise
        finally:
            os.close(child_in)
            os.close(child_out)
        self.inbox = Connection(parent_in, writable=False)
        self.outbox = Connection(parent_out, readable=False)
        self.ready = False
        self.dead = False

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        try:
            if not self.inbox.poll(timeout):
                raise SandboxError(f"grader sandbox child not ready after {timeout} s")
            message = self.inbox.recv()
        except (EOFError, OSError):
            self.kill()
            raise SandboxError(
                f"grader sandbox child exited at start (code {self.process.returncode})"
            ) from None
        if message[0] != "ready":
            raise SandboxError(f"grader sandbox child said {message!r} at start")
        self.ready = True

    def exited(self) -> bool:
        return self.dead or self.process.poll() is not None

    def stream(self, language: str | None, items: list, timeout: float) -> list:
        """Send the items in one message, collect one outcome per item as each is done.

        Stops at the first item the child does not finish (the child is then dead): the caller
        starts the rest on a fresh child. An empty list: the child was gone before it read them.
        """
        try:
            self.outbox.send((language, items))
        except OSError:
            self.kill()
            return []
        outcomes = []
        for _item in items:
            try:
                if not self.inbox.poll(timeout):
                    self.kill()
                    outcomes.append(("refused", "timeout"))
                    break
                message = self.inbox.recv()
            except (EOFError, OSError):
                self.kill()
                logger.warning("grader sandbox child died (exit %s)", self.process.returncode)
                outcomes.append(("refused", "crashed"))
                break
            outcomes.append(message)
            if message[0] == "refused":  # the child exits by itself after a MemoryError
                self.kill()
                break
        return outcomes

    def kill(self) -> None:
        self.dead = True
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.inbox.close()
        self.outbox.close()

    def close(self) -> None:
        """Ask the child to leave (its input closes), kill it if it does not."""
        self.dead = True
        self.outbox.close()
        try:
            self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.inbox.close()


def _warm_now(child: _Child | None) -> bool:
    if child is None or child.dead:
        return False
    return child.ready or child.inbox.poll(0)  # poll: its "ready" is waiting to be read


def _child_env() -> dict:
    """A minimal environment: no database URL, no secret key, one BLAS thread."""
    env = {name: os.environ[name] for name in _ENV_KEPT if name in os.environ}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class _Pool:
    """``workers`` slots in a queue; a slot holds a child or ``None`` (start one when taken)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.slots: queue.SimpleQueue = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.children: set[_Child] = set()
        self.closed = False
        for _slot in range(settings.workers):  # all start now; the first call waits for one
            self.slots.put(self._start())

    def _start(self) -> _Child:
        child = _Child(self.settings)
        with self.lock:
            self.children.add(child)
        return child

    def _forget(self, child: _Child) -> None:
        with self.lock:
            self.children.discard(child)

    def checkout(self) -> _Child:
        child = self._take()
        for attempt in range(2):
            try:
                if child is None or child.exited():
                    if child is not None:
                        child.kill()
                        self._forget(child)
                    child = self._start()
                child.wait_ready(self.settings.start_timeout)
                return child
            except SandboxError:
                if attempt == 0 and child.exited():  # it died before it was asked anything
                    self._forget(child)
                    child = None
                    continue
                self._give_back_slot(child)
                raise
            except BaseException:
                self._give_back_slot(child)
                raise
        raise AssertionError("unreachable")

    def _take(self) -> _Child | None:
        """An idle child, preferring one already warm: a replacement still importing SymPy
        would make its caller wait a second while another child is free."""
        taken = [self.slots.get()]
        while not _warm_now(taken[-1]):
            try:
                taken.append(self.slots.get_nowait())
            except queue.Empty:
                break
        chosen = next((c for c in taken if _warm_now(c)), taken[0])
        for other in taken:
            if other is not chosen:
                self.slots.put(other)
        return chosen

    def _give_back_slot(self, child: _Child | None) -> None:
        if child is not None:
            child.kill()
            self._forget(child)
        self.slots.put(None)

    def checkin(self, child: _Child) -> None:
        if not child.dead and not self.closed:
            self.slots.put(child)
            return
        if not child.dead:
            child.close()
        self._forget(child)
        replacement = None
        if not self.closed:
            try:
                replacement = self._start()  # it warms up while the slot waits for a caller
            except Exception:
                logger.exception("grader sandbox: could not start a replacement child")
        self.slots.put(replacement)

    def run(self, items: list, language: str | None, timeout: float | None = None) -> list:
        """One outcome per ``(op, args)`` item (``(op, args, seconds)`` for an item with its own
        budget); an item the child did not finish is refused, the rest go on in a fresh child."""
        timeout = timeout or self.settings.timeout
        outcomes: list = []
        lost = 0
        while len(outcomes) < len(items):
            child = self.checkout()
            try:
                got = child.stream(language, items[len(outcomes) :], timeout)
            finally:
                self.checkin(child)
            lost = lost + 1 if not got else 0
            if lost >= 3:
                raise SandboxError("grader sandbox children die before reading a request")
            outcomes.extend(got)
        return outcomes

    def warm_up(self) -> None:
        children = [self.checkout() for _slot in range(self.settings.workers)]
        for child in children:
            self.checkin(child)

    def close(self) -> None:
        self.closed = True
        with self.lock:
            children = list(self.children)
            self.children.clear()
        for child in children:
            if not child.dead:
                child.close()


_settings = Settings()
_pool: _Pool | None = None
_lock = threading.Lock()


def configure(
    *,
    workers: int = 2,
    memory_mb: int = 768,
    timeout: float = 1.5,
    check_timeout: float = 60.0,
    locale_dirs: Iterable[str | os.PathLike] = (),
    language: Callable[[], str | None] | None = None,
) -> None:
    """Set the pool's limits (see :class:`Settings`); a pool already running with other settings
    is stopped, and the next call starts one with these."""
    global _settings, _pool
    new = Settings(
        workers=workers,
        memory_mb=memory_mb,
        timeout=timeout,
        check_timeout=check_timeout,
        locale_dirs=tuple(str(d) for d in locale_dirs),
        language=language,
    )
    with _lock:
        if new == _settings:
            return
        _settings, old, _pool = new, _pool, None
    if old is not None:
        old.close()


def settings() -> Settings:
    return _settings


def shutdown() -> None:
    """Stop the children; the next call starts new ones."""
    global _pool
    with _lock:
        old, _pool = _pool, None
    if old is not None:
        old.close()


def warm_up() -> None:
    """Start the children now and wait until each is ready (a host may call it at boot, so the
    first student does not wait a second for SymPy to be imported)."""
    _current_pool().warm_up()


def _current_pool() -> _Pool:
    global _pool
    with _lock:
        if _pool is None:
            _pool = _Pool(_settings)
        return _pool


def _after_fork_in_child() -> None:
    # A forked process (gunicorn --preload, Celery's prefork) must not share its parent's
    # children: it starts its own at its first call.
    global _pool, _lock
    _pool = None
    _lock = threading.Lock()


atexit.register(shutdown)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _language() -> str | None:
    if _settings.language is None:
        return None
    try:
        return _settings.language()
    except Exception:  # no active language (outside a request): the source language
        return None


# A batch at least this long is split between the children and graded side by side: a worker
# draining a queue then uses every child (one per core by default), not one.
SPLIT_AT = 16


def _run(op: str, items: list) -> list:
    pool, language = _current_pool(), _language()
    requests = [(op, args) for args in items]
    parts = min(pool.settings.workers, len(requests) // SPLIT_AT)
    if parts < 2:
        return pool.run(requests, language)
    size = -(-len(requests) // parts)
    chunks = [requests[start : start + size] for start in range(0, len(requests), size)]
    outs: list[list] = [[] for _chunk in chunks[1:]]
    helpers = [
        threading.Thread(target=_run_chunk, args=(pool, chunk, language, out), daemon=True)
        for chunk, out in zip(chunks[1:], outs, strict=True)
    ]
    for helper in helpers:
        helper.start()
    first = pool.run(chunks[0], language)  # this thread grades its part meanwhile
    for helper in helpers:
        helper.join()
    results = first
    for out in outs:
        if out and isinstance(out[0], BaseException):
            raise out[0]
        results.extend(out)
    return results


def _run_chunk(pool: _Pool, chunk: list, language, out: list) -> None:
    try:
        out.extend(pool.run(chunk, language))
    except BaseException as exc:  # handed to the calling thread, which raises it
        out[:] = [exc]


def _refusal(reason: str) -> dict:
    return {"code": REFUSED, "message": _(_MESSAGES[reason]), "reason": reason}


def _log_refused(op: str, reason: str, raw) -> None:
    text = raw if isinstance(raw, str) else ""
    logger.warning("grader sandbox refused %s (%s): %r", op, reason, text[:100])


def _reraise(exc: BaseException, trace: str):
    if not isinstance(exc, GraderError):
        exc.add_note(f"raised in the grader sandbox:\n{trace}")
    raise exc


def grade(spec: dict, seed: int | None, raw: str):
    """:func:`grader.grading.grade` in a child under the limits: a ``GradeResult``.

    A refused evaluation is ``status="invalid"`` with ``error={"code": "too_costly", …}``;
    a broken spec raises ``SpecError``/``EngineError`` as in-process grading does.
    """
    from grader.grading import GradeResult

    [outcome] = _run("grade", [(spec, seed, raw)])
    if outcome[0] == "ok":
        return GradeResult(**outcome[1])
    if outcome[0] == "raised":
        _reraise(outcome[1], outcome[2])
    _log_refused("grade", outcome[1], raw)
    error = _refusal(outcome[1])
    return GradeResult(status="invalid", feedback=error["message"], error=error)


def preview(spec: dict, seed: int | None, raw: str, *, decimal: str = ".") -> dict:
    """:func:`grader.grading.preview` in a child under the limits; the display in ``decimal``
    (plain text work, done here rather than in the child).

    A refused evaluation is ``{"ok": False, "message": …, "code": "too_costly"}``.
    """
    [outcome] = _run("preview", [(spec, seed, raw)])
    if outcome[0] == "ok":
        from grader.grading import localize_preview

        return localize_preview(outcome[1], decimal)
    if outcome[0] == "raised":
        _reraise(outcome[1], outcome[2])
    _log_refused("preview", outcome[1], raw)
    error = _refusal(outcome[1])
    return {"ok": False, "message": error["message"], "code": REFUSED}


def preview_many(items: Iterable[tuple[dict, int | None, str]]) -> list[dict | None]:
    """:func:`preview` of a batch in one round trip: how each saved draft of an attempt is
    understood, for the page that marks the unreadable ones before the attempt is finished.

    Each is ``{"ok": …, …}`` as :func:`preview` returns it (a refused item is ``too_costly``), or
    None for an item whose spec the grader cannot use: a broken question says nothing about
    the student's answer.
    """
    items = [(spec, seed, raw) for spec, seed, raw in items]
    if not items:
        return []
    results: list[dict | None] = []
    for (_spec, _seed, raw), outcome in zip(items, _run("preview", items), strict=True):
        if outcome[0] == "ok":
            results.append(outcome[1])
        elif outcome[0] == "raised":
            exc, trace = outcome[1], outcome[2]
            if not isinstance(exc, GraderError):
                logger.error("grader sandbox: %r previewing a batch item\n%s", exc, trace)
            results.append(None)
        else:
            _log_refused("preview_many", outcome[1], raw)
            error = _refusal(outcome[1])
            results.append({"ok": False, "message": error["message"], "code": REFUSED})
    return results


def grade_many(items: Iterable[tuple[dict, int | None, str]]) -> list[dict]:
    """Grade a batch in one round trip to one child: one plain dict per item, in order.

    Each is ``GradeResult.as_dict()`` (``status`` ``graded`` or ``invalid``; a refused item is
    ``invalid`` with code ``too_costly`` and the items after it go on in a fresh child), or, for
    an item whose spec the grader cannot use, ``{"status": "error", "error": {"code": …,
    "message": …}, "feedback": …}`` — the code of the ``SpecError``/``EngineError``, or
    ``internal_error`` for anything else (logged with the child's traceback).
    """
    from grader.grading import GradeResult

    items = [(spec, seed, raw) for spec, seed, raw in items]
    if not items:
        return []
    results = []
    for (_spec, _seed, raw), outcome in zip(items, _run("grade", items), strict=True):
        if outcome[0] == "ok":
            results.append(outcome[1])
        elif outcome[0] == "raised":
            exc, trace = outcome[1], outcome[2]
            if isinstance(exc, GraderError):
                error = exc.as_dict()
            else:
                logger.error("grader sandbox: %r grading a batch item\n%s", exc, trace)
                error = {"code": "internal_error", "message": str(exc)}
            results.append({"status": "error", "error": error, "feedback": error["message"]})
        else:
            _log_refused("grade_many", outcome[1], raw)
            error = _refusal(outcome[1])
            refused = GradeResult(status="invalid", feedback=error["message"], error=error)
            results.append(refused.as_dict())
    return results


def check_question(spec: dict, count: int) -> list[tuple[str, str]]:
    """:func:`grader.checks.check_question` in a child, with ``check_timeout`` seconds (of wall
    clock and of CPU) for the whole question: the problems (message, code) of one question of a
    bank file. A question whose checks cost more is one problem with the code ``too_costly``."""
    budget = _settings.check_timeout
    pool = _current_pool()
    [outcome] = pool.run([("check", (spec, count), budget)], _language(), timeout=budget)
    if outcome[0] == "ok":
        return [tuple(problem) for problem in outcome[1]]
    if outcome[0] == "raised":
        exc = outcome[1]
        if isinstance(exc, GraderError):
            return [(exc.message, exc.code)]
        _reraise(exc, outcome[2])
    logger.warning("grader sandbox refused a bank question's checks (%s)", outcome[1])
    return [(_(_CHECK_MESSAGES[outcome[1]]), REFUSED)]


def _probe(op: str, arg) -> tuple:
    """For the tests: run a probe of :mod:`grader.sandbox_child` (``_allocate``, ``_spin``,
    ``_sympy_power``, ``_abort``) and return its raw outcome."""
    [outcome] = _run(op, [(arg,)])
    return outcome
