"""Writes of free practice by topic: an answer saved, then graded like a quiz answer."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from question_bank.models import QuestionVersion, Topic
from quizapp.attempts.grading import claim_pending, clean_raw, grade_rows, save_grades
from quizapp.core import signals, versions
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.core.signals import mistake_ids
from quizapp.core.tasks import enqueue_drain_on_commit
from quizapp.models import PracticeAnswer, Response
from quizapp.practice.selectors import last_answer

GRADE_PRACTICE_TASK = "grader.tasks.grade_practice_answer"
GRADE_PENDING_TASK = "quizapp.practice.tasks.grade_pending_practice"


def practice_submit(
    *,
    user,
    topic: Topic | None,
    version: QuestionVersion,
    seed: int,
    raw: str,
    client_token=None,
):
    """Save the answer as pending, then enqueue its grading once committed.

    ``client_token`` names one submit (see :func:`quizapp.attempts.services.response_submit`):
    the same token again returns the answer already stored (``replayed`` True) and grades
    nothing new; with another answer or another variant it is refused (``submit_token_reused``).

    One answer per variant: once the variant's answer is graded (its key is on the page) or
    still pending, another answer is refused (``variant_locked``) and nothing is stored; only a
    replay of the stored answer's own token still returns it. See :data:`LOCKING_STATUSES`.

    Race: two submits with one token (a double click reaching two web workers) are serialised
    by the lock on the student; the second finds the first's row and replays it. Should they
    still both insert, the partial unique index (user, client_token) lets one through and the
    other answers with the row that won.
    """
    raw = clean_raw(raw)
    if client_token is not None:
        stored = _stored(user, client_token)
        if stored is not None:
            return _replay(stored, version=version, seed=seed, raw=raw)
    try:
        with transaction.atomic():
            # One student's submits one after another (a row lock on the student; a no-op on
            # SQLite, which has one writer anyway): two tabs answering the same variant at once
            # cannot both pass the check below. After the wait the token is looked up again, so
            # a double click that lost the race is still a replay, not a refusal.
            _lock_student(user)
            if client_token is not None:
                stored = _stored(user, client_token)
                if stored is not None:
                    return _replay(stored, version=version, seed=seed, raw=raw)
            if variant_locked(user=user, version=version, seed=seed):
                raise ServiceError(code=ErrorCode.VARIANT_LOCKED)
            answer = PracticeAnswer.objects.create(
                user=user,
                topic=topic,
                version=version,
                seed=seed,
                raw=raw,
                client_token=client_token,
            )
            answer.dispatch = enqueue_drain_on_commit(
                "practice", GRADE_PENDING_TASK, eager_task=GRADE_PRACTICE_TASK, row_id=answer.pk
            )
    except IntegrityError:
        stored = _stored(user, client_token) if client_token is not None else None
        if stored is None:
            raise
        return _replay(stored, version=version, seed=seed, raw=raw)
    answer.replayed = False
    return answer


# Statuses of an answer that close its variant to further answers.
# - graded: the page shows the solution and the key, so another answer would only copy it;
# - pending: the key is not shown yet, but the grading is on its way and will show it, and a
#   second answer sent meanwhile would race the first one's verdict: one answer per variant.
# An answer not understood (invalid) or one the grader could not check (failed) shows no key:
# the student may correct the format and answer the same variant again.
LOCKING_STATUSES = frozenset({Response.Status.PENDING, Response.Status.GRADED})


def answer_locks_variant(answer: PracticeAnswer | None) -> bool:
    """Whether this answer (the newest to its variant) closes the variant to another answer."""
    return answer is not None and answer.status in LOCKING_STATUSES


def variant_locked(*, user, version: QuestionVersion, seed: int) -> bool:
    """Whether the variant's page shows (or is about to show) the key: see LOCKING_STATUSES."""
    return answer_locks_variant(last_answer(user=user, version=version, seed=seed))


def _lock_student(user) -> None:
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))


def _stored(user, client_token) -> PracticeAnswer | None:
    return PracticeAnswer.objects.filter(user=user, client_token=client_token).first()


def _replay(stored: PracticeAnswer, *, version, seed: int, raw: str) -> PracticeAnswer:
    if (stored.version_id, stored.seed, stored.raw) != (version.pk, seed, raw):
        raise ServiceError(code=ErrorCode.SUBMIT_TOKEN_REUSED)
    stored.replayed = True
    return stored


def practice_grade(*, answer_id: int) -> PracticeAnswer | None:
    """Grade one pending practice answer (and nothing else); the answer as stored afterwards.

    Idempotent: a redelivered task changes nothing.
    """
    practice_grade_batch(first_id=answer_id, limit=1)
    return PracticeAnswer.objects.filter(pk=answer_id).first()


def practice_grade_batch(*, first_id: int | None = None, limit: int | None = None) -> int:
    """Grade up to ``limit`` pending practice answers in one transaction, like quiz answers
    (:func:`quizapp.attempts.services.responses_grade_batch`); how many were graded."""
    limit = limit or settings.GRADING_BATCH_SIZE
    with transaction.atomic():
        rows = claim_pending(
            PracticeAnswer.objects.select_related("version"), first_id=first_id, limit=limit
        )
        if rows:
            grade_rows(rows, spec_seed=lambda row: (row.version.spec, row.seed))
            save_grades(rows)
            # One UPDATE for the batch sends no signal: the students' mastery has changed.
            versions.bump(versions.STUDY, *{row.user_id for row in rows})
            signals.practice_answers_graded_announce(
                answer_ids=[row.pk for row in rows if mistake_ids(row.result)]
            )
    return len(rows)
