"""Announcements after commit: ``attempt_graded`` and ``practice_answers_graded``.

``attempt_graded``: the one announcement that a finished attempt's score is (re)computed.

Sent after commit by ``attempts.services.attempt_rescore`` (finishing, a late grading, a regrade)
and by a gradebook override. Integrations (REST API webhooks, LTI score passback) connect to it
instead of watching model saves, so a score changed by ``update()`` is announced too. Receivers get
``attempt_id`` and decide themselves whether the attempt is fully graded; a failing receiver is
logged and never breaks grading or the other receivers.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

attempt_graded = Signal()
# Practice answers just graded (``answer_ids``): the flashcards turn typical mistakes into cards.
practice_answers_graded = Signal()


def attempt_graded_announce(*, attempt_id: int) -> None:
    transaction.on_commit(lambda: _send(attempt_id))


def _send(attempt_id: int) -> None:
    for receiver, result in attempt_graded.send_robust(sender=None, attempt_id=attempt_id):
        if isinstance(result, Exception):
            logger.error(
                "attempt_graded receiver %s failed for attempt %s: %r", receiver, attempt_id, result
            )


def practice_answers_graded_announce(*, answer_ids: list[int]) -> None:
    if answer_ids:
        transaction.on_commit(lambda: _send_practice(list(answer_ids)))


def _send_practice(answer_ids: list[int]) -> None:
    for receiver, result in practice_answers_graded.send_robust(sender=None, answer_ids=answer_ids):
        if isinstance(result, Exception):
            logger.error("practice_answers_graded receiver %s failed: %r", receiver, result)


def mistake_ids(result: dict) -> list[tuple[str, str]]:
    """The typical mistakes a stored grading result recognised, as ``(id, feedback)``: the
    answer's own, or each part's (``"part:id"``) in a multi-part answer."""
    found = []
    if not isinstance(result, dict):
        return found
    for entry in [result, *(result.get("parts") or [])]:
        mistake = entry.get("mistake") if isinstance(entry, dict) else None
        if isinstance(mistake, dict) and mistake.get("id"):
            found.append((str(mistake["id"])[:200], str(mistake.get("feedback") or "")))
    return found
