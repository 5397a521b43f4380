"""A native bank → Moodle XML.

Topics become categories under ``$course$/top/<bank title>``. A numeric template cannot keep its
formula (engines are not Moodle functions), so it becomes a ``calculated`` question whose dataset
holds ``variants`` generated variants: one wildcard per placeholder of the texts (named after the
parameter when the placeholder is one), a wildcard ``{ans}`` holding the key of each variant, and
the formula ``{ans}``; typical mistakes become further wildcards and answers with fraction 0.
Other kinds are exported with their default variant: numeric without parameters → ``numerical``,
choice → ``multichoice``, short text → ``shortanswer``, flashcard → ``essay`` with ``graderinfo``
(tagged ``nz-kind:flashcard``), essay → ``essay`` (the rubric as ``graderinfo``),
vector/matrix → ``cloze`` with one NUMERICAL field per component, expression → ``shortanswer``
with the key's text (Moodle cannot test equivalence), matching → ``matching`` (distractors as
subquestions without a stem; typical mistakes cannot be kept), description → ``description``.
Every approximation is reported in the optional ``warnings`` list. ``$…$``/``$$…$$`` become
``\\(…\\)``/``\\[…\\]`` for MathJax.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from django.utils.translation import gettext as _

from grader import kinds
from grader.errors import GraderError, ParseError
from grader.expr import evaluate, parse_expression
from grader.kinds import choice as choice_kind
from grader.kinds import numeric as numeric_kind
from grader.templating import PLACEHOLDER, format_value, placeholders
from grader.variants import compute_value, variant
from question_bank.formats.common import Problem, split_question
from question_bank.formats.matching import answer_text
from question_bank.formats.moodle.calculated import decimals_of
from question_bank.formats.moodle.cloze import field_text
from question_bank.formats.moodle.cloze_export import cloze_part, cloze_weights
from question_bank.formats.moodle.values import absolute_bound as _absolute_bound
from question_bank.formats.moodle.values import expression_spellings as _expression_spellings
from question_bank.formats.moodle.values import number_text as _number_text
from question_bank.formats.moodle.values import render_text as _render
from question_bank.formats.moodle.values import scalar_number as _scalar_number
from question_bank.formats.text import native_to_html

__all__ = ["export_moodle_xml", "BANK_MARK", "TOPIC_MARK"]

# The <idnumber> of the categories our export writes: the bank's own, and each topic's slug.
BANK_MARK = "nz-bank:"
TOPIC_MARK = "nz-topic:"


def export_moodle_xml(bank: dict, *, variants: int = 10, warnings: list | None = None) -> bytes:
    """A native bank → Moodle XML (UTF-8 bytes). Approximations go into ``warnings``.

    ``variants`` is the number of dataset items of every numeric template (``calculated``);
    the first item is always the default variant (the source problem's numbers).
    """
    variants = max(1, int(variants))
    sink = warnings if warnings is not None else []
    meta = bank.get("bank") or {}
    bank_slug = meta.get("slug") or "bank"
    root = ET.Element("quiz")
    topics = {t["slug"]: t for t in bank.get("topics") or []}

    def path_of(slug: str | None) -> list[str]:
        names, seen = [], set()
        while slug and slug in topics and slug not in seen:
            seen.add(slug)
            names.append(topics[slug]["title"])
            slug = topics[slug].get("parent")
        return [meta.get("title") or bank_slug, *reversed(names)]

    groups: dict[str | None, list[dict]] = {}
    for entry in bank.get("questions") or []:
        groups.setdefault(entry.get("topic"), []).append(entry)
    order = [None, *topics] + [t for t in groups if t is not None and t not in topics]
    # The bank's own category first, marked, so that our importer reads its title and slug back
    # as the bank's, not as one more topic level; each topic's category carries its slug.
    bank_root = (meta.get("title") or bank_slug).replace("/", "//")
    category = ET.SubElement(root, "question", type="category")
    _text_element(category, "category", f"$course$/top/{bank_root}", fmt=None)
    _simple(category, "idnumber", f"{BANK_MARK}{bank_slug}")
    for topic in order:
        # Every topic gets its category, one without questions too: a parent topic's slug and
        # title come back only from its own category.
        if topic is None and topic not in groups:
            continue
        segments = [s.replace("/", "//") for s in path_of(topic)]
        category = ET.SubElement(root, "question", type="category")
        _text_element(category, "category", "$course$/top/" + "/".join(segments), fmt=None)
        if topic is not None:
            _simple(category, "idnumber", f"{TOPIC_MARK}{topic}")
        for entry in groups.get(topic, []):
            try:
                element = _export_question(entry, variants, sink, bank_slug)
            except GraderError as exc:
                sink.append(
                    _export_problem(
                        bank_slug,
                        entry,
                        _("не экспортирован: %(message)s") % {"message": exc.message},
                    )
                )
                continue
            root.append(element)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _export_problem(bank_slug: str, entry: dict, message: str) -> Problem:
    return Problem(
        bank_slug,
        None,
        None,
        _("вопрос %(get)s: %(message)s") % {"get": entry.get("slug"), "message": message},
        "export",
        "warning",
    )


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text_element(parent, tag: str, text: str, fmt: str | None = "html"):
    element = ET.SubElement(parent, tag, format=fmt) if fmt else ET.SubElement(parent, tag)
    ET.SubElement(element, "text").text = _XML_INVALID.sub("", text or "")  # XML 1.0 forbids them
    return element


def _simple(parent, tag: str, text) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = str(text)
    return element


def _fraction_text(value: float) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _question_shell(entry: dict, qtype: str, text_html: str, solution_html: str):
    question = ET.Element("question", type=qtype)
    _text_element(question, "name", entry.get("title") or entry.get("slug"), fmt=None)
    _text_element(question, "questiontext", text_html)
    _text_element(question, "generalfeedback", solution_html)
    _simple(question, "defaultgrade", "1")
    _simple(question, "penalty", "0.3333333")
    _simple(question, "hidden", "0")
    _simple(question, "idnumber", entry.get("slug", ""))
    return question


def _finish(question, entry: dict, hints_html: list[str], marks: tuple | list = ()):
    for hint in hints_html:
        _text_element(question, "hint", hint)
    tags = list(entry.get("tags") or []) + list(marks)
    if tags:
        holder = ET.SubElement(question, "tags")
        for tag in tags:
            tag_element = ET.SubElement(holder, "tag")
            ET.SubElement(tag_element, "text").text = tag
    return question


def _export_question(entry: dict, variants: int, sink: list, bank_slug: str) -> ET.Element:
    _meta, spec = split_question(entry)
    kind = spec.get("kind")
    has_params = bool(spec.get("params"))
    if kind == "numeric" and has_params:
        calculated = _export_calculated(entry, spec, variants, sink, bank_slug)
        if calculated is not None:
            if spec.get("alternatives"):
                sink.append(
                    _export_problem(
                        bank_slug,
                        entry,
                        _(
                            "частичные ответы (alternatives) шаблона не экспортируются: в "
                            "вычисляемом вопросе Moodle они задаются формулами"
                        ),
                    )
                )
            return calculated
    var = variant(spec, None)
    values = var.values
    module = kinds.get(kind)
    no_key = ("flashcard", "description", "essay")
    expected = module.expected(spec, values) if kind not in no_key else None
    context = {**values}
    if expected is not None and kind in ("numeric", "vector", "matrix"):
        context["answer"] = _plainify(expected)
    text_html = native_to_html(_render(spec.get("text") or spec.get("front", ""), values))
    solution_source = spec.get("solution", "") if kind != "flashcard" else ""
    try:
        solution_html = native_to_html(_render(solution_source, context))
    except GraderError:
        solution_html = ""
    hints_html = [native_to_html(_render(h, values)) for h in spec.get("hints") or []]
    if has_params and kind not in ("numeric",):
        sink.append(
            _export_problem(
                bank_slug,
                entry,
                _("шаблон с параметрами экспортирован одним вариантом (по умолчанию)"),
            )
        )
    if kind == "multipart":
        return _export_multipart(entry, spec, values, solution_html, hints_html, sink, bank_slug)
    if kind == "numeric":
        question = _question_shell(entry, "numerical", text_html, solution_html)
        bound = _absolute_bound(spec.get("tolerance"), expected)
        _numerical_answer(question, expected, bound, 100, "")
        # Moodle matches its answers in order: the key first, as the grader does.
        computed = numeric_kind.alternatives(spec, values)
        for item, alternative in zip(spec.get("alternatives") or [], computed, strict=True):
            alt_bound = _absolute_bound(item.get("tolerance"), alternative.value)
            feedback = native_to_html(_render(alternative.feedback or "", values))
            _numerical_answer(
                question, alternative.value, alt_bound, alternative.fraction * 100, feedback
            )
        for mistake in spec.get("mistakes") or []:
            try:
                wrong = compute_value(mistake.get("answer"), values)
            except GraderError:
                continue
            if isinstance(wrong, int | float) and not isinstance(wrong, bool):
                feedback = native_to_html(_render(mistake.get("feedback", ""), values))
                _numerical_answer(question, wrong, bound, 0, feedback)
        if spec.get("units"):
            _with_units(question, spec)
        else:
            _without_units(question)
        # Moodle holds an absolute bound; the tag keeps our own tolerance (relative, default).
        return _finish(question, entry, hints_html, [_tolerance_tag(spec.get("tolerance"))])
    if kind in ("single_choice", "multiple_choice"):
        question = _question_shell(entry, "multichoice", text_html, solution_html)
        options = spec.get("options") or []
        single = kind == "single_choice"
        right = [o for o in options if o.get("correct")]
        wrong_count = len(options) - len(right)
        _simple(question, "single", "true" if single else "false")
        _simple(question, "shuffleanswers", "true" if spec.get("shuffle", True) else "false")
        _simple(question, "answernumbering", "abc")
        _simple(question, "showstandardinstruction", "0")
        graded = choice_kind.fractions(spec)
        for index, option in enumerate(options):
            if graded is not None:
                fraction = graded[index] * 100  # Moodle's grades, kept as they are
            elif option.get("correct"):
                fraction = 100.0 if single else 100.0 / len(right)
            else:
                # our multiple choice subtracts 1/(number wrong) per wrong option, as here
                fraction = 0.0 if single or not wrong_count else -100.0 / wrong_count
            _answer(
                question,
                native_to_html(_render(option.get("text", ""), values)),
                fraction,
                native_to_html(_render(option.get("feedback", ""), values)),
                fmt="html",
            )
        return _finish(question, entry, hints_html)
    if kind == "short_text":
        question = _question_shell(entry, "shortanswer", text_html, solution_html)
        _simple(question, "usecase", "0")
        # An answer with options (a mapping) exports its text: Moodle compares whole strings.
        for accepted in spec.get("answers") or []:
            if isinstance(accepted, dict):
                feedback = native_to_html(_render(accepted.get("feedback", ""), values))
                fraction = float(accepted.get("fraction", 1)) * 100
                _short_answer(question, str(accepted.get("text", "")), fraction, feedback)
            else:
                _short_answer(question, str(accepted), 100, "")
        for mistake in spec.get("mistakes") or []:
            answer = mistake.get("answer")
            if isinstance(answer, dict) and isinstance(answer.get("value"), str):
                feedback = native_to_html(_render(mistake.get("feedback", ""), values))
                _short_answer(question, answer["value"], 0, feedback)
        return _finish(question, entry, hints_html)
    if kind in ("flashcard", "essay"):
        # Both are Moodle essays: an essay's grader info is its rubric, a card's its back; the
        # card is tagged so that it comes back as a card, not as an essay to grade by hand.
        card = kind == "flashcard"
        question = _question_shell(entry, "essay", text_html, "" if card else solution_html)
        _simple(question, "responseformat", "editor")
        _simple(question, "responserequired", "1")
        _simple(question, "responsefieldlines", "10")
        _simple(question, "attachments", "0")
        _simple(question, "attachmentsrequired", "0")
        info = spec.get("back", "") if card else spec.get("rubric", "")
        _text_element(question, "graderinfo", native_to_html(_render(info, values)))
        _text_element(question, "responsetemplate", "")
        return _finish(question, entry, hints_html, ["nz-kind:flashcard"] if card else ())
    if kind == "matching":
        question = _question_shell(entry, "matching", text_html, solution_html)
        if spec.get("mistakes"):
            message = _("типичные ошибки вопроса на соответствие в Moodle не переносятся")
            sink.append(_export_problem(bank_slug, entry, message))
        return _finish(_matching_fields(question, spec, values), entry, hints_html)
    if kind == "description":
        question = _question_shell(entry, "description", text_html, solution_html)
        question.find("defaultgrade").text = "0"  # nothing to answer, nothing to score
        question.find("penalty").text = "0"
        return _finish(question, entry, hints_html)
    if kind in ("vector", "matrix"):
        sink.append(
            _export_problem(
                bank_slug,
                entry,
                _(
                    "%(value)s: экспортирован вариант по умолчанию как вопрос cloze с числовым "
                    "полем на каждый элемент"
                )
                % {"value": "вектор" if kind == "vector" else "матрица"},
            )
        )
        if spec.get("mistakes"):
            # a cloze field holds answers of one element; a wrong vector as a whole has no place
            message = _("типичные ошибки (%(count)s) в вопросе cloze не переносятся") % {
                "count": len(spec["mistakes"])
            }
            sink.append(_export_problem(bank_slug, entry, message))
        bound = _absolute_bound(spec.get("tolerance"), expected, elementwise=True)
        question = _cloze_shell(entry, text_html + _cloze_fields(expected, bound), solution_html)
        # Machine tags, so that our importer reads this cloze back as the same kind.
        marks = [f"nz-kind:{kind}"]
        if kind == "matrix":
            marks.append("nz-shape:{}x{}".format(*_shape_of(expected)))
        marks.append(_tolerance_tag(spec.get("tolerance")))
        return _finish(question, entry, hints_html, marks)
    if kind == "expression":
        sink.append(
            _export_problem(
                bank_slug,
                entry,
                _(
                    "выражение: экспортировано как короткий ответ с текстом эталона — Moodle "
                    "засчитает только точное совпадение записи"
                ),
            )
        )
        question = _question_shell(entry, "shortanswer", text_html, solution_html)
        _simple(question, "usecase", "0")
        for accepted in _expression_spellings(spec, values, expected):
            _short_answer(question, accepted, 100, "")
        # Typical mistakes as 0 % answers with their feedback (Moodle shows it on that answer).
        for mistake in spec.get("mistakes") or []:
            wrong_spec = {**spec, "answer": mistake["answer"]}
            wrong_value = kinds.get("expression").expected(wrong_spec, values)
            wrong = _expression_spellings(wrong_spec, values, wrong_value)
            feedback = native_to_html(_render(mistake.get("feedback", ""), values))
            _short_answer(question, wrong[0], 0, feedback)
        # Machine tags, so that our importer reads the short answer back as an expression.
        marks = ["nz-kind:expression", "nz-variables:" + ",".join(spec.get("variables") or [])]
        if spec.get("functions"):
            marks.append(
                "nz-functions:" + ",".join(f"{k}={v}" for k, v in spec["functions"].items())
            )
        return _finish(question, entry, hints_html, marks)
    raise GraderError(_("тип %(kind)s не экспортируется") % {"kind": kind}, code="unsupported")


def _matching_fields(question, spec: dict, values: dict):
    """Moodle's matching: a subquestion per pair, then one without a stem per distractor."""
    _simple(question, "shuffleanswers", "true" if spec.get("shuffle", True) else "false")
    rows = [(p.get("stem", ""), p.get("answer", "")) for p in spec.get("pairs") or []]
    rows += [("", d) for d in spec.get("distractors") or []]
    for stem, answer in rows:
        sub = _text_element(question, "subquestion", native_to_html(_render(stem, values)))
        holder = ET.SubElement(sub, "answer")
        ET.SubElement(holder, "text").text = _XML_INVALID.sub(
            "", answer_text(_render(answer, values))
        )
    return question


def _export_multipart(entry, spec, values, solution_html, hints_html, sink, bank_slug):
    """Each part a field where its ``[[name]]`` stands (or after the text, with its label)."""
    from grader.kinds import multipart

    parts = multipart.parts_of(spec)
    weights, approximated = cloze_weights([multipart.weight(p) for p in parts])
    notes = []
    if approximated:
        notes.append(_("веса полей округлены до целых"))
    fields, tensors = {}, False
    for part, weight in zip(parts, weights, strict=True):
        pspec = multipart.part_spec(spec, part)
        text, note = cloze_part(part, pspec, values, weight)
        fields[part["name"]] = text
        tensors = tensors or part.get("kind") in ("vector", "matrix")
        if note:
            notes.append(_("поле %(name)s: %(note)s") % {"name": part["name"], "note": note})
        if part.get("feedback"):
            notes.append(
                _("поле %(name)s: отзыв поля не переносится (в cloze его некуда записать)")
                % {"name": part["name"]}
            )
    for note in notes:
        sink.append(_export_problem(bank_slug, entry, note))
    # Slots survive the text's conversion to HTML; the fields (HTML already) go in after.
    slots = {name: f"NZFIELDSLOT{i}X" for i, name in enumerate(fields)}
    template = spec.get("text") or ""
    if multipart.MARKER.search(template):
        template = multipart.MARKER.sub(lambda m: slots.get(m.group(1), m.group(0)), template)
        text_html = native_to_html(_render(template, values))
    else:
        text_html = native_to_html(_render(template, values))
        for number, part in enumerate(parts, start=1):
            label = _render(part.get("label") or "", values) or f"({number})"
            text_html += f"<p>{native_to_html(label, paragraphs=False)}: {slots[part['name']]}</p>"
    for name, slot in slots.items():
        text_html = text_html.replace(slot, fields[name])
    question = _cloze_shell(entry, text_html, solution_html)
    marks = [] if tensors else ["nz-parts:" + ",".join(fields)]
    return _finish(question, entry, hints_html, marks)


def _plainify(value):
    import numpy as np

    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def _answer(question, text: str, fraction: float, feedback_html: str, *, fmt: str):
    """One ``<answer>`` of a fixed-answer question: its text, grade in percent and feedback."""
    answer = _text_element(question, "answer", text, fmt=fmt)
    answer.set("fraction", _fraction_text(fraction))
    _text_element(answer, "feedback", feedback_html)
    return answer


def _short_answer(question, text: str, fraction: float, feedback_html: str):
    # Moodle's shortanswer treats * as a wildcard: a literal star is written \*
    _answer(question, text.replace("*", "\\*"), fraction, feedback_html, fmt="moodle_auto_format")


def _numerical_answer(question, value, tolerance: float, fraction: float, feedback_html: str):
    answer = _answer(
        question, _number_text(value), fraction, feedback_html, fmt="moodle_auto_format"
    )
    _simple(answer, "tolerance", _number_text(tolerance))


def _with_units(question, spec: dict):
    """The spec's units as Moodle's: typed after the number (``showunits`` 0), graded with a
    penalty (``unitgradingtype`` 1 of the response's grade, 2 of the question's) or not (0)."""
    units = ET.SubElement(question, "units")
    for unit in spec["units"]:
        element = ET.SubElement(units, "unit")
        _simple(element, "multiplier", _number_text(unit.get("multiplier", 1)))
        _simple(element, "unit_name", unit["unit"])
    grading = spec.get("unit_grading") or "none"
    graded = "0" if grading == "none" else "1"
    if graded == "1" and spec.get("unit_penalty_of") == "question":
        graded = "2"
    _simple(question, "unitgradingtype", graded)
    _simple(question, "unitpenalty", _fraction_text(float(spec.get("unit_penalty", 0.1))))
    _simple(question, "showunits", "0")
    _simple(question, "unitsleft", "0")


def _without_units(question):
    """Moodle's unit settings for an answer that is a bare number (we have no units)."""
    _simple(question, "unitgradingtype", "0")
    _simple(question, "unitpenalty", "0.1000000")
    _simple(question, "showunits", "3")
    _simple(question, "unitsleft", "0")


def _cloze_shell(entry: dict, text_html: str, solution_html: str):
    question = ET.Element("question", type="cloze")
    _text_element(question, "name", entry.get("title") or entry.get("slug"), fmt=None)
    _text_element(question, "questiontext", text_html)
    _text_element(question, "generalfeedback", solution_html)
    _simple(question, "penalty", "0.3333333")
    _simple(question, "hidden", "0")
    _simple(question, "idnumber", entry.get("slug", ""))
    return question


def _shape_of(value) -> tuple:
    import numpy as np

    return np.shape(value)


def _tolerance_tag(tolerance) -> str:
    """Our tolerance as a machine tag (``nz-tolerance:rel=0.01``; ``none``: the default one)."""
    pairs = [f"{k}={_number_text(v)}" for k, v in dict(tolerance or {}).items() if v is not None]
    return "nz-tolerance:" + (",".join(pairs) if pairs else "none")


def _cloze_fields(expected, bounds: list) -> str:
    import numpy as np

    array = np.asarray(expected)
    flat = array.ravel().tolist()
    fields = [
        field_text(1, "NUMERICAL", [(100, f"{_number_text(v)}:{_number_text(b)}", "")])
        for v, b in zip(flat, bounds, strict=True)
    ]
    if array.ndim == 1:
        return "<p>Ответ: (" + "; ".join(fields) + ")</p>"
    cols = array.shape[1]
    rows = [" ".join(fields[r * cols : (r + 1) * cols]) for r in range(array.shape[0])]
    return "<p>Ответ (по строкам):<br>" + "<br>".join(rows) + "</p>"


def _moodle_tolerance(tolerance, keys: list) -> tuple[int, float, str]:
    """Our tolerance → (Moodle tolerance type, value, note about an approximation or '')."""
    tol = {k: v for k, v in dict(tolerance or {}).items() if v is not None}
    if not tol:
        if all(isinstance(k, int) for k in keys):
            return 2, 0.0, ""
        return 1, 0.005, ""
    note = "" if len(tol) == 1 else _("из нескольких критериев допуска оставлен один")
    if "rel" in tol:
        return 1, float(tol["rel"]), note
    if "abs" in tol:
        return 2, float(tol["abs"]), note
    if "sig" in tol:
        approx = _("допуск по значащим цифрам заменён относительным 0,5·10^(1−sig)")
        return 1, 0.5 * 10.0 ** (1 - int(tol["sig"])), approx
    return 3, float(tol["geo"]), note


def _dataset_value(value, fmt: str | None) -> str | None:
    """How a placeholder's value is stored in the dataset: as our text shows it, if a number."""
    if not _scalar_number(value):
        return None
    try:
        shown = format_value(value, fmt)
        float(shown)
    except (ValueError, GraderError):
        shown = f"{float(value):.6g}"
    return shown


def _export_calculated(entry, spec, variants, sink, bank_slug) -> ET.Element | None:
    module = kinds.get("numeric")
    texts = {
        "text": spec.get("text", ""),
        "solution": spec.get("solution", ""),
        "hints": list(spec.get("hints") or []),
        "mistakes": [m.get("feedback", "") for m in spec.get("mistakes") or []],
    }
    found: list[tuple[str, str | None]] = []
    for template in [texts["text"], texts["solution"], *texts["hints"], *texts["mistakes"]]:
        for pair in placeholders(template):
            if pair not in found:
                found.append(pair)
    param_names = set((spec.get("params") or {}) | (spec.get("derived") or {})) | {"answer"}
    wildcard_of: dict[tuple, str] = {}
    taken = {"ans"}
    for expr, fmt in found:
        base = expr if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", expr) and expr in param_names else ""
        name = base or f"v{len(wildcard_of) + 1}"
        if fmt and base:
            name = f"{base}_f"
        stem, n = name, 2
        while name in taken:
            name = f"{stem}{n}"
            n += 1
        taken.add(name)
        wildcard_of[(expr, fmt)] = name
    mistakes = list(spec.get("mistakes") or [])
    mistake_names = []
    for i in range(len(mistakes)):
        name, n = f"m{i + 1}", 2
        while name in taken:
            name = f"m{i + 1}_{n}"
            n += 1
        taken.add(name)
        mistake_names.append(name)

    rows, keys, seen = [], [], set()
    usable_mistakes = [True] * len(mistakes)
    for seed in [None, *range(variants * 3)]:
        if len(rows) >= variants:
            break
        try:
            var = variant(spec, seed)
            values = var.values
            key = module.expected(spec, values)
        except GraderError:
            continue  # a seed the engine refuses: take the next one
        context = {**values, "answer": key}
        row = {}
        for (expr, fmt), name in wildcard_of.items():
            try:
                value = evaluate(parse_expression(expr), context)
            except ParseError:
                value = None
            shown = _dataset_value(value, fmt)
            if shown is None:
                sink.append(
                    _export_problem(
                        bank_slug,
                        entry,
                        _(
                            "подстановка «%(expr)s» не число: экспортирован один вариант как "
                            "numerical"
                        )
                        % {"expr": expr},
                    )
                )
                return None
            row[name] = shown
        row["ans"] = _number_text(key)
        for i, mistake in enumerate(mistakes):
            try:
                wrong = compute_value(mistake.get("answer"), values)
            except GraderError:
                wrong = None
            if _scalar_number(wrong):
                row[mistake_names[i]] = _number_text(wrong)
            else:
                usable_mistakes[i] = False
        signature = tuple(sorted(row.items()))
        if signature in seen:
            continue
        seen.add(signature)
        rows.append(row)
        keys.append(key)
    if not rows:
        raise GraderError(_("не удалось получить ни одного варианта"), code="no_variants")
    if len(rows) < variants:
        sink.append(
            _export_problem(
                bank_slug,
                entry,
                _("получено только %(n_rows)s различных вариантов из %(variants)s")
                % {"n_rows": len(rows), "variants": variants},
            )
        )

    def substitute(template: str) -> str:
        def replace(match: re.Match) -> str:
            inner = match.group(1)
            expr, sep, fmt = inner.partition(":")
            pair = (expr.strip(), fmt.strip() if sep else None)
            return "{" + wildcard_of[pair] + "}"

        if not wildcard_of:
            return native_to_html(PLACEHOLDER.sub(replace, template or ""))
        # A literal «{z}» (TeX: e^{z}) would be read by Moodle as the wildcard z: «{ z}» is the
        # same to TeX and no wildcard. Only the text between placeholders is touched.
        literal = re.compile(
            r"\{(" + "|".join(map(re.escape, sorted(set(wildcard_of.values())))) + r")\}"
        )
        text, out, last = template or "", [], 0
        for match in PLACEHOLDER.finditer(text):
            out += [literal.sub(r"{ \1}", text[last : match.start()]), replace(match)]
            last = match.end()
        out.append(literal.sub(r"{ \1}", text[last:]))
        return native_to_html("".join(out))

    question = _question_shell(
        entry, "calculated", substitute(texts["text"]), substitute(texts["solution"])
    )
    _simple(question, "synchronize", "0")
    _simple(question, "single", "0")
    _simple(question, "answernumbering", "abc")
    _simple(question, "shuffleanswers", "0")
    tolerance_type, tolerance, note = _moodle_tolerance(spec.get("tolerance"), keys)
    if note:
        sink.append(_export_problem(bank_slug, entry, note))
    all_int = all(isinstance(k, int) for k in keys)
    answers = [("ans", 100.0, "")]
    for i, mistake in enumerate(mistakes):
        if usable_mistakes[i]:
            answers.append((mistake_names[i], 0.0, substitute(mistake.get("feedback", ""))))
        else:
            sink.append(
                _export_problem(
                    bank_slug, entry, _("типичная ошибка №%(i)s не экспортирована") % {"i": i + 1}
                )
            )
    for name, fraction, feedback in answers:
        answer = _text_element(question, "answer", "{" + name + "}", fmt="moodle_auto_format")
        answer.set("fraction", _fraction_text(fraction))
        _simple(answer, "tolerance", _number_text(tolerance))
        _simple(answer, "tolerancetype", str(tolerance_type))
        _simple(answer, "correctanswerformat", "1" if all_int else "2")
        _simple(answer, "correctanswerlength", "0" if all_int else "4")
        _text_element(answer, "feedback", feedback)
    _without_units(question)
    definitions = ET.SubElement(question, "dataset_definitions")
    columns = [*wildcard_of.values(), "ans"] + [
        mistake_names[i] for i in range(len(mistakes)) if usable_mistakes[i]
    ]
    for name in columns:
        column = [row[name] for row in rows]
        numbers = [float(v) for v in column]
        # counted as the importer counts them, so a round trip keeps the dataset's decimals
        decimals = [d for d in (decimals_of(v) for v in column) if d is not None]
        definition = ET.SubElement(definitions, "dataset_definition")
        _text_element(definition, "status", "private", fmt=None)
        _text_element(definition, "name", name, fmt=None)
        _simple(definition, "type", "calculated")
        _text_element(definition, "distribution", "uniform", fmt=None)
        _text_element(definition, "minimum", _number_text(min(numbers)), fmt=None)
        _text_element(definition, "maximum", _number_text(max(numbers)), fmt=None)
        _text_element(definition, "decimals", str(min(max(decimals, default=0), 10)), fmt=None)
        _simple(definition, "itemcount", len(column))
        items = ET.SubElement(definition, "dataset_items")
        for number, value in enumerate(column, start=1):
            item = ET.SubElement(items, "dataset_item")
            _simple(item, "number", number)
            _simple(item, "value", value)
        _simple(definition, "number_of_items", len(column))
    hints = [substitute(h) for h in texts["hints"]]
    return _finish(question, entry, hints, [_tolerance_tag(spec.get("tolerance"))])
