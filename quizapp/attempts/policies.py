"""Answer policies: how the answers to one question of an attempt count.

The policy in force is the attempt's own copy (``Attempt.answer_policy``, ``max_tries``,
``penalty``, taken from the quiz when the attempt starts), never the quiz's current setting.

- ``last``: answers may be changed until the finish; the newest counts; no penalty.
- ``tries``: every submit is a try graded at once; up to ``max_tries`` (None: unlimited); try
  ``i`` is worth ``share − penalty × (i − 1)``, floored at 0; the best try counts; after a right
  answer or the last try no more tries are taken.
- ``once``: the first submitted answer is final.

An unreadable answer (``invalid``: a format error, not a wrong answer) and a grader failure
(``failed``) are not tries: they cost nothing and the student may send the answer again. A
pending answer is the try it will be once graded. A try's number is fixed on the response when it
is submitted (``Response.try_number``), so a regrade, which grades every stored try again, can
never add a try or a penalty: the resent answer after an unreadable one has the same number.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.models import Attempt, Quiz, Response

Policy = Quiz.AnswerPolicy

# The statuses of an answer that is a try: graded, waiting for the worker or for the instructor.
COUNTED = (Response.Status.PENDING, Response.Status.GRADED, Response.Status.MANUAL)


def counts_as_try(response: Response) -> bool:
    return response.status in COUNTED


def is_right(response: Response) -> bool:
    return response.score is not None and response.score >= 1


def try_value(*, share: float, try_number: int | None, penalty: Decimal) -> Decimal:
    """What a try earns as a share of the item's points: ``share − penalty × (n − 1)``, ≥ 0.

    >>> str(try_value(share=1.0, try_number=3, penalty=Decimal("0.25")))
    '0.50'
    >>> str(try_value(share=0.5, try_number=4, penalty=Decimal("0.25")))
    '0'
    """
    n = try_number or 1
    value = Decimal(str(share)) - Decimal(str(penalty)) * (n - 1)
    return max(value, Decimal(0))


def percent(share) -> str:
    """A share as percent for people, without trailing zeros and with a decimal comma.

    >>> [percent(x) for x in (Decimal("0.1"), Decimal("0.125"), 1.0, 0)]
    ['10', '12,5', '100', '0']
    """
    value = (Decimal(str(share)) * 100).quantize(Decimal("0.01")).normalize()
    return f"{value:f}".replace(".", ",")


@dataclass
class ItemOutcome:
    """What an item earned under the policy (``share`` of its points, None: nothing yet) and
    the response that decides its status (unreadable, waiting for the instructor)."""

    share: Decimal | None
    deciding: Response | None


def item_outcome(attempt: Attempt, responses: list[Response]) -> ItemOutcome:
    """The item's share of points from all its responses (any order) under the attempt's policy."""
    if not responses:
        return ItemOutcome(None, None)
    ordered = sorted(responses, key=lambda r: r.pk)
    newest = ordered[-1]
    if attempt.answer_policy == Policy.LAST:
        share = None if newest.score is None else Decimal(str(newest.score))
        return ItemOutcome(share, newest)
    penalty = attempt.penalty if attempt.answer_policy == Policy.TRIES else Decimal(0)
    best: tuple[Decimal, Response] | None = None
    for response in ordered:
        if response.score is None:
            continue
        value = try_value(share=response.score, try_number=response.try_number, penalty=penalty)
        if best is None or value > best[0]:
            best = (value, response)
    if best is None:
        return ItemOutcome(None, newest)
    return ItemOutcome(best[0], best[1])


@dataclass
class TryState:
    """An item's tries for the page and the API: how many are used, how many are left and what
    the next one costs; ``closed`` with a reason when the policy takes no more answers."""

    policy: str
    used: int
    max_tries: int | None
    penalty: Decimal
    closed: str = ""  # "" (open), "solved", "exhausted" or "final"

    @property
    def left(self) -> int | None:
        if self.policy == Policy.ONCE:
            return max(0, 1 - self.used)
        if self.policy == Policy.LAST or self.max_tries is None:
            return None
        return max(0, self.max_tries - self.used)

    @property
    def next_try(self) -> int:
        return self.used + 1

    @property
    def penalty_percent(self) -> str:
        """The penalty per extra try in percent, without trailing zeros: «10», «12,5»."""
        return percent(self.penalty)

    @property
    def next_penalty_percent(self) -> str:
        return percent(self.penalty * self.used)


def try_state(attempt: Attempt, responses: list[Response]) -> TryState:
    used = sum(counts_as_try(r) for r in responses)
    state = TryState(
        policy=attempt.answer_policy,
        used=used,
        max_tries=attempt.max_tries,
        penalty=attempt.penalty,
    )
    if attempt.answer_policy == Policy.ONCE and used:
        state.closed = "final"
    elif attempt.answer_policy == Policy.TRIES:
        if any(is_right(r) for r in responses):
            state.closed = "solved"
        elif attempt.max_tries is not None and used >= attempt.max_tries:
            state.closed = "exhausted"
    return state


CLOSED_ERRORS = {
    "final": ErrorCode.ANSWER_FINAL,
    "exhausted": ErrorCode.NO_TRIES_LEFT,
    "solved": ErrorCode.ITEM_SOLVED,
}


def check_open(state: TryState) -> None:
    """Refuse an answer (a submit, a draft) to an item the policy has closed."""
    if state.closed:
        raise ServiceError(code=CLOSED_ERRORS[state.closed])


def next_try_number(attempt: Attempt, item_id: int) -> int:
    """Check that the item takes another answer and return its try number.

    Call under the attempt's row lock (``response_submit`` holds it): two submits at once (two
    tabs) under ``once`` or at the last allowed try are counted one after the other, so only one
    of them is stored.
    """
    responses = list(Response.objects.filter(item_id=item_id).only("status", "score"))
    state = try_state(attempt, responses)
    check_open(state)
    return state.next_try


def responses_by_item(item_ids) -> dict[int, list[Response]]:
    """Every response of the items, oldest first (item id → responses), in one query."""
    by_item: dict[int, list[Response]] = {pk: [] for pk in item_ids}
    rows = Response.objects.filter(item_id__in=list(by_item)).only(
        "item_id", "status", "score", "try_number"
    )
    for response in rows.order_by("id"):
        by_item[response.item_id].append(response)
    return by_item


def try_states(attempt: Attempt, item_ids) -> dict[int, TryState]:
    """The try state of each item (item id → state), in one query."""
    by_item = responses_by_item(item_ids)
    return {pk: try_state(attempt, rows) for pk, rows in by_item.items()}
