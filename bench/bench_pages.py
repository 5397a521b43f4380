"""The web tier under load: students' and instructors' pages on the real stack (issue 11).

Builds a scratch PostgreSQL database (``bench_pages_<pid>``, dropped at the end unless --keep):
migrate, the bundled banks, then realistic data written in bulk (not through HTTP, fixed seed):
N students with flashcard decks and a few hundred FSRS reviews each over the past weeks, practice
answers across topics, finished attempts of a course quiz (responses graded by the grader itself,
typical mistakes included) and one attempt in progress; an instructor owning the course that
every student is enrolled in, with the quiz published and assigned to it.

Starts the production stack on loopback as README «By hand» does (gunicorn sync workers,
DEBUG=0, one Celery grading worker, PostgreSQL, Redis for the broker and the cache on its own db
number), logs every student and the instructor in through the real login form (CSRF and all),
then, for each page and number of clients, a load generator in separate processes (threads
inside, one keep-alive HTTP connection each; gunicorn's sync workers close it after every
response, so the client reconnects then) requests the page for a warm-up and a bounded duration:

  dashboard  GET /                                    (students, round-robin over clients)
  practice   POST …/practice/topic/T/next/ → GET …/practice/topic/T/: «Ещё вариант», a fresh
             variant drawn and shown; one page view = both requests
  attempt    GET /attempt/<uuid>/                     (the student's attempt in progress)
  submit     POST /attempt/<uuid>/item/<n>/answer/    (as the attempt form posts it: CSRF field,
             the answer or the ticked options, and a fresh ``submit_token``); the worker grades
  gradebook  GET /teach/gradebook/course/<id>/        (instructor; at each --attempts size)
  analysis   GET /teach/analysis/quiz/<id>/           (instructor; at each --attempts size)

Per cell: page views begun in the measured window (after the warm-up; no view is begun after
it, and each one begun is waited for, up to the HTTP timeout), errors among them (a status other
than the page's, a redirect elsewhere than the page's, e.g. to the login page, a connection
error or timeout: the first one is shown) and their p50/p95/p99 latency; the views completed
inside the window per second, and per such view the CPU ms of the gunicorn process tree, the
Celery worker, the PostgreSQL server (postmaster tree: the whole server, so other databases' work
on a shared machine counts too; n/a where /proc does not show it) and Redis (INFO cpu); the load
generator's own CPU (the busiest generator process, % of one core) and how busy the machine was.
The issue's targets are printed next to the figures: ok, MISS, or n/a when nothing was measured.
Asserts nothing. A full default run takes about 9–10 minutes (setup, 101 logins, 24 cells).

Run (from the repository root; PostgreSQL on 127.0.0.1:5432 user postgres, Redis on :6379):
  .venv/bin/python bench/bench_pages.py --quick                 # a smoke run, about 3 minutes
  .venv/bin/python bench/bench_pages.py --results-md bench/RESULTS.md
  .venv/bin/python bench/bench_pages.py --pages dashboard,submit --clients 10 --duration 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.client
import http.cookies
import math
import multiprocessing
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pipeline import (
    Procs,
    Stop,
    _raise_stop,
    _stat,
    base_env,
    free_port,
    gunicorn_argv,
    import_banks,
    machine_busy,
    machine_info,
    machine_line,
    pct,
    pg_admin,
    production_env,
    redis_flush,
    results_md_append,
    tree_cpu,
    wait_http,
    wait_worker_ready,
    worker_argv,
)

STUDENT_PAGES = ("dashboard", "practice", "attempt", "submit")
INSTRUCTOR_PAGES = ("gradebook", "analysis")
PAGES = STUDENT_PAGES + INSTRUCTOR_PAGES
PASSWORD = "bench-Pages-2026!"
# The kinds of the quiz's questions, in this order (a kind the banks lack is replaced).
QUIZ_KINDS = (
    "numeric",
    "single_choice",
    "numeric",
    "multiple_choice",
    "vector",
    "numeric",
    "expression",
    "single_choice",
    "matrix",
    "short_text",
)
FIRST = ("Анна", "Борис", "Вера", "Глеб", "Дарья", "Егор", "Жанна", "Иван", "Ксения", "Лев")
LAST = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Морозов")


# --- realistic data, written in bulk --------------------------------------------------------------


@contextmanager
def past_times(*fields):
    """Let bulk_create keep the past times it is given (``auto_now_add`` would stamp now)."""
    saved = [(field, field.auto_now_add) for field in fields]
    for field, _ in saved:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field, value in saved:
            field.auto_now_add = value


def answer_set(spec: dict, seed: int) -> dict[str, str]:
    """What students type for this variant: the key, a wrong answer, an unparsable one and the
    spec's typical mistakes (numeric), from the kind's own self-test."""
    from grader import kinds
    from grader.errors import GraderError
    from grader.grading import mistake_value
    from grader.variants import variant

    kind = kinds.get(spec["kind"])
    values = variant(spec, seed).values
    expected = kind.expected(spec, values)
    test = kind.self_test(spec, expected)
    raws = {"correct": test.correct, "wrong": test.wrong}
    if test.invalid is not None:
        raws["invalid"] = test.invalid
    if spec["kind"] == "numeric":
        for index in range(min(2, len(spec.get("mistakes") or []))):
            try:
                raws[f"mistake{index}"] = repr(float(mistake_value(kind, spec, index, values)))
            except (GraderError, TypeError, ValueError):
                continue
    return raws


def graded(spec: dict, seed: int, raw: str) -> dict:
    """The grader's verdict as a Response stores it: status, score, result."""
    from grader.grading import grade

    result = grade(spec, seed, raw).as_dict()
    ok = result["status"] == "graded"
    return {"status": result["status"], "score": result["score"] if ok else None, "result": result}


