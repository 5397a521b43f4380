"""The grading pipeline end to end: students submitting answers over HTTP to the real stack.

Starts, on loopback and for a bounded time, what README «By hand» runs: gunicorn (quizapp.wsgi),
Celery grading worker(s) and one beat, on a scratch PostgreSQL database and a dedicated Redis db;
creates N students with an attempt each at a published quiz of numeric questions from the bundled
banks, gives each a session (server-side, SessionStore + cookie), then many client threads POST
answers the way the browser's form does (CSRF cookie + form field) for a bounded duration. The
figures are read from the database afterwards (Response.created_at, graded_at, status):
submitted/s, graded/s, submit→graded latency, answers still ungraded after a bounded drain wait,
CPU seconds per graded answer (user+sys of the web and worker process trees, from /proc), and the
HTTP status histogram.

Scenarios (one per run, or several with --matrix; each runs in a child process of its own):
  stack     gunicorn + Celery workers (--concurrency) + beat, PostgreSQL, Redis broker
  embedded  no broker: grading runs eagerly inside the web request, SQLite file; by default the
            README's first command (bin/serve: runserver, DEBUG on; --noreload so the file
            watcher's polling is not counted), or --embedded-server gunicorn (DEBUG off)
  drain     K answers saved through attempts.services.response_submit while no worker runs (so
            they wait in the queue), then one worker process (--drain-pool solo|prefork) is
            started and timed until every answer is graded: the capacity of one worker process

Everything started is torn down at the end, on Ctrl-C and on errors: processes (each in its own
process group) are terminated, the scratch database dropped, the Redis db flushed.

Run (from the repository root; PostgreSQL on 127.0.0.1:5432 user postgres, Redis on :6379):
  .venv/bin/python bench/bench_pipeline.py --concurrency 2 --students 300 --duration 20
  .venv/bin/python bench/bench_pipeline.py --scenario embedded
  .venv/bin/python bench/bench_pipeline.py --drain --drain-count 5000
  .venv/bin/python bench/bench_pipeline.py --matrix            # embedded, stack:1, :2, :4, drain
  .venv/bin/python bench/bench_pipeline.py --matrix stack:1,stack:2,drain --results-md out.md
Extra settings for every started process: --env KEY=VALUE (repeatable); extra worker options:
--worker-arg=--without-gossip (repeatable). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import importlib
import json
import os
import platform
import random
import shlex
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLK_TCK = os.sysconf("SC_CLK_TCK")
MATRIX_DEFAULT = "embedded,stack:1,stack:2,stack:4,drain"
# Variables of the app that the bench sets itself; inherited values would mix configurations.
APP_ENV = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "LTI_CACHE_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "NZ_VAR_DIR",
    "STATIC_ROOT",
    "DJANGO_SETTINGS_MODULE",
)


class Stop(Exception):
    """SIGTERM/SIGINT: leave through the finally blocks that tear everything down."""


def _raise_stop(signum, frame):
    raise Stop(signal.Signals(signum).name)


# --- /proc: CPU of process trees and of the machine ----------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from 3 (state) on


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields:
                tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def tree_cpu(root: int) -> float:
    """user+sys seconds of a process, its live descendants and the children it has reaped."""
    tree = _children()
    total, stack, first = 0, [root], True
    while stack:
        pid = stack.pop()
        fields = _stat(pid)
        if fields:
            # utime, stime are fields 14, 15; cutime, cstime 16, 17 (index 11.. here).
            total += int(fields[11]) + int(fields[12])
            if first:
                total += int(fields[13]) + int(fields[14])
        first = False
        stack.extend(tree.get(pid, []))
    return total / CLK_TCK


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:8]]
    total = sum(values)
    return (total - values[3] - values[4]) / CLK_TCK, total / CLK_TCK


def machine_info() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line),
        platform.processor() or "?",
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )

    def git(*cmd):
        try:
            return subprocess.run(
                ["git", *cmd], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "python": platform.python_version(),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
    }


def machine_line(info: dict) -> str:
    """One line for the console: the machine, the commit and how busy the machine already is."""
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB; commit {info['commit']}"
        f"{' (dirty)' if info['dirty'] else ''}; load average {' '.join(info['loadavg'])}"
    )


def results_md_append(path: str, info: dict, body: str) -> None:
    """Append a run's figures to a Markdown file under a heading with the machine and commit."""
    with open(path, "a") as md:
        md.write(
            f"\n### {info['date']} — commit {info['commit']}"
            f"{' (uncommitted changes)' if info['dirty'] else ''}\n\n"
            f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM,"
            f" Python {info['python']}; load average at start {' '.join(info['loadavg'])}.\n"
            f"Command: `{info['command']}`\n\n{body}\n"
        )


