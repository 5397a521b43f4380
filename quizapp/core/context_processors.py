"""Template context every page gets."""

from __future__ import annotations

from django.conf import settings

__all__ = ["decimal_mark"]


def decimal_mark(request) -> dict:
    # The site's decimal mark for ``|math:decimal_mark``; a page of a course's quiz overrides it.
    return {"decimal_mark": settings.NZ_DECIMAL_MARK}
