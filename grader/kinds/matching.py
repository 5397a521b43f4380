"""Matching: each stem is paired with one of the answer choices, with Moodle's partial credit.

The spec lists ``pairs: [{stem, answer}]`` (at least two, stems unique, answers may repeat) and
optional ``distractors`` (extra wrong answers). Indices are stable, whatever order is shown:

* a stem's index is its position in ``pairs``;
* the answer choices are the unique answer texts in the order they first appear in ``pairs``,
  followed by the distractors (a distractor equal to an answer adds nothing); a choice's index is
  its position in that list.

The student's answer is a JSON object mapping stem index → choice index, both as strings:
``{"0": "1", "1": "0", "2": "2"}``. A stem left out, or given ``""`` (or ``null``), is
unanswered: it counts as not right, the answer is still graded. Anything else (not JSON, not an
object, an unknown stem or choice) is a :class:`ParseError` with code ``bad_matching``; a blank
answer is ``no_matching``. The score is Moodle's: the share of stems matched right; ``parts``
holds True/False per stem in stem order.

A typical mistake gives its answer as a constant list of choice indices, one per stem in stem
order (``answer: {value: [1, 0, 2]}``); it is recognised when the student matched exactly so.

Texts are templates rendered with the variant's values when shown (:func:`shown`); the key and
the parsed answer are displayed with the texts as written in the spec («сигмоида → (0; 1)»),
as choice questions display their options.

>>> spec = {"pairs": [{"stem": "a", "answer": "x"}, {"stem": "b", "answer": "y"},
...                   {"stem": "c", "answer": "x"}], "distractors": ["z"]}
>>> choices(spec), expected(spec, {})
(['x', 'y', 'z'], [0, 1, 0])
>>> score(parse('{"0": "0", "1": "2"}', spec, None), [0, 1, 0], spec).parts
[True, False, False]
"""

from __future__ import annotations

import json
from types import SimpleNamespace

from grader.errors import ParseError, SpecError
from grader.i18n import _, gettext_noop
from grader.kinds.base import Outcome, SelfTest

__all__ = [
    "INPUT_HINT",
    "choices",
    "stems",
    "expected",
    "parse",
    "score",
    "matches",
    "display",
    "self_test",
    "shown",
]

INPUT_HINT = gettext_noop("сопоставьте каждому элементу слева ответ из списка")
MAX_PAIRS = 100
_UNANSWERED = "—"


def _pairs(spec: dict) -> list[dict]:
    pairs = spec.get("pairs") or []
    if not isinstance(pairs, list) or len(pairs) < 2:
        raise SpecError(
            _("в вопросе на соответствие нужно не меньше двух пар (pairs)"), code="too_few_pairs"
        )
    if len(pairs) > MAX_PAIRS:
        raise SpecError(
            _("в вопросе на соответствие не больше %(max)s пар") % {"max": MAX_PAIRS},
            code="too_many_pairs",
        )
    for index, pair in enumerate(pairs):
        if not isinstance(pair, dict) or not str(pair.get("stem", "")).strip():
            raise SpecError(
                _("pairs[%(index)s]: нужен непустой stem") % {"index": index}, code="bad_pair"
            )
        if not str(pair.get("answer", "")).strip():
            raise SpecError(
                _("pairs[%(index)s]: нужен непустой answer") % {"index": index}, code="bad_pair"
            )
    return pairs


def stems(spec: dict) -> list[str]:
    """The stems' texts (templates) in stem index order."""
    return [str(pair["stem"]) for pair in _pairs(spec)]


def choices(spec: dict) -> list[str]:
    """The answer choices' texts (templates) in choice index order."""
    found = [str(pair["answer"]) for pair in _pairs(spec)]
    found += [str(d) for d in spec.get("distractors") or [] if str(d).strip()]
    unique = list(dict.fromkeys(found))
    if len(unique) < 2:
        raise SpecError(
            _(
                "в вопросе на соответствие нужно не меньше двух разных ответов: добавьте пару "
                "с другим ответом или неверный ответ в distractors"
            ),
            code="too_few_choices",
        )
    return unique


def expected(spec: dict, values: dict) -> list[int]:
    """The right choice index of each stem, in stem order."""
    index = {text: i for i, text in enumerate(choices(spec))}
    return [index[str(pair["answer"])] for pair in _pairs(spec)]


def _bad(message: str) -> ParseError:
    return ParseError(message, code="bad_matching")


