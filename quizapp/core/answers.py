"""Answers made of several fields (a multi-part question, a matching question).

The grader reads such an answer as one JSON object (field name → that field's text; see
``grader/kinds/multipart.py`` and ``grader/kinds/matching.py``). A browser without JS posts the
fields one by one (``part-<name>``, ``match-<stem>``); :func:`compound_raw` joins them into that
object, and :func:`compound_fields` reads a saved answer back to fill the form again.
"""

from __future__ import annotations

import json

__all__ = ["PART_PREFIX", "MATCH_PREFIX", "compound_raw", "compound_fields", "compound_display"]

PART_PREFIX = "part-"
MATCH_PREFIX = "match-"
# A form has a few dozen fields at most; a forged post with thousands is cut, not stored.
_MAX_FIELDS = 100


def compound_raw(post) -> str | None:
    """The posted fields of a multi-field answer as the grader's JSON object, or ``None``.

    ``post`` is a QueryDict: a checkbox part posts one value per ticked option («0,2» joined).
    """
    fields: dict[str, str] = {}
    for prefix in (PART_PREFIX, MATCH_PREFIX):
        for key in post:
            if key.startswith(prefix) and len(fields) < _MAX_FIELDS:
                fields[key[len(prefix) :]] = ",".join(post.getlist(key))
        if fields:
            return json.dumps(fields, ensure_ascii=False)
    return None


def compound_fields(raw) -> dict[str, str]:
    """A saved multi-field answer → {field: text}; anything else (a plain answer) → {}."""
    if not isinstance(raw, str) or not raw.lstrip().startswith("{"):
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


def compound_display(raw) -> str:
    """A multi-field answer as people read it («h: 5; p: 0»); a plain answer unchanged."""
    fields = compound_fields(raw)
    if not fields:
        return raw if isinstance(raw, str) else ""
    return "; ".join(f"{name}: {text}" for name, text in fields.items())