# --- started processes ---------------------------------------------------------------------------


class Procs:
    """Processes this bench started, each leading its own process group; stopped together."""

    def __init__(self, logdir: Path):
        self.logdir = logdir
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logdir / f"{name}.log", "wb")
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.started.append((name, proc))
        return proc

    def log(self, name: str) -> str:
        try:
            return (self.logdir / f"{name}.log").read_text(errors="replace")
        except OSError:
            return ""

    def show_failure(self, lines: int = 15) -> None:
        """After an error: the last lines of every started process's log, and the traceback."""
        import traceback

        for name, _ in self.started:
            tail = "\n".join(self.log(name).splitlines()[-lines:])
            print(f"--- last lines of {name}.log:\n{tail}", file=sys.stderr)
        traceback.print_exc()

    def tear_down(self) -> None:
        """Stop everything and close this process's database connections; a second Ctrl-C must
        not cut the tear-down short, so SIGINT and SIGTERM are ignored from here on."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        self.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass

    def check_alive(self) -> None:
        for name, proc in self.started:
            if proc.poll() is not None:
                tail = "\n".join(self.log(name).splitlines()[-30:])
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{tail}")

    def stop(self, name: str | None = None, grace: float = 10.0) -> None:
        chosen = [(n, p) for n, p in self.started if name is None or n == name]
        for _, proc in chosen:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + grace
        for _, proc in chosen:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:  # the whole group: prefork children, gunicorn workers, left-overs
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        self.started = [(n, p) for n, p in self.started if (n, p) not in chosen]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(port: int, procs: Procs, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        procs.check_alive()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the web server did not answer /healthz on port {port} in {timeout} s")


def wait_worker_ready(procs: Procs, name: str, timeout: float = 60) -> float:
    """Seconds until the worker logs «ready.» (an INFO line); goes on after the timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        procs.check_alive()
        if " ready." in procs.log(name):
            return time.monotonic() - start
        time.sleep(0.1)
    print(f"  ! {name}: no «ready.» line in {timeout:.0f} s (log level?), going on", flush=True)
    return time.monotonic() - start