def _index(raw, what: str) -> int:
    """A stem or choice index as the answer gives it: a string of digits (or an integer)."""
    if isinstance(raw, bool):
        raise _bad(_("Ответ на соответствие записан неверно: %(what)s.") % {"what": what})
    if isinstance(raw, int) and raw >= 0:
        return raw
    if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) <= 4:
        return int(raw.strip())
    raise _bad(_("Ответ на соответствие записан неверно: %(what)s.") % {"what": what})


def parse(raw: str, spec: dict, expected):
    """``{"0": "1", …}`` → the chosen choice index per stem (None: unanswered)."""
    text = (raw or "").strip()
    if not text:
        raise ParseError(_("Сопоставьте элементы: ответ пуст."), code="no_matching")
    try:
        given = json.loads(text)
    except (ValueError, RecursionError):
        given = None
    if not isinstance(given, dict):
        raise _bad(
            _(
                "Ответ на соответствие не прочитан: ожидался объект JSON вида "
                '{"номер элемента": "номер ответа"}.'
            )
        )
    stem_count, choice_count = len(_pairs(spec)), len(choices(spec))
    chosen: list[int | None] = [None] * stem_count
    for key, value in given.items():
        stem = _index(key, _("номер элемента «%(key)s»") % {"key": str(key)[:20]})
        if stem >= stem_count:
            raise _bad(_("Элемента с номером %(key)s нет.") % {"key": str(key)[:20]})
        if value is None or value == "":
            continue
        choice = _index(value, _("номер ответа «%(value)s»") % {"value": str(value)[:20]})
        if choice >= choice_count:
            raise _bad(_("Ответа с номером %(value)s нет.") % {"value": str(value)[:20]})
        chosen[stem] = choice
    return SimpleNamespace(kind="matching", value=chosen, display=display(chosen, spec))


def _as_indices(value) -> list | None:
    """A list of choice indices (None: unanswered) from an answer, a key or a mistake's value."""
    try:
        items = list(value)
    except TypeError:
        return None
    result = []
    for item in items:
        if item is None:
            result.append(None)
            continue
        try:
            number = float(item)
        except (TypeError, ValueError):
            return None
        if not number.is_integer():
            return None
        result.append(int(number))
    return result


def score(parsed, expected, spec: dict) -> Outcome:
    right = [c is not None and c == e for c, e in zip(parsed.value, expected, strict=True)]
    return Outcome(score=sum(right) / len(right), parts=right)


def matches(parsed, value, spec: dict) -> bool:
    mine, theirs = _as_indices(parsed.value), _as_indices(value)
    return mine is not None and theirs is not None and mine == theirs


def display(value, spec: dict) -> str:
    """«сигмоида → (0; 1); tanh → —» (— for an unanswered stem)."""
    names, options = stems(spec), choices(spec)
    indices = _as_indices(value) or []
    return "; ".join(
        f"{name} → {options[c] if c is not None and 0 <= c < len(options) else _UNANSWERED}"
        for name, c in zip(names, indices, strict=False)
    )


def self_test(spec: dict, expected) -> SelfTest:
    count = len(choices(spec))
    wrong = list(expected)
    wrong[0] = (wrong[0] + 1) % count  # one stem moved to another answer
    return SelfTest(
        correct=_answer(expected), wrong=_answer(wrong), invalid=_answer([max(99, count)])
    )


def _answer(indices: list[int]) -> str:
    return json.dumps({str(s): str(c) for s, c in enumerate(indices)})


def shown(spec: dict, seed: int | None, render) -> tuple[list[dict], list[dict]]:
    """The stems and the answer choices of variant ``seed`` as shown: ``[{"index", "text"}]``.

    ``render`` renders one template with the variant's values. Both lists are shuffled per
    variant (``shuffle``, default true; the default variant ``seed=None`` is never shuffled),
    each from its own random stream, separate from the parameters', so adding pairs never
    changes a variant's numbers and reshuffling stems never reorders the choices.
    """
    stem_texts, choice_texts = stems(spec), choices(spec)
    shuffle = spec.get("shuffle", True) and seed is not None
    stem_order = _order(len(stem_texts), seed, 2) if shuffle else range(len(stem_texts))
    choice_order = _order(len(choice_texts), seed, 3) if shuffle else range(len(choice_texts))
    return (
        [{"index": i, "text": render(stem_texts[i])} for i in stem_order],
        [{"index": i, "text": render(choice_texts[i])} for i in choice_order],
    )


def _order(count: int, seed: int, stream: int) -> list[int]:
    import numpy as np

    rng = np.random.Generator(np.random.PCG64([seed, stream]))
    return [int(i) for i in rng.permutation(count)]
