"""Real question files through our importer: questions in the file vs imported vs skipped.

For every file of a directory (Moodle XML, a backup's ``questions.xml`` or ``.mbz``, GIFT,
CrowdAnki JSON, ``.apkg``) it counts the questions the file holds *independently of our importer*
and then runs the importer as ``manage.py validate_bank`` / ``import_bank`` do (parse, then the
grader over the variants of every question): strict (all or nothing, the default) and lenient
(``--skip-invalid``: questions with errors left out). Nothing is stored.

Run from a checkout: ``/work/main/.venv/bin/python bench/import_real_files.py DIR [--json]``.
The script also runs on older commits whose API differs (no lenient mode, no question
references on problems, no Anki import): whatever is missing is reported as «—», not guessed.

Questions in the file are counted as the format itself defines them:

* Moodle XML: each ``<question type=…>`` except ``category``;
* a backup (``questions.xml`` with root ``<question_categories>``, or inside ``.mbz``): each
  question bank entry (its newest version; Moodle 3 backups: each ``<question>`` whose
  ``<parent>`` is 0), ``random`` placeholders left out;
* GIFT: the questions a reader sees — Moodle's own splitting (blocks of lines between blank
  lines, less comment lines ``//`` and ``$CATEGORY:`` lines), and within a block each question
  the writer ran on after a closed answer block {…}; Moodle's block count is given beside it
  (``moodle_blocks``), as Moodle would read such a run as one (broken) question;
* CrowdAnki JSON: the notes of the deck and of all its children; ``.apkg``: rows of ``notes``.
"""

from __future__ import annotations

import argparse
import inspect
import io
import json
import os
import re
import sqlite3
import sys
import tarfile
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SUFFIXES = (".xml", ".gift", ".txt", ".json", ".mbz", ".apkg")


# ---------------------------------------------------------------------------------------------
# Counting the questions of a file without our importer


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def count_backup_questions(root) -> Counter:
    """Questions of a backup's ``questions.xml``: one per bank entry (its newest version)."""
    types: Counter = Counter()
    entries = [e for e in root.iter() if _local(e.tag) == "question_bank_entry"]
    if entries:
        for entry in entries:
            versions = [q for q in entry.iter() if _local(q.tag) == "question" and q.get("id")]
            top = [q for q in versions if _child_text(q, "parent") in ("", "0")]
            if top:
                qtype = _child_text(top[-1], "qtype") or "?"
                if qtype != "random":
                    types[qtype] += 1
        return types
    for question in root.iter():
        if _local(question.tag) != "question" or not question.get("id"):
            continue
        if _child_text(question, "parent") not in ("", "0"):
            continue  # a cloze's sub-question
        qtype = _child_text(question, "qtype") or "?"
        if qtype != "random":
            types[qtype] += 1
    return types


def count_xml(data: bytes) -> tuple[str, Counter]:
    root = ElementTree.fromstring(data)
    tag = _local(root.tag)
    if tag == "question_categories":
        return "backup questions.xml", count_backup_questions(root)
    types: Counter = Counter()
    for question in root:
        if _local(question.tag) == "question":
            qtype = question.get("type", "?")
            if qtype != "category":
                types[qtype] += 1
    return ("Moodle XML" if tag == "quiz" else f"XML <{tag}>"), types


def count_mbz(data: bytes) -> tuple[str, Counter]:
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inner = archive.read("questions.xml")
    else:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            member = archive.extractfile("questions.xml")
            inner = member.read() if member else b""
    return "Moodle backup .mbz", count_backup_questions(ElementTree.fromstring(inner))


_CATEGORY_LINE = re.compile(r"^\s*\$CATEGORY:", re.IGNORECASE)
_BRACE = re.compile(r"\\.|[{}]")  # an escape (\{, \}, \\) or a brace


def _is_noise(line: str) -> bool:
    return line.lstrip().startswith("//") or bool(_CATEGORY_LINE.match(line))


def count_gift_blocks(text: str) -> int:
    """Moodle's own splitting: blank-line separated blocks less comments and categories."""
    blocks, block = 0, []
    for line in [*text.splitlines(), ""]:
        if line.strip():
            block.append(line)
            continue
        if any(line.strip() for line in block if not _is_noise(line)):
            blocks += 1
        block = []
    return blocks