def pick_outcome(rng: random.Random, p_correct: float, labels) -> str | None:
    """Which answer a student gives: None (left blank), the key, a mistake, wrong or garbage."""
    roll = rng.random()
    if roll < 0.04:
        return None
    if rng.random() < p_correct:
        return "correct"
    mistakes = [label for label in labels if label.startswith("mistake")]
    roll = rng.random()
    if mistakes and roll < 0.5:
        return rng.choice(mistakes)
    return "invalid" if roll > 0.9 and "invalid" in labels else "wrong"


class Seeder:
    """Builds the data; ``grow(n)`` adds finished attempts up to n between cells."""

    def __init__(self, args, log):
        self.args, self.log = args, log
        self.rng = random.Random(args.seed)
        self.now = dt.datetime.now(dt.UTC)

    def build(self) -> dict:
        t0 = time.monotonic()
        self.people()
        self.course_and_quiz()
        self.pools()
        self.log(f"  students, course, quiz and graded answer pools: {time.monotonic() - t0:.1f} s")
        t0 = time.monotonic()
        reviews = self.flashcards()
        practice = self.practice()
        self.log(
            f"  flashcards ({reviews} reviews) and practice ({practice} answers):"
            f" {time.monotonic() - t0:.1f} s"
        )
        t0 = time.monotonic()
        self.in_progress()
        self.log(f"  an attempt in progress per student: {time.monotonic() - t0:.1f} s")
        return self.load_data()

    # people, course, quiz ------------------------------------------------------------------------

    def people(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group

        from quizapp.core.roles import INSTRUCTOR_GROUP

        users = get_user_model()
        password = make_password(PASSWORD)
        rng = self.rng
        users.objects.bulk_create(
            users(
                username=f"bench_s{i:04d}",
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                email=f"bench_s{i:04d}@example.org",
                password=password,
            )
            for i in range(self.args.students)
        )
        self.students = list(users.objects.filter(username__startswith="bench_s").order_by("pk"))
        self.teacher = users.objects.create(
            username="bench_teacher",
            first_name="Мария",
            last_name="Преподавателева",
            password=password,
        )
        self.teacher.groups.add(Group.objects.get_or_create(name=INSTRUCTOR_GROUP)[0])
        # How well each student knows the subject: drives their verdicts everywhere.
        self.ability = {s.pk: rng.uniform(0.25, 0.95) for s in self.students}

    def course_and_quiz(self) -> None:
        from question_bank.models import Question, QuestionVersion
        from quizapp.models import Course, CourseQuiz, Enrollment, Quiz, QuizItem

        self.course = Course.objects.create(
            title="Глубокое обучение (бенчмарк)", code="bench-pages", owner=self.teacher
        )
        Enrollment.objects.bulk_create(
            Enrollment(course=self.course, user=s) for s in self.students
        )
        quiz = Quiz(
            slug="bench-pages-exam",
            title="Экзамен по глубокому обучению (бенчмарк)",
            owner=self.teacher,
            max_attempts=None,
            show_solutions=Quiz.Solutions.AFTER_ANSWER,
        )
        # Published explicitly (quizzes become drafts by default); reached through the course
        # only: ``is_open`` (a public practice quiz), where it exists, keeps its default.
        quiz.is_published = True
        quiz.save()
        self.quiz = quiz
        CourseQuiz.objects.create(course=self.course, quiz=quiz, added_by=self.teacher)

        by_kind: dict[str, list] = {}
        for q in Question.objects.exclude(kind="flashcard").order_by("bank__slug", "slug"):
            by_kind.setdefault(q.kind, []).append(q)
        chosen = []
        for kind in QUIZ_KINDS[: self.args.items] + ("numeric",) * max(0, self.args.items - 10):
            pool = [q for q in by_kind.get(kind, []) if q not in chosen]
            chosen.append(
                self.rng.choice(pool or [q for q in by_kind["numeric"] if q not in chosen])
            )
        self.kinds = [q.kind for q in chosen]
        newest = {}
        for version in QuestionVersion.objects.filter(question__in=chosen).order_by("number"):
            newest[version.question_id] = version
        self.quiz_items = QuizItem.objects.bulk_create(
            QuizItem(quiz=quiz, position=n, question=q, points=Decimal(1 + (n % 3 == 0)))
            for n, q in enumerate(chosen, start=1)
        )
        self.versions = [newest[q.pk] for q in chosen]
        # How hard each question is: with the ability, the chance of a right answer.
        self.difficulty = [self.rng.uniform(-0.2, 0.35) for _ in chosen]
        self.numbers = {s.pk: 0 for s in self.students}

    def pools(self) -> None:
        """Per question, variants (seeds) with every typical answer already graded: finished
        attempts draw their items from these, so answers, verdicts and variants agree."""
        from grader.errors import GraderError

        self.pool = []
        for version in self.versions:
            entries, refused = [], 0
            while len(entries) < self.args.pool_seeds:
                seed = self.rng.getrandbits(62)
                try:
                    raws = answer_set(version.spec, seed)
                    verdicts = {
                        k: (raw, graded(version.spec, seed, raw)) for k, raw in raws.items()
                    }
                except GraderError:  # a variant the grader refuses: draw another
                    refused += 1
                    if refused > 20 * self.args.pool_seeds:
                        raise
                    continue
                entries.append((seed, verdicts))
            self.pool.append(entries)

    # study history -------------------------------------------------------------------------------

    def flashcards(self) -> int:
        from fsrs import Card, Rating, Scheduler

        from question_bank.models import Bank, Question, QuestionVersion, Topic
        from quizapp.flashcards.fsrs_cards import apply_card, snapshot
        from quizapp.models import FlashcardReview, FlashcardState, StudyDeck

        random.seed(self.args.seed)  # fsrs fuzzes intervals with the random module
        scheduler = Scheduler()
        rng = self.rng
        banks = list(Bank.objects.filter(owner__isnull=True).order_by("slug"))
        questions: dict[int, list[tuple[int, int | None, str]]] = {}
        newest = dict(QuestionVersion.objects.order_by("number").values_list("question_id", "pk"))
        for pk, bank_id, topic_id, kind in Question.objects.order_by("bank_id", "pk").values_list(
            "pk", "bank_id", "topic_id", "kind"
        ):
            questions.setdefault(bank_id, []).append((pk, topic_id, kind))
        topics = {}
        for pk, bank_id in Topic.objects.values_list("pk", "bank_id"):
            topics.setdefault(bank_id, []).append(pk)
        ratings = [Rating.Again, Rating.Hard, Rating.Good, Rating.Easy]
        total = 0
        decks, states = [], []
        for student in self.students:
            chosen = rng.sample(banks, min(3, len(banks)))
            scope = [q for b in chosen[:2] for q in questions.get(b.pk, [])]
            decks += [StudyDeck(user=student, bank=b) for b in chosen[:2]]
            if len(chosen) > 2 and topics.get(chosen[2].pk):
                topic = rng.choice(topics[chosen[2].pk])
                decks.append(StudyDeck(user=student, bank=chosen[2], topic_id=topic))
                scope += [q for q in questions.get(chosen[2].pk, []) if q[1] == topic]
            per_day = rng.randint(3, 7)
            keen = rng.uniform(0.5, 0.9)
            skill = self.ability[student.pk]
            cards: dict[int, list] = {}  # question → [Card, reps, introduced, reviews]
            unseen = iter(scope)
            for days_ago in range(self.args.history_days, 0, -1):
                if rng.random() > keen:
                    continue
                moment = self.now - dt.timedelta(days=days_ago, hours=rng.uniform(-4, 4))
                due = [q for q, c in cards.items() if c[0].due <= moment][:60]
                fresh = [q for q in (next(unseen, None) for _ in range(per_day)) if q]
                for q in due + fresh:
                    entry = cards.get(q)
                    if entry is None:
                        entry = cards[q] = [Card(card_id=len(cards) + 1), 0, moment, []]
                    state = FlashcardState(user=student, question_id=q[0], reps=entry[1])
                    state.introduced_at = entry[2] if entry[1] else None
                    if entry[1]:
                        apply_card(state, entry[0])
                    previous = snapshot(state)
                    weights = [1.2 - skill, 0.6, 1.5 + skill, 0.4 * skill]
                    rating = rng.choices(ratings, weights)[0]
                    entry[0], _ = scheduler.review_card(entry[0], rating, review_datetime=moment)
                    entry[1] += 1
                    answered = q[2] != "flashcard"
                    entry[3].append(
                        FlashcardReview(
                            user=student,
                            version_id=newest.get(q[0]),
                            rating=int(rating),
                            reviewed_at=moment,
                            previous_state=previous,
                            seed=rng.getrandbits(62),
                            raw="" if not answered else str(rng.randint(0, 99)),
                            score=(1.0 if rating >= Rating.Good else 0.0) if answered else None,
                        )
                    )
                    moment += dt.timedelta(seconds=rng.uniform(5, 60))
            for q, (card, reps, introduced, reviews) in cards.items():
                state = FlashcardState(
                    user=student,
                    question_id=q[0],
                    reps=reps,
                    variants=reps,
                    introduced_at=introduced,
                )
                apply_card(state, card)
                states.append((state, reviews))
                total += len(reviews)
        StudyDeck.objects.bulk_create(decks)
        FlashcardState.objects.bulk_create([s for s, _ in states], batch_size=2000)
        for state, reviews in states:
            for review in reviews:
                review.card = state
        FlashcardReview.objects.bulk_create(
            [r for _, reviews in states for r in reviews], batch_size=2000
        )
        return total

    def practice(self) -> int:
        from question_bank.models import Question, QuestionVersion
        from quizapp.models import PracticeAnswer

        kinds = [k for k in Question.Kind.values if k != "flashcard"]
        versions: dict[int, list[int]] = {}
        for topic_id, pk in QuestionVersion.objects.filter(
            question__kind__in=kinds, question__topic__isnull=False
        ).values_list("question__topic_id", "pk"):
            versions.setdefault(topic_id, []).append(pk)
        self.practice_topics = sorted(versions)
        rng = self.rng
        rows = []
        for student in self.students:
            skill = self.ability[student.pk]
            for topic in rng.sample(self.practice_topics, min(8, len(self.practice_topics))):
                knows = min(0.97, max(0.05, skill + rng.uniform(-0.3, 0.2)))
                for _ in range(rng.randint(4, 15)):
                    created = self.now - dt.timedelta(seconds=rng.uniform(600, 28 * 86400))
                    if rng.random() < 0.06:
                        status, score, result = "invalid", None, {"status": "invalid"}
                    else:
                        score = 1.0 if rng.random() < knows else 0.0
                        status = "graded"
                        result = {
                            "status": "graded",
                            "score": score,
                            "correct": score == 1.0,
                            "feedback": "Верно." if score else "Неверно.",
                        }
                    rows.append(
                        PracticeAnswer(
                            user=student,
                            topic_id=topic,
                            version_id=rng.choice(versions[topic]),
                            seed=rng.getrandbits(62),
                            raw=str(rng.randint(0, 100)),
                            status=status,
                            score=score,
                            result=result,
                            created_at=created,
                            graded_at=created + dt.timedelta(seconds=rng.uniform(0.2, 3)),
                        )
                    )
        with past_times(PracticeAnswer._meta.get_field("created_at")):
            PracticeAnswer.objects.bulk_create(rows, batch_size=2000)
        return len(rows)

    # attempts ------------------------------------------------------------------------------------

    def grow(self, target: int) -> float:
        """Finished attempts of the course quiz up to ``target`` (students in turn); seconds."""
        from quizapp.models import Attempt

        t0 = time.monotonic()
        have = Attempt.objects.filter(quiz=self.quiz, status=Attempt.Status.FINISHED).count()
        while have < target:
            chunk = min(500, target - have)
            self._finished_batch(
                [self.students[(have + j) % len(self.students)] for j in range(chunk)]
            )
            have += chunk
        return time.monotonic() - t0

    def _finished_batch(self, students) -> None:
        from quizapp.models import Attempt, AttemptItem, Response

        rng = self.rng
        attempts, plans = [], []
        for student in students:
            self.numbers[student.pk] += 1
            started = self.now - dt.timedelta(seconds=rng.uniform(3600, 28 * 86400))
            finished = started + dt.timedelta(minutes=rng.uniform(8, 45))
            plan, total, maximum = [], Decimal(0), Decimal(0)
            for n, (quiz_item, version) in enumerate(
                zip(self.quiz_items, self.versions, strict=True)
            ):
                seed, answers = rng.choice(self.pool[n])
                p = min(0.97, max(0.03, self.ability[student.pk] + 0.25 - self.difficulty[n]))
                label = pick_outcome(rng, p, answers)
                chain = [] if label is None else [answers[label]]
                if chain and rng.random() < 0.1:  # changed their mind: an older answer first
                    chain.insert(0, answers["wrong"])
                maximum += quiz_item.points
                if chain and chain[-1][1]["score"] is not None:
                    total += quiz_item.points * Decimal(str(chain[-1][1]["score"]))
                plan.append((quiz_item, version, seed, chain))
            attempts.append(
                Attempt(
                    quiz=self.quiz,
                    user=student,
                    status=Attempt.Status.FINISHED,
                    number=self.numbers[student.pk],
                    started_at=started,
                    finished_at=finished,
                    score=total.quantize(Decimal("0.01")),
                    max_score=maximum,
                )
            )
            plans.append(plan)
        with past_times(Attempt._meta.get_field("started_at")):
            Attempt.objects.bulk_create(attempts)
        items, chains = [], []
        for attempt, plan in zip(attempts, plans, strict=True):
            span = attempt.finished_at - attempt.started_at
            for position, (quiz_item, version, seed, chain) in enumerate(plan, start=1):
                items.append(
                    AttemptItem(
                        attempt=attempt,
                        quiz_item=quiz_item,
                        version=version,
                        position=position,
                        seed=seed,
                        points=quiz_item.points,
                    )
                )
                chains.append((attempt.started_at + span * position / (len(plan) + 1), chain))
        AttemptItem.objects.bulk_create(items, batch_size=2000)
        responses = []
        for item, (moment, chain) in zip(items, chains, strict=True):
            for k, (raw, verdict) in enumerate(chain):
                created = moment + dt.timedelta(seconds=20 * k)
                responses.append(
                    Response(
                        item=item,
                        raw=raw,
                        created_at=created,
                        graded_at=created + dt.timedelta(seconds=rng.uniform(0.1, 2)),
                        **verdict,
                    )
                )
        with past_times(Response._meta.get_field("created_at")):
            Response.objects.bulk_create(responses, batch_size=2000)

    def in_progress(self) -> None:
        """One attempt in progress per student (started by the app's service, as the «Начать»
        button does), three items already answered and graded."""
        from grader.errors import GraderError
        from quizapp.attempts.services import attempt_start
        from quizapp.models import Response

        rng = self.rng
        kind_of = {qi.pk: kind for qi, kind in zip(self.quiz_items, self.kinds, strict=True)}
        self.current = {}
        rows = []
        for student in self.students:
            attempt = attempt_start(user=student, quiz=self.quiz)
            self.numbers[student.pk] += 1
            plan = []
            for item in attempt.items.select_related("version").order_by("position"):
                try:
                    raws = list(answer_set(item.version.spec, item.seed).values())
                except GraderError:  # the worker will keep such an answer as «failed»
                    raws = ["1"]
                multiple = kind_of.get(item.quiz_item_id) in ("single_choice", "multiple_choice")
                plan.append({"position": item.position, "choice": multiple, "answers": raws})
                if item.position <= 3:
                    raw = rng.choice(raws)
                    try:
                        verdict = graded(item.version.spec, item.seed, raw)
                    except GraderError:
                        continue
                    rows.append(Response(item=item, raw=raw, graded_at=self.now, **verdict))
            self.current[student.pk] = {"uuid": str(attempt.uuid), "items": plan}
        Response.objects.bulk_create(rows)

    def load_data(self) -> dict:
        """What the load generator needs, as plain data."""
        students = []
        for i, student in enumerate(self.students):
            topics = self.practice_topics[i % len(self.practice_topics) :] + self.practice_topics
            students.append(
                {
                    "username": student.username,
                    "attempt": self.current[student.pk],
                    "topics": topics[: min(12, len(self.practice_topics))],
                }
            )
        return {
            "students": students,
            "teacher": {"username": self.teacher.username},
            "course": self.course.pk,
            "quiz": self.quiz.pk,
        }


# --- HTTP: login and the load generator -----------------------------------------------------------


def set_cookies(resp, jar: dict) -> None:
    for header in resp.headers.get_all("Set-Cookie") or []:
        cookie = http.cookies.SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            jar[name] = morsel.value


def login(port: int, username: str, timeout: float) -> dict:
    """The login form as a browser fills it in: GET (CSRF cookie and field), POST, 302."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    jar: dict = {}
    try:
        conn.request("GET", "/login/", headers={"Accept": "text/html"})
        resp = conn.getresponse()
        page = resp.read().decode(errors="replace")
        set_cookies(resp, jar)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if resp.status != 200 or not match:
            raise RuntimeError(f"login page of {username}: {resp.status} {page[:200]!r}")
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": html.unescape(match.group(1)),
                "username": username,
                "password": PASSWORD,
                "next": "/",
            }
        )
        if resp.will_close:
            conn.close()
        origin = f"http://127.0.0.1:{port}"
        conn.request(
            "POST",
            "/login/",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
                "Origin": origin,
                "Referer": f"{origin}/login/",
            },
        )
        resp = conn.getresponse()
        text = resp.read().decode(errors="replace")
        set_cookies(resp, jar)  # the session, and the CSRF token Django rotates at login
        if resp.status != 302:
            raise RuntimeError(f"login of {username}: {resp.status} {text[:300]!r}")
        return jar
    finally:
        conn.close()


def login_all(port: int, names: list[str], timeout: float, threads: int = 4) -> dict[str, dict]:
    """Sessions of every user, a few logins at a time (each is a slow password hash)."""
    jars: dict[str, dict] = {}
    errors: list[Exception] = []
    queue = list(names)
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                if not queue or errors:
                    return
                name = queue.pop()
            try:
                for attempt in range(3):  # a 5xx once: e.g. PostgreSQL dropped a kept connection
                    try:
                        jar = login(port, name, timeout)
                        break
                    except RuntimeError as exc:
                        if attempt == 2 or ": 5" not in str(exc):
                            raise
                        time.sleep(1)
            except Exception as exc:
                with lock:
                    errors.append(exc)
                return
            with lock:
                jars[name] = jar

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors:
        raise errors[0]
    return jars


def plan_view(page: str, actor: dict, spec: dict, rng: random.Random, k: int) -> list[tuple]:
    """The requests of one page view: (method, path, form fields or None, expected status,
    expected redirect path or None)."""
    if page == "dashboard":
        return [("GET", "/", None, 200, None)]
    if page == "attempt":
        return [("GET", f"/attempt/{actor['attempt']['uuid']}/", None, 200, None)]
    if page == "gradebook":
        return [("GET", f"/teach/gradebook/course/{spec['course']}/", None, 200, None)]
    if page == "analysis":
        return [("GET", f"/teach/analysis/quiz/{spec['quiz']}/", None, 200, None)]
    if page == "practice":
        topic = actor["topics"][k % len(actor["topics"])]
        path = f"/practice/topic/{topic}/"
        return [("POST", f"{path}next/", [], 302, path), ("GET", path, None, 200, None)]
    if page == "submit":
        attempt = actor["attempt"]
        item = rng.choice(attempt["items"])
        raw = rng.choice(item["answers"])
        if item["choice"]:
            fields = [("choice", v) for v in raw.split(",") if v]
        else:
            fields = [("answer", raw)]
        fields.append(("submit_token", str(uuid.uuid4())))
        path = f"/attempt/{attempt['uuid']}/"
        return [("POST", f"{path}item/{item['position']}/answer/", fields, 302, path)]
    raise ValueError(page)


def generator(spec: dict, out) -> None:
    """One load-generator process: a thread per client, each with its own connection."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the cell; loops are bounded
    port, origin = spec["port"], f"http://127.0.0.1:{spec['port']}"
    t_measure, t_end = spec["t_measure"], spec["t_end"]
    lock = threading.Lock()
    total = {
        "latencies": [],
        "views": 0,
        "completed": 0,
        "errors": 0,
        "first_error": None,
        "statuses": {},
    }

    def client(index: int, actors: list[dict]) -> None:
        rng = random.Random(spec["seed"] * 1000 + index)
        conn, k = None, 0
        latencies, statuses, errors, first_error, views, completed = [], {}, 0, None, 0, 0
        while (begun := time.time()) < t_end:
            actor = actors[k % len(actors)]
            k += 1
            cookies = f"{spec['session_cookie']}={actor['cookies'].get(spec['session_cookie'], '')}"
            csrf = actor["cookies"].get(spec["csrf_cookie"], "")
            cookies += f"; {spec['csrf_cookie']}={csrf}"
            started = time.monotonic()
            error = None
            for method, path, fields, want, where in plan_view(spec["page"], actor, spec, rng, k):
                headers = {"Cookie": cookies, "Accept": "text/html"}
                body = None
                if method == "POST":
                    body = urllib.parse.urlencode([("csrfmiddlewaretoken", csrf), *fields])
                    headers.update(
                        {
                            "Content-Type": "application/x-www-form-urlencoded",
                            "Origin": origin,
                            "Referer": origin + (where or path),
                        }
                    )
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection(
                            "127.0.0.1", port, timeout=spec["timeout"]
                        )
                    conn.request(method, path, body, headers)
                    resp = conn.getresponse()
                    text = resp.read()
                    key = str(resp.status)
                    location = urllib.parse.urlsplit(resp.getheader("Location") or "").path
                    if resp.status != want or (where is not None and location != where):
                        snippet = location or text[:160].decode(errors="replace")
                        error = f"{method} {path} → {resp.status} {snippet!r}"
                    if resp.will_close:
                        conn.close()
                        conn = None
                except (OSError, http.client.HTTPException) as exc:
                    key = f"error:{type(exc).__name__}"
                    error = f"{method} {path} → {type(exc).__name__}: {exc}"
                    if conn is not None:
                        conn.close()
                    conn = None
                statuses[key] = statuses.get(key, 0) + 1
                if error:
                    break
            # Latency: every view begun in the measured window, however long it takes (the loop
            # starts no view after it); CPU per view: the views completed inside the window.
            if t_measure <= time.time() <= t_end:
                completed += 1
            if t_measure <= begun:
                views += 1
                latencies.append(time.monotonic() - started)
                if error:
                    errors += 1
                    first_error = first_error or error
        if conn is not None:
            conn.close()
        with lock:
            total["latencies"] += latencies
            total["views"] += views
            total["completed"] += completed
            total["errors"] += errors
            total["first_error"] = total["first_error"] or first_error
            for key, count in statuses.items():
                total["statuses"][key] = total["statuses"].get(key, 0) + count

    threads = [
        threading.Thread(target=client, args=(index, actors), daemon=True)
        for index, actors in spec["clients"]
    ]
    time.sleep(max(0.0, spec["t_start"] - time.time()))
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, t_measure - time.time()))
    cpu0 = time.process_time()
    time.sleep(max(0.0, t_end - time.time()))
    cpu1 = time.process_time()
    for thread in threads:
        thread.join(2 * spec["timeout"] + 5)
    total["cpu"] = cpu1 - cpu0
    out.put(total)


