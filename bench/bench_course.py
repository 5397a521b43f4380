"""A course at exam time, in one process: how long the services and pages take.

Creates a scratch database (SQLite file by default, or the DATABASE_URL given), a course of N
students, a timed exam drawn from topic rules, and measures: starting attempts, autosaving drafts,
finishing with grading in-process, the attempt and result pages, the gradebook page, the XLSX
export and item analysis. Prints figures; asserts nothing.

Run: .venv/bin/python bench/bench_course.py [--students 200]
     DATABASE_URL=postgres://… .venv/bin/python bench/bench_course.py   (a scratch database!)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=200)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="nz-bench-")
    os.environ.setdefault("NZ_VAR_DIR", scratch)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizapp.settings")
    os.environ.pop("CELERY_BROKER_URL", None)  # grade in-process: the cost of grading is measured
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from quizapp.attempts import services
    from quizapp.core.roles import INSTRUCTOR_GROUP
    from quizapp.courses import services as courses
    from quizapp.gradebook import exports, item_analysis, selectors
    from quizapp.models import Attempt, Quiz

    users = get_user_model()
    teacher = users.objects.create_user("bench-teacher", password="x")
    teacher.groups.add(Group.objects.get_or_create(name=INSTRUCTOR_GROUP)[0])
    exam = Quiz.objects.get(slug="demo-exam")
    exam.max_attempts, exam.owner = None, teacher
    exam.save()
    course = courses.course_create(owner=teacher, title="Бенчмарк", code="bench")
    courses.course_quiz_assign(course=course, quiz=exam, by=teacher)
    students = [users.objects.create_user(f"s{i:04d}", password="x") for i in range(args.students)]
    for student in students:
        courses.course_join(user=student, code=course.join_code)

    @contextlib.contextmanager
    def count_queries():
        # Not CaptureQueriesContext: a request resets the connection's query log when it starts.
        counted = [0]

        def wrapper(execute, sql, params, many, context):
            counted[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(wrapper):
            yield counted

    def timed(label, fn, items):
        times = []
        for item in items:
            start = time.perf_counter()
            fn(item)
            times.append(time.perf_counter() - start)
        total = sum(times)
        print(
            f"{label:<44} n={len(times):>5}  median {statistics.median(times) * 1000:7.2f} ms"
            f"  p95 {sorted(times)[int(0.95 * (len(times) - 1))] * 1000:7.2f} ms"
            f"  {len(times) / total:8.1f}/s"
        )

    print(f"database: {connection.vendor}, students: {args.students}, exam: 6 questions by rules")
    attempts = {}
    timed(
        "attempt_start (rules drawn, 6 items)",
        lambda s: attempts.__setitem__(s.pk, services.attempt_start(user=s, quiz=exam)),
        students,
    )
    items = [(a, list(a.items.all())) for a in attempts.values()]
    drafts = [(item, f"{n}") for _, its in items for n, item in enumerate(its, start=1)]
    timed(
        "draft_save (autosave of one answer)",
        lambda d: services.draft_save(item=d[0], raw=d[1], rev=int(time.time() * 1000)),
        drafts,
    )
    timed(
        "attempt_finish + grading 6 answers", lambda a: services.attempt_finish(attempt=a[0]), items
    )

    client = Client()
    client.force_login(students[0])
    attempt = Attempt.objects.filter(user=students[0]).first()
    with count_queries() as counted:
        client.get(attempt.get_absolute_url())
    timed("result page (student)", lambda _: client.get(attempt.get_absolute_url()), range(30))
    print(f"{'':<44} queries per result page: {counted[0]}")
    timed("home / dashboard (student)", lambda _: client.get("/"), range(30))

    teacher_client = Client()
    teacher_client.force_login(teacher)
    url = f"/teach/gradebook/course/{course.pk}/"
    with count_queries() as counted:
        teacher_client.get(url)
    timed(
        f"gradebook page ({args.students} students)", lambda _: teacher_client.get(url), range(10)
    )
    print(f"{'':<44} queries per gradebook page: {counted[0]}")
    timed(
        "gradebook XLSX export (service)",
        lambda _: exports.gradebook_xlsx(selectors.gradebook(course=course)),
        range(5),
    )
    timed(
        "item analysis of the exam (service)",
        lambda _: item_analysis.quiz_item_analysis(quiz=exam),
        range(5),
    )
    timed(
        "item analysis page",
        lambda _: teacher_client.get(f"/teach/analysis/quiz/{exam.pk}/"),
        range(5),
    )


if __name__ == "__main__":
    main()
