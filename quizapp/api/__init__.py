"""REST API /api/v1/: one view per operation, the same services as the browser pages.

See docs/api.md. Models live in ``models.py`` and belong to the ``quizapp`` app (imported at the
end of ``quizapp/models.py``).
"""