def count_gift(text: str) -> tuple[str, Counter]:
    """The questions a reader sees: Moodle's blocks, and also questions the writer ran together.

    A question ends at a blank line outside an answer block {…} (a blank line inside one does not
    end it); after an answer block closed at the end of a line, or at a new ``::title::``, the
    next line starts another question even without a blank line between them.
    """
    depth, seen_block, previous_closed = 0, False, False
    segments, current = 0, False

    def finish():
        nonlocal segments, current, seen_block
        segments += current
        current, seen_block = False, False

    for line in text.splitlines():
        stripped = line.strip()
        if depth == 0 and not stripped:
            finish()
            previous_closed = False
            continue
        if depth == 0 and _is_noise(line):
            continue
        if depth == 0 and seen_block and (previous_closed or stripped.startswith("::")):
            finish()
        current = True
        for match in _BRACE.finditer(line):
            token = match.group()
            if token == "{":
                depth += 1
            elif token == "}" and depth:
                depth -= 1
                if depth == 0:
                    seen_block = True
        previous_closed = depth == 0 and stripped.endswith("}")
    finish()
    return "GIFT", Counter({"gift": segments})


def _crowdanki_notes(deck: dict) -> int:
    notes = len(deck.get("notes") or [])
    return notes + sum(_crowdanki_notes(child) for child in deck.get("children") or [])


def count_apkg(data: bytes) -> tuple[str, Counter]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        name = next((n for n in ("collection.anki21", "collection.anki2") if n in names), None)
        if name is None:
            return "Anki .apkg", Counter()
        with tempfile.NamedTemporaryFile(suffix=".sqlite") as tmp:
            tmp.write(archive.read(name))
            tmp.flush()
            with sqlite3.connect(tmp.name) as db:
                (notes,) = db.execute("select count(*) from notes").fetchone()
    return "Anki .apkg", Counter({"note": notes})


def count_in_file(path: Path, data: bytes) -> tuple[str, Counter]:
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return count_xml(data)
    if suffix == ".mbz":
        return count_mbz(data)
    if suffix in (".gift", ".txt"):
        return count_gift(data.decode("utf-8-sig", errors="replace"))
    if suffix == ".json":
        deck = json.loads(data)
        if isinstance(deck, dict) and deck.get("__type__") == "Deck":
            return "CrowdAnki JSON", Counter({"note": _crowdanki_notes(deck)})
        return "JSON", Counter()
    if suffix == ".apkg":
        return count_apkg(data)
    return "?", Counter()


# ---------------------------------------------------------------------------------------------
# Our importer, as validate_bank / import_bank run it (new API first, the old one otherwise)


def _validate(data: bytes, filename: str, variants: int, lenient: bool):
    """(result, problems) of ``bank_validate_file``; ``None`` when lenient mode does not exist."""
    from question_bank.services import bank_validate_file

    if lenient and "skip_invalid" not in inspect.signature(bank_validate_file).parameters:
        return None
    kwargs = {"skip_invalid": True} if lenient else {}
    return bank_validate_file(data=data, filename=filename, variants=variants, **kwargs)


_TYPE_IN_MESSAGE = re.compile(r"тип[а-я]*\s+«([^»]+)»")
# Older code names a left-out question's type only in its message, in Russian.
_OLD_TYPE_NAMES = {
    "на соответствие": "matching",
    "вложенные ответы (cloze)": "cloze",
    "выбор пропущенных слов": "gapselect",
    "перетаскивание в текст": "ddwtos",
}


def _left_out_type(problem) -> str:
    ref = getattr(problem, "question", None)
    if ref is not None and getattr(ref, "type", ""):
        return ref.type
    match = _TYPE_IN_MESSAGE.search(problem.message)
    if match:
        return _OLD_TYPE_NAMES.get(match.group(1), match.group(1))
    if "нет блока ответов" in problem.message:  # a GIFT description, older code
        return "description"
    return problem.code or "?"


_LEFT_OUT_WORDS = re.compile(r"\bпропущен[аоы]?\b")