# --- the scratch database, Redis, the app's data ---------------------------------------------


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def redis_flush(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


def import_banks(args, log) -> None:
    """The bundled banks, through the project's command (bin/serve checks 20 variants too)."""
    from django.core.management import CommandError, call_command

    banks = sorted(str(p) for p in (ROOT / "question_bank" / "banks").glob("*.yaml"))
    skipped = []
    for bank in banks:
        # A bank the import's variant check refuses (bad luck of a small sample) is tried again,
        # then left out: the quiz needs numeric questions, not every bank.
        for _ in range(3):
            try:
                call_command(
                    "import_bank", bank, variants=args.bank_variants, stdout=open(os.devnull, "w")
                )
                break
            except CommandError:
                continue
        else:
            skipped.append(Path(bank).name)
    if skipped:
        log(f"  ! banks not imported (their check failed 3 times): {', '.join(skipped)}")


def prepare_template(args, log) -> dict:
    """A database with the schema and the banks, cloned by each scenario (CREATE … TEMPLATE)."""
    import django

    t0 = time.monotonic()
    os.environ.update(DATABASE_URL=args.template_url, DJANGO_SETTINGS_MODULE="quizapp.settings")
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import_banks(args, log)
    log(f"  template database {args.template_name}: migrate + banks {time.monotonic() - t0:.1f} s")
    return {"scenario": "prepare"}


def setup_app(args, log) -> dict:
    """Migrate, import the bundled banks, build the quiz and the students with their attempts."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from question_bank.models import Question
    from quizapp.attempts import services
    from quizapp.models import Quiz, QuizItem

    t0 = time.monotonic()
    call_command("migrate", verbosity=0)
    if not Question.objects.exists():
        import_banks(args, log)
    log(f"  migrate + import_bank: {time.monotonic() - t0:.1f} s")

    t0 = time.monotonic()
    questions = list(
        Question.objects.filter(kind=Question.Kind.NUMERIC).order_by("bank__slug", "slug")
    )
    if not questions:
        raise RuntimeError("no numeric questions in the bundled banks")
    questions = questions[: args.items]
    quiz = Quiz.objects.create(
        slug="bench-pipeline",
        title="Бенчмарк конвейера проверки",
        is_published=True,
        max_attempts=None,
        show_solutions=Quiz.Solutions.AFTER_ANSWER,
    )
    QuizItem.objects.bulk_create(
        QuizItem(quiz=quiz, position=n, question=q) for n, q in enumerate(questions, start=1)
    )
    users = get_user_model()
    password = make_password(None)
    users.objects.bulk_create(
        users(username=f"bench{i:05d}", password=password) for i in range(args.students)
    )
    store = importlib.import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[0]
    students = []
    for user in users.objects.filter(username__startswith="bench").order_by("pk"):
        attempt = services.attempt_start(user=user, quiz=quiz)
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        students.append(
            {
                "attempt": attempt,
                "uuid": str(attempt.uuid),
                "session": session.session_key,
                "items": attempt.items.count(),
            }
        )
    log(
        f"  quiz of {len(questions)} numeric questions, {len(students)} students with attempt"
        f" and session: {time.monotonic() - t0:.1f} s"
    )
    return {"quiz": quiz, "students": students, "session_cookie": settings.SESSION_COOKIE_NAME}


def random_answer(rng: random.Random) -> str:
    """What students type: integers, decimals with a point or a comma, now and then garbage."""
    roll = rng.random()
    if roll < 0.4:
        return str(rng.randint(0, 5000))
    if roll < 0.7:
        return f"{rng.uniform(-10, 10):.3f}"
    if roll < 0.95:
        return f"{rng.uniform(0, 1):.2f}".replace(".", ",")
    return rng.choice(["abc", "1/0", "", "1e400", "два"])


def response_stats(quiz) -> list[tuple[float, float | None, str]]:
    from quizapp.models import Response

    rows = Response.objects.filter(item__attempt__quiz=quiz).values_list(
        "created_at", "graded_at", "status"
    )
    return [(c.timestamp(), g.timestamp() if g else None, s) for c, g, s in rows]


def failed_reasons(quiz, limit: int = 5) -> dict[str, int]:
    """Why answers ended «failed» (a spec or engine error, not the student's input): by question."""
    from quizapp.models import Response

    reasons: dict[str, int] = {}
    rows = Response.objects.filter(
        item__attempt__quiz=quiz, status=Response.Status.FAILED
    ).values_list("item__version__question__slug", "result")
    for slug, result in rows[:2000]:
        error = (result or {}).get("error") or {}
        message = error.get("message") if isinstance(error, dict) else str(error)
        key = f"{slug}: {str(message)[:120]}"
        reasons[key] = reasons.get(key, 0) + 1
    return dict(sorted(reasons.items(), key=lambda kv: -kv[1])[:limit])


def pending_count(quiz) -> int:
    from quizapp.models import Response

    return Response.objects.filter(item__attempt__quiz=quiz, status=Response.Status.PENDING).count()


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- the load: students posting answers --------------------------------------------------------


def run_load(args, port: int, data: dict) -> dict:
    """Client threads POST answers as the form does, for args.duration seconds (or at args.rate)."""
    students = data["students"]
    cookie_name = data["session_cookie"]
    alphabet = string.ascii_letters + string.digits
    origin = f"http://127.0.0.1:{port}"
    stop_at = [0.0]
    started = [0.0]
    slot = [0]
    lock = threading.Lock()
    statuses: dict[str, int] = {}
    latencies: list[float] = []
    wrong_redirects = [0]

    def next_slot_time(t0: float) -> float | None:
        with lock:
            n = slot[0]
            slot[0] += 1
        when = t0 + n / args.rate
        return when if when < stop_at[0] else None

    def client(index: int) -> None:
        t0 = started[0]
        rng = random.Random(index)
        mine = [dict(s) for s in students[index :: args.clients]]
        if not mine:
            return
        for s in mine:
            s["csrf"] = "".join(rng.choice(alphabet) for _ in range(32))
            s["next"] = rng.randrange(s["items"])
        conn = None
        local_status: dict[str, int] = {}
        local_lat: list[float] = []
        k = 0
        while True:
            if args.rate:
                when = next_slot_time(t0)
                if when is None:
                    break
                delay = when - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            elif time.monotonic() >= stop_at[0]:
                break
            student = mine[k % len(mine)]
            k += 1
            position = student["next"] % student["items"] + 1
            student["next"] += 1
            path = f"/attempt/{student['uuid']}/item/{position}/answer/"
            body = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": student["csrf"], "answer": random_answer(rng)}
            )
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"{cookie_name}={student['session']}; csrftoken={student['csrf']}",
                "Origin": origin,
                "Referer": f"{origin}/attempt/{student['uuid']}/",
            }
            start = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=args.http_timeout)
                conn.request("POST", path, body, headers)
                resp = conn.getresponse()
                resp.read()
                key = str(resp.status)
                location = urllib.parse.urlsplit(resp.getheader("Location") or "").path
                if resp.status == 302 and location != f"/attempt/{student['uuid']}/":
                    wrong_redirects[0] += 1  # e.g. to the login page: the session was refused
                if resp.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as exc:
                key = f"error:{type(exc).__name__}"
                if conn is not None:
                    conn.close()
                conn = None
            local_lat.append(time.monotonic() - start)
            local_status[key] = local_status.get(key, 0) + 1
        if conn is not None:
            conn.close()
        with lock:
            latencies.extend(local_lat)
            for key, count in local_status.items():
                statuses[key] = statuses.get(key, 0) + count

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
    t0 = started[0] = time.monotonic()  # one schedule for every client
    stop_at[0] = t0 + args.duration
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(args.duration + args.http_timeout + 5)
    return {
        "wall": time.monotonic() - t0,
        "requests": len(latencies),
        "statuses": dict(sorted(statuses.items())),
        "wrong_redirects": wrong_redirects[0],
        "http_p50_ms": (pct(latencies, 0.5) or 0) * 1000,
        "http_p99_ms": (pct(latencies, 0.99) or 0) * 1000,
    }


