"""Answer policies: the newest answer (``last``), tries with a penalty (``tries``), one answer
(``once``); the policy in force is the attempt's copy, and a regrade never adds a penalty.

Runs on SQLite and on PostgreSQL (the regrade pins and the limits store and lock rows).
"""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

import grader
from question_bank.models import QuestionVersion
from quizapp.attempts import policies, services
from quizapp.core.errors import ServiceError
from quizapp.gradebook import regrade
from quizapp.models import Attempt, Quiz, Response
from tests.quizapp.concurrency import in_threads

pytestmark = pytest.mark.django_db

Policy = Quiz.AnswerPolicy
SLUG = "dense-params"


def _set_policy(quiz, policy, *, max_tries=None, penalty="0"):
    quiz.answer_policy = policy
    quiz.max_tries = max_tries
    quiz.penalty = Decimal(penalty)
    quiz.save(update_fields=["answer_policy", "max_tries", "penalty"])


def _item(attempt):
    return attempt.items.select_related("version__question").get(version__question__slug=SLUG)


def _right(version, item) -> str:
    return str(int(grader.grade(version.spec, item.seed, "0").expected))


def _send(item, raw) -> Response:
    response = services.response_submit(item=item, raw=raw)
    services.response_grade(response_id=response.pk)
    response.refresh_from_db()
    return response


def _item_score(attempt) -> Decimal:
    """The attempt's score: only the item under test is answered, the others earn nothing."""
    attempt.refresh_from_db()
    return attempt.score


@pytest.fixture
def good(demo_quiz):
    return demo_quiz.items.get(question__slug=SLUG).question.versions.order_by("-number").first()


@pytest.fixture
def broken(demo_quiz, good):
    """A newer version of the question with a wrong key (biases forgotten): attempts use it."""
    spec = copy.deepcopy(good.spec)
    spec["answer"]["args"]["bias"] = False
    question = good.question
    return QuestionVersion.objects.create(question=question, number=good.number + 1, spec=spec)


def _regrade(demo_quiz, good, owner, capture) -> None:
    question = good.question
    fixed = QuestionVersion.objects.create(
        question=question, number=question.versions.count() + 1, spec=good.spec
    )
    with capture(execute=True):
        regrade.regrade_start(question=question, to_version=fixed, by=owner, quiz=demo_quiz)


# --- the policy's arithmetic ---------------------------------------------------------------


def test_try_value_subtracts_the_penalty_per_extra_try_and_floors_at_zero():
    penalty = Decimal("0.25")
    values = [policies.try_value(share=1.0, try_number=n, penalty=penalty) for n in (1, 2, 3, 4, 5)]
    assert values == [Decimal("1"), Decimal("0.75"), Decimal("0.5"), Decimal("0.25"), Decimal(0)]
    assert policies.try_value(share=0.5, try_number=3, penalty=penalty) == Decimal(0)


# --- last (the default) ------------------------------------------------------------------


def test_a_new_quiz_and_its_attempts_keep_the_old_behaviour(demo_quiz, student, good):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    assert (attempt.answer_policy, attempt.max_tries, attempt.penalty) == ("last", None, 0)
    item = _item(attempt)
    right = _right(good, item)
    for raw in ("1", "2", right, "3"):
        _send(item, raw)
    services.attempt_finish(attempt=attempt)
    assert _item_score(attempt) == Decimal("0.00")  # the newest answer counts, not the best


# --- tries ------------------------------------------------------------------------------


def test_tries_wrong_wrong_right_earns_half_under_a_quarter_penalty(demo_quiz, student, good):
    _set_policy(demo_quiz, Policy.TRIES, max_tries=5, penalty="0.25")
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt)
    tries = [_send(item, raw) for raw in ("1", "2", _right(good, item))]
    assert [r.try_number for r in tries] == [1, 2, 3]
    with pytest.raises(ServiceError) as exc:
        services.response_submit(item=item, raw="4")
    assert exc.value.code == "item_solved"
    services.attempt_finish(attempt=attempt)
    assert _item_score(attempt) == item.points * Decimal("0.5")


