"""Small helpers of the request side that pages of several domains share."""

from __future__ import annotations

__all__ = ["posted_answer"]


def posted_answer(request) -> str:
    """The answer of an answer form: the text box, or the ticked options as "0,2"."""
    raw = request.POST.get("answer")
    return ",".join(request.POST.getlist("choice")) if raw is None else raw