# --- scenarios (each in a child process) ---------------------------------------------------------


def base_env(args, scratch: Path, *, stack: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in APP_ENV}
    env.update(
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="quizapp.settings",
        NZ_VAR_DIR=str(scratch / "var"),
        STATIC_ROOT=str(scratch / "static"),
    )
    if args.log_level:
        env["LOG_LEVEL"] = args.log_level
    if stack:
        env.update(
            DATABASE_URL=args.database_url,
            CELERY_BROKER_URL=args.redis_url,
            CACHE_URL=args.redis_url,
        )
    env.update(dict(kv.split("=", 1) for kv in args.env))
    return env


def production_env(env: dict) -> dict:
    return dict(
        env,
        DEBUG="0",
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_COOKIES="0",
    )


def gunicorn_argv(args, port: int) -> list[str]:
    argv = [sys.executable, "-m", "gunicorn", "quizapp.wsgi:application"]
    argv += ["--bind", f"127.0.0.1:{port}", "--workers", str(args.web_workers)]
    if args.web_threads > 1:
        argv += ["--worker-class", "gthread", "--threads", str(args.web_threads)]
    return argv + ["--timeout", "60"]


def worker_argv(args, concurrency: int, hostname: str, pool: str | None = None) -> list[str]:
    argv = [sys.executable, "-m", "celery", "-A", "quizapp", "worker"]
    argv += ["--queues", args.queues, "--concurrency", str(concurrency)]
    argv += ["--hostname", f"{hostname}@%h", "--loglevel", args.worker_loglevel]
    if pool:
        argv += ["--pool", pool]
    return argv + list(args.worker_arg)


