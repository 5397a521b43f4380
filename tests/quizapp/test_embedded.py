"""The embedded default: no services, SQLite file, grading in-process — as on a laptop."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

SCRIPT = """
from django.contrib.auth import get_user_model
from quizapp.attempts import services
from quizapp.models import Quiz
from django.db import connection
assert connection.vendor == "sqlite", connection.vendor
user = get_user_model().objects.get(username="demo")
attempt = services.attempt_start(user=user, quiz=Quiz.objects.get(slug="demo"))
item = attempt.items.get(version__question__slug="dropout-vector")
response = services.response_submit(item=item, raw="[0; 2; 0]")
response.refresh_from_db()
print("STATUS", response.status)
"""


def test_fresh_embedded_install_grades_in_process(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env["NZ_VAR_DIR"] = str(tmp_path)
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run("migrate", "--noinput").returncode == 0
    loaded = run("load_demo")
    assert loaded.returncode == 0, loaded.stderr
    assert "demo" in loaded.stdout
    assert run("load_demo").returncode == 0  # idempotent
    result = run("shell", "-c", SCRIPT)
    assert result.returncode == 0, result.stderr
    assert "STATUS graded" in result.stdout
    assert (tmp_path / "db.sqlite3").exists()
