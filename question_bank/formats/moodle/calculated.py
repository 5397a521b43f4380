"""Moodle ``calculated``/``calculatedsimple`` questions → numeric templates, and
``calculatedmulti`` → single or multiple choice whose options are templates over the same
parameters (:func:`import_calculated_multi`).

Wildcards ``{a}`` become parameters, the formula becomes a safe expression (see
:func:`~question_bank.formats.moodle.formulas.moodle_formula`), tolerance types 1/2/3 become
``rel``/``abs``/``geo`` exactly as ``qtype_numerical_answer::get_tolerance_interval`` defines
them, ``correctanswerlength``/``correctanswerformat`` the precision of «Ответ: …» in the
solution. Moodle shows students only the stored dataset items, so when a wildcard has items they
are kept: one shared integer parameter ``item`` indexes a list per wildcard
(``a: "[1.5, 2.0, 3.1][item]"``), so the values of one item stay together. A wildcard without
items is drawn from its distribution: ``uniform`` → a ``decimal`` parameter with the dataset's
``decimals``; ``loguniform`` → an auxiliary ``decimal`` parameter ``a_log`` uniform on
[ln min, ln max] with 4 decimals (a grid step of 0.01 % in ratio) and the derived value
``a = round(exp(a_log), decimals)``, which reproduces Moodle's ``exp(uniform(ln min, ln max))``
up to that grid. The datasets → parameters part (:func:`_variant_of`) and the text conversion
(:func:`_calculated_text`) are shared by both importers.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from grader import kinds
from grader.errors import GraderError
from grader.templating import format_value
from grader.variants import variant
from question_bank.formats.common import split_question
from question_bank.formats.fractions import graded_options, moodle_fraction
from question_bank.formats.moodle.formulas import (
    TEXT_FORMULA,
    WILDCARD,
    FormulaError,
    moodle_formula,
    param_name,
)
from question_bank.formats.moodle.question import (
    Context,
    QuestionError,
    answer_fraction,
    is_true,
    read_number,
    read_units,
)
from question_bank.formats.moodle.reader import Element

__all__ = ["import_calculated", "import_calculated_multi", "decimals_of"]

MAX_ITEMS = 1000  # dataset items of one wildcard
LOG_DIGITS = 4  # grid of the auxiliary ln-parameter of a loguniform wildcard
MAX_RANGE = 1e9  # bounds of a drawn wildcard: the decimal grid must stay a small integer range


class _Dataset:
    """One wildcard's ``<dataset_definition>``: distribution, bounds, decimals, stored items."""

    def __init__(self, element: Element, ctx: Context):
        self.line = element.line
        self.name = element.value("name")
        self.distribution = element.value("distribution", "uniform").lower() or "uniform"
        self.minimum = self._number(element, "minimum", 0.0)
        self.maximum = self._number(element, "maximum", 10.0)
        raw_decimals = element.value("decimals", "1") or "1"
        try:
            self.decimals = int(float(raw_decimals))
        except ValueError:
            raise QuestionError(
                _("набор данных {%(name)s}: decimals не число") % {"name": self.name}
            ) from None
        items_holder = element.find("dataset_items")
        items = []
        for item in items_holder.findall("dataset_item") if items_holder is not None else []:
            number = item.value("number")
            raw = item.value("value")
            value = read_number(
                raw,
                _("значение №%(number)s набора {%(name)s}") % {"number": number, "name": self.name},
            )
            try:
                order = int(float(number))
            except ValueError:
                order = len(items) + 1
            items.append((order, raw.strip(), value))
        if len(items) > MAX_ITEMS:
            raise QuestionError(
                _("набор данных {%(name)s}: больше %(max_items)s значений")
                % {"name": self.name, "max_items": MAX_ITEMS}
            )
        self.items = [(raw, value) for _, raw, value in sorted(items, key=lambda t: t[0])]

    def _number(self, element: Element, tag: str, default: float) -> float:
        raw = element.value(tag)
        value = (
            float(
                read_number(raw, _("%(tag)s набора {%(name)s}") % {"tag": tag, "name": self.name})
            )
            if raw
            else default
        )
        # Bounds matter only for drawing (a wildcard without stored items): checked there, so
        # that a dataset whose items are given may have bounds as large as its numbers.
        return value


