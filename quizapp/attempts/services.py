"""Writes of the people-facing app: attempts and responses. Views, the API and tasks call these."""

from __future__ import annotations

import random
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

import grader
from question_bank.models import Question, QuestionVersion
from question_bank.selectors import newest_versions, rule_pool
from quizapp.attempts import policies
from quizapp.attempts.grading import claim_pending, clean_raw, grade_rows, save_grades
from quizapp.attempts.selectors import latest_responses
from quizapp.core import versions
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.core.signals import attempt_graded_announce
from quizapp.core.tasks import enqueue_drain_on_commit
from quizapp.courses.accommodations import Terms, quiz_terms
from quizapp.courses.selectors import quiz_visible
from quizapp.models import Attempt, AttemptItem, Quiz, QuizItem, Response, item_seed

GRADE_RESPONSE_TASK = "grader.tasks.grade_response"
GRADE_PENDING_TASK = "quizapp.attempts.tasks.grade_pending_responses"
CLOSE_EXPIRED_TASK = "grader.tasks.close_expired_attempts"
RELEASE_RESULTS_TASK = "quizapp.attempts.release_held_results"

# Answers saved (drafts or responses) up to this long after the deadline still count: a click on
# «Завершить» or an autosave sent in the last second must not be lost to network latency.
DEADLINE_GRACE = timezone.timedelta(seconds=30)


@transaction.atomic
def attempt_start(*, user, quiz: Quiz, now=None) -> Attempt:
    """Start an attempt, or return the student's attempt already in progress.

    Every item gets its question version and a seed; topic rules are drawn here, so each student
    and each retake gets own questions and own numbers.

    Race: a double click on «Начать» must not start two attempts (and eat two of the attempt
    limit); the user's row is locked while the attempts are counted.
    """
    now = now or timezone.now()
    # Every path (page, API, LTI) comes here: the one visibility rule is checked once more, so
    # no caller can start a quiz its user may not see.
    if not quiz_visible(user=user, quiz=quiz):
        raise ServiceError(code=ErrorCode.QUIZ_NOT_VISIBLE)
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    ongoing = Attempt.objects.filter(user=user, quiz=quiz, status=Attempt.Status.IN_PROGRESS)
    for attempt in ongoing.select_for_update():
        # Race: the beat may be closing this expired attempt right now; the row lock (taken
        # above, as the beat takes it) lets one of them collect its drafts, once.
        if attempt_expired(attempt, now):
            _finish_locked(attempt, now)
        else:
            return attempt
    # The student's own dates, time and attempts: the course's dates and accommodations.
    terms = quiz_terms(user=user, quiz=quiz)
    quiz_check_open(quiz=quiz, now=now, terms=terms)
    used = Attempt.objects.filter(user=user, quiz=quiz).count()
    if terms.max_attempts is not None and used >= terms.max_attempts:
        raise ServiceError(code=ErrorCode.NO_ATTEMPTS_LEFT)
    attempt = Attempt.objects.create(
        user=user,
        quiz=quiz,
        number=used + 1,
        # The policy in force for this attempt: its score and every regrade apply this copy.
        answer_policy=quiz.answer_policy,
        max_tries=quiz.max_tries,
        penalty=quiz.penalty,
    )
    attempt.deadline = terms.deadline(attempt.started_at)
    items = [
        AttemptItem(
            attempt=attempt,
            quiz_item=quiz_item,
            version=version,
            position=position,
            seed=seed,
            points=quiz_item.points,
        )
        for position, quiz_item, version, seed in attempt_draw(quiz=quiz, attempt_uuid=attempt.uuid)
    ]
    AttemptItem.objects.bulk_create(items)
    attempt.max_score = sum((item.points for item in items), Decimal(0))
    attempt.save(update_fields=["max_score", "deadline"])
    return attempt


def attempt_draw(*, quiz: Quiz, attempt_uuid) -> list[tuple[int, QuizItem, QuestionVersion, int]]:
    """The items an attempt with this UUID gets: ``(position, quiz item, version, seed)``.

    Reads only: ``attempt_start`` stores them; the printed tickets (``quizapp.tickets``) draw a
    paper ticket through this very function, so a ticket is what an online attempt with the
    ticket's UUID would have been."""
    rng = random.Random(item_seed(attempt_uuid, 0))
    drawn = _draw_items(quiz, rng)
    if quiz.shuffle_items:
        rng.shuffle(drawn)
    return [
        (position, quiz_item, version, item_seed(attempt_uuid, position))
        for position, (quiz_item, version) in enumerate(drawn, start=1)
    ]


