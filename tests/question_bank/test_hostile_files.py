"""Hostile bank files: depth bombs and alias bombs are parse errors with a line, never a crash.

Each file goes through every door a bank comes in by: ``manage.py import_bank`` (exit code 1, the
Russian message, no traceback), the upload page (an invalid report that names the problem, not
«Сбой»), and the parser itself.
"""

from __future__ import annotations

import pytest
from django.core.management import execute_from_command_line
from django.urls import reverse
from django.utils.html import escape

from question_bank.formats import parse_file
from question_bank.formats.moodle.reader import MAX_DEPTH as XML_MAX_DEPTH
from question_bank.formats.yaml_positions import MAX_DEPTH
from question_bank.models import Bank, BankUpload
from tests.question_bank.conftest import upload

pytestmark = pytest.mark.django_db

DEEP = 10_000
TOO_DEEP = f"файл вложен слишком глубоко (больше {MAX_DEPTH} уровней)"
ALIASES = "якоря и ссылки YAML (&, *) не поддерживаются"


def _deep_block_yaml(depth: int) -> str:
    """Nested block mappings, each two spaces further in: ``a:\\n  a:\\n    a: …``."""
    return "".join("  " * i + "a:\n" for i in range(depth)) + "  " * depth + "b: 1\n"


def _billion_laughs() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 10):
        refs = ", ".join([f"*a{n - 1}"] * 9)
        lines.append(f"a{n}: &a{n} [{refs}]")
    return "\n".join(lines) + "\nbank: *a9\n"


# (file name, content, message, line of the problem or None when any line will do)
HOSTILE = {
    "deep-flow-yaml": ("deep.yaml", "[" * DEEP + "]" * DEEP, TOO_DEEP, 1),
    "deep-json": ("deep.yaml", '{"a": ' * DEEP + "1" + "}" * DEEP, TOO_DEEP, 1),
    "deep-block-yaml": ("deep.yaml", _deep_block_yaml(1_000), TOO_DEEP, MAX_DEPTH),
    "alias-bomb": ("laughs.yaml", _billion_laughs(), ALIASES, None),
    "deep-xml": (
        "deep.xml",
        "<quiz>\n" + "<a>" * DEEP + "</a>" * DEEP + "\n</quiz>\n",
        f"файл вложен слишком глубоко (больше {XML_MAX_DEPTH} уровней)",
        2,
    ),
}
CASES = list(HOSTILE)


@pytest.mark.parametrize("case", CASES)
def test_parser_reports_a_problem_with_its_line(case):
    name, content, message, line = HOSTILE[case]
    result = parse_file(content.encode(), name)
    assert not result.ok
    [problem] = [p for p in result.problems if p.severity == "error"][:1]
    assert problem.message == message
    if line is not None:
        assert problem.line == line


def test_an_honest_depth_still_loads():
    """The bound is far above what a bank needs: 60 levels parse (and then fail the schema)."""
    result = parse_file(_deep_block_yaml(60).encode(), "ok.yaml")
    assert all(p.message != TOO_DEEP for p in result.problems)


@pytest.mark.parametrize("case", CASES)
def test_import_bank_command_exits_1_with_the_message(case, tmp_path, capsys, monkeypatch):
    name, content, message, _line = HOSTILE[case]
    # As ``manage.py`` runs it (CommandError → message and exit code), minus the closing of the
    # test database's connection that ``run_from_argv`` does at the end.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "import_bank", str(path)])
    assert exit_.value.code == 1
    out, err = capsys.readouterr()
    assert message in out
    assert "не загружен" in err and "не загружено файлов: 1" in err
    assert "Traceback" not in out + err and "RecursionError" not in out + err
    assert not Bank.objects.exists()


@pytest.mark.parametrize("case", CASES)
def test_upload_page_shows_the_problem_not_a_failure(
    case, owner_client, django_capture_on_commit_callbacks
):
    name, content, message, _line = HOSTILE[case]
    page = upload(owner_client, name, content, django_capture_on_commit_callbacks)
    row = BankUpload.objects.get()
    assert row.status == BankUpload.Status.INVALID, row.report
    assert [e["message"] for e in row.report["errors"]][:1] == [message]
    html = owner_client.get(page["Location"]).content.decode()
    assert escape(message) in html
    assert "Сбой" not in html
    assert reverse("banks:upload-publish", args=[row.pk]) not in html or "disabled" in html