def decimals_of(raw: str) -> int | None:
    """Decimal places written in a number literal; None for exponent notation."""
    if re.search(r"[eE]", raw):
        return None
    return len(raw.split(".", 1)[1]) if "." in raw else 0


def _display_format(values: list, decimals: int | None) -> str | None:
    """The placeholder format that shows the values as Moodle would; None = our default."""

    def plain(v) -> bool:
        shown = format_value(v)
        try:
            return "\\" not in shown and float(shown) == float(v)
        except ValueError:
            return False

    if all(plain(v) for v in values):
        return None
    return f".{max(0, min(decimals if decimals is not None else 6, 15))}f"


def _placeholder(name: str, fmt: str | None) -> str:
    return f"{{{{ {name} : {fmt} }}}}" if fmt else f"{{{{ {name} }}}}"


@dataclass
class _Variant:
    """The parameters a calculated question's wildcards become, and how each one is shown."""

    names: dict[str, str]  # wildcard → parameter name
    params: dict
    derived: dict
    formats: dict[str, str | None]  # wildcard → placeholder format (None: our default)
    item_name: str | None  # the shared index of the dataset items, when there are items


def _source(element: Element | None) -> str:
    if element is None:
        return ""
    inner = element.find("text")
    return (inner.text if inner is not None else element.text) or ""


def _variant_of(element: Element, ctx: Context, sources: list[str]) -> _Variant:
    """The question's datasets → parameters, for the wildcards ``sources`` name (in order)."""
    datasets: dict[str, _Dataset] = {}
    holder = element.find("dataset_definitions")
    for definition in holder.findall("dataset_definition") if holder is not None else []:
        dataset = _Dataset(definition, ctx)
        if dataset.name:
            datasets[dataset.name] = dataset
    wanted = []
    for source in sources:
        for match in WILDCARD.finditer(source):
            if match.group(1) in datasets and match.group(1) not in wanted:
                wanted.append(match.group(1))

    used: set[str] = set()
    names = {w: param_name(w, used) for w in wanted}
    params: dict = {}
    derived: dict = {}
    formats: dict[str, str | None] = {}
    with_items = [w for w in wanted if datasets[w].items]
    item_name = None
    if with_items:
        counts = {len(datasets[w].items) for w in with_items}
        count = min(counts)
        if len(counts) > 1:
            ctx.warn(
                _("в наборах данных разное число значений; используются первые %(count)s")
                % {"count": count}
            )
        if count == 1:
            ctx.warn(_("в наборах данных одно значение: у вопроса будет один вариант"), "one_item")
        item_name = "item" if "item" not in used else param_name("item", used)
        used.add(item_name)
        params[item_name] = {"type": "int", "min": 0, "max": count - 1, "default": 0}
        for w in with_items:
            items = datasets[w].items[:count]
            values = [v for _, v in items]
            literals = ", ".join(_literal(v) for v in values)
            derived[names[w]] = f"[{literals}][{item_name}]"
            decimals = [decimals_of(raw) for raw, _ in items]
            known = [d for d in decimals if d is not None]
            formats[w] = _display_format(values, max(known) if known else None)
    for w in wanted:
        if datasets[w].items:
            continue
        _distribution_param(datasets[w], names[w], params, derived, formats, used, ctx)
    return _Variant(names, params, derived, formats, item_name)


def _with_variant(entry: dict, found: _Variant) -> dict:
    if found.params:
        entry["params"] = found.params
    if found.derived:
        entry["derived"] = found.derived
    return entry


