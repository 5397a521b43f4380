"""Small helpers of the request side that pages of several domains share."""

from __future__ import annotations

import uuid

__all__ = ["SUBMIT_TOKEN_FIELD", "new_submit_token", "posted_answer", "posted_submit_token"]

# The hidden field of every answer form: one token per submit, so that a double click, a retried
# POST or a reload that resubmits stores one answer (docs/api.md, «Повтор без второго ответа»).
SUBMIT_TOKEN_FIELD = "submit_token"


def posted_answer(request) -> str:
    """The answer of an answer form: the text box, or the ticked options as "0,2"."""
    raw = request.POST.get("answer")
    return ",".join(request.POST.getlist("choice")) if raw is None else raw


def posted_submit_token(request) -> uuid.UUID | None:
    """The form's submit token; None when absent or not a UUID (then nothing is deduplicated)."""
    value = request.POST.get(SUBMIT_TOKEN_FIELD) or ""
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def new_submit_token() -> str:
    """A fresh token for a rendered form: the page works without JS, each render is one submit."""
    return str(uuid.uuid4())
