"""Personal FSRS parameters: a student's review log → FSRS items → weights fitted to it.

The fitting is the FSRS optimizer itself (fsrs-rs, through its Python binding
``fsrs-rs-python``: no PyTorch), never a hand-written one. This module only turns our log into
its items and decides whether the fit is worth keeping:

* A card's log ``r1, r2, …, rn`` gives the items ``[r1, r2]``, ``[r1, r2, r3]``, …: each asks
  "knowing the reviews before, how likely was the last one a success?". ``delta_t`` is counted in
  the student's calendar days (their time zone), as Anki counts it; reviews on the same day have
  ``delta_t = 0`` (short-term, learning steps).
* The items are ordered by the time of their last review; the parameters are fitted on the older
  80 % and both the parameters in use (the student's or the defaults) and the fitted ones are
  scored on the newest 20 % — log loss and RMSE over bins, the FSRS benchmark's figures. Only
  items whose last review came a day or more after the one before are scored (predicting a
  same-day learning step says nothing about memory).
* The fitted parameters replace the old ones only when their held-out log loss is lower.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import fsrs_rs_python as fsrs_rs
from fsrs import Scheduler
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

__all__ = [
    "DEFAULT_PARAMETERS",
    "HELD_OUT_SHARE",
    "FitOutcome",
    "Item",
    "fit",
    "items_from_log",
    "usable",
    "within_bounds",
]

DEFAULT_PARAMETERS: tuple[float, ...] = tuple(float(w) for w in fsrs_rs.DEFAULT_PARAMETERS)
HELD_OUT_SHARE = 0.2
# Fewer held-out items than this make the comparison noise: no fit is attempted.
MIN_TEST_ITEMS = 30
# fsrs-rs's default of 5 epochs suits Anki collections of 10⁵ reviews; a student's log of a few
# thousand gives 5 epochs only ~30 optimizer steps, short of convergence (held-out log loss
# 0.350 against the generating model's 0.342 on a synthetic log of 8,000 reviews; 20 epochs:
# 0.342). A fit of 2,000 reviews still takes ~0.05 s.
TRAINING = fsrs_rs.TrainingConfig(num_epochs=20)


@dataclass(frozen=True)
class Item:
    """One FSRS item and whether its last review came a day or more after the one before."""

    fsrs: fsrs_rs.FSRSItem
    long_term: bool


@dataclass(frozen=True)
class FitOutcome:
    parameters: list[float]
    accepted: bool
    log_loss_before: float
    log_loss_after: float
    rmse_before: float
    rmse_after: float
    train_items: int
    test_items: int
    seconds: float


def items_from_log(
    rows: Iterable[tuple[int, int, dt.datetime]], *, zone: ZoneInfo | dt.tzinfo = dt.UTC
) -> list[Item]:
    """FSRS items from ``(card_id, rating, reviewed_at)`` rows, ordered by the time of their
    last review. Ratings are FSRS's (1 again, 2 hard, 3 good, 4 easy)."""
    history: dict[int, list[tuple[int, dt.date]]] = {}
    dated: list[tuple[dt.datetime, int, int]] = []  # (time, card, length of its history)
    for card_id, rating, reviewed_at in sorted(rows, key=lambda row: (row[2], row[0])):
        if not 1 <= int(rating) <= 4:
            continue
        reviews = history.setdefault(card_id, [])
        reviews.append((int(rating), reviewed_at.astimezone(zone).date()))
        if len(reviews) > 1:
            dated.append((reviewed_at, card_id, len(reviews)))
    items = []
    for _when, card_id, length in dated:
        reviews = history[card_id][:length]
        fsrs_reviews = []
        previous = None
        delta = 0
        for rating, day in reviews:
            delta = 0 if previous is None else (day - previous).days
            fsrs_reviews.append(fsrs_rs.FSRSReview(rating, delta))
            previous = day
        items.append(Item(fsrs_rs.FSRSItem(fsrs_reviews), long_term=delta > 0))
    return items


def usable(parameters) -> list[float] | None:
    """``parameters`` as 21 floats the scheduler accepts, or None (stored by an older version of
    the library, or damaged): the caller then falls back to the defaults."""
    if not isinstance(parameters, (list, tuple)) or len(parameters) != len(DEFAULT_PARAMETERS):
        return None
    try:
        values = [float(w) for w in parameters]
        Scheduler(parameters=values)
    except (TypeError, ValueError):
        return None
    return values


def within_bounds(parameters) -> list[float]:
    """``parameters`` clipped into the bounds the scheduler (py-fsrs) accepts: fsrs-rs computes
    in float32, so a weight at its bound may come back a hair outside py-fsrs's float64 one."""
    bounds = zip(LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
    return [
        min(max(float(w), low), high) for w, (low, high) in zip(parameters, bounds, strict=True)
    ]


def _compute(train: list[fsrs_rs.FSRSItem]) -> list[float]:
    """The optimizer of fsrs-rs, started from the default parameters, within py-fsrs's bounds
    (the very weights that are scored are the ones the scheduler would use)."""
    model = fsrs_rs.FSRS(list(DEFAULT_PARAMETERS))
    return within_bounds(model.compute_parameters(train, training_config=TRAINING))


def fit(items: list[Item], *, current=None) -> FitOutcome | None:
    """Fit parameters on the older items and compare them with ``current`` (None: the defaults)
    on the newest ones. None when there are too few held-out items to judge."""
    started = time.perf_counter()
    cut = int(len(items) * (1 - HELD_OUT_SHARE))
    train = [item.fsrs for item in items[:cut]]
    test = [item.fsrs for item in items[cut:] if item.long_term]
    if len(test) < MIN_TEST_ITEMS or not any(item.long_term for item in items[:cut]):
        return None
    before_parameters = usable(current) or list(DEFAULT_PARAMETERS)
    fitted = _compute(train)
    before = fsrs_rs.FSRS(before_parameters).evaluate(test)
    after = fsrs_rs.FSRS(fitted).evaluate(test)
    accepted = usable(fitted) is not None and after.log_loss < before.log_loss
    return FitOutcome(
        parameters=fitted,
        accepted=accepted,
        log_loss_before=float(before.log_loss),
        log_loss_after=float(after.log_loss),
        rmse_before=float(before.rmse_bins),
        rmse_after=float(after.rmse_bins),
        train_items=len(train),
        test_items=len(test),
        seconds=time.perf_counter() - started,
    )