def test_tries_stop_at_the_limit_and_the_best_try_counts(demo_quiz, student, good):
    _set_policy(demo_quiz, Policy.TRIES, max_tries=2, penalty="0.1")
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt)
    _send(item, _right(good, item) + "1")
    _send(item, "7")
    with pytest.raises(ServiceError) as exc:
        services.response_submit(item=item, raw=_right(good, item))
    assert exc.value.code == "no_tries_left"
    assert Response.objects.filter(item=item).count() == 2
    # The draft is refused too: the input is closed, and the finish sends nothing more.
    with pytest.raises(ServiceError) as exc:
        services.draft_save(item=item, raw=_right(good, item), rev=10)
    assert exc.value.code == "no_tries_left"
    services.attempt_finish(attempt=attempt)
    assert Response.objects.filter(item=item).count() == 2
    assert _item_score(attempt) == Decimal("0.00")


def test_unreadable_and_failed_answers_are_not_tries_and_cost_nothing(demo_quiz, student, good):
    _set_policy(demo_quiz, Policy.TRIES, max_tries=1, penalty="0.25")
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt)
    unreadable = _send(item, "сорок два")
    assert unreadable.status == Response.Status.INVALID
    failed = services.response_submit(item=item, raw="5")
    Response.objects.filter(pk=failed.pk).update(status=Response.Status.FAILED)
    state = policies.try_states(attempt, [item.pk])[item.pk]
    assert (state.used, state.left, state.closed) == (0, 1, "")
    right = _send(item, _right(good, item))
    assert right.try_number == 1  # the only try: no penalty
    services.attempt_finish(attempt=attempt)
    assert _item_score(attempt) == item.points


def test_a_pending_answer_is_the_try_it_will_be(demo_quiz, student):
    _set_policy(demo_quiz, Policy.TRIES, max_tries=1)
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt)
    Response.objects.create(item=item, raw="5", try_number=1)  # not graded yet
    with pytest.raises(ServiceError) as exc:
        services.response_submit(item=item, raw="6")
    assert exc.value.code == "no_tries_left"


# --- once -------------------------------------------------------------------------------


def test_once_takes_the_first_answer_and_refuses_a_second(demo_quiz, student, good):
    _set_policy(demo_quiz, Policy.ONCE)
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt)
    assert services.draft_save(item=item, raw="12", rev=1)  # drafts work until the submit
    first = _send(item, _right(good, item))
    with pytest.raises(ServiceError) as exc:
        services.response_submit(item=item, raw="7")
    assert exc.value.code == "answer_final" and "изменить его нельзя" in exc.value.message
    with pytest.raises(ServiceError) as exc:
        services.draft_save(item=item, raw="7", rev=2)
    assert exc.value.code == "answer_final"
    # A replay of the first submit still gets the stored answer back (idempotency stays).
    token = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"
    other = _item(attempt)
    Response.objects.filter(pk=first.pk).update(client_token=token)
    replay = services.response_submit(item=other, raw=first.raw, client_token=token)
    assert replay.pk == first.pk and replay.replayed
    services.attempt_finish(attempt=attempt)
    assert Response.objects.filter(item=item).count() == 1
    assert _item_score(attempt) == item.points


def test_once_turns_an_unsent_draft_into_the_answer_at_the_finish(demo_quiz, student, good):
    _set_policy(demo_quiz, Policy.ONCE)
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt)
    services.draft_save(item=item, raw=_right(good, item), rev=1)
    with_grading = services.attempt_finish(attempt=attempt)
    response = Response.objects.get(item=item)
    assert response.try_number == 1 and response.raw == _right(good, item)
    assert with_grading.status == Attempt.Status.FINISHED


# --- regrades apply the policy in force, never add a penalty ------------------------------