def quiz_check_open(*, quiz: Quiz, now=None, terms: Terms | None = None) -> None:
    """Refuse a quiz that is unpublished, not open yet or already closed (for this student:
    ``terms`` carry the course's dates and an extension)."""
    now = now or timezone.now()
    opens_at = terms.opens_at if terms else quiz.opens_at
    closes_at = terms.closes_at if terms else quiz.closes_at
    if not quiz.is_published:
        raise ServiceError(code=ErrorCode.QUIZ_UNPUBLISHED)
    if opens_at and now < opens_at:
        when = timezone.localtime(opens_at).strftime("%d.%m.%Y %H:%M")
        raise ServiceError(
            gettext("Тест откроется %(when)s.") % {"when": when}, code=ErrorCode.QUIZ_NOT_OPEN
        )
    if closes_at and now >= closes_at:
        raise ServiceError(code=ErrorCode.QUIZ_CLOSED)


def _draw_items(quiz: Quiz, rng: random.Random) -> list[tuple[QuizItem, QuestionVersion]]:
    """The quiz's items in order, each rule replaced by ``count`` distinct random questions."""
    quiz_items = list(quiz.items.select_related("topic").order_by("position"))
    fixed = {qi.question_id for qi in quiz_items if qi.question_id}
    picks: list[tuple[QuizItem, int]] = []
    taken = set(fixed)
    for quiz_item in quiz_items:
        if quiz_item.question_id:
            picks.append((quiz_item, quiz_item.question_id))
            continue
        pool = sorted(rule_pool(quiz_item.topic).exclude(pk__in=taken).values_list("pk", flat=True))
        if len(pool) < quiz_item.count:
            raise ServiceError(
                gettext(
                    "В теме «%(topic)s» только %(available)s вопросов для правила "
                    "«%(count)s случайных»: тест нужно исправить."
                )
                % {"topic": quiz_item.topic, "available": len(pool), "count": quiz_item.count},
                code=ErrorCode.RULE_TOO_FEW,
            )
        chosen = rng.sample(pool, quiz_item.count)
        taken.update(chosen)
        picks.extend((quiz_item, question_id) for question_id in chosen)
    versions = newest_versions({question_id for _, question_id in picks})
    drawn = []
    for quiz_item, question_id in picks:
        version = quiz_item.version if quiz_item.version_id else versions.get(question_id)
        if version is None:
            raise ServiceError(code=ErrorCode.NO_VERSION)
        drawn.append((quiz_item, version))
    return drawn


def response_submit(*, item: AttemptItem, raw: str, client_token=None) -> Response:
    """Save the raw answer as a pending response, then enqueue its grading once committed.

    ``client_token`` (a UUID, optional) names one submit of the page or an API client: the same
    token again (a double click, a retried POST, a reload that resubmits) returns the response
    already stored, with ``replayed`` True, and grades nothing new; the same token with another
    answer is refused (``submit_token_reused``). Without a token every call is a new answer:
    under the attempt's policy ``last`` an item may be answered again and the latest answer
    counts; under ``tries`` and ``once`` it is refused once the item is closed
    (``attempts.policies``).

    Race: a submit can cross ``attempt_finish`` or a time-limit close; the attempt row is locked so
    an answer is either saved before the attempt closes or refused, never half-recorded. The same
    lock serialises two submits with one token (two threads, two workers): the second finds the
    first's row; the partial unique index (item, client_token) backs this up. The lock also
    serialises two submits of different answers at once (two tabs) under ``once`` or at the
    last allowed try: the tries are counted under it, so the second is refused.
    """
    raw = clean_raw(raw, limit=grader.raw_limit(item.version.spec))
    _ensure_answerable(item)
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=item.attempt_id)
        if client_token is not None:
            stored = Response.objects.filter(item=item, client_token=client_token).first()
            if stored is not None:
                # A replay answers as the first submit did, even if the attempt closed since.
                if stored.raw != raw:
                    raise ServiceError(code=ErrorCode.SUBMIT_TOKEN_REUSED)
                stored.replayed = True
                return stored
        _ensure_open(attempt)
        try_number = policies.next_try_number(attempt, item.pk)
        response = Response.objects.create(
            item=item, raw=raw, client_token=client_token, try_number=try_number
        )
        response.replayed = False
        # The box shows what was submitted after a reload, and finishing does not resubmit it.
        AttemptItem.objects.filter(pk=item.pk).update(draft=raw, draft_saved_at=timezone.now())
        # ``dispatch.sent`` is False after the commit when the broker was unreachable.
        response.dispatch = _enqueue_grading(response.pk)
    return response


