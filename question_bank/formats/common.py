"""Pieces shared by the bank formats.

Every importer turns its input into the *native bank structure*, the same dict a native YAML file
holds (docs/bank-format.md): ``{"format", "bank": {...}, "topics": [...], "questions": [...]}``
with flat question entries; problems are reported as :class:`Problem` (``file:line:col: text``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["QUESTION_META_KEYS", "split_question", "Problem", "ImportResult", "FORMAT_TAG"]

FORMAT_TAG = "neurozachet-bank/1"

# Keys of a question entry that describe the question rather than its content; everything else in
# the entry is the grader's spec (docs/spec.md).
QUESTION_META_KEYS = ("slug", "title", "topic", "tags", "source", "notes")


def split_question(entry: dict) -> tuple[dict, dict]:
    """A native question entry → (metadata, spec)."""
    meta = {k: entry[k] for k in QUESTION_META_KEYS if k in entry}
    spec = {k: v for k, v in entry.items() if k not in QUESTION_META_KEYS}
    return meta, spec


@dataclass(frozen=True)
class Problem:
    """One problem found in a bank file; the message is in Russian, ``code`` is for machines."""

    file: str
    line: int | None
    column: int | None
    message: str
    code: str = "invalid"
    severity: str = "error"  # "error" stops an import; "warning" does not

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        prefix = "" if self.severity == "error" else "предупреждение: "
        return f"{where}: {prefix}{self.message}"

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "code": self.code,
            "severity": self.severity,
        }


@dataclass
class ImportResult:
    """An importer's output: the native bank structure and every problem found."""

    bank: dict | None
    problems: list[Problem] = field(default_factory=list)
    # (path in the bank structure) → (line, column) in the source, for later checks' messages
    positions: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.bank is not None and not any(p.severity == "error" for p in self.problems)
