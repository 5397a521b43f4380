"""The layers of docs/architecture.md hold, and the check notices when one is broken.

``bin/test`` runs ``lint-imports`` on the tree itself; these tests run it on a copy, once as it is
and once with an upward import planted in it, so a contract that could never fail would show.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("quizapp", "question_bank", "grader")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")


@pytest.fixture
def tree(tmp_path):
    for name in PACKAGES:
        shutil.copytree(
            ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.yaml")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_contracts_hold_on_the_tree(tree):
    result = lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "planted", "broken"),
    [
        # The grader may not know the web app, nor Django.
        ("grader/_planted.py", "import quizapp.models\n", "plain Python"),
        ("grader/_planted.py", "from django.db import models\n", "plain Python"),
        # question_bank sits below every domain of quizapp (an import inside a function counts).
        (
            "question_bank/_planted.py",
            "def f():\n    from quizapp.courses import selectors\n",
            "one way",
        ),
        # Domains on one level may not import each other.
        ("quizapp/flashcards/_planted.py", "from quizapp.practice import services\n", "one way"),
        # core is below question_bank and the models.
        ("quizapp/core/_planted.py", "from quizapp.models import Quiz\n", "one way"),
    ],
)
def test_an_upward_import_breaks_a_contract(tree, module, planted, broken):
    (tree / module).write_text(planted)
    result = lint(tree)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    broken_lines = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(broken in line for line in broken_lines), result.stdout
    assert module.removesuffix(".py").replace("/", ".") in result.stdout