def _enqueue_grading(response_id: int):
    """After commit: one drain task for the answers saved meanwhile (a worker), or this answer
    graded at once (the embedded mode)."""
    return enqueue_drain_on_commit(
        "responses", GRADE_PENDING_TASK, eager_task=GRADE_RESPONSE_TASK, row_id=response_id
    )


def draft_save(*, item: AttemptItem, raw: str, rev: int) -> bool:
    """Autosave the answer as typed; returns False when a newer draft is already stored.

    ``rev`` is the client's counter (milliseconds of its clock): autosaves can arrive out of
    order over a flaky connection, and an older one must never overwrite a newer one.
    Race: like a submit, a draft can cross the attempt's end; the attempt row is locked so a draft
    is either in before the answers are collected or refused.
    """
    raw = clean_raw(raw, limit=grader.raw_limit(item.version.spec))
    _ensure_answerable(item)
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=item.attempt_id)
        _ensure_open(attempt)
        if attempt.answer_policy != Quiz.AnswerPolicy.LAST:
            # A final answer (or an item out of tries) is not edited behind the page's back.
            policies.check_open(policies.try_states(attempt, [item.pk])[item.pk])
        updated = AttemptItem.objects.filter(pk=item.pk, draft_rev__lt=rev).update(
            draft=raw, draft_rev=rev, draft_saved_at=timezone.now()
        )
    return bool(updated)


def _ensure_answerable(item: AttemptItem) -> None:
    # A description is only read: an answer to it (a forged post, an API call) is refused.
    if item.version.question.kind == Question.Kind.DESCRIPTION:
        raise ServiceError(code=ErrorCode.NOTHING_TO_ANSWER)


def _ensure_open(attempt: Attempt) -> None:
    if attempt.status != Attempt.Status.IN_PROGRESS:
        raise ServiceError(code=ErrorCode.ATTEMPT_FINISHED)
    if attempt_expired(attempt, timezone.now()):
        raise ServiceError(code=ErrorCode.TIME_OVER)


def attempt_expired(attempt: Attempt, now) -> bool:
    """Past its deadline and the grace period: answers are refused, the attempt is to be closed."""
    return attempt.deadline is not None and now > attempt.deadline + DEADLINE_GRACE


def response_grade(*, response_id: int) -> Response | None:
    """Grade one pending response (and nothing else); the response as stored afterwards.

    Idempotent: a response already graded is left as it is.
    """
    responses_grade_batch(first_id=response_id, limit=1)
    return Response.objects.filter(pk=response_id).first()


def responses_grade_batch(*, first_id: int | None = None, limit: int | None = None) -> int:
    """Grade up to ``limit`` pending responses in one transaction; how many were graded.

    The batch starts with ``first_id`` (the answer a task was sent for; nothing is done when it
    is graded already or being graded) and takes the oldest other pending answers with it, so a
    worker that finds a queue of answers grades them with one bulk UPDATE and one commit, and
    rescoring each finished attempt once.

    Exactly once: rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED``, so two workers never
    hold the same answer, and only ``pending`` rows are claimed, so a redelivered task finds
    nothing to do. A worker that dies mid-batch holds its locks until PostgreSQL drops its
    connection; the transaction rolls back and the answers are ``pending`` again, for the next
    task or the sweeper.
    """
    limit = limit or settings.GRADING_BATCH_SIZE
    with transaction.atomic():
        rows = claim_pending(
            Response.objects.select_related("item__version"), first_id=first_id, limit=limit
        )
        if not rows:
            return 0
        grade_rows(rows, spec_seed=lambda row: (row.item.version.spec, row.item.seed))
        save_grades(rows)
        # Race: attempt_finish may close an attempt while this batch grades one of its answers.
        # Locking the attempts (in id order, so two batches never deadlock) serialises the two:
        # either the finish comes first and this batch sees it finished and rescores, or this
        # batch commits first and the finish's own rescore sees these grades.
        attempt_ids = {row.item.attempt_id for row in rows}
        attempts = Attempt.objects.select_for_update().filter(pk__in=attempt_ids).order_by("pk")
        for attempt in list(attempts):
            if attempt.status == Attempt.Status.FINISHED:
                attempt_rescore(attempt)
    return len(rows)