def scenario_http(args, spec: str, scratch: Path, procs: Procs, log) -> dict:
    kind, _, conc = spec.partition(":")
    stack = kind == "stack"
    concurrency = int(conc or args.concurrency)
    env = base_env(args, scratch, stack=stack)
    if stack or args.embedded_server == "gunicorn":
        env = production_env(env)
    # The bench process shares the servers' settings: a session's auth hash depends on SECRET_KEY.
    os.environ.update(env)
    os.environ["LOG_LEVEL"] = "WARNING"  # the bench process itself
    data = setup_app(args, log)
    port = free_port()
    roots: dict[str, int] = {}
    if stack:
        roots["web"] = procs.start("web", gunicorn_argv(args, port), env).pid
        for n in range(args.workers):
            name = f"worker{n}"
            roots[name] = procs.start(name, worker_argv(args, concurrency, f"bench{n}"), env).pid
        if args.beat:
            beat = [sys.executable, "-m", "celery", "-A", "quizapp", "beat", "--loglevel"]
            beat += ["WARNING", "--schedule", str(scratch / "celerybeat-schedule")]
            roots["beat"] = procs.start("beat", beat, env).pid
        config = (
            f"gunicorn {args.web_workers}w"
            + (f"×{args.web_threads}t gthread" if args.web_threads > 1 else " sync")
            + f", {args.workers} celery worker(s) × concurrency {concurrency}"
            + (" + beat" if args.beat else "")
            + ", PostgreSQL, Redis"
        )
    elif args.embedded_server == "runserver":
        argv = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
        roots["web"] = procs.start("web", argv, env).pid
        config = "runserver --noreload (as bin/serve, DEBUG on), SQLite, grading in the request"
    else:
        roots["web"] = procs.start("web", gunicorn_argv(args, port), env).pid
        config = f"gunicorn {args.web_workers}w, DEBUG off, SQLite, grading in the request"
    log(f"  {config}")
    wait_http(port, procs)
    for name in roots:
        if name.startswith("worker"):
            wait_worker_ready(procs, name)

    cpu0 = {name: tree_cpu(pid) for name, pid in roots.items()}
    busy0 = machine_busy()
    self0 = os.times()
    t_load = time.time()
    log(
        f"  load: {args.clients} clients, {args.duration:.0f} s, "
        + (f"target {args.rate:.0f}/s" if args.rate else "as fast as possible")
    )
    load = run_load(args, port, data)
    t_end = time.time()
    self1 = os.times()
    log(f"  load done: {load['requests']} requests, {load['statuses']}; draining…")
    quiz = data["quiz"]
    drain_start = time.monotonic()
    left = pending_count(quiz)
    while left and time.monotonic() - drain_start < args.drain_wait:
        procs.check_alive()
        time.sleep(0.5)
        left = pending_count(quiz)
    drain = time.monotonic() - drain_start
    cpu1 = {name: tree_cpu(pid) for name, pid in roots.items()}
    busy1 = machine_busy()

    rows = response_stats(quiz)
    graded = [r for r in rows if r[1] is not None]
    lat = [g - c for c, g, _ in graded]
    by_status: dict[str, int] = {}
    for _, _, status in rows:
        by_status[status] = by_status.get(status, 0) + 1
    in_window = sum(1 for _, g, _ in graded if g <= t_end)
    last = max((g for _, g, _ in graded), default=t_end)
    cpu = {name: cpu1[name] - cpu0[name] for name in roots}
    cpu_app = sum(cpu.values())
    wall = load["wall"]
    return {
        "scenario": spec if stack else f"embedded ({args.embedded_server})",
        "config": config,
        "students": len(data["students"]),
        "items": data["students"][0]["items"] if data["students"] else 0,
        "clients": args.clients,
        "duration": round(wall, 1),
        **{k: v for k, v in load.items() if k != "wall"},
        "submitted": len(rows),
        "submitted_per_s": len(rows) / wall,
        "graded": len(graded),
        "graded_in_window_per_s": in_window / wall,
        "graded_overall_per_s": len(graded) / max(1e-9, last - t_load),
        "drain_after_load_s": drain,
        "ungraded": left,
        "statuses_db": by_status,
        "failed_reasons": failed_reasons(quiz),
        "lat_p50_s": pct(lat, 0.5),
        "lat_p95_s": pct(lat, 0.95),
        "lat_p99_s": pct(lat, 0.99),
        "lat_max_s": max(lat, default=None),
        "cpu_s": {k: round(v, 1) for k, v in cpu.items()},
        "cpu_ms_per_graded": cpu_app / max(1, len(graded)) * 1000,
        "client_cpu_s": round((self1.user - self0.user) + (self1.system - self0.system), 1),
        "machine_busy_pct": 100 * (busy1[0] - busy0[0]) / max(1e-9, busy1[1] - busy0[1]),
    }


