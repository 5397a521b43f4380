"""Learning: fitting students' FSRS parameters, and one student's daily queue of 20,000 cards.

1. Fitting (issue 17): N simulated students (default 1,000), each with a log of R reviews
   (default 2,000) written by a known FSRS model with noise (a random ±30 % variation of the
   default weights; reviews early or late by up to 40 %: tests/quizapp/flashcards/synthetic.py).
   For each, ``quizapp.flashcards.personal.fit`` — the service's fit without the database — is
   timed on one core, and the fitted model is compared with the generating one on the newest
   20 % of reviews: log loss (fitted, true, defaults) and the RMSE of the fitted recall
   probabilities against the true ones. Target: ≤ 1 s per student.
2. The queue: a scratch SQLite database with one student who has C cards (default 20,000) in
   every state, and the time of ``flashcards.selectors.flashcard_queue`` plus rendering the first
   card (``flashcard_card_view``), the work of opening «Карточки». Target: ≤ 50 ms.

Prints figures; asserts nothing.

Run: .venv/bin/python bench/bench_learning.py [--students 1000] [--reviews 2000] [--cards 20000]
     DATABASE_URL=postgres://…/nz_bench .venv/bin/python bench/bench_learning.py   (a scratch
     database: the queue is measured there; SQLite in a temporary directory otherwise)
The fit runs on one core (RAYON_NUM_THREADS=1 for fsrs-rs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RAYON_NUM_THREADS", "1")  # fsrs-rs: one core, as the target says
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fitting(students: int, reviews: int) -> None:
    import fsrs_rs_python as fsrs_rs
    import numpy as np

    from quizapp.flashcards import personal
    from tests.quizapp.flashcards.synthetic import predicted, simulate, true_parameters

    seconds, walls = [], []
    rmse_fit, rmse_default, loss = [], [], {"fitted": [], "true": [], "default": []}
    accepted = 0
    for student in range(students):
        truth_parameters = true_parameters(student)
        rows, truth = simulate(truth_parameters, reviews, student)
        items = personal.items_from_log(rows)
        started, wall = time.process_time(), time.perf_counter()
        outcome = personal.fit(items)
        seconds.append(time.process_time() - started)
        walls.append(time.perf_counter() - wall)
        accepted += outcome.accepted
        cut = int(len(items) * (1 - personal.HELD_OUT_SHARE))
        test = [item.fsrs for item in items[cut:] if item.long_term]
        loss["fitted"].append(outcome.log_loss_after)
        loss["default"].append(outcome.log_loss_before)
        loss["true"].append(fsrs_rs.FSRS(truth_parameters).evaluate(test).log_loss)
        held = truth[len(truth) - len(truth) // 5 :]
        keys, p_true = [(at, card) for at, card, _ in held], np.array([p for *_, p in held])
        for target, parameters in (
            (rmse_fit, outcome.parameters),
            (rmse_default, personal.DEFAULT_PARAMETERS),
        ):
            p = np.array(predicted(parameters, rows, keys))
            target.append(float(np.sqrt(np.mean((p - p_true) ** 2))))
        if (student + 1) % 100 == 0:
            print(f"  … {student + 1} students", flush=True)

    def quantiles(values):
        q = np.quantile(values, [0.5, 0.95, 1.0])
        return f"median {q[0]:.3f}, p95 {q[1]:.3f}, max {q[2]:.3f}"

    print(f"Fitting, {students} students × {reviews} reviews (CPU time of one process):")
    print(f"  CPU time per student: {quantiles(seconds)} s; mean {statistics.mean(seconds):.3f} s")
    print(f"  wall time per student: {quantiles(walls)} s")
    fitted, true, default = (statistics.mean(loss[k]) for k in ("fitted", "true", "default"))
    print(f"  held-out log loss (mean): fitted {fitted:.4f}, generating {true:.4f}, ", end="")
    print(f"defaults {default:.4f}")
    gap = np.array(loss["fitted"]) - np.array(loss["true"])
    print(f"  fitted − generating log loss: {quantiles(gap)}")
    print("  RMSE of recall probabilities against the generating model's:")
    print(f"    fitted {quantiles(rmse_fit)}; defaults {quantiles(rmse_default)}")
    print(f"  fits kept (better than the defaults on held-out reviews): {accepted} of {students}")


RUNS = 60  # the queue's timing on a VM varies by ±30 % from run to run: the median of many


def queue(cards: int) -> None:
    scratch = tempfile.mkdtemp(prefix="nz-bench-")
    os.environ.setdefault("NZ_VAR_DIR", scratch)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizapp.settings")
    os.environ.pop("CELERY_BROKER_URL", None)
    import datetime as dt

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from question_bank.models import Bank, Question, QuestionVersion
    from quizapp.flashcards import selectors, services
    from quizapp.models import FlashcardState

    call_command("migrate", verbosity=0)
    student = get_user_model().objects.create_user("bench-student")
    now = timezone.now()
    with transaction.atomic():
        bank = Bank.objects.create(slug="bench-cards", title="Бенчмарк")
        questions = Question.objects.bulk_create(
            Question(bank=bank, slug=f"c{i}", title=f"Карточка {i}", kind=Question.Kind.FLASHCARD)
            for i in range(cards)
        )
        spec = {"kind": "flashcard", "front": "Что такое $\\sigma(x)$?", "back": "Сигмоида."}
        QuestionVersion.objects.bulk_create(
            QuestionVersion(question=q, number=1, spec=spec) for q in questions
        )
        services.deck_add(user=student, bank=bank)
        # Three quarters reviewed (due from a month ago to a year ahead), some in learning,
        # the rest new; a few suspended.
        states = []
        for i, q in enumerate(questions[: cards * 3 // 4]):
            due = now + dt.timedelta(hours=(i * 37) % (24 * 400) - 24 * 30)
            states.append(
                FlashcardState(
                    user=student, question=q, state=2 if i % 10 else 1, step=None if i % 10 else 0,
                    stability=5.0 + i % 90, difficulty=5.0, due=due,
                    last_review=due - dt.timedelta(days=3), reps=3, variants=3,
                    introduced_at=now - dt.timedelta(days=60), suspended=i % 97 == 0,
                )
            )  # fmt: skip
        FlashcardState.objects.bulk_create(states)
    due_now = FlashcardState.objects.filter(user=student, due__lte=now, suspended=False).count()
    new = cards - len(states)
    print(f"Queue: {cards} cards ({due_now} due now, {new} new), {connection.vendor}:")
    timings, counted = [], [0]

    def count(execute, sql, params, many, context):
        counted[0] += 1
        return execute(sql, params, many, context)

    for _ in range(RUNS):
        counted[0] = 0
        started = time.perf_counter()
        with connection.execute_wrapper(count):
            q = selectors.flashcard_queue(user=student, now=now)
            entry = q.current()
            selectors.flashcard_card_view(user=student, entry=entry, now=now, queue=q)
        timings.append(time.perf_counter() - started)
    timings.sort()
    print(
        f"  queue + first card: median {1000 * statistics.median(timings):.1f} ms, "
        f"max {1000 * timings[-1]:.1f} ms over {RUNS} runs; {counted[0]} queries; "
        f"{len(q.entries)} entries today"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--reviews", type=int, default=2000)
    parser.add_argument("--cards", type=int, default=20000)
    args = parser.parse_args()
    queue(args.cards)
    if args.students:
        fitting(args.students, args.reviews)


if __name__ == "__main__":
    main()
