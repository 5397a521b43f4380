"""Single and multiple choice.

Options are listed in the spec as ``options: [{text, correct, feedback}]``; the student's answer
is the option's index in the spec (the order shown may be shuffled per variant, the index is
stable), several indices separated by commas for multiple choice.

Without fractions (the default), single choice scores 1 for the right option and 0 otherwise,
and multiple choice gives partial credit: each right option selected adds 1/(number right), each
wrong one subtracts 1/(number wrong), floored at 0.

With an option's ``fraction`` (−1…1, Moodle's grade of that answer; options without one weigh 0)
the question is scored exactly as Moodle's multichoice (``qtype_multichoice_*_question::
grade_response``):

- single choice: the chosen option's fraction, floored at 0 (Moodle lets a negative mark
  through to the quiz; our scores live in [0, 1]); at least one option must be worth 1 (Moodle's
  «one of the choices should be 100 %»), and those are the key;
- multiple choice: the sum of the chosen options' fractions, clamped to [0, 1]; the positive
  fractions must add up to 1 (Moodle's «the positive grades do not add up to 100 %»), and the
  options with a positive fraction are the key;
- a grade above 0.999999 is right (Moodle's ``graded_state_for_fraction``), so three options at
  0.3333333 make a right answer.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

from grader.errors import ParseError, SpecError
from grader.i18n import _, gettext_noop
from grader.kinds.base import Outcome, SelfTest, moodle_score

_INDEX_LIST = re.compile(r"^\s*\d{1,3}(\s*[,; ]\s*\d{1,3})*\s*$")


def _options(spec: dict) -> list[dict]:
    options = spec.get("options") or []
    if len(options) < 2:
        raise SpecError(_("нужно не меньше двух вариантов ответа"), code="too_few_options")
    return options


def fractions(spec: dict) -> list[float] | None:
    """Each option's Moodle grade, or ``None`` when no option has one (the native rules)."""
    options = _options(spec)
    if not any(option.get("fraction") is not None for option in options):
        return None
    out = []
    for index, option in enumerate(options):
        fraction = option.get("fraction")
        fraction = 0.0 if fraction is None else fraction
        if (
            isinstance(fraction, bool)
            or not isinstance(fraction, (int, float))
            or not -1 <= fraction <= 1
        ):
            raise SpecError(
                _("options[%(index)s]: fraction — число от −1 до 1") % {"index": index},
                code="bad_fraction",
            )
        out.append(float(fraction))
    return out


def fraction_rules(weights: list[float], *, multiple: bool) -> str | None:
    """Moodle's rule the fractions break (a Russian message), or ``None``.

    >>> fraction_rules([0.5, 0.5, -1], multiple=True) is None
    True
    >>> fraction_rules([0.5, 0.25], multiple=True)
    'положительные fraction вариантов должны в сумме давать 1 (сейчас 0.75), как 100 % в Moodle'
    """
    if multiple:
        total = sum(w for w in weights if w > 0)
        if abs(total - 1) > 1e-6:
            return _(
                "положительные fraction вариантов должны в сумме давать 1 (сейчас %(total)s), "
                "как 100 %% в Moodle"
            ) % {"total": f"{total:.6g}"}
        return None
    if not any(w >= 1 - 1e-6 for w in weights):
        return (
            _(
                "в вопросе с одним ответом хотя бы один вариант должен иметь fraction 1 "
                "(в Moodle — 100 %%)"
            )
            % {}
        )
    return None


def _module(multiple: bool):
    def expected(spec: dict, values: dict):
        weights = fractions(spec)
        if weights is not None:
            problem = fraction_rules(weights, multiple=multiple)
            if problem:
                raise SpecError(problem, code="bad_fractions")
            if multiple:
                return [i for i, w in enumerate(weights) if w > 0]
            return [i for i, w in enumerate(weights) if w >= 1 - 1e-6]
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
        weights = fractions(spec)
        if weights is not None:
            if not multiple:
                got = moodle_score(weights[parsed.value[0]])
            else:
                got = min(1.0, moodle_score(sum(weights[i] for i in parsed.value)))
            parts = [weights[i] > 0 for i in sorted(parsed.value)]
            return Outcome(score=got, parts=parts, partial_by_parts=False)
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
        # Single choice may have several options worth 100 % (Moodle allows it): choose one.
        right = expected if multiple else expected[:1]
        return SelfTest(
            correct=",".join(map(str, right)), wrong=",".join(map(str, wrong)), invalid="99"
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