def scenario_drain(args, scratch: Path, procs: Procs, log) -> dict:
    env = production_env(base_env(args, scratch, stack=True))
    os.environ.update(env)
    os.environ["LOG_LEVEL"] = "WARNING"
    count = args.drain_count
    need = -(-count // args.items)
    args.students = max(need, 1)
    data = setup_app(args, log)
    from quizapp.attempts import services
    from quizapp.models import AttemptItem

    t0 = time.monotonic()
    items = list(
        AttemptItem.objects.filter(attempt__quiz=data["quiz"]).order_by("attempt_id", "position")
    )
    chosen = [items[n % len(items)] for n in range(count)]
    threads = max(1, args.insert_threads)

    def insert(part: int) -> None:
        # Threads take whole attempts (items are ordered by attempt), so none waits for another's
        # attempt lock; each thread has its own database connection, closed at the end.
        from django.db import connection

        rng = random.Random(part)
        try:
            for item in chosen[part * len(chosen) // threads : (part + 1) * len(chosen) // threads]:
                services.response_submit(item=item, raw=random_answer(rng))
        finally:
            connection.close()

    workers = [threading.Thread(target=insert, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    insert = time.monotonic() - t0
    import redis

    queue = redis.Redis.from_url(args.redis_url)
    queued = queue.llen(args.queues.split(",")[0])
    queue.close()
    log(
        f"  {count} answers saved through response_submit in {insert:.1f} s"
        f" ({count / insert:.0f}/s); {queued} messages in queue {args.queues.split(',')[0]!r}"
    )
    pool = args.drain_pool
    spawn = time.time()
    root = procs.start("worker0", worker_argv(args, 1, "drain", pool=pool), env).pid
    ready = wait_worker_ready(procs, "worker0")
    cpu0 = tree_cpu(root)
    quiz = data["quiz"]
    left = pending_count(quiz)
    start = time.monotonic()
    while left and time.monotonic() - start < args.drain_timeout:
        procs.check_alive()
        time.sleep(0.25)
        left = pending_count(quiz)
    done = time.time()
    cpu = tree_cpu(root) - cpu0
    rows = response_stats(quiz)
    graded = sorted(g for _, g, _ in rows if g is not None)
    span = graded[-1] - graded[0] if len(graded) > 1 else 0.0
    by_status: dict[str, int] = {}
    for _, _, status in rows:
        by_status[status] = by_status.get(status, 0) + 1
    return {
        "scenario": "drain",
        "config": f"1 celery worker process (--pool {pool}), PostgreSQL, Redis",
        "answers": count,
        "queued_messages": queued,
        "graded": len(graded),
        "ungraded": left,
        "statuses_db": by_status,
        "failed_reasons": failed_reasons(quiz),
        "worker_ready_s": ready,
        "first_to_last_s": span,
        "drain_per_s": (len(graded) - 1) / span if span else None,
        "with_startup_per_s": len(graded) / (done - spawn),
        "cpu_s": {"worker0": round(cpu, 1)},
        "cpu_ms_per_graded": cpu / max(1, len(graded)) * 1000,
    }


def run_child(args) -> None:
    spec = args.child
    scratch = Path(tempfile.mkdtemp(prefix="nz-bench-pipeline-"))
    procs = Procs(scratch)
    stack = spec not in ("embedded", "prepare")

    def log(message: str) -> None:
        print(message, flush=True)

    result: dict = {}
    try:
        if spec == "prepare":
            drop = f'DROP DATABASE IF EXISTS "{args.template_name}" WITH (FORCE)'
            pg_admin(args.database_url, drop)
            pg_admin(args.database_url, f'CREATE DATABASE "{args.template_name}"')
            result = prepare_template(args, log)
            return
        if stack:
            pg_admin(args.database_url, f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')
            pg_admin(
                args.database_url,
                f'CREATE DATABASE "{args.db_name}" TEMPLATE "{args.template_name}"',
            )
            redis_flush(args.redis_url)
        if spec == "drain":
            result = scenario_drain(args, scratch, procs, log)
        else:
            result = scenario_http(args, spec, scratch, procs, log)
    except Exception as exc:
        result = {"scenario": spec, "error": f"{type(exc).__name__}: {exc}"}
        if not isinstance(exc, Stop):
            procs.show_failure()
    finally:
        procs.tear_down()
        if stack:
            try:
                pg_admin(
                    args.database_url, f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)'
                )
            except Exception as exc:
                print(f"! could not drop {args.db_name}: {exc}", file=sys.stderr)
            try:
                redis_flush(args.redis_url)
            except Exception as exc:
                print(f"! could not flush {args.redis_url}: {exc}", file=sys.stderr)
        if args.keep_logs:
            print(f"  logs kept in {scratch}")
        else:
            subprocess.run(["rm", "-rf", str(scratch)], check=False)
        Path(args.out).write_text(json.dumps(result, default=str))


# --- the report ----------------------------------------------------------------------------------


def _f(value, fmt="{:.0f}") -> str:
    return "—" if value is None else fmt.format(value)


def table(results: list[dict]) -> str:
    lines = []
    http = [r for r in results if r.get("scenario") != "drain" and "error" not in r]
    if http:
        lines += [
            "| scenario | students × items | clients | s | HTTP req (status) | submitted/s"
            " | graded/s in window | graded/s overall | latency p50 / p95 / p99 / max s"
            " | ungraded | drain after load s | CPU ms / graded (web, workers) | machine busy |",
            "|" + "---|" * 13,
        ]
        for r in http:
            cpu = ", ".join(f"{k} {v}" for k, v in r["cpu_s"].items())
            lines.append(
                f"| {r['scenario']} | {r['students']} × {r['items']} | {r['clients']}"
                f" | {r['duration']} | {r['requests']} {r['statuses']}"
                f"{' (' + str(r['wrong_redirects']) + ' to login)' if r['wrong_redirects'] else ''}"
                f" | {r['submitted_per_s']:.0f} | {r['graded_in_window_per_s']:.0f}"
                f" | {r['graded_overall_per_s']:.0f}"
                f" | {_f(r['lat_p50_s'], '{:.2f}')} / {_f(r['lat_p95_s'], '{:.2f}')}"
                f" / {_f(r['lat_p99_s'], '{:.2f}')} / {_f(r['lat_max_s'], '{:.2f}')}"
                f" | {r['ungraded']} | {r['drain_after_load_s']:.1f}"
                f" | {r['cpu_ms_per_graded']:.1f} ({cpu} s) | {r['machine_busy_pct']:.0f}% |"
            )
    drains = [r for r in results if r.get("scenario") == "drain" and "error" not in r]
    if drains:
        lines += [
            "",
            "| drain | answers | graded | ungraded | worker start s | first→last graded s"
            " | answers/s | incl. start-up /s | CPU ms / answer |",
            "|" + "---|" * 9,
        ]
        for r in drains:
            lines.append(
                f"| {r['config']} | {r['answers']} | {r['graded']} | {r['ungraded']}"
                f" | {r['worker_ready_s']:.1f} | {r['first_to_last_s']:.1f}"
                f" | {_f(r['drain_per_s'])} | {r['with_startup_per_s']:.0f}"
                f" | {r['cpu_ms_per_graded']:.1f} |"
            )
    for r in results:
        if "error" in r:
            lines.append(f"\n{r['scenario']}: FAILED — {r['error']}")
    return "\n".join(lines)


def details(results: list[dict]) -> str:
    out = []
    for r in results:
        if "error" in r:
            continue
        extra = [f"{r['scenario']}: {r['config']}"]
        if r["scenario"] != "drain":
            extra.append(
                f"  HTTP p50/p99 {r['http_p50_ms']:.0f}/{r['http_p99_ms']:.0f} ms;"
                f" responses by status {r['statuses_db']};"
                f" load generator CPU {r['client_cpu_s']} s"
            )
        else:
            extra.append(
                f"  {r['queued_messages']} messages queued; responses by status {r['statuses_db']}"
            )
        for reason, count in r.get("failed_reasons", {}).items():
            extra.append(f"  failed ×{count}: {reason}")
        out += extra
    return "\n".join(out)


TRANSIENT = ("shutting down", "terminating connection", "connection failed", "server closed")


def wait_postgres(url: str, timeout: float = 120, calm: float = 5) -> None:
    """Until PostgreSQL has answered for ``calm`` seconds in a row (something restarted it)."""
    import psycopg

    admin = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))
    deadline, since = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(admin, connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            since = since or time.monotonic()
            if time.monotonic() - since >= calm:
                return
        except psycopg.Error:
            since = None
        time.sleep(0.5)


def run_spec(args, spec: str) -> dict:
    """A scenario; again (up to --retries) when PostgreSQL went away under it."""
    for attempt in range(args.retries + 1):
        result = run_spec_once(args, spec)
        error = result.get("error", "")
        if not any(word in error for word in TRANSIENT) or attempt == args.retries:
            break
        print(f"  ! PostgreSQL went away ({error[:80]}…): waiting for it, then again", flush=True)
        wait_postgres(args.database_url)
    return result


def run_spec_once(args, spec: str) -> dict:
    """One scenario in a child process of its own (fresh settings, fresh Django)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        out_path = out.name
    argv = [sys.executable, __file__, *sys.argv[1:], "--child", spec, "--out", out_path]
    child = subprocess.Popen(argv, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        child.wait()
    except Stop as stop:
        # Ctrl-C reached the child too (same process group); a SIGTERM did not.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if str(stop) == "SIGTERM":
            child.send_signal(signal.SIGTERM)
        child.wait()
        raise
    try:
        return json.loads(Path(out_path).read_text() or "{}")
    except (OSError, ValueError):
        return {"scenario": spec, "error": f"no result (exit {child.returncode})"}
    finally:
        Path(out_path).unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add = parser.add_argument
    add("--scenario", choices=["stack", "embedded", "drain"], default="stack")
    add("--drain", action="store_true", help="same as --scenario drain")
    add(
        "--matrix",
        nargs="?",
        const=MATRIX_DEFAULT,
        help=f"comma-separated scenarios run in sequence (default {MATRIX_DEFAULT});"
        " stack:N is the stack with worker concurrency N",
    )
    add("--students", type=int, default=300)
    add("--items", type=int, default=40, help="numeric questions in the quiz")
    add("--duration", type=float, default=20, help="seconds of load")
    add("--clients", type=int, default=16, help="client threads")
    add("--rate", type=float, default=0, help="target submits/s in total; 0 = as fast as possible")
    add("--http-timeout", type=float, default=30)
    add("--drain-wait", type=float, default=60, help="max seconds to wait for grading after load")
    add("--concurrency", type=int, default=2, help="Celery worker concurrency (stack)")
    add("--workers", type=int, default=1, help="Celery grading worker processes (stack)")
    add("--beat", action=argparse.BooleanOptionalAction, default=True, help="one celery beat")
    add("--queues", default="grading", help="queues the grading workers consume")
    add("--worker-loglevel", default="INFO", help="as README (INFO); «ready.» is read from it")
    add("--worker-arg", action="append", default=[], help="extra worker option (repeatable)")
    add("--web-workers", type=int, default=3, help="gunicorn workers")
    add("--web-threads", type=int, default=1, help=">1: gunicorn gthread with this many threads")
    add("--embedded-server", choices=["runserver", "gunicorn"], default="runserver")
    add("--drain-count", type=int, default=5000)
    add("--drain-pool", choices=["solo", "prefork"], default="prefork")
    add("--drain-timeout", type=float, default=180)
    add("--insert-threads", type=int, default=4, help="threads saving the drain's answers")
    add("--bank-variants", type=int, default=20, help="variants import_bank checks (bin/serve: 20)")
    add("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_pipeline")
    add("--redis-url", default="redis://127.0.0.1:6379/13")
    add("--env", action="append", default=[], metavar="KEY=VALUE", help="for every process")
    add("--log-level", help="LOG_LEVEL of the started processes (unset: the app's INFO)")
    add("--results-md", help="append the figures with machine info to this Markdown file")
    add("--json", help="write the raw results to this file")
    add("--keep-logs", action="store_true")
    add("--retries", type=int, default=2, help="reruns of a scenario PostgreSQL went away under")
    add("--child", help=argparse.SUPPRESS)
    add("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    parts = urllib.parse.urlsplit(args.database_url)
    args.db_name = parts.path.lstrip("/")
    args.template_name = f"{args.db_name}_tpl"
    args.template_url = urllib.parse.urlunsplit(parts._replace(path=f"/{args.template_name}"))
    for kv in args.env:
        if "=" not in kv:
            parser.error(f"--env {kv!r}: KEY=VALUE expected")
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)

    if args.child:
        run_child(args)
        return

    if args.matrix:
        specs = [s.strip() for s in args.matrix.split(",") if s.strip()]
    elif args.drain or args.scenario == "drain":
        specs = ["drain"]
    elif args.scenario == "embedded":
        specs = ["embedded"]
    else:
        specs = [f"stack:{args.concurrency}"]
    for spec in specs:
        if spec != "drain" and spec != "embedded" and not spec.startswith("stack"):
            parser.error(f"unknown scenario {spec!r}")

    info = machine_info()
    print(machine_line(info), flush=True)
    results = []
    needs_pg = any(spec != "embedded" for spec in specs)
    try:
        if needs_pg:
            print("\n== prepare", flush=True)
            prepared = run_spec(args, "prepare")
            if "error" in prepared:
                raise RuntimeError(f"preparing the template database failed: {prepared['error']}")
        for spec in specs:
            print(f"\n== {spec}", flush=True)
            results.append(run_spec(args, spec))
    except Stop:
        print("interrupted: the scenario's processes are stopped, its database dropped")
    except RuntimeError as exc:
        print(f"! {exc}")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if needs_pg:
            try:
                pg_admin(
                    args.database_url,
                    f'DROP DATABASE IF EXISTS "{args.template_name}" WITH (FORCE)',
                )
            except Exception as exc:
                print(f"! could not drop {args.template_name}: {exc}", file=sys.stderr)
    report = table(results)
    print("\n" + report + "\n\n" + details(results))
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "results": results}, indent=2))
    if args.results_md:
        results_md_append(args.results_md, info, f"{report}\n\n```\n{details(results)}\n```")


if __name__ == "__main__":
    main()
