"""A student simulated from a known FSRS model: the review log it writes, and the recall
probabilities the true model gives, to check that fitting recovers the model (tests and
bench/bench_learning.py).

Each card is reviewed when the true model's interval for 90 % retention is due, early or late
by up to ±40 % (students are not punctual); a review succeeds with the true probability of
recall, and a success is rated hard/good/easy 15/75/10 %. A new card's first rating is drawn
from what students press on a first sight.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random

import fsrs_rs_python as fsrs_rs

from quizapp.flashcards.planning import recall

START = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


def true_parameters(seed: int) -> list[float]:
    """The defaults, each scaled by a random factor in [0.7, 1.3] (a plausible other student)."""
    from quizapp.flashcards.personal import within_bounds

    rng = random.Random(seed)
    return within_bounds(w * rng.uniform(0.7, 1.3) for w in fsrs_rs.DEFAULT_PARAMETERS)


def simulate(parameters, reviews: int, seed: int, *, cards: int | None = None):
    """``reviews`` reviews as rows ``(card_id, rating, reviewed_at)`` and, for every review after
    the first of its card, the true recall probability ``(reviewed_at, card_id, p)``."""
    rng = random.Random(seed)
    model = fsrs_rs.FSRS(list(parameters))
    cards = cards or max(20, reviews // 8)
    due = [(rng.randrange(0, 60), card) for card in range(1, cards + 1)]
    heapq.heapify(due)
    history: dict[int, list[tuple[int, int]]] = {}  # card → [(day, rating)]
    rows, truth = [], []
    while len(rows) < reviews:
        day, card = heapq.heappop(due)
        past = history.setdefault(card, [])
        at = START + dt.timedelta(days=day, hours=8 + rng.random() * 12)
        if not past:
            rating = rng.choices([1, 2, 3, 4], [0.25, 0.15, 0.5, 0.1])[0]
        else:
            state = model.memory_state(_item(past))
            p = recall(state.stability, day - past[-1][0], parameters[20])
            truth.append((at, card, p))
            success = rng.random() < p
            rating = rng.choices([2, 3, 4], [0.15, 0.75, 0.1])[0] if success else 1
        past.append((day, rating))
        rows.append((card, rating, at))
        stability = model.memory_state(_item(past)).stability
        interval = model.next_interval(stability, 0.9, 3)
        heapq.heappush(due, (day + max(1, round(interval * rng.uniform(0.6, 1.4))), card))
    return rows, truth


def _item(past: list[tuple[int, int]]) -> fsrs_rs.FSRSItem:
    reviews, previous = [], None
    for day, rating in past:
        reviews.append(fsrs_rs.FSRSReview(rating, 0 if previous is None else day - previous))
        previous = day
    return fsrs_rs.FSRSItem(reviews)


def predicted(parameters, rows, truth_keys) -> list[float]:
    """The recall probability ``parameters`` give each review of ``truth_keys`` (reviewed_at,
    card) knowing the card's reviews before it."""
    model = fsrs_rs.FSRS(list(parameters))
    by_card: dict[int, list[tuple[int, int, dt.datetime]]] = {}
    for card, rating, at in rows:
        by_card.setdefault(card, []).append(((at - START).days, rating, at))
    out = []
    for at, card in truth_keys:
        past = [(day, rating) for day, rating, when in by_card[card] if when < at]
        day = (at - START).days
        state = model.memory_state(_item(past))
        out.append(recall(state.stability, day - past[-1][0], parameters[20]))
    return out