def import_calculated(element: Element, ctx: Context) -> dict:
    """A ``calculated``/``calculatedsimple`` question → a numeric template (entry without meta)."""
    answers = element.findall("answer")
    if not answers:
        raise QuestionError(_("нет ответа (формулы)"), "no_correct")
    fractions = [answer_fraction(a) for a in answers]
    best = max(range(len(answers)), key=lambda i: fractions[i])
    if fractions[best] < 100 - 1e-6:
        raise QuestionError(_("нет ответа с баллом 100 %"), "no_correct")
    key_answer = answers[best]

    # Which wildcards are needed: those of the formulas and of the texts.
    texts = {
        "text": element.find("questiontext"),
        "solution": element.find("generalfeedback"),
    }
    # An answer's feedback may name a wildcard no other text does (a typical mistake's note).
    feedbacks = [a.find("feedback") for a in answers]
    raw_texts = " ".join(
        _source(e) for e in [*texts.values(), *element.findall("hint"), *feedbacks]
    )
    formulas = [a.value("text") for a in answers]
    found = _variant_of(element, ctx, [*formulas, raw_texts])
    names, formats, item_name = found.names, found.formats, found.item_name
    for formula in formulas:
        for match in WILDCARD.finditer(formula):
            if match.group(1) not in names:
                raise QuestionError(
                    _("в формуле {%(group)s}, но такого набора данных нет")
                    % {"group": match.group(1)},
                    "bad_formula",
                )

    # The formulas
    try:
        key_expr = moodle_formula(key_answer.value("text"), names)
    except FormulaError as exc:
        raise QuestionError(str(exc), "bad_formula") from None
    tolerance = _calculated_tolerance(key_answer)
    entry: dict = {"kind": "numeric"}
    text = _calculated_text(ctx, texts["text"], names, formats)
    if not text:
        raise QuestionError(_("пустой текст вопроса"), "empty_text")
    entry["text"] = text
    _with_variant(entry, found)
    entry["answer"] = {"expr": key_expr}
    entry["tolerance"] = tolerance
    mistakes, alternatives = [], []
    for i, answer in enumerate(answers):
        if i == best:
            continue
        feedback = _calculated_text(ctx, answer.find("feedback"), names, formats)
        if not feedback and fractions[i] <= 0:
            continue
        try:
            expr = moodle_formula(answer.value("text"), names)
        except FormulaError as exc:
            raise QuestionError(
                _("ответ №%(i)s: %(exc)s") % {"i": i + 1, "exc": exc}, "bad_formula"
            ) from None
        if fractions[i] > 0:
            # Another graded answer: its formula is worth its fraction (Moodle's grade).
            alternative = {
                "answer": {"expr": expr},
                "tolerance": _calculated_tolerance(answer),
                "fraction": moodle_fraction(fractions[i]),
            }
            if feedback:
                alternative["feedback"] = feedback
            alternatives.append(alternative)
            continue
        mistakes.append({"id": f"moodle_{i + 1}", "answer": {"expr": expr}, "feedback": feedback})
    if alternatives:
        entry["alternatives"] = alternatives
    if mistakes:
        entry["mistakes"] = mistakes
    hints = [_calculated_text(ctx, h, names, formats) for h in element.findall("hint")]
    if hints := [h for h in hints if h]:
        entry["hints"] = hints
    solution = _calculated_text(ctx, texts["solution"], names, formats)
    answer_line = _("Ответ: %(placeholder)s.") % {
        "placeholder": _placeholder("answer", _answer_format(key_answer))
    }
    if "{{ answer" not in solution:
        solution = f"{solution}\n\n{answer_line}" if solution else answer_line
    entry["solution"] = solution
    entry.update(read_units(element, ctx))
    _check_calculated(entry, item_name)
    return entry


