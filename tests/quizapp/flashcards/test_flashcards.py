"""Flashcards: study decks, the daily queue, FSRS ratings with the real fsrs library, undo,
suspend and bury, numeric cards with a fresh variant at every review, and the browser views."""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid

import fsrs
import pytest
from django.db import connection
from django.urls import reverse

import grader
from question_bank.models import Bank, Question, QuestionVersion, Topic
from quizapp.core.errors import ServiceError
from quizapp.flashcards import selectors, services
from quizapp.flashcards.fsrs_cards import to_card
from quizapp.models import FlashcardReview, FlashcardState, StudyDeck, StudyProfile
from tests.quizapp.concurrency import in_threads

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# A fixed Monday noon in Moscow (UTC+3, no DST since 2014): tests do not depend on the clock.
NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4


@pytest.fixture(autouse=True)
def moscow(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    # Autouse fixtures run before the user fixtures: a fast hasher for the named users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _bank(slug="theory", cards=3, topic_cards=0) -> Bank:
    """A bank of theory flashcards, the last ``topic_cards`` of them in a topic ``<slug>-t``."""
    bank = Bank.objects.create(slug=slug, title=f"Банк {slug}")
    topic = Topic.objects.create(bank=bank, slug=f"{slug}-t", title=f"Тема {slug}")
    for i in range(cards):
        question = Question.objects.create(
            bank=bank,
            topic=topic if i >= cards - topic_cards else None,
            slug=f"{slug}-{i}",
            title=f"Карточка {slug} {i}",
            kind=Question.Kind.FLASHCARD,
        )
        QuestionVersion.objects.create(
            question=question,
            number=1,
            spec={"kind": "flashcard", "front": f"Вопрос {i}: $x^{i}$?", "back": f"Ответ {i}"},
        )
    return bank


def _questions(bank) -> list[Question]:
    return list(bank.questions.order_by("pk"))


def _state(user, question) -> FlashcardState:
    return services.flashcard_state_ensure(user=user, question=question)


def _rate(user, question, rating=GOOD, now=NOW, **kwargs) -> FlashcardReview:
    state = _state(user, question)
    # A rating says which review it is (the reps the page saw), so it is applied once.
    kwargs.setdefault("expected_reps", state.reps)
    return services.flashcard_rate(user=user, state=state, rating=rating, now=now, **kwargs)


def _queue(user, now=NOW):
    return selectors.flashcard_queue(user=user, now=now)


def _ids(queue, section=None) -> list[int]:
    return [e.question_id for e in queue.entries if section is None or e.section == section]


def _fields(state) -> dict:
    state.refresh_from_db()
    names = ["state", "step", "stability", "difficulty", "due", "last_review", "reps"]
    return {name: getattr(state, name) for name in [*names, "introduced_at"]}


# --- Study set ---------------------------------------------------------------------------------


def test_deck_add_is_idempotent_and_remove_keeps_progress(student):
    bank = _bank()
    services.deck_add(user=student, bank=bank)
    services.deck_add(user=student, bank=bank)
    assert StudyDeck.objects.filter(user=student).count() == 1
    first = _questions(bank)[0]
    _rate(student, first)

    assert services.deck_remove(user=student, bank=bank) == 1
    assert _queue(student).entries == []
    assert FlashcardState.objects.get(user=student, question=first).reps == 1


def test_topic_deck_brings_only_its_questions(student):
    bank = _bank(cards=4, topic_cards=2)
    topic = bank.topics.get()
    services.deck_add(user=student, bank=bank, topic=topic)
    assert set(_ids(_queue(student))) == {q.pk for q in bank.questions.filter(topic=topic)}


def test_topic_of_another_bank_is_refused(student):
    bank, other = _bank("a"), _bank("b")
    with pytest.raises(ServiceError) as exc:
        services.deck_add(user=student, bank=bank, topic=other.topics.get())
    assert exc.value.code == "topic_not_in_bank"
    assert not StudyDeck.objects.exists()


def test_cards_outside_the_study_set_are_refused(student):
    bank = _bank()
    with pytest.raises(ServiceError) as exc:
        _state(student, _questions(bank)[0])
    assert exc.value.code == "not_in_study_set"
    assert not FlashcardState.objects.exists()


def test_new_cards_per_day_setting_is_validated(student):
    with pytest.raises(ServiceError) as exc:
        services.study_profile_update(user=student, new_cards_per_day=-1)
    assert exc.value.code == "bad_limit"
    services.study_profile_update(user=student, new_cards_per_day=7)
    assert StudyProfile.objects.get(user=student).new_cards_per_day == 7


# --- Queue -------------------------------------------------------------------------------------


def test_queue_is_empty_and_not_studying_without_decks(student):
    queue = _queue(student)
    assert queue.entries == [] and not queue.studying and queue.total == 0


def test_new_card_limit_per_day_resets_tomorrow(student):
    bank = _bank(cards=5)
    services.deck_add(user=student, bank=bank)
    services.study_profile_update(user=student, new_cards_per_day=2)
    questions = _questions(bank)

    queue = _queue(student)
    assert _ids(queue, "new") == [q.pk for q in questions[:2]]
    # Rated Easy, the cards leave today's queue; the two new cards of today are used up.
    for q in questions[:2]:
        _rate(student, q, EASY)
    queue = _queue(student)
    assert queue.entries == [] and queue.new_today == 2 and queue.done == 2
    assert FlashcardState.objects.filter(user=student).count() == 2

    tomorrow = NOW + dt.timedelta(days=1)
    assert _ids(_queue(student, tomorrow), "new") == [q.pk for q in questions[2:4]]


def test_default_limit_is_twenty(student):
    bank = _bank(cards=25)
    services.deck_add(user=student, bank=bank)
    queue = _queue(student)
    assert queue.new_limit == 20 and queue.new_count == 20


def test_due_cards_come_first_oldest_first_then_new_then_later_today(student):
    bank = _bank(cards=5)
    services.deck_add(user=student, bank=bank)
    q = _questions(bank)
    # Learnt ten and nine days ago (Good twice: graduated with a few days' interval): overdue,
    # q1 longer than q0. q2 failed half an hour ago: due again since. q3 failed just now.
    for question, days in ((q[1], 10), (q[0], 9)):
        _rate(student, question, GOOD, NOW - dt.timedelta(days=days))
        _rate(student, question, GOOD, NOW - dt.timedelta(days=days, minutes=-10))
    _rate(student, q[2], AGAIN, NOW - dt.timedelta(minutes=30))
    _rate(student, q[3], AGAIN, NOW)

    queue = _queue(student)
    assert [e.section for e in queue.entries] == ["due", "due", "due", "new", "ahead"]
    assert _ids(queue, "due") == [q[1].pk, q[0].pk, q[2].pk]
    dues = [e.due for e in queue.entries if e.section == "due"]
    assert dues == sorted(dues) and dues[-1] <= NOW
    assert _ids(queue, "new") == [q[4].pk] and _ids(queue, "ahead") == [q[3].pk]
    assert NOW < queue.entries[-1].due < NOW + dt.timedelta(minutes=2)
    assert queue.done == 2 and queue.total == 7  # today's two ratings and five cards to go


# --- FSRS --------------------------------------------------------------------------------------


def test_fsrs_state_round_trips_through_the_database(student):
    bank = _bank(cards=1)
    services.deck_add(user=student, bank=bank)
    question = _questions(bank)[0]
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    expected = fsrs.Card(card_id=1, due=NOW)
    moments = [NOW, NOW + dt.timedelta(minutes=10), NOW + dt.timedelta(days=3, hours=2)]
    for rating, moment in zip((GOOD, GOOD, HARD), moments, strict=True):
        expected, _log = scheduler.review_card(expected, fsrs.Rating(rating), moment)
        _rate(student, question, rating, moment)
        state = FlashcardState.objects.get(user=student, question=question)
        assert state.due.utcoffset() == dt.timedelta(0)
        stored = to_card(state, now=moment).to_dict()
        assert {**stored, "card_id": 1} == expected.to_dict()
    assert state.state == fsrs.State.Review and state.reps == 3
    assert FlashcardReview.objects.filter(card=state).count() == 3


def test_undo_restores_the_previous_state_exactly_and_deletes_the_review(student):
    bank = _bank(cards=1)
    services.deck_add(user=student, bank=bank)
    question = _questions(bank)[0]
    _rate(student, question, GOOD, NOW)
    _rate(student, question, GOOD, NOW + dt.timedelta(minutes=10))
    state = _state(student, question)
    before = _fields(state)
    variants = state.variants
    review = _rate(student, question, EASY, NOW + dt.timedelta(minutes=20))

    undone = services.flashcard_undo(
        user=student, now=NOW + dt.timedelta(minutes=21), review_id=review.pk
    )
    assert undone.pk is None or undone.rating == EASY
    assert _fields(state) == before
    assert not FlashcardReview.objects.filter(pk=review.pk).exists()
    assert FlashcardReview.objects.filter(card=state).count() == 2
    # Not restored: the next review draws numbers the student has not seen.
    assert state.variants == variants + 1


def test_undo_of_a_first_rating_makes_the_card_new_again(student):
    bank = _bank(cards=1)
    services.deck_add(user=student, bank=bank)
    question = _questions(bank)[0]
    _rate(student, question, EASY)
    assert _queue(student).new_today == 1
    services.flashcard_undo(user=student, now=NOW)
    state = FlashcardState.objects.get(user=student, question=question)
    assert state.reps == 0 and state.introduced_at is None and state.due is None
    queue = _queue(student)
    assert _ids(queue, "new") == [question.pk] and queue.new_today == 0 and queue.done == 0


def test_undo_twice_with_the_same_token_undoes_once(student):
    bank = _bank(cards=2)
    services.deck_add(user=student, bank=bank)
    q0, q1 = _questions(bank)
    _rate(student, q0)
    last = _rate(student, q1)
    services.flashcard_undo(user=student, now=NOW, review_id=last.pk)
    with pytest.raises(ServiceError) as exc:
        services.flashcard_undo(user=student, now=NOW, review_id=last.pk)
    assert exc.value.code == "stale_undo"
    assert list(FlashcardReview.objects.values_list("card__question", flat=True)) == [q0.pk]


def test_undo_only_reaches_today(student):
    bank = _bank(cards=1)
    services.deck_add(user=student, bank=bank)
    _rate(student, _questions(bank)[0], GOOD, NOW - dt.timedelta(days=1))
    assert services.flashcard_undo(user=student, now=NOW) is None
    assert FlashcardReview.objects.count() == 1


def test_double_rate_with_the_same_token_reviews_once(student):
    bank = _bank(cards=1)
    services.deck_add(user=student, bank=bank)
    question = _questions(bank)[0]
    state = _state(student, question)
    services.flashcard_rate(user=student, state=state, rating=GOOD, now=NOW, expected_reps=0)
    stale = FlashcardState.objects.get(pk=state.pk)
    stale.reps = 0  # the second tab still holds the page shown before the first rating
    with pytest.raises(ServiceError) as exc:
        services.flashcard_rate(user=student, state=stale, rating=GOOD, now=NOW, expected_reps=0)
    assert exc.value.code == "stale_card"
    assert FlashcardReview.objects.count() == 1
    assert FlashcardState.objects.get(pk=state.pk).reps == 1


def test_bad_rating_is_refused(student):
    bank = _bank(cards=1)
    services.deck_add(user=student, bank=bank)
    with pytest.raises(ServiceError) as exc:
        _rate(student, _questions(bank)[0], 5)
    assert exc.value.code == "bad_rating"
    assert not FlashcardReview.objects.exists()


def test_another_students_card_is_refused(student, outsider):
    bank = _bank(cards=1)
    services.deck_add(user=student, bank=bank)
    state = _state(student, _questions(bank)[0])
    with pytest.raises(ServiceError) as exc:
        services.flashcard_rate(user=outsider, state=state, rating=GOOD, now=NOW)
    assert exc.value.code == "not_found"
    with pytest.raises(ServiceError):
        services.flashcard_suspend(user=outsider, state=state)
    state.refresh_from_db()
    assert state.reps == 0 and not state.suspended


# --- Suspend and bury --------------------------------------------------------------------------


def test_suspended_card_is_never_shown_until_unsuspended(student):
    bank = _bank(cards=2)
    services.deck_add(user=student, bank=bank)
    q0, q1 = _questions(bank)
    _rate(student, q1, AGAIN)  # a due card
    services.flashcard_suspend(user=student, state=_state(student, q0))  # a new card
    services.flashcard_suspend(user=student, state=_state(student, q1))
    assert _queue(student, NOW + dt.timedelta(days=30)).entries == []
    with pytest.raises(ServiceError) as exc:
        _rate(student, q1, GOOD, NOW + dt.timedelta(days=30))
    assert exc.value.code == "suspended"

    services.flashcard_unsuspend(user=student, state=_state(student, q0))
    assert _ids(_queue(student)) == [q0.pk]
    assert FlashcardState.objects.filter(suspended=True).count() == 1


def test_buried_card_comes_back_tomorrow_in_the_local_day(student):
    bank = _bank(cards=1)
    services.deck_add(user=student, bank=bank)
    question = _questions(bank)[0]
    late = dt.datetime(2025, 3, 10, 20, 30, tzinfo=UTC)  # 23:30 in Moscow
    services.flashcard_bury(user=student, state=_state(student, question), now=late)
    state = FlashcardState.objects.get(user=student, question=question)
    assert state.buried_until == dt.datetime(2025, 3, 10, 21, 0, tzinfo=UTC)  # Moscow midnight
    assert _queue(student, late).entries == []
    assert _ids(_queue(student, late + dt.timedelta(minutes=31))) == [question.pk]


# --- Numeric cards -----------------------------------------------------------------------------


@pytest.fixture
def demo_bank(demo_quiz):
    return Bank.objects.get(slug="demo")


def _demo_card(user, bank, slug):
    services.deck_add(user=user, bank=bank)
    question = bank.questions.get(slug=slug)
    state = _state(user, question)
    seed = selectors.card_seed(user_id=user.pk, question_id=question.pk, variants=state.variants)
    return question, state, seed


def _key(question, seed):
    return grader.grade(question.versions.get().spec, seed, "").expected


def test_numeric_card_gets_a_new_variant_at_every_review(student, demo_bank):
    question, state, seed = _demo_card(student, demo_bank, "dense-params")
    seeds = [seed]
    for minute in range(3):
        answer = services.flashcard_answer(user=student, state=state, seed=seeds[-1], raw="1")
        services.flashcard_rate(
            user=student,
            state=state,
            rating=answer.proposed,
            now=NOW + dt.timedelta(minutes=minute),
            expected_reps=state.reps,
            seed=answer.seed,
            raw=answer.raw,
            score=answer.score,
            version_id=answer.version.pk,
        )
        seeds.append(
            selectors.card_seed(
                user_id=student.pk, question_id=question.pk, variants=state.variants
            )
        )
    assert len(set(seeds)) == 4
    texts = {grader.present(question.versions.get().spec, s).text for s in seeds}
    assert len(texts) > 1  # different numbers, not only different seeds
    assert list(FlashcardReview.objects.order_by("id").values_list("seed", flat=True)) == seeds[:3]
    # An answer to a variant that is no longer on screen is refused.
    with pytest.raises(ServiceError) as exc:
        services.flashcard_answer(user=student, state=state, seed=seeds[0], raw="1")
    assert exc.value.code == "stale_card"
    with pytest.raises(ServiceError) as exc:
        services.flashcard_rate(
            user=student, state=state, rating=GOOD, now=NOW, expected_reps=3, seed=seeds[0]
        )
    assert exc.value.code == "stale_card"


def test_undo_does_not_bring_back_the_answered_variant(student, demo_bank):
    question, state, seed = _demo_card(student, demo_bank, "dense-params")
    services.flashcard_rate(
        user=student, state=state, rating=GOOD, now=NOW, expected_reps=0, seed=seed
    )
    services.flashcard_undo(user=student, now=NOW)
    state.refresh_from_db()
    fresh = selectors.card_seed(user_id=student.pk, question_id=question.pk, variants=1)
    assert state.reps == 0 and fresh != seed
    assert services.flashcard_answer(user=student, state=state, seed=fresh, raw="1").seed == fresh


@pytest.mark.parametrize(
    ("slug", "make_raw", "proposed", "score"),
    [
        ("dense-params", lambda key: str(key), GOOD, 1.0),
        ("dense-params", lambda key: str(key + 1000), AGAIN, 0.0),
        ("dropout-vector", lambda key: str([key[0], key[1], key[2] + 5]), HARD, 2 / 3),
        ("dense-params", lambda key: "", AGAIN, 0.0),  # «не знаю»
        ("dense-params", lambda key: "сорок два", None, None),  # not understood: ask again
    ],
)
def test_the_grade_proposes_the_rating(student, demo_bank, slug, make_raw, proposed, score):
    question, state, seed = _demo_card(student, demo_bank, slug)
    raw = make_raw(_key(question, seed))
    answer = services.flashcard_answer(user=student, state=state, seed=seed, raw=raw)
    assert answer.proposed == proposed
    assert answer.score == pytest.approx(score) if score is not None else answer.score is None
    # Grading saves nothing: no review, the FSRS state is untouched.
    assert not FlashcardReview.objects.exists()
    assert FlashcardState.objects.get(pk=state.pk).reps == 0


def test_the_student_may_rate_other_than_proposed(student, demo_bank):
    question, state, seed = _demo_card(student, demo_bank, "dense-params")
    raw = str(_key(question, seed))
    answer = services.flashcard_answer(user=student, state=state, seed=seed, raw=raw)
    assert answer.proposed == GOOD
    review = services.flashcard_rate(
        user=student,
        state=state,
        rating=EASY,
        now=NOW,
        expected_reps=0,
        seed=seed,
        raw=raw,
        score=answer.score,
        version_id=answer.version.pk,
    )
    review.refresh_from_db()
    assert (review.rating, review.raw, review.score, review.seed) == (EASY, raw, 1.0, seed)
    assert review.version == question.versions.get()


def test_theory_card_cannot_be_answered(student, demo_bank):
    question, state, seed = _demo_card(student, demo_bank, "what-is-rnn")
    with pytest.raises(ServiceError) as exc:
        services.flashcard_answer(user=student, state=state, seed=seed, raw="3")
    assert exc.value.code == "not_answerable"


# --- Time zones --------------------------------------------------------------------------------


def test_today_is_the_local_day_and_times_are_stored_in_utc(student, settings):
    bank = _bank(cards=3)
    services.deck_add(user=student, bank=bank)
    services.study_profile_update(user=student, new_cards_per_day=1)
    q = _questions(bank)
    # 23:50 on 10 March in Moscow, given in Moscow time: stored as 20:50 UTC.
    moscow = dt.timezone(dt.timedelta(hours=3))
    evening = dt.datetime(2025, 3, 10, 23, 50, tzinfo=moscow)
    review = _rate(student, q[0], EASY, evening)
    review.refresh_from_db()
    assert review.reviewed_at == dt.datetime(2025, 3, 10, 20, 50, tzinfo=UTC)
    assert review.reviewed_at.utcoffset() == dt.timedelta(0)
    # Twenty minutes later it is 11 March in Moscow (still 10 March in UTC): a new day.
    after_midnight = evening + dt.timedelta(minutes=20)
    queue = _queue(student, after_midnight)
    assert queue.done == 0 and queue.new_today == 0 and _ids(queue, "new") == [q[1].pk]
    assert selectors.day_bounds(after_midnight)[0] == dt.datetime(2025, 3, 10, 21, tzinfo=UTC)
    # The same instants, seen from UTC as "today": still 10 March, the limit is used up.
    settings.TIME_ZONE = "UTC"
    assert _queue(student, after_midnight).new_today == 1


def test_naive_datetimes_are_refused(student):
    bank = _bank(cards=1)
    services.deck_add(user=student, bank=bank)
    with pytest.raises(ValueError):
        _rate(student, _questions(bank)[0], GOOD, dt.datetime(2025, 3, 10, 12, 0))
    assert not FlashcardReview.objects.exists()


# --- Views -------------------------------------------------------------------------------------


def _page(client, question=None) -> str:
    url = reverse("flashcards") + (f"?card={question.pk}" if question else "")
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_is_sent_to_login(client, db):
    bank = _bank(cards=1)
    question = _questions(bank)[0]
    for url in (reverse("flashcards"), reverse("flashcard-decks")):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    for name in ("flashcard-rate", "flashcard-answer", "flashcard-suspend", "flashcard-bury"):
        response = client.post(reverse(name, args=[question.pk]), {"rating": "3"})
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert not FlashcardState.objects.exists()


def test_queue_page_without_decks_invites_to_choose(student_client):
    html = _page(student_client)
    assert "Выбрать колоды" in html and 'id="card"' not in html


def test_decks_page_adds_and_removes_a_bank_and_a_topic(student_client, student):
    bank = _bank(cards=2, topic_cards=1)
    topic = bank.topics.get()
    page = student_client.get(reverse("flashcard-decks"))
    assert page.status_code == 200 and "Банк theory" in page.content.decode()

    response = student_client.post(reverse("flashcard-deck-add"), {"bank": bank.pk})
    assert response.status_code == 302
    student_client.post(reverse("flashcard-deck-add"), {"bank": bank.pk, "topic": topic.pk})
    assert StudyDeck.objects.filter(user=student).count() == 2
    student_client.post(reverse("flashcard-deck-remove"), {"bank": bank.pk})
    assert list(StudyDeck.objects.filter(user=student).values_list("topic", flat=True)) == [
        topic.pk
    ]
    assert student_client.post(reverse("flashcard-deck-add"), {"bank": 999}).status_code == 404


def test_settings_form_saves_the_limit(student_client, student):
    student_client.post(reverse("flashcard-settings"), {"new_cards_per_day": "5"})
    assert StudyProfile.objects.get(user=student).new_cards_per_day == 5
    response = student_client.post(
        reverse("flashcard-settings"), {"new_cards_per_day": "много"}, follow=True
    )
    assert "от 0 до 500" in response.content.decode()
    assert StudyProfile.objects.get(user=student).new_cards_per_day == 5


def test_queue_page_query_count_and_progress(
    student_client, student, demo_bank, django_assert_max_num_queries
):
    services.deck_add(user=student, bank=demo_bank)
    bank = _bank(cards=30)
    services.deck_add(user=student, bank=bank)
    for question in _questions(bank)[:12]:
        _rate(student, question, AGAIN, dt.datetime.now(UTC))  # learning cards, due soon
    # Session, user, decks, scheduled cards, limit, new today, new cards and their rows,
    # today's last review and count, the course's study targets, the cards of the student's
    # mistakes, the current card's row and version: independent of the queue size.
    with django_assert_max_num_queries(14):
        html = _page(student_client)
    # 12 ratings done; 20 new cards (the limit, 12 used: 8 left) and 12 learning cards to go.
    assert "Сделано сегодня: <strong>12 из 32</strong>" in html
    assert '<progress id="fc-progress" max="32" value="12">' in html
    # The learning cards are due in a minute: the first new card is on screen, its math rendered.
    assert "Карточка theory 12" in html and "<math" in html


def test_theory_card_flow_reveal_rate_undo(student_client, student, demo_bank):
    services.deck_add(user=student, bank=demo_bank)
    question = demo_bank.questions.get(slug="what-is-rnn")
    html = _page(student_client, question)
    assert 'id="fc-back" hidden' in html and "Показать ответ" in html
    assert 'id="fc-rate" class="fc-rate" hidden' in html

    response = student_client.post(reverse("flashcard-reveal", args=[question.pk]))
    assert response.status_code == 302 and f"card={question.pk}" in response["Location"]
    html = _page(student_client, question)
    assert 'id="fc-back">' in html and "скрытое состояние" in html
    assert 'id="fc-rate" class="fc-rate">' in html

    response = student_client.post(
        reverse("flashcard-rate", args=[question.pk]), {"rating": "3", "reps": "0"}
    )
    assert response.status_code == 302
    state = FlashcardState.objects.get(user=student, question=question)
    assert state.reps == 1 and state.due > state.last_review
    review = FlashcardReview.objects.get()
    assert (review.rating, review.seed, review.raw) == (GOOD, None, "")
    html = _page(student_client)
    assert "Оценка сохранена" in html and "Отменить последнюю оценку" in html

    student_client.post(reverse("flashcard-undo"), {"review": str(review.pk)})
    state.refresh_from_db()
    assert state.reps == 0 and not FlashcardReview.objects.exists()


def test_double_submit_from_two_tabs_reviews_once(student_client, student, demo_bank):
    services.deck_add(user=student, bank=demo_bank)
    question = demo_bank.questions.get(slug="what-is-rnn")
    url = reverse("flashcard-rate", args=[question.pk])
    student_client.post(url, {"rating": "3", "reps": "0"})
    response = student_client.post(url, {"rating": "3", "reps": "0"}, follow=True)
    assert "уже оценили" in response.content.decode()
    assert FlashcardReview.objects.count() == 1
    assert FlashcardState.objects.get(user=student, question=question).reps == 1


def test_numeric_card_flow_answer_shows_solution_and_proposes(student_client, student, demo_bank):
    services.deck_add(user=student, bank=demo_bank)
    question = demo_bank.questions.get(slug="cafe-network")
    html = _page(student_client, question)
    seed = int(re.search(r'name="seed" value="(\d+)"', html).group(1))
    assert seed == selectors.card_seed(user_id=student.pk, question_id=question.pk, variants=0)
    key = _key(question, seed)

    response = student_client.post(
        reverse("flashcard-answer", args=[question.pk]),
        {"seed": str(seed), "answer": f"{key:.2f}".replace(".", ",")},
    )
    assert response.status_code == 302
    html = _page(student_client, question)
    assert "Верно." in html and "Решение" in html
    assert re.search(r'value="3" class="fc-r fc-r-3 primary proposed"', html)
    assert not FlashcardReview.objects.exists()

    # The student picks Easy instead of the proposed Good.
    student_client.post(reverse("flashcard-rate", args=[question.pk]), {"rating": "4", "reps": "0"})
    review = FlashcardReview.objects.get()
    assert (review.rating, review.seed, review.score) == (EASY, seed, 1.0)
    state = FlashcardState.objects.get(user=student, question=question)
    assert state.reps == 1 and state.variants == 1
    # The next time the card is shown it is another variant.
    html = _page(student_client, question)
    assert f'name="seed" value="{seed}"' not in html


def test_give_up_and_unparseable_answers(student_client, student, demo_bank):
    services.deck_add(user=student, bank=demo_bank)
    question = demo_bank.questions.get(slug="dense-params")
    seed = selectors.card_seed(user_id=student.pk, question_id=question.pk, variants=0)
    url = reverse("flashcard-answer", args=[question.pk])
    student_client.post(url, {"seed": str(seed), "answer": "сорок два"})
    html = _page(student_client, question)
    assert "не распознан" in html and 'id="fc-rate"' not in html
    student_client.post(url, {"seed": str(seed), "answer": "", "give_up": "1"})
    html = _page(student_client, question)
    assert "Правильный ответ" in html
    assert re.search(r'value="1" class="fc-r fc-r-1 primary proposed"', html)


def test_suspend_bury_and_unsuspend_views(student_client, student, demo_bank):
    services.deck_add(user=student, bank=demo_bank)
    rnn = demo_bank.questions.get(slug="what-is-rnn")
    gates = demo_bank.questions.get(slug="lstm-gates")
    student_client.post(reverse("flashcard-suspend", args=[rnn.pk]))
    student_client.post(reverse("flashcard-bury", args=[gates.pk]))
    state = FlashcardState.objects.get(user=student, question=rnn)
    assert state.suspended
    assert FlashcardState.objects.get(user=student, question=gates).buried_until is not None
    queue = selectors.flashcard_queue(user=student, now=dt.datetime.now(UTC))
    assert rnn.pk not in _ids(queue) and gates.pk not in _ids(queue)

    html = student_client.get(reverse("flashcard-decks")).content.decode()
    assert "Приостановленные карточки" in html and rnn.title in html
    student_client.post(reverse("flashcard-unsuspend", args=[rnn.pk]))
    state.refresh_from_db()
    assert not state.suspended


def test_outsider_gets_404_and_changes_nothing(client, student, outsider, demo_bank):
    services.deck_add(user=student, bank=demo_bank)
    question = demo_bank.questions.get(slug="what-is-rnn")
    state = _state(student, question)
    services.flashcard_suspend(user=student, state=state)
    client.force_login(outsider)
    for name in (
        "flashcard-reveal",
        "flashcard-answer",
        "flashcard-rate",
        "flashcard-suspend",
        "flashcard-unsuspend",
        "flashcard-bury",
    ):
        response = client.post(reverse(name, args=[question.pk]), {"rating": "3", "seed": "1"})
        assert response.status_code == 404, name
    # The outsider's pages show none of the student's cards.
    assert question.title not in _page(client)
    assert question.title not in client.get(reverse("flashcard-decks")).content.decode()
    assert not FlashcardState.objects.filter(user=outsider).exists()
    state.refresh_from_db()
    assert state.suspended and state.reps == 0


# --- A rating is applied once: the reps the page saw, or its submit token ----------------------


def test_rating_with_neither_reps_nor_token_is_refused(student_client, student, demo_bank):
    services.deck_add(user=student, bank=demo_bank)
    question = demo_bank.questions.get(slug="what-is-rnn")
    url = reverse("flashcard-rate", args=[question.pk])
    for _ in range(2):
        response = student_client.post(url, {"rating": "3"}, follow=True)
        assert response.status_code == 200
        assert "Оценка не сохранена: форма устарела или неполна" in response.content.decode()
    assert not FlashcardReview.objects.exists()
    assert FlashcardState.objects.get(user=student, question=question).reps == 0
    state = FlashcardState.objects.get(user=student, question=question)
    with pytest.raises(ServiceError) as exc:
        services.flashcard_rate(user=student, state=state, rating=GOOD, now=NOW)
    assert exc.value.code == "rating_unguarded"


def test_rating_form_sends_reps_and_a_fresh_token(student_client, student, demo_bank):
    services.deck_add(user=student, bank=demo_bank)
    question = demo_bank.questions.get(slug="what-is-rnn")
    html = _page(student_client, question)
    form = re.search(r'<form[^>]*id="fc-rate".*?</form>', html, re.S).group(0)
    assert 'name="reps" value="0"' in form
    token = re.search(r'name="submit_token" value="([0-9a-f-]{36})"', form).group(1)
    assert f'data-submit-key="card:{question.pk}:0"' in form
    assert 'src="/static/js/submit-once.js"' in html
    assert token not in _page(student_client, question)


def test_same_token_twice_rates_once_and_answers_as_the_first(student_client, student, demo_bank):
    services.deck_add(user=student, bank=demo_bank)
    question = demo_bank.questions.get(slug="what-is-rnn")
    url = reverse("flashcard-rate", args=[question.pk])
    token = "0b9a3c57-5b8e-4f0e-9d3a-2f7c1e4b6a10"
    # With the token only, and with both: the repeat is the same success, not «уже оценили».
    for posted in ({"rating": "3", "submit_token": token},) * 2 + (
        {"rating": "3", "reps": "0", "submit_token": token},
    ):
        response = student_client.post(url, posted, follow=True)
        html = response.content.decode()
        assert "Оценка сохранена" in html and "уже оценили" not in html
    assert FlashcardReview.objects.count() == 1
    review = FlashcardReview.objects.get()
    assert str(review.client_token) == token
    assert FlashcardState.objects.get(user=student, question=question).reps == 1
    # The same token with another rating is refused, and a new token is the next review.
    response = student_client.post(url, {"rating": "1", "submit_token": token}, follow=True)
    assert "уже отправлена с другим ответом" in response.content.decode()
    student_client.post(url, {"rating": "1", "reps": "1", "submit_token": str(uuid.uuid4())})
    assert FlashcardReview.objects.count() == 2


def test_same_token_on_another_card_is_refused(student):
    bank = _bank(cards=2)
    services.deck_add(user=student, bank=bank)
    first, second = (_state(student, q) for q in _questions(bank))
    token = uuid.uuid4()
    services.flashcard_rate(user=student, state=first, rating=GOOD, now=NOW, client_token=token)
    with pytest.raises(ServiceError) as exc:
        services.flashcard_rate(
            user=student, state=second, rating=GOOD, now=NOW, client_token=token
        )
    assert exc.value.code == "submit_token_reused"
    assert FlashcardReview.objects.count() == 1
    assert FlashcardState.objects.get(pk=second.pk).reps == 0


def test_get_requests_do_not_change_state(student_client, student, demo_bank):
    services.deck_add(user=student, bank=demo_bank)
    assert student_client.get(reverse("flashcard-rate", args=[1])).status_code == 405
    _page(student_client)
    assert not FlashcardState.objects.exists()


# --- A real race (PostgreSQL row locks) --------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_of_the_same_card_review_it_once(student):
    bank = _bank(cards=1)
    services.deck_add(user=student, bank=bank)
    state = _state(student, _questions(bank)[0])
    outcomes, barrier = [], threading.Barrier(4)

    def rate():
        try:
            barrier.wait()
            services.flashcard_rate(
                user=student, state=state, rating=GOOD, now=NOW, expected_reps=0
            )
            outcomes.append("rated")
        except ServiceError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=rate) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["rated", "stale_card", "stale_card", "stale_card"]
    assert FlashcardReview.objects.count() == 1
    assert FlashcardState.objects.get(pk=state.pk).reps == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_with_one_token_review_once_and_all_succeed(student):
    bank = _bank(cards=1)
    services.deck_add(user=student, bank=bank)
    state = _state(student, _questions(bank)[0])
    token = uuid.uuid4()
    reviews = []

    def rate():
        review = services.flashcard_rate(
            user=student, state=state, rating=GOOD, now=NOW, client_token=token
        )
        reviews.append(review.pk)

    assert in_threads([rate] * 4) == []
    assert len(reviews) == 4 and len(set(reviews)) == 1
    assert FlashcardReview.objects.count() == 1
    assert FlashcardState.objects.get(pk=state.pk).reps == 1
