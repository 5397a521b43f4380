"""Single and multiple choice.

Options are listed in the spec as ``options: [{text, correct, feedback}]``; the student's answer
is the option's index in the spec (the order shown may be shuffled per variant, the index is
stable), several indices separated by commas for multiple choice. Multiple choice gives partial
credit as Moodle does: each right option selected adds 1/(number right), each wrong one subtracts
1/(number wrong), floored at 0.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

from grader.errors import ParseError, SpecError
from grader.i18n import _, gettext_noop
from grader.kinds.base import Outcome, SelfTest

_INDEX_LIST = re.compile(r"^\s*\d{1,3}(\s*[,; ]\s*\d{1,3})*\s*$")


def _options(spec: dict) -> list[dict]:
    options = spec.get("options") or []
    if len(options) < 2:
        raise SpecError(_("нужно не меньше двух вариантов ответа"), code="too_few_options")
    return options


def _module(multiple: bool):
    def expected(spec: dict, values: dict):
        right = [i for i, option in enumerate(_options(spec)) if option.get("correct")]
        if not right or (not multiple and len(right) != 1):
            raise SpecError(
                _("в вопросе с одним ответом должен быть ровно один верный вариант")
                if not multiple
                else _("нужен хотя бы один верный вариант"),
                code="bad_options",
            )
        return right

    def parse(raw: str, spec: dict, expected):
        count = len(_options(spec))
        text = (raw or "").strip()
        if not text or len(text) > 200 or not _INDEX_LIST.match(text):
            raise ParseError(_("Выберите вариант ответа."), code="no_choice")
        chosen = sorted({int(x) for x in re.split(r"[,; ]+", text) if x})
        if any(i >= count for i in chosen) or (not multiple and len(chosen) != 1):
            raise ParseError(_("Такого варианта ответа нет."), code="bad_choice")
        return SimpleNamespace(kind="choice", value=chosen, display=", ".join(map(str, chosen)))

    def score(parsed, expected, spec: dict) -> Outcome:
        chosen, right = set(parsed.value), set(expected)
        count = len(_options(spec))
        wrong = set(range(count)) - right
        if not multiple:
            ok = chosen == right
            return Outcome(score=float(ok), parts=[ok])
        gained = len(chosen & right) / len(right)
        lost = len(chosen & wrong) / len(wrong) if wrong else 0.0
        return Outcome(score=max(0.0, gained - lost), parts=[i in right for i in sorted(chosen)])

    def matches(parsed, value, spec: dict) -> bool:
        return sorted(parsed.value) == sorted(value)

    def display(value, spec: dict) -> str:
        options = _options(spec)
        return "; ".join(options[i].get("text", str(i)) for i in value)

    def self_test(spec: dict, expected) -> SelfTest:
        count = len(_options(spec))
        wrong = [i for i in range(count) if i not in expected][:1] or [0]
        return SelfTest(
            correct=",".join(map(str, expected)), wrong=",".join(map(str, wrong)), invalid="99"
        )

    return SimpleNamespace(
        INPUT_HINT=(
            gettext_noop("выберите вариант")
            if not multiple
            else gettext_noop("отметьте все верные варианты")
        ),
        expected=expected,
        parse=parse,
        score=score,
        matches=matches,
        display=display,
        self_test=self_test,
    )


SINGLE = _module(multiple=False)
MULTIPLE = _module(multiple=True)


def option_feedback(spec: dict, chosen: list[int]) -> list[str]:
    """Per-option feedback the author wrote for the options the student chose."""
    options = spec.get("options") or []
    return [
        options[i]["feedback"] for i in chosen if i < len(options) and options[i].get("feedback")
    ]