def test_regrade_under_last_gives_full_marks_without_penalty(
    demo_quiz, student, owner, good, broken, django_capture_on_commit_callbacks
):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt)
    assert item.version == broken
    for raw in ("1", "2", _right(good, item)):  # three responses, the newest right by the fix
        _send(item, raw)
    services.attempt_finish(attempt=attempt)
    assert _item_score(attempt) == Decimal("0.00")
    _regrade(demo_quiz, good, owner, django_capture_on_commit_callbacks)
    assert _item_score(attempt) == item.points


def test_regrade_under_tries_never_lowers_and_takes_the_best_try(
    demo_quiz, student, owner, good, broken, django_capture_on_commit_callbacks
):
    _set_policy(demo_quiz, Policy.TRIES, max_tries=5, penalty="0.25")
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt)
    right_by_fix = _right(good, item)
    right_by_broken = _right(broken, item)
    assert right_by_fix != right_by_broken
    for raw in (right_by_fix, "2", right_by_broken):  # wrong, wrong, right (by the broken key)
        _send(item, raw)
    services.attempt_finish(attempt=attempt)
    assert _item_score(attempt) == item.points * Decimal("0.5")
    _regrade(demo_quiz, good, owner, django_capture_on_commit_callbacks)
    # Try 1 is right now and has no penalty; try 3 turned wrong: the best try counts.
    assert _item_score(attempt) == item.points
    assert list(
        Response.objects.filter(item=item).order_by("id").values_list("try_number", flat=True)
    ) == [1, 2, 3]


def test_changing_the_quiz_penalty_later_does_not_change_a_regraded_attempt(
    demo_quiz, student, owner, good, broken, django_capture_on_commit_callbacks
):
    _set_policy(demo_quiz, Policy.TRIES, max_tries=5, penalty="0.25")
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt)
    for raw in ("1", _right(good, item)):  # wrong, then right by the fixed key
        _send(item, raw)
    services.attempt_finish(attempt=attempt)
    _set_policy(demo_quiz, Policy.TRIES, max_tries=1, penalty="0.9")
    _regrade(demo_quiz, good, owner, django_capture_on_commit_callbacks)
    attempt.refresh_from_db()
    assert (attempt.answer_policy, attempt.max_tries, attempt.penalty) == (
        "tries",
        5,
        Decimal("0.25"),
    )
    assert _item_score(attempt) == item.points * Decimal("0.75")


def test_regrade_of_an_unreadable_try_adds_no_penalty(
    demo_quiz, student, owner, good, broken, django_capture_on_commit_callbacks
):
    """An unreadable answer and its resend share one try number: when a regrade makes the first
    readable, the resend is not pushed to a later, penalised try."""
    _set_policy(demo_quiz, Policy.TRIES, max_tries=3, penalty="0.25")
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt)
    lost = services.response_submit(item=item, raw=_right(good, item))
    Response.objects.filter(pk=lost.pk).update(status=Response.Status.FAILED)  # a crash
    resend = _send(item, _right(good, item))  # wrong by the broken key
    assert resend.try_number == 1
    services.attempt_finish(attempt=attempt)
    assert _item_score(attempt) == Decimal("0.00")
    _regrade(demo_quiz, good, owner, django_capture_on_commit_callbacks)
    assert _item_score(attempt) == item.points  # both right as try 1: no penalty


# --- the race: two tabs submit at once --------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("policy", "max_tries", "refusal"),
    [(Policy.ONCE, None, "answer_final"), (Policy.TRIES, 1, "no_tries_left")],
)
def test_two_submits_at_once_store_one_answer(demo_quiz, student, policy, max_tries, refusal):
    _set_policy(demo_quiz, policy, max_tries=max_tries)
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    item = _item(attempt)
    outcomes = []

    def submit(raw):
        def run():
            try:
                services.response_submit(item=item, raw=raw)
                outcomes.append("saved")
            except ServiceError as exc:
                outcomes.append(exc.code)

        return run

    assert in_threads([submit(str(n)) for n in range(4)]) == []
    assert sorted(outcomes) == sorted(["saved"] + [refusal] * 3)
    assert Response.objects.filter(item=item).count() == 1