def import_calculated_multi(element: Element, ctx: Context) -> dict:
    """A ``calculatedmulti`` question → ``single_choice`` (``<single>``, the default) or
    ``multiple_choice`` whose options are templates over the datasets' parameters.

    An option's ``{=formula}`` becomes ``{{ expr : format }}``, shown as Moodle shows it with
    that answer's ``correctanswerlength``/``correctanswerformat``; its ``{a}`` becomes ``{{ a }}``
    as in the question text. The answers' grades are the options' (graded_options, scored as
    Moodle's multichoice).
    """
    answers = element.findall("answer")
    if len(answers) < 2:
        raise QuestionError(_("нужно не меньше двух вариантов ответа"), "too_few_options")
    fractions = [answer_fraction(a) for a in answers]
    if not any(f > 0 for f in fractions):
        raise QuestionError(_("нет ни одного верного варианта (с баллом больше 0)"), "no_correct")
    question_text = element.find("questiontext")
    general = element.find("generalfeedback")
    hints = element.findall("hint")
    sources = [
        *(_source(a) for a in answers),
        *(
            _source(e)
            for e in [question_text, general, *hints, *(a.find("feedback") for a in answers)]
        ),
    ]
    found = _variant_of(element, ctx, sources)
    names, formats = found.names, found.formats
    text = _calculated_text(ctx, question_text, names, formats)
    if not text:
        raise QuestionError(_("пустой текст вопроса"), "empty_text")
    options = []
    for number, answer in enumerate(answers, start=1):
        try:
            shown = _calculated_text(ctx, answer, names, formats, _answer_format(answer))
        except QuestionError as exc:
            raise QuestionError(
                _("вариант №%(number)s: %(message)s") % {"number": number, "message": exc.message},
                "bad_formula",
            ) from None
        if not shown:
            raise QuestionError(
                _("пустой вариант ответа (строка %(line)s)") % {"line": answer.line},
                "empty_option",
            )
        option = {"text": shown, "correct": False}
        if feedback := _calculated_text(ctx, answer.find("feedback"), names, formats):
            option["feedback"] = feedback
        options.append(option)
    single = is_true(element.value("single"), True)
    options = graded_options(
        options, fractions, single=single, warn=lambda m, c, w: ctx.warn(m, c, w)
    )
    entry: dict = {"kind": "single_choice" if single else "multiple_choice", "text": text}
    _with_variant(entry, found)
    entry["options"] = options
    # Moodle's XML import of calculated questions: single unless said, not shuffled unless said.
    entry["shuffle"] = is_true(element.value("shuffleanswers"), False)
    if shown_hints := [h for h in (_calculated_text(ctx, h, names, formats) for h in hints) if h]:
        entry["hints"] = shown_hints
    if solution := _calculated_text(ctx, general, names, formats):
        entry["solution"] = solution

    def options_shown(trial: dict, seed: int | None):
        from grader.grading import present  # every option must render in every variant

        present(trial, seed)

    _check_calculated(entry, found.item_name, probe=options_shown)
    return entry


def _literal(value) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


def _distribution_param(dataset, name, params, derived, formats, used, ctx):
    lo, hi, decimals = dataset.minimum, dataset.maximum, dataset.decimals
    for tag, value in (("minimum", lo), ("maximum", hi)):
        if abs(value) > MAX_RANGE:
            raise QuestionError(
                _("%(tag)s набора {%(name)s} по модулю больше %(max_range)s")
                % {"tag": tag, "name": dataset.name, "max_range": format(MAX_RANGE, "g")}
            )
    if hi < lo:
        lo, hi = hi, lo
    if decimals > 6:
        ctx.warn(
            _("набор {%(name)s}: %(decimals)s знаков после запятой сокращены до 6")
            % {"name": dataset.name, "decimals": decimals},
            line=dataset.line,
        )
        decimals = 6
    decimals = max(decimals, 0)
    grid_lo = math.ceil(round(lo * 10**decimals, 9)) / 10**decimals
    grid_hi = math.floor(round(hi * 10**decimals, 9)) / 10**decimals
    if grid_hi < grid_lo:
        raise QuestionError(
            _("набор {%(name)s}: между %(lo)s и %(hi)s нет чисел с %(decimals)s знаками")
            % {"name": dataset.name, "lo": lo, "hi": hi, "decimals": decimals}
        )
    if dataset.distribution == "loguniform" and lo > 0:
        log_name = param_name(f"{name}_log", used)
        scale = 10**LOG_DIGITS
        log_lo = math.ceil(math.log(grid_lo) * scale) / scale
        log_hi = math.floor(math.log(grid_hi) * scale) / scale
        if log_hi < log_lo:
            log_lo = log_hi = round(math.log(grid_lo), LOG_DIGITS)
        middle = round((log_lo + log_hi) / 2, LOG_DIGITS)
        params[log_name] = {
            "type": "decimal", "min": log_lo, "max": log_hi, "digits": LOG_DIGITS,
            "default": middle,
        }  # fmt: skip
        derived[name] = f"round(exp({log_name}), {decimals})"
    else:
        if dataset.distribution not in ("uniform", "loguniform"):
            ctx.warn(
                _("набор {%(name)s}: распределение «%(distribution)s» заменено равномерным")
                % {"name": dataset.name, "distribution": dataset.distribution},
                line=dataset.line,
            )
        elif dataset.distribution == "loguniform":
            ctx.warn(
                _(
                    "набор {%(name)s}: логравномерное распределение на отрезке с "
                    "неположительной границей заменено равномерным"
                )
                % {"name": dataset.name},
                line=dataset.line,
            )
        default = round((grid_lo + grid_hi) / 2, decimals)
        default = min(max(default, grid_lo), grid_hi)
        if decimals == 0:  # whole numbers: an int parameter keeps them integers
            params[name] = {
                "type": "int", "min": int(grid_lo), "max": int(grid_hi), "default": int(default),
            }  # fmt: skip
        else:
            params[name] = {
                "type": "decimal", "min": grid_lo, "max": grid_hi, "digits": decimals,
                "default": default,
            }  # fmt: skip
    magnitude = max(abs(grid_lo), abs(grid_hi))
    int_digits = len(str(int(magnitude))) if magnitude >= 1 else 1
    # The default format shows 4 significant digits: exact only for short numbers.
    formats[dataset.name] = None if int_digits + decimals <= 4 else f".{decimals}f"


