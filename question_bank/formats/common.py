"""Pieces shared by the bank formats."""

from __future__ import annotations

# Keys of a question entry that describe the question rather than its content; everything else in
# the entry is the grader's spec (docs/spec.md).
QUESTION_META_KEYS = ("slug", "title", "topic", "tags", "source", "notes")


def split_question(entry: dict) -> tuple[dict, dict]:
    """A native question entry → (metadata, spec)."""
    meta = {k: entry[k] for k in QUESTION_META_KEYS if k in entry}
    spec = {k: v for k, v in entry.items() if k not in QUESTION_META_KEYS}
    return meta, spec