# --- a cell: one page at one number of clients ----------------------------------------------------


def redis_cpu(url: str) -> float | None:
    import redis

    try:
        client = redis.Redis.from_url(url)
        info = client.info("cpu")
        client.close()
    except Exception:
        return None
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def cpu_snapshot(args, roots: dict[str, int | None]) -> dict[str, float | None]:
    snap = {name: (tree_cpu(pid) if pid else None) for name, pid in roots.items()}
    snap["redis"] = redis_cpu(args.redis_url)
    return snap


def run_cell(args, state: dict, page: str, clients: int, size: int | None) -> dict:
    data = state["data"]
    if page in STUDENT_PAGES:
        actors = state["students"]
        per_client = [actors[i::clients] or [actors[i % len(actors)]] for i in range(clients)]
    else:
        per_client = [[state["teacher"]] for _ in range(clients)]
    processes = max(1, math.ceil(clients / args.threads_per_process))
    t_start = time.time() + args.spawn_delay
    t_measure = t_start + args.warmup
    t_end = t_measure + args.duration
    common = {
        "port": state["port"],
        "page": page,
        "course": data["course"],
        "quiz": data["quiz"],
        "session_cookie": state["session_cookie"],
        "csrf_cookie": state["csrf_cookie"],
        "timeout": args.http_timeout,
        "t_start": t_start,
        "t_measure": t_measure,
        "t_end": t_end,
    }
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = []
    for p in range(processes):
        mine = [(i, per_client[i]) for i in range(p, clients, processes)]
        spec = dict(common, clients=mine, seed=args.seed + p)
        proc = ctx.Process(target=generator, args=(spec, out), daemon=True)
        proc.start()
        procs.append(proc)
    try:
        time.sleep(max(0.0, t_measure - time.time()))
        cpu0, busy0 = cpu_snapshot(args, state["roots"]), machine_busy()
        time.sleep(max(0.0, t_end - time.time()))
        cpu1, busy1 = cpu_snapshot(args, state["roots"]), machine_busy()
        parts = [out.get(timeout=2 * args.http_timeout + 30) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
                proc.join()
    latencies = [x for part in parts for x in part["latencies"]]
    views = sum(part["views"] for part in parts)
    completed = sum(part["completed"] for part in parts)
    statuses: dict[str, int] = {}
    for part in parts:
        for key, count in part["statuses"].items():
            statuses[key] = statuses.get(key, 0) + count

    def per_view(name):
        if cpu0.get(name) is None or cpu1.get(name) is None or not completed:
            return None
        return (cpu1[name] - cpu0[name]) / completed * 1000

    row = {
        "page": page,
        "attempts": size,
        "clients": clients,
        "processes": processes,
        "duration": args.duration,
        "views": views,
        "errors": sum(part["errors"] for part in parts),
        "first_error": next((part["first_error"] for part in parts if part["first_error"]), None),
        "statuses": dict(sorted(statuses.items())),
        "views_per_s": completed / args.duration,
        **{f"p{q}_ms": pct(latencies, q / 100) * 1000 if latencies else None for q in (50, 95, 99)},
        "web_cpu_ms": per_view("web"),
        "worker_cpu_ms": per_view("worker"),
        "pg_cpu_ms": per_view("postgres"),
        "redis_cpu_ms": per_view("redis"),
        "generator_core_pct": max(part["cpu"] for part in parts) / args.duration * 100,
        "generator_cpu_s": sum(part["cpu"] for part in parts),
        "machine_busy_pct": 100 * (busy1[0] - busy0[0]) / max(1e-9, busy1[1] - busy0[1]),
    }
    row["targets"] = targets(row)
    return row


def targets(row: dict) -> list[tuple[str, bool | None]]:
    """The issue's targets that apply to this cell: met, missed, or None (no sample)."""

    def below(value, limit):
        return None if value is None else value < limit

    checks = []
    p99, cpu = row["p99_ms"], row["web_cpu_ms"]
    if row["page"] in STUDENT_PAGES:
        if row["clients"] == 10:
            checks.append(("p99 < 50 ms", below(p99, 50)))
        if row["clients"] == 50:
            checks.append(("p99 < 250 ms", below(p99, 250)))
        checks.append(("CPU ≤ 5 ms", below(cpu, 5.0001)))
    elif (row["attempts"] or 0) >= 5000 and row["clients"] == 1:
        checks.append(("p99 < 300 ms", below(p99, 300)))
    return checks


def mark(ok: bool | None) -> str:
    return "n/a" if ok is None else "ok" if ok else "MISS"


# --- the report -----------------------------------------------------------------------------------


def _ms(value, fmt: str = "{:.1f}") -> str:
    return "n/a" if value is None else fmt.format(value)


def table(rows: list[dict]) -> str:
    lines = [
        "| page | attempts | clients | views | errors | views/s | p50 / p95 / p99 ms"
        " | CPU ms/view: web · worker · PostgreSQL · Redis | generator (busiest process)"
        " | machine busy | targets |",
        "|" + "---|" * 11,
    ]
    for r in rows:
        marks = ", ".join(f"{name} {mark(ok)}" for name, ok in r["targets"]) or "—"
        lines.append(
            f"| {r['page']} | {r['attempts'] or '—'} | {r['clients']} | {r['views']}"
            f" | {r['errors']} | {r['views_per_s']:.1f}"
            f" | {' / '.join(_ms(r[f'p{q}_ms'], '{:.0f}') for q in (50, 95, 99))}"
            f" | {_ms(r['web_cpu_ms'])} · {_ms(r['worker_cpu_ms'])} · {_ms(r['pg_cpu_ms'])}"
            f" · {_ms(r['redis_cpu_ms'])}"
            f" | {r['generator_core_pct']:.0f}% of a core ({r['processes']} proc.)"
            f" | {r['machine_busy_pct']:.0f}% | {marks} |"
        )
    return "\n".join(lines)


def details(rows: list[dict], setup: dict) -> str:
    out = [f"{k}: {v}" for k, v in setup.items()]
    for r in rows:
        if r["first_error"]:
            out.append(
                f"{r['page']} ×{r['clients']}"
                f"{' @' + str(r['attempts']) if r['attempts'] else ''}: {r['errors']} errors,"
                f" first: {r['first_error']}"
            )
    misses = [r for r in rows for name, ok in r["targets"] if ok is False]
    out.append(f"targets missed in {len(misses)} of {sum(len(r['targets']) for r in rows)} checks")
    return "\n".join(out)


# --- the run --------------------------------------------------------------------------------------


def postmaster_pid() -> int | None:
    """The PostgreSQL server process (parent of this connection's backend), if /proc shows it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    fields = _stat(backend)
    if not fields:
        return None
    parent = int(fields[1])
    return parent if _stat(parent) else None


def run(args, scratch: Path, procs: Procs, log) -> tuple[list[dict], dict]:
    import django

    env = production_env(base_env(args, scratch, stack=True))
    os.environ.update(env)
    os.environ["LOG_LEVEL"] = "WARNING"  # the bench process itself
    os.environ.pop("CELERY_BROKER_URL", None)  # the bench writes rows, it sends no tasks
    setup: dict = {}
    t0 = time.monotonic()
    pg_admin(args.database_url, f'CREATE DATABASE "{args.db_name}"')
    redis_flush(args.redis_url)
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    import_banks(args, log)
    call_command("collectstatic", interactive=False, verbosity=0)
    setup["migrate + banks + collectstatic"] = f"{time.monotonic() - t0:.1f} s"
    log(f"  database {args.db_name}: {setup['migrate + banks + collectstatic']}")

    seeder = Seeder(args, log)
    t0 = time.monotonic()
    data = seeder.build()
    sizes = args.attempt_sizes
    grew = seeder.grow(sizes[0])
    setup["seed data"] = f"{time.monotonic() - t0:.1f} s (first {sizes[0]} attempts {grew:.1f} s)"
    log(f"  seed: {setup['seed data']}")
    pg_pid = postmaster_pid()
    connections.close_all()

    port = free_port()
    roots: dict[str, int | None] = {
        "web": procs.start("web", gunicorn_argv(args, port), env).pid,
        "worker": procs.start("worker", worker_argv(args, args.concurrency, "benchpages"), env).pid,
        "postgres": pg_pid,
    }
    wait_http(port, procs)
    wait_worker_ready(procs, "worker")
    setup["stack"] = (
        f"gunicorn {args.web_workers} sync workers (DEBUG=0), 1 celery grading worker ×"
        f" {args.concurrency}, PostgreSQL{'' if pg_pid else ' (its CPU: n/a, /proc unreadable)'},"
        f" Redis {args.redis_url}"
    )
    log(f"  {setup['stack']}")
    t0 = time.monotonic()
    names = [s["username"] for s in data["students"]] + [data["teacher"]["username"]]
    jars = login_all(port, names, args.http_timeout)
    setup["logins"] = f"{len(jars)} through the login form in {time.monotonic() - t0:.1f} s"
    log(f"  logins: {setup['logins']}")
    state = {
        "port": port,
        "data": data,
        "roots": roots,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "students": [dict(s, cookies=jars[s["username"]]) for s in data["students"]],
        "teacher": dict(data["teacher"], cookies=jars[data["teacher"]["username"]]),
    }

    rows = []

    def cell(page, clients, size=None):
        procs.check_alive()
        row = run_cell(args, state, page, clients, size)
        rows.append(row)
        marks = " ".join(f"[{n} {mark(ok)}]" for n, ok in row["targets"])
        log(
            f"  {page:<9} {'@' + str(size) if size else '':>6} ×{clients:<3}"
            f" {row['views']:>6} views {row['errors']:>4} err {row['views_per_s']:>7.1f}/s"
            + "".join(f"  p{q} {_ms(row[f'p{q}_ms'], '{:>6.0f}')}" for q in (50, 95, 99))
            + " ms"
            f"  web CPU {_ms(row['web_cpu_ms'])} ms/view  gen {row['generator_core_pct']:.0f}%"
            f"  {marks}"
        )
        if row["first_error"]:
            log(f"      first error: {row['first_error']}")

    for page in (p for p in args.pages if p in STUDENT_PAGES):
        for clients in args.client_counts:
            cell(page, clients)
    if any(p in INSTRUCTOR_PAGES for p in args.pages):
        for n, size in enumerate(sizes):
            if n:
                log(f"  growing to {size} finished attempts…")
                grew = seeder.grow(size)
                connections.close_all()
                setup[f"grow to {size} attempts"] = f"{grew:.1f} s"
            for page in (p for p in args.pages if p in INSTRUCTOR_PAGES):
                for clients in args.instructor_client_counts:
                    cell(page, clients, size)
    return rows, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add = parser.add_argument
    add("--duration", type=float, default=10, help="seconds measured per cell")
    add("--warmup", type=float, default=2, help="seconds of load before each cell is measured")
    add("--clients", default="1,10,50", help="concurrent clients, comma-separated")
    add("--instructor-clients", help="clients of gradebook and analysis (default: --clients)")
    add("--pages", default=",".join(PAGES), help=f"a subset of {','.join(PAGES)}")
    add("--attempts", default="1000,5000", help="finished attempts for gradebook and analysis")
    add("--students", type=int, default=100)
    add("--items", type=int, default=10, help="questions in the course quiz")
    add("--history-days", type=int, default=42, help="days of flashcard history")
    add("--pool-seeds", type=int, default=24, help="graded variants per quiz question")
    add("--seed", type=int, default=11, help="random seed of the data and of the clients")
    add("--quick", action="store_true", help="tiny sizes for a smoke run")
    add("--keep", action="store_true", help="keep the database, Redis db and logs")
    add("--gunicorn-workers", dest="web_workers", type=int, default=3)
    add("--concurrency", type=int, default=1, help="the Celery grading worker's concurrency")
    add("--threads-per-process", type=int, default=13, help="client threads per generator process")
    add("--http-timeout", type=float, default=30)
    add("--bank-variants", type=int, default=20, help="variants import_bank checks (bin/serve: 20)")
    add(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="the server; the bench creates its own database bench_pages_<pid> there",
    )
    add("--redis-url", default="redis://127.0.0.1:6379/14", help="broker and cache (flushed)")
    add("--env", action="append", default=[], metavar="KEY=VALUE", help="for every process")
    add("--log-level", help="LOG_LEVEL of the started processes (unset: the app's INFO)")
    add("--results-md", help="append the figures with machine info to this Markdown file")
    args = parser.parse_args()
    if args.quick:
        args.students, args.history_days, args.pool_seeds, args.bank_variants = 12, 10, 4, 10
        args.duration, args.warmup = min(args.duration, 2), min(args.warmup, 0.5)
        if args.clients == "1,10,50":
            args.clients = "1,4"
        if args.attempts == "1000,5000":
            args.attempts = "60,240"
    try:
        args.client_counts = [int(c) for c in args.clients.split(",") if c.strip()]
        args.instructor_client_counts = [
            int(c) for c in (args.instructor_clients or args.clients).split(",") if c.strip()
        ]
        args.attempt_sizes = sorted(int(a) for a in args.attempts.split(",") if a.strip())
    except ValueError:
        parser.error("--clients and --attempts take comma-separated numbers")
    args.pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    for page in args.pages:
        if page not in PAGES:
            parser.error(f"unknown page {page!r}; pages: {', '.join(PAGES)}")
    for kv in args.env:
        if "=" not in kv:
            parser.error(f"--env {kv!r}: KEY=VALUE expected")
    # What bench_pipeline's helpers read.
    args.web_threads, args.queues, args.worker_loglevel, args.worker_arg = 1, "grading", "INFO", []
    args.spawn_delay = 1.5
    args.db_name = f"bench_pages_{os.getpid()}"
    parts = urllib.parse.urlsplit(args.database_url)
    args.database_url = urllib.parse.urlunsplit(parts._replace(path=f"/{args.db_name}"))

    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    info = machine_info()
    print(machine_line(info), flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="nz-bench-pages-"))
    procs = Procs(scratch)
    rows, setup, started = [], {}, time.monotonic()

    def log(message: str) -> None:
        print(message, flush=True)

    try:
        rows, setup = run(args, scratch, procs, log)
    except Stop:
        print("interrupted: stopping the stack, dropping the database")
    except Exception as exc:
        procs.show_failure()
        print(f"! {type(exc).__name__}: {exc}")
    finally:
        procs.tear_down()
        if args.keep:
            print(f"kept: database {args.db_name}, Redis {args.redis_url}, logs in {scratch}")
        else:
            for what, undo in (
                (
                    args.db_name,
                    lambda: pg_admin(
                        args.database_url, f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)'
                    ),
                ),
                (args.redis_url, lambda: redis_flush(args.redis_url)),
            ):
                try:
                    undo()
                except Exception as exc:
                    print(f"! could not clean up {what}: {exc}", file=sys.stderr)
            shutil.rmtree(scratch, ignore_errors=True)
    setup["whole run"] = f"{time.monotonic() - started:.0f} s"
    report = table(rows) if rows else "(no cell ran)"
    print("\n" + report + "\n\n" + details(rows, setup))
    if args.results_md and rows:
        results_md_append(args.results_md, info, f"{report}\n\n```\n{details(rows, setup)}\n```")


if __name__ == "__main__":
    main()
