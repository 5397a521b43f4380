"""``attempt_graded``: the one announcement that a finished attempt's score is (re)computed.

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


def attempt_graded_announce(*, attempt_id: int) -> None:
    transaction.on_commit(lambda: _send(attempt_id))


def _send(attempt_id: int) -> None:
    for receiver, result in attempt_graded.send_robust(sender=None, attempt_id=attempt_id):
        if isinstance(result, Exception):
            logger.error(
                "attempt_graded receiver %s failed for attempt %s: %r", receiver, attempt_id, result
            )
