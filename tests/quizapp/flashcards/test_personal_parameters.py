"""Personal FSRS parameters (issue 17, point 1): fitted from the student's own log with the
fsrs-rs optimizer, kept only when they predict held-out reviews better, used by the scheduler.

The recovery tests feed the optimizer logs written by a simulated student whose FSRS model is
known (tests/quizapp/flashcards/synthetic.py) and state the error: on 8,000 reviews the fitted
model's recall probabilities on the newest 20 % are within RMSE 0.02 of the true ones, and its
held-out log loss within 0.003 of the true model's.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import zoneinfo

import fsrs_rs_python as fsrs_rs
import numpy as np
import pytest
from django.db.models import Count
from django.urls import reverse

from question_bank.models import Bank, Question, QuestionVersion
from quizapp.core.tasks import Dispatch
from quizapp.flashcards import fsrs_cards, personal, selectors, services
from quizapp.models import FlashcardReview, FlashcardState, FsrsFit, StudyProfile
from tests.quizapp.attempts import stack
from tests.quizapp.flashcards.synthetic import predicted, simulate, true_parameters

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def _held_out(rows, truth):
    """The newest 20 % of the true recall probabilities, as the fit holds them out."""
    cut = len(truth) - len(truth) // 5
    keys = [(at, card) for at, card, _p in truth[cut:]]
    return keys, np.array([p for _at, _card, p in truth[cut:]])


def _rmse(a, b) -> float:
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


# --- The log as FSRS items ------------------------------------------------------------------


def test_days_are_counted_in_the_students_calendar():
    evening = dt.datetime(2026, 3, 1, 20, 30, tzinfo=dt.UTC)  # 23:30 in Moscow
    rows = [(7, 3, evening), (7, 3, evening + dt.timedelta(hours=1))]  # 00:30 the next day
    (moscow,) = personal.items_from_log(rows, zone=MOSCOW)
    (utc,) = personal.items_from_log(rows, zone=dt.UTC)
    assert moscow.long_term and "delta_t: 1" in repr(moscow.fsrs.reviews)
    assert not utc.long_term and "delta_t: 1" not in repr(utc.fsrs.reviews)


def test_each_review_after_the_first_is_one_item_in_time_order():
    t0 = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    day = dt.timedelta(days=1)
    rows = [(1, 3, t0), (2, 1, t0), (1, 3, t0 + 3 * day), (2, 3, t0 + day), (1, 2, t0 + 9 * day)]
    items = personal.items_from_log(reversed(rows))  # the order of the rows does not matter
    assert [len(item.fsrs.reviews) for item in items] == [2, 2, 3]
    assert "delta_t: 6" in repr(items[-1].fsrs.reviews)


# --- Fitting ----------------------------------------------------------------------------------


def _slow_learner() -> list[float]:
    """A student unlike FSRS's average one: a third of its stability after the first rating
    and memory that grows slower after each success (w8 × 0.6)."""
    weights = list(personal.DEFAULT_PARAMETERS)
    weights[:4] = [w / 3 for w in weights[:4]]
    weights[8] *= 0.6
    return personal.within_bounds(weights)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_optimizer_recovers_the_generating_model(seed):
    truth_parameters = true_parameters(seed)
    rows, truth = simulate(truth_parameters, 8000, seed)
    items = personal.items_from_log(rows)
    outcome = personal.fit(items)
    keys, p_true = _held_out(rows, truth)
    p_fit = predicted(outcome.parameters, rows, keys)
    assert _rmse(p_fit, p_true) <= 0.02, _rmse(p_fit, p_true)
    cut = int(len(items) * (1 - personal.HELD_OUT_SHARE))
    test = [item.fsrs for item in items[cut:] if item.long_term]
    true_loss = fsrs_rs.FSRS(truth_parameters).evaluate(test).log_loss
    assert outcome.log_loss_after <= true_loss + 0.003, (outcome.log_loss_after, true_loss)
    assert outcome.test_items == len(test) and outcome.train_items == cut


def test_a_student_unlike_the_average_gets_their_own_parameters():
    rows, truth = simulate(_slow_learner(), 3000, 11)
    outcome = personal.fit(personal.items_from_log(rows))
    assert outcome.accepted
    assert outcome.log_loss_after < outcome.log_loss_before - 0.01
    keys, p_true = _held_out(rows, truth)
    fitted = _rmse(predicted(outcome.parameters, rows, keys), p_true)
    default = _rmse(predicted(personal.DEFAULT_PARAMETERS, rows, keys), p_true)
    assert fitted < default / 2, (fitted, default)


def test_too_few_held_out_reviews_fit_nothing():
    rows, _truth = simulate(true_parameters(3), 100, 3)
    assert personal.fit(personal.items_from_log(rows)) is None


def test_stored_parameters_the_scheduler_refuses_fall_back_to_the_defaults():
    assert personal.usable([1.0, 2.0]) is None
    assert personal.usable("0.2, 1.3") is None
    assert personal.usable([math.nan] * 21) is None
    assert personal.usable(list(personal.DEFAULT_PARAMETERS)) == list(personal.DEFAULT_PARAMETERS)
    assert fsrs_cards.scheduler_for([1.0, 2.0]) is fsrs_cards.SCHEDULER
    assert fsrs_cards.scheduler_for(None, fuzz=False) is fsrs_cards.scheduler_for([], fuzz=False)


# --- The service, the scheduler and the page -------------------------------------------------

T0 = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


def _store_log(user, rows, states=None) -> dict[int, FlashcardState]:
    """The simulated rows as the user's review log, one flashcard question per card; ``states``
    from an earlier call adds to the same cards."""
    states = {} if states is None else states
    bank = None
    for card in sorted({card for card, _rating, _at in rows} - set(states)):
        if bank is None:
            bank = Bank.objects.create(slug=f"log-{user.pk}-{Bank.objects.count()}", title="Лог")
        question = Question.objects.create(
            bank=bank, slug=f"c{card}", title=f"Карточка {card}", kind=Question.Kind.FLASHCARD
        )
        QuestionVersion.objects.create(
            question=question, number=1, spec={"kind": "flashcard", "front": "?", "back": "!"}
        )
        states[card] = FlashcardState.objects.create(user=user, question=question, reps=1)
    FlashcardReview.objects.bulk_create(
        FlashcardReview(
            user=user, card=states[card], rating=rating, reviewed_at=at, previous_state={}
        )
        for card, rating, at in rows
    )
    return states


@pytest.fixture
def thresholds(settings):
    settings.FSRS_FIT_MIN_REVIEWS = 400
    settings.FSRS_REFIT_AFTER_REVIEWS = 100
    settings.TIME_ZONE = "UTC"
    return settings


@pytest.mark.django_db
def test_fit_is_due_after_enough_reviews_and_again_after_more(student, outsider, thresholds):
    rows, _truth = simulate(true_parameters(4), 700, 4)
    states = _store_log(student, rows[:399])
    _store_log(outsider, rows[:200])
    assert not selectors.fsrs_fit_due(user=student)
    assert selectors.users_due_for_fsrs_fit() == []
    _store_log(student, rows[399:550], states)
    assert selectors.fsrs_fit_due(user=student)
    assert selectors.users_due_for_fsrs_fit() == [student.pk]

    fitted_at = max(at for _card, _rating, at in rows[:550]) + dt.timedelta(hours=1)
    fit = services.fsrs_parameters_fit(user=student, now=fitted_at)
    assert fit is not None and fit.reviews == 550
    assert not selectors.fsrs_fit_due(user=student)
    assert selectors.users_due_for_fsrs_fit() == []
    assert services.fsrs_parameters_fit(user=student, now=fitted_at) is None
    later = [(card, rating, at + dt.timedelta(days=400)) for card, rating, at in rows[550:650]]
    _store_log(student, later[:99], states)
    assert not selectors.fsrs_fit_due(user=student)
    _store_log(student, later[99:], states)
    assert selectors.fsrs_fit_due(user=student)
    assert selectors.users_due_for_fsrs_fit() == [student.pk]


@pytest.mark.django_db
def test_accepted_parameters_are_stored_and_used_by_the_scheduler(student, thresholds):
    rows, _truth = simulate(_slow_learner(), 3000, 11)
    states = _store_log(student, rows)
    fit = services.fsrs_parameters_fit(user=student, now=rows[-1][2])
    assert fit.accepted and fit.log_loss_after < fit.log_loss_before
    profile = StudyProfile.objects.get(user=student)
    assert profile.fsrs_parameters == fit.parameters

    # A card in review, rated «хорошо» through the service: the slow learner's weights give it
    # less stability than the defaults would (stability is not fuzzed, so it compares exactly).
    state = next(iter(states.values()))
    state.state, state.step, state.stability, state.difficulty = 2, None, 3.0, 5.0
    state.due = now = rows[-1][2] + dt.timedelta(days=3)
    state.last_review = now - dt.timedelta(days=3)
    state.save()
    expected = {}
    for name, weights in (("own", fit.parameters), ("default", None)):
        scheduler = fsrs_cards.scheduler_for(weights, fuzz=False)
        card, _log = scheduler.review_card(
            fsrs_cards.to_card(state, now=now), 3, review_datetime=now
        )
        expected[name] = card.stability
    services.deck_add(user=student, bank=state.question.bank)
    services.flashcard_rate(user=student, state=state, rating=3, now=now, expected_reps=state.reps)
    state.refresh_from_db()
    assert state.stability == pytest.approx(expected["own"], rel=1e-12)
    assert expected["own"] < expected["default"]
    own = fsrs_cards.preview_intervals(state=state, now=now, parameters=fit.parameters)
    assert set(own) == {1, 2, 3, 4}


@pytest.mark.django_db
def test_parameters_that_predict_worse_are_recorded_but_not_used(student, thresholds, monkeypatch):
    truth = true_parameters(5)
    rows, _truth = simulate(truth, 1500, 5)
    _store_log(student, rows)
    StudyProfile.objects.create(user=student, fsrs_parameters=truth)
    # An optimizer that returns the defaults: they predict this student worse than the truth.
    monkeypatch.setattr(personal, "_compute", lambda train: list(personal.DEFAULT_PARAMETERS))
    fit = services.fsrs_parameters_fit(user=student, now=rows[-1][2])
    assert not fit.accepted and fit.log_loss_after > fit.log_loss_before
    assert StudyProfile.objects.get(user=student).fsrs_parameters == truth
    assert FsrsFit.objects.filter(user=student).count() == 1


@pytest.mark.django_db
def test_a_rating_that_makes_the_student_due_fits_their_parameters(
    student, thresholds, django_capture_on_commit_callbacks
):
    rows, _truth = simulate(true_parameters(6), 800, 6)
    state = next(iter(_store_log(student, rows).values()))
    services.deck_add(user=student, bank=state.question.bank)
    now = rows[-1][2] + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True) as sent:
        services.flashcard_rate(
            user=student, state=state, rating=3, now=now, expected_reps=state.reps
        )
    assert _fit_tasks(sent) == [student.pk]  # run eagerly: no broker in this test
    assert FsrsFit.objects.filter(user=student).count() == 1
    state.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True) as sent:
        services.flashcard_rate(
            user=student, state=state, rating=3, now=now, expected_reps=state.reps
        )
    assert _fit_tasks(sent) == [] and FsrsFit.objects.filter(user=student).count() == 1


def _fit_tasks(callbacks) -> list[int]:
    """The users whose fitting task the on-commit callbacks sent."""
    sent = [getattr(callback, "__self__", None) for callback in callbacks]
    return [d.args[0] for d in sent if isinstance(d, Dispatch) and d.task_name == services.FIT_TASK]


@pytest.mark.django_db
def test_the_decks_page_says_what_the_fit_gave(student_client, student, thresholds):
    page = student_client.get(reverse("flashcard-decks")).content.decode()
    assert "по стандартным параметрам FSRS" in page and "нужно не меньше 400, сейчас 0" in page
    FsrsFit.objects.create(
        user=student, fitted_at=T0, reviews=812, train_items=600, test_items=140,
        log_loss_before=0.4, log_loss_after=0.38, rmse_before=0.05, rmse_after=0.03,
        parameters=list(personal.DEFAULT_PARAMETERS), accepted=True,
    )  # fmt: skip
    StudyProfile.objects.create(user=student, fsrs_parameters=list(personal.DEFAULT_PARAMETERS))
    page = student_client.get(reverse("flashcard-decks")).content.decode()
    assert "по вашим собственным параметрам FSRS" in page
    assert "повторений в истории: 812" in page
    assert "на 5,0 % точнее прежних" in page
    assert "log loss 0,400 → 0,380, RMSE 0,050 → 0,030" in page


# --- On a real worker --------------------------------------------------------------------------


@pytest.fixture
def broker():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    saved = stack.use_broker(url)
    stack.clear_queue(url)
    yield url
    stack.switch_broker(**saved)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_beat_task_fits_each_due_student_once_on_a_real_worker(broker, django_user_model, settings):
    """The periodic task on a real Celery worker (Redis, PostgreSQL): one fit per due student,
    none for the others, and sending everything again fits nobody twice."""
    settings.FSRS_FIT_MIN_REVIEWS, settings.FSRS_REFIT_AFTER_REVIEWS = 300, 100
    env = {"FSRS_FIT_MIN_REVIEWS": "300", "FSRS_REFIT_AFTER_REVIEWS": "100"}
    users = [django_user_model.objects.create_user(f"s{i}") for i in range(4)]
    for i, user in enumerate(users[:3]):
        rows, _truth = simulate(true_parameters(20 + i), 200 if i == 2 else 600, 20 + i)
        _store_log(user, rows)
    worker = stack.start_worker(broker, **env)
    try:
        stack.app.send_task(services.FIT_DUE_TASK)
        stack.wait_until(
            lambda: FsrsFit.objects.count() == 2, timeout=60, workers=[worker], what="two fits"
        )
        assert set(FsrsFit.objects.values_list("user", flat=True)) == {users[0].pk, users[1].pk}
        # Again: the beat task and a duplicated message for a student fitted already…
        stack.app.send_task(services.FIT_DUE_TASK)
        stack.app.send_task(services.FIT_TASK, args=[users[0].pk])
        # …and, behind them in the queue, a student who became due meanwhile.
        rows, _truth = simulate(true_parameters(23), 600, 23)
        _store_log(users[3], rows)
        stack.app.send_task(services.FIT_TASK, args=[users[3].pk])
        stack.wait_until(
            lambda: FsrsFit.objects.filter(user=users[3]).exists(),
            timeout=60, workers=[worker], what="the last student's fit",
        )  # fmt: skip
    finally:
        stack.stop(worker)
    counts = dict(FsrsFit.objects.values_list("user").annotate(n=Count("id")))
    assert counts == {users[0].pk: 1, users[1].pk: 1, users[3].pk: 1}


@pytest.mark.django_db
def test_an_attempt_that_fits_nothing_waits_like_a_fit(
    student, thresholds, django_capture_on_commit_callbacks
):
    """Too few held-out reviews to judge a fit: nothing is fitted, and the task is not sent
    again at the next rating, only after FSRS_REFIT_AFTER_REVIEWS more reviews."""
    thresholds.FSRS_FIT_MIN_REVIEWS = 60
    rows, _truth = simulate(true_parameters(7), 60, 7)
    state = next(iter(_store_log(student, rows).values()))
    services.deck_add(user=student, bank=state.question.bank)
    now = rows[-1][2] + dt.timedelta(days=1)
    for attempt in range(2):
        state.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True) as sent:
            services.flashcard_rate(
                user=student, state=state, rating=3, now=now, expected_reps=state.reps
            )
        now += dt.timedelta(minutes=1)
        if attempt == 0:
            assert _fit_tasks(sent) == [student.pk]  # sent and run (eagerly): nothing fitted
    assert _fit_tasks(sent) == []  # the second rating sends no task
    assert not FsrsFit.objects.exists()
    assert StudyProfile.objects.get(user=student).fsrs_checked_at is not None
    assert not selectors.fsrs_fit_due(user=student)