@transaction.atomic
def attempt_finish(*, attempt: Attempt, now=None) -> Attempt:
    """Close an attempt: unsent drafts become responses, then the score is computed.

    Race: a double click, two tabs, or the timer's auto-submit crossing a click; the row lock
    makes the second call see the attempt already finished and return it unchanged.
    """
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.status == Attempt.Status.FINISHED:
        return attempt
    return _finish_locked(attempt, now or timezone.now())


def _finish_locked(attempt: Attempt, now) -> Attempt:
    items = list(attempt.items.all())
    newest = latest_responses(items)
    states = policies.try_states(attempt, [item.pk for item in items])
    created = []
    for item in items:
        latest = newest.get(item.pk)
        state = states[item.pk]
        if state.closed:
            continue  # a final answer, a solved item or one out of tries: no draft is sent
        if item.draft.strip() and (latest is None or latest.raw != item.draft):
            created.append(Response(item=item, raw=item.draft, try_number=state.next_try))
    for response in Response.objects.bulk_create(created):
        _enqueue_grading(response.pk)
    attempt.status = Attempt.Status.FINISHED
    # An attempt closed late (by the sweeper) ends at its deadline, not when it was noticed.
    attempt.finished_at = min(now, attempt.deadline) if attempt.deadline else now
    # Results shown «after the close date»: the LMS and the mistakes notebook wait for it too.
    attempt.results_held = attempt.quiz.holds_results and not quiz_terms(
        user=attempt.user, quiz=attempt.quiz
    ).closed(now)
    attempt.save(update_fields=["status", "finished_at", "results_held"])
    attempt_rescore(attempt)
    return attempt


def attempts_close_expired(*, now=None) -> int:
    """Finish every attempt whose time is over (the students who never pressed «Завершить»)."""
    now = now or timezone.now()
    closed = 0
    due = Attempt.objects.filter(
        status=Attempt.Status.IN_PROGRESS, deadline__lt=now - DEADLINE_GRACE
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            attempt = Attempt.objects.select_for_update().get(pk=pk)
            if attempt.status == Attempt.Status.IN_PROGRESS:
                _finish_locked(attempt, now)
                closed += 1
    return closed


def attempt_rescore(attempt: Attempt) -> None:
    """The score from the answers of each item under the attempt's own policy (the newest
    answer, or the best try less its penalty: ``attempts.policies``), how many items were left
    with an unreadable answer and how many are essays waiting for the instructor (``manual``:
    the score is provisional). A regrade calls this too, so it applies the policy that was in
    force when the attempt started, never the quiz's current one.

    An unreadable answer (``invalid``: ``42`` for a vector) earns nothing here whatever the
    quiz's ``unreadable_policy``; under «review» it is not a wrong answer but an open question,
    counted in ``unreadable_count`` so the result says the score is provisional and the
    gradebook flags the attempt until an instructor's override settles it.
    """
    total = Decimal(0)
    unreadable = manual = 0
    items = list(attempt.items.all())
    by_item: dict[int, list[Response]] = {item.pk: [] for item in items}
    for response in Response.objects.filter(item__attempt=attempt):
        by_item[response.item_id].append(response)
    for item in items:
        outcome = policies.item_outcome(attempt, by_item[item.pk])
        latest = outcome.deciding
        if outcome.share is not None:
            total += item.points * outcome.share
        elif latest is not None and latest.status == Response.Status.INVALID:
            unreadable += 1
        elif latest is not None and latest.status == Response.Status.MANUAL:
            manual += 1  # an essay in the manual-grading queue: nothing earned yet
    attempt.unreadable_count = unreadable
    attempt.manual_count = manual
    Attempt.objects.filter(pk=attempt.pk).update(
        score=total.quantize(Decimal("0.01")), unreadable_count=unreadable, manual_count=manual
    )
    # update() sends no model signal: the student's dashboard and the quiz's item analysis,
    # cached under these tokens, have changed.
    versions.bump(versions.STUDY, attempt.user_id)
    versions.bump(versions.ANALYSIS, attempt.quiz_id)
    attempt_graded_announce(attempt_id=attempt.pk)
