"""A flashcard: the student reveals the back and rates their own recall.

The answer is the rating: ``again``/``hard``/``good``/``easy`` or 1–4, as in FSRS. Score: again 0,
hard 0.5, good and easy 1.
"""

from __future__ import annotations

from types import SimpleNamespace

from grader.errors import ParseError, SpecError
from grader.i18n import _, gettext_noop
from grader.kinds.base import Outcome, SelfTest

INPUT_HINT = gettext_noop("самооценка: 1 — снова, 2 — трудно, 3 — хорошо, 4 — легко")
RATINGS = {"again": 1, "hard": 2, "good": 3, "easy": 4}
SCORES = {1: 0.0, 2: 0.5, 3: 1.0, 4: 1.0}


def expected(spec: dict, values: dict):
    if not spec.get("back"):
        raise SpecError(_("у карточки нет оборотной стороны (back)"), code="no_back")
    return spec["back"]


def parse(raw: str, spec: dict, expected):
    text = (raw or "").strip().lower()
    rating = RATINGS.get(text) or (int(text) if text in {"1", "2", "3", "4"} else None)
    if rating is None:
        raise ParseError(
            _("Оцените, насколько хорошо вы вспомнили ответ: от 1 до 4."), code="bad_rating"
        )
    return SimpleNamespace(kind="rating", value=rating, display=str(rating))


def matches(parsed, value, spec: dict) -> bool:
    return False


def score(parsed, expected, spec: dict) -> Outcome:
    return Outcome(score=SCORES[parsed.value])


def display(value, spec: dict) -> str:
    return str(value)


def self_test(spec: dict, expected) -> SelfTest:
    return SelfTest(correct="good", wrong="again", invalid="5")