def _left_out(problems) -> list:
    """One problem per question the run left out, as the reports name them.

    Lenient mode's ``skipped`` problems; an error naming a question the importer already left
    out (QuestionRef without a place in the bank); a warning of an unsupported type, or one
    saying the question (an Anki note) was left out («пропущен»). Warnings about a question
    that was kept (a partial credit dropped…) are not counted, whatever their QuestionRef says.
    """
    seen, out = set(), []
    for p in problems:
        ref = getattr(p, "question", None)
        if p.severity == "skipped":
            left = True
        elif p.severity == "error":
            left = ref is not None and getattr(ref, "index", None) is None
        else:
            left = p.code == "unsupported_type" or bool(_LEFT_OUT_WORDS.search(p.message))
        if left:
            key = (ref.name, ref.line) if ref is not None else (p.message, p.line)
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out


def run_mode(data: bytes, filename: str, variants: int, lenient: bool) -> dict | None:
    started = time.perf_counter()
    try:
        outcome = _validate(data, filename, variants, lenient)
    except Exception as exc:  # a crash is a finding, not the end of the run
        return {"crash": f"{type(exc).__name__}: {exc}", "loads": False, "imported": 0}
    if outcome is None:
        return None
    result, problems = outcome
    errors = [p for p in problems if p.severity == "error"]
    loads = result.bank is not None and not errors
    imported = len(result.bank["questions"]) if loads else 0
    left = _left_out(problems)
    kinds = Counter()
    if loads:
        for question in result.bank["questions"]:
            kinds[question.get("kind", "?")] += 1
    return {
        "loads": loads,
        "imported": imported,
        "kinds": dict(kinds),
        # what the importer read even when errors refuse the file (GIFT and Moodle XML keep it)
        "parsed": len(result.bank["questions"]) if result.bank is not None else None,
        "errors": len(errors),
        "warnings": sum(p.severity == "warning" for p in problems),
        "left_out": len(left),
        "left_out_types": dict(Counter(_left_out_type(p) for p in left)),
        "first_errors": [str(p) for p in errors[:3]],
        "seconds": round(time.perf_counter() - started, 2),
    }


def measure(path: Path, variants: int) -> dict:
    data = path.read_bytes()
    try:
        fmt, in_file = count_in_file(path, data)
    except Exception as exc:
        fmt, in_file = f"unreadable ({type(exc).__name__})", Counter()
    row = {
        "file": path.name,
        "format": fmt,
        "in_file": sum(in_file.values()),
        "in_file_types": dict(in_file),
        # GIFT: Moodle's own blocks (questions run together count once there)
        **(
            {"moodle_blocks": count_gift_blocks(data.decode("utf-8-sig", errors="replace"))}
            if fmt == "GIFT"
            else {}
        ),
        "strict": run_mode(data, path.name, variants, lenient=False),
        "lenient": run_mode(data, path.name, variants, lenient=True),
    }
    for name in ("strict", "lenient"):
        mode = row[name]
        if mode and mode.get("parsed") is not None:
            # neither read nor named (left out, or an error of its own): lost without a word
            named = mode["left_out"] + (0 if mode["loads"] else mode["errors"])
            mode["silent_loss"] = max(0, row["in_file"] - mode["parsed"] - named)
    return row


# ---------------------------------------------------------------------------------------------
# Report


def _types(counter: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items(), key=lambda kv: -kv[1]))


def _count_and_types(counter: dict) -> str:
    """«3 (gapfill 3)», or «0»."""
    total = sum(counter.values())
    return f"{total} ({_types(counter)})" if total else "0"


def _mode_cells(mode: dict | None) -> tuple[str, str]:
    if mode is None:
        return "—", "—"
    if "crash" in mode:
        return "CRASH", "—"
    return ("да" if mode["loads"] else "нет"), str(mode["imported"])


def markdown(rows: list[dict]) -> str:
    lines = [
        "| файл | формат | в файле | строгий: загружен | строгий: импорт | "
        "мягкий: импорт | пропущено (типы) | ошибок |",
        "|---|---|---:|---|---:|---:|---|---:|",
    ]
    totals = Counter()
    for row in rows:
        strict_loads, strict_n = _mode_cells(row["strict"])
        _lenient_loads, lenient_n = _mode_cells(row["lenient"])
        mode = row["lenient"] or row["strict"] or {}
        skipped = mode.get("left_out_types") or {}
        errors = (row["strict"] or {}).get("errors", 0)
        blocks = row.get("moodle_blocks")
        shown = _types(row["in_file_types"]) + (f"; блоков Moodle {blocks}" if blocks else "")
        lines.append(
            f"| {row['file']} | {row['format']} | {row['in_file']} ({shown}) | {strict_loads} | "
            f"{strict_n} | {lenient_n} | {_count_and_types(skipped)} | {errors} |"
        )
        totals["files"] += 1
        totals["in_file"] += row["in_file"]
        totals["strict"] += (row["strict"] or {}).get("imported", 0)
        totals["strict_loaded"] += bool((row["strict"] or {}).get("loads"))
        totals["lenient"] += (row["lenient"] or {}).get("imported", 0)
        totals["left_out"] += sum(skipped.values())
    lines.append(
        f"| **итого: {totals['files']} файлов** | | **{totals['in_file']}** | "
        f"**{totals['strict_loaded']}** | **{totals['strict']}** | **{totals['lenient']}** | "
        f"**{totals['left_out']}** | |"
    )
    return "\n".join(lines)