def _calculated_text(
    ctx: Context, element, names: dict, formats: dict, formula_format: str | None = None
) -> str:
    """A text with Moodle's ``{a}`` and ``{=formula}`` → text with ``{{ … }}`` placeholders;
    ``formula_format`` is how a formula's value is shown (None: our default)."""
    if element is None:
        return ""
    text = ctx.text(element)

    def formula(match: re.Match) -> str:
        try:
            return _placeholder(moodle_formula(match.group(1), names), formula_format)
        except FormulaError as exc:
            raise QuestionError(
                _("формула в тексте {=%(group)s}: %(exc)s") % {"group": match.group(1), "exc": exc}
            ) from None

    text = TEXT_FORMULA.sub(formula, text)

    def wildcard(match: re.Match) -> str:
        name = match.group(1)
        if name not in names:
            return match.group(0)
        return _placeholder(names[name], formats.get(name))

    text = WILDCARD.sub(wildcard, text)
    # A placeholder right next to a literal brace ("{{{ a }}") would be misread: add a space.
    while "{{{" in text or "}}}" in text:
        text = text.replace("{{{", "{ {{").replace("}}}", "}} }")
    return text.strip()


def _calculated_tolerance(answer: Element) -> dict:
    tolerance = abs(float(read_number(answer.value("tolerance", "0") or "0", _("допуск"))))
    kind = (answer.value("tolerancetype", "1") or "1").strip().lower()
    if kind in ("1", "relative"):
        return {"rel": tolerance}
    if kind in ("2", "nominal"):
        return {"abs": tolerance}
    if kind in ("3", "geometric"):
        return {"geo": tolerance}
    raise QuestionError(
        _("неизвестный тип допуска «%(kind)s» (ожидалось 1, 2 или 3)") % {"kind": kind}
    )


def _answer_format(answer: Element) -> str:
    try:
        length = int(float(answer.value("correctanswerlength", "2") or "2"))
    except ValueError:
        length = 2
    length = max(0, min(length, 12))
    if (answer.value("correctanswerformat", "1") or "1").strip() == "2":
        return f".{max(length, 1)}g"  # significant figures
    return f".{length}f"  # decimal places


def _check_calculated(entry: dict, item_name: str | None, probe=None):
    """Every dataset item (or a few random draws) must give a finite key; ``probe(spec, seed)``
    is what is checked (default: the numeric key)."""
    _meta, spec = split_question(entry)
    params = spec.get("params") or {}
    checks: list[tuple[str, dict, int | None]] = []
    if item_name is not None:
        for i in range(params[item_name]["max"] + 1):
            trial = copy.deepcopy(spec)
            trial["params"][item_name]["default"] = i
            checks.append((_("набор данных №%(i)s") % {"i": i + 1}, trial, None))
    else:
        checks.append((_("вариант по умолчанию"), spec, None))
    if any(name != item_name for name in params):
        checks += [(_("случайный вариант (seed %(s)s)") % {"s": s}, spec, s) for s in range(5)]
    kind = kinds.get("numeric")

    def key(trial: dict, seed: int | None):
        kind.expected(trial, variant(trial, seed).values)

    for where, trial, seed in checks:
        try:
            (probe or key)(trial, seed)
        except GraderError as exc:
            raise QuestionError(f"{where}: {exc.message}", "bad_formula") from None
