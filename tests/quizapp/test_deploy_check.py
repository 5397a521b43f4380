"""`manage.py check --deploy` passes, warnings included, with the production settings that the
README's «By hand» section exports — read from the README itself, so the two cannot drift."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_exports() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### By hand\n```sh\n(.*?)```", readme, re.S).group(1)
    return [line for line in block.splitlines() if line.startswith("export ")]


def _run(script: str) -> subprocess.CompletedProcess:
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env["NZ_VAR_DIR"] = os.environ.get("NZ_VAR_DIR", str(ROOT / "var"))
    return subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_readme_exports_the_production_settings():
    names = " ".join(_readme_exports())
    for name in (
        "DEBUG=0",
        "SECRET_KEY=",
        "ALLOWED_HOSTS=",
        "DATABASE_URL=",
        "CACHE_URL=",
        "CELERY_BROKER_URL=",
        "EMAIL_HOST=",
    ):
        assert name in names


def test_check_deploy_is_clean_with_the_readme_production_settings():
    check = f"exec {sys.executable} manage.py check --deploy --fail-level WARNING"
    result = _run("\n".join([*_readme_exports(), check]))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_still_fails_without_a_mail_server():
    # The check is not silenced: production without SMTP cannot send password-reset e-mails.
    exports = [line for line in _readme_exports() if "EMAIL_HOST" not in line]
    check = f"exec {sys.executable} manage.py check --deploy --fail-level WARNING"
    result = _run("\n".join([*exports, check]))
    assert result.returncode != 0 and "mail.E001" in result.stderr