def _cell(mode: dict | None, key: str) -> str:
    if mode is None:
        return "—"
    if "crash" in mode:
        return "CRASH"
    if key == "loads":
        return "да" if mode["loads"] else "нет"
    return str(mode.get(key, 0))


def comparison(before: list[dict], after: list[dict]) -> str:
    """Before/after per file: in the file, imported (strict, lenient), left out, loads strict."""
    old = {row["file"]: row for row in before}
    lines = [
        "| файл | формат | в файле | импорт до (строгий) | импорт после (строгий / мягкий) | "
        "пропущено до (типы) | пропущено после (типы) | загружается строго: до → после |",
        "|---|---|---:|---:|---:|---|---|---|",
    ]
    totals = Counter()
    for row in after:
        prev = old.get(row["file"], {})
        b, a, al = prev.get("strict"), row["strict"], row["lenient"]
        skipped = (al or a or {}).get("left_out_types") or {}
        skipped_before = (prev.get("lenient") or b or {}).get("left_out_types") or {}
        lost_before = (b or {}).get("silent_loss", 0)
        lost_after = (al or {}).get("silent_loss", 0)
        lines.append(
            f"| {row['file']} | {row['format']} | {row['in_file']} | {_cell(b, 'imported')} | "
            f"{_cell(a, 'imported')} / {_cell(al, 'imported')} | "
            f"{_count_and_types(skipped_before)} | {_count_and_types(skipped)} | "
            f"{_cell(b, 'loads')} → {_cell(a, 'loads')} |"
        )
        totals["in_file"] += row["in_file"]
        totals["before"] += (b or {}).get("imported", 0)
        totals["after"] += (a or {}).get("imported", 0)
        totals["after_lenient"] += (al or {}).get("imported", 0)
        totals["skipped"] += sum(skipped.values())
        totals["skipped_before"] += sum(skipped_before.values())
        totals["lost_before"] += lost_before
        totals["lost_after"] += lost_after
        totals["loads_before"] += bool((b or {}).get("loads"))
        totals["loads_after"] += bool((a or {}).get("loads"))
    lines.append(
        f"| **итого: {len(after)} файлов** | | **{totals['in_file']}** | **{totals['before']}** | "
        f"**{totals['after']} / {totals['after_lenient']}** | **{totals['skipped_before']}** | "
        f"**{totals['skipped']}** | **{totals['loads_before']} → {totals['loads_after']}** файлов |"
    )
    lines.append("")
    lines.append(
        f"Молча потеряно (есть в файле, но импортёр его не прочёл и не назвал ни ошибкой, ни "
        f"пропуском): до {totals['lost_before']}, после {totals['lost_after']}."
    )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--json", action="store_true", help="machine output")
    parser.add_argument("--variants", type=int, default=None, help="as validate_bank --variants")
    parser.add_argument(
        "--before", type=Path, help="the --json output of an older commit: a before/after table"
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizapp.settings")
    import django

    django.setup()
    from question_bank.validation import DEFAULT_VARIANTS

    variants = args.variants or DEFAULT_VARIANTS
    files = sorted(
        p for p in args.directory.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
    )
    rows = [measure(path, variants) for path in files]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    elif args.before:
        print(comparison(json.loads(args.before.read_text()), rows))
    else:
        print(markdown(rows))
        for row in rows:
            for name in ("strict", "lenient"):
                mode = row[name]
                if mode and (mode.get("crash") or (not mode["loads"] and mode["first_errors"])):
                    why = mode.get("crash") or "; ".join(mode["first_errors"])
                    print(f"- {row['file']} ({name}): {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
