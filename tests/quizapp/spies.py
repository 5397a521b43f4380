"""Test helpers that record what the app did without changing it."""

from __future__ import annotations


def spy_on_grading(monkeypatch, module) -> list[int]:
    """The ids of the rows ``module.grade_rows`` is run on, in order (each grading batch)."""
    graded: list[int] = []
    original = module.grade_rows

    def spy(rows, **kwargs):
        graded.extend(row.pk for row in rows)
        return original(rows, **kwargs)

    monkeypatch.setattr(module, "grade_rows", spy)
    return graded
