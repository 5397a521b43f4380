"""Grading: a spec, a seed and the student's raw text in; plain data out.

``grade(spec, seed, raw)`` regenerates the variant from the seed, recomputes the key with the
engines, parses the answer (a format error gives status ``invalid``, never a wrong answer),
compares with tolerance, looks for the spec's typical mistakes when the answer is not right, and
renders the worked solution with the student's own numbers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from grader import kinds
from grader.errors import EngineError, ParseError, SpecError
from grader.i18n import _
from grader.kinds import matching, multipart
from grader.kinds.choice import option_feedback
from grader.templating import localize_text, render
from grader.variants import Variant, compute_value, derived_scales, variant

__all__ = [
    "GradeResult",
    "grade",
    "present",
    "preview",
    "Presented",
    "check_spec",
    "mistake_value",
    "localize_display",
    "localize_preview",
    "score_answer",
    "raw_limit",
]

MAX_RAW_LENGTH = 2000


def _refuse_too_long(raw: str, *, preview: bool = False) -> None:
    """An answer over :data:`MAX_RAW_LENGTH` is unreadable, said as a verdict or as a preview."""
    if len(raw) > MAX_RAW_LENGTH:
        message = (
            _("Ответ длиннее %(max_raw_length)s символов.")
            if preview
            else _("Ответ слишком длинный (больше %(max_raw_length)s символов).")
        )
        raise ParseError(message % {"max_raw_length": MAX_RAW_LENGTH}, code="too_long")


def raw_limit(spec: dict) -> int:
    """How many characters an answer to ``spec`` may have: an essay's own ``max_length``,
    :data:`MAX_RAW_LENGTH` for every other kind (a formula or a number is never that long).

    >>> raw_limit({"kind": "numeric"}), raw_limit({"kind": "essay", "max_length": 8000})
    (2000, 8000)
    """
    kind = kinds.get(spec.get("kind"))
    if getattr(kind, "MANUAL", False):
        return kind.max_length(spec)
    return MAX_RAW_LENGTH


@dataclass(frozen=True)
class GradeResult:
    status: str  # "graded", "invalid" or "manual" (an essay: the instructor scores it, score None)
    score: float | None = 0.0
    correct: bool = False
    expected: object = None
    expected_display: str = ""
    parsed_display: str = ""
    feedback: str = ""
    mistake: dict | None = None
    parts: list = field(default_factory=list)
    params: dict = field(default_factory=dict)
    solution: str = ""
    error: dict | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Presented:
    """What a student sees of a variant: text, options in display order, hints, input help."""

    kind: str
    text: str
    params: dict
    options: list = field(default_factory=list)  # [{"index": i, "text": ...}] in display order
    hints: list = field(default_factory=list)
    input_hint: str = ""
    answer_shape: list | None = None
    stems: list = field(default_factory=list)  # matching: [{"index": i, "text": ...}] shown
    # multipart: each field {name, number, kind, label, input_hint, options, answer_shape}
    parts: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def present(spec: dict, seed: int | None) -> Presented:
    """Render the question of the variant ``seed`` (``None``: the default variant)."""
    kind = kinds.get(spec.get("kind"))
    var = variant(spec, seed)
    values = var.values
    scales = derived_scales(spec, values)
    options = _options(spec, var, scales)
    stems = []
    if spec.get("kind") == "matching":
        # The answer choices take the place of options; the stems are listed beside them.
        stems, options = matching.shown(
            spec, var.seed, lambda template: render(template, values, scales=scales)
        )
    shape = None
    if spec.get("kind") in ("vector", "matrix"):
        shape = list(_shape(kind.expected(spec, values)))
    text_field = "front" if spec.get("kind") == "flashcard" else "text"
    text = spec.get(text_field, "")
    parts = []
    if spec.get("kind") == "multipart":
        text = multipart.replace_markers(text, spec)
        parts = _present_parts(spec, var, scales)
    return Presented(
        kind=spec["kind"],
        text=render(text, values, scales=scales),
        params=var.params,
        options=options,
        hints=[render(h, values, scales=scales) for h in spec.get("hints") or []],
        input_hint=_hint(kind, spec),
        answer_shape=shape,
        stems=stems,
        parts=parts,
    )


def _options(spec: dict, var: Variant, scales: dict, stream: tuple = ()) -> list[dict]:
    return [
        {"index": i, "text": render(spec["options"][i].get("text", ""), var.values, scales=scales)}
        for i in _option_order(spec, var, stream)
    ]


def _present_parts(spec: dict, var: Variant, scales: dict) -> list[dict]:
    shown = []
    for number, part in enumerate(multipart.parts_of(spec), start=1):
        kind = multipart.part_kind(part)
        pspec = multipart.part_spec(spec, part)
        shape = None
        if part.get("kind") in ("vector", "matrix"):
            shape = list(_shape(_part_expected(kind, pspec, part, var.values)))
        shown.append(
            {
                "name": part.get("name"),
                "number": number,
                "kind": part.get("kind"),
                "label": render(part.get("label") or "", var.values, scales=scales),
                "input_hint": _hint(kind, pspec),
                # each field its own shuffle, so one field's options never move another's
                "options": _options(pspec, var, scales, stream=(number,)),
                "answer_shape": shape,
            }
        )
    return shown


def _hint(kind, spec: dict) -> str:
    # Kinds keep INPUT_HINT untranslated (marked at import, before a translator is installed);
    # an empty hint must not reach gettext, which maps "" to the catalogue's header.
    own = getattr(kind, "input_hint", None)
    if own is not None:
        return own(spec)  # translated by the kind, with the spec's own words (units)
    hint = getattr(kind, "INPUT_HINT", "")
    return _(hint) if hint else ""


def _shape(value) -> tuple:
    import numpy as np

    return np.shape(value)


def _option_order(spec: dict, var: Variant, stream: tuple = ()) -> list[int]:
    count = len(spec.get("options") or [])
    if var.seed is None or not spec.get("shuffle", True) or count < 2:
        return list(range(count))
    import numpy as np

    # A separate stream from the parameters' so adding options never changes the numbers.
    rng = np.random.Generator(np.random.PCG64([var.seed, 1, *stream]))
    return [int(i) for i in rng.permutation(count)]


def grade(spec: dict, seed: int | None, raw: str) -> GradeResult:
    """Grade ``raw`` for the variant ``seed`` of ``spec``. A broken spec raises SpecError."""
    kind = kinds.get(spec.get("kind"))
    if spec.get("kind") == "multipart":
        return _grade_multipart(spec, seed, raw)
    var = variant(spec, seed)
    values = var.values
    expected = _expected(kind, spec, values)
    context = {**values, "answer": _plain(expected)}
    scales = derived_scales(spec, values)
    expected_display = kind.display(expected, spec)
    # «Ответ: {{ answer }}» in a solution is the key exactly as shown as the key.
    shown = {"answer": expected_display[1:-1]} if _is_math(expected_display) else {}
    if spec.get("kind") == "matching":
        shown = {"answer": expected_display}  # the pairs, not the list of choice indices
    solution = render(
        spec.get("solution", "") or spec.get("back", "") or "", context, scales=scales, shown=shown
    )
    common = dict(
        expected=_plain(expected),
        expected_display=expected_display,
        params=var.params,
        solution=solution,
    )
    if getattr(kind, "NO_ANSWER", False):
        # An information item: nothing to answer, so nothing can be wrong (docs/spec.md).
        return GradeResult(status="graded", score=1.0, correct=True, **common)
    raw = raw if isinstance(raw, str) else ""
    if getattr(kind, "MANUAL", False):
        return _grade_manual(kind, spec, raw, common)
    try:
        _refuse_too_long(raw)
        parsed = kind.parse(raw, spec, expected)
        shape_error = _shape_error(kind, parsed, expected)
        mistake = None
        if shape_error is not None:
            # Another shape is unreadable (``42`` for a vector), not wrong, unless it is one of
            # the question's typical mistakes: then it is a recognised wrong answer.
            mistake = _find_mistake(kind, spec, parsed, expected, values)
            if mistake is None:
                raise shape_error
    except ParseError as exc:
        return GradeResult(status="invalid", feedback=exc.message, error=exc.as_dict(), **common)

    outcome = score_answer(kind, parsed, expected, spec, values)
    if outcome.feedback:
        outcome = replace(outcome, feedback=render(outcome.feedback, values, scales=scales))
    if mistake is None and not outcome.correct:
        mistake = _find_mistake(kind, spec, parsed, expected, values)
    feedback = _feedback(outcome, mistake)
    if spec.get("kind") in ("single_choice", "multiple_choice"):
        # An option's feedback is a template like its text (an imported calculatedmulti's is).
        chosen = option_feedback(spec, parsed.value)
        feedback = " ".join([feedback, *(render(f, values, scales=scales) for f in chosen)])
    return GradeResult(
        status="graded",
        score=round(float(outcome.score), 6),
        correct=outcome.correct,
        parsed_display=str(getattr(parsed, "display", "")),
        feedback=feedback,
        mistake=mistake,
        parts=list(outcome.parts),
        **common,
    )


def _grade_manual(kind, spec: dict, raw: str, common: dict) -> GradeResult:
    """An essay: kept for the instructor (status ``manual``, no score); a blank one is unanswered
    and earns nothing; one over its length is unreadable, as for every kind."""
    limit = kind.max_length(spec)
    if len(raw) > limit:
        exc = ParseError(
            _("Ответ слишком длинный (больше %(max_raw_length)s символов).")
            % {"max_raw_length": limit},
            code="too_long",
        )
        return GradeResult(status="invalid", feedback=exc.message, error=exc.as_dict(), **common)
    parsed = kind.parse(raw, spec, None)
    if not parsed.value:
        return GradeResult(status="graded", score=0.0, feedback=_("Ответ не дан."), **common)
    return GradeResult(
        status="manual",
        score=None,
        parsed_display=parsed.display,
        feedback=_("Ответ ждёт проверки преподавателем."),
        **common,
    )


def score_answer(kind, parsed, expected, spec: dict, values: dict):
    """``kind.score``, given the variant's values when the kind computes more than its key from
    them (``USES_VALUES``: a numeric question's partial-credit alternatives)."""
    if getattr(kind, "USES_VALUES", False):
        return kind.score(parsed, expected, spec, values=values)
    return kind.score(parsed, expected, spec)


def _is_math(text: str) -> bool:
    return len(text) > 2 and text.startswith("$") and text.endswith("$") and "$" not in text[1:-1]


def _expected(kind, spec: dict, values: dict):
    """The key of a variant; an engine refusing the key's own numbers is the spec's fault."""
    try:
        return kind.expected(spec, values)
    except EngineError as exc:
        raise SpecError(_("ответ: %(message)s") % {"message": exc.message}, code=exc.code) from exc


def mistake_value(kind, spec: dict, index: int, values: dict):
    """The value a student who makes typical mistake ``index`` would give for these values."""
    definition = (spec.get("mistakes") or [])[index].get("answer")
    where = f"mistakes[{index}]"
    value_of = getattr(kind, "value_of", None)
    if value_of is not None:
        return value_of(definition, spec, values, where=where)
    return compute_value(definition, values, where=where)


def preview(spec: dict, seed: int | None, raw: str, *, decimal: str = ".") -> dict:
    """How ``raw`` would be understood, before it is submitted: nothing is graded or revealed.

    ``{"ok": True, "display": "0,95 → 0.95"}`` or ``{"ok": False, "message": …, "code": …}``;
    with ``decimal=","`` the understood value is written with the comma («1.5 → 1,5»,
    «(0,5; 1,5)»), and a number typed as it is shown is not repeated.
    """
    kind = kinds.get(spec.get("kind"))
    if spec.get("kind") == "flashcard" or getattr(kind, "NO_ANSWER", False):
        return {"ok": True, "display": ""}
    if getattr(kind, "MANUAL", False):
        # Any text is readable; only the length is checked before it is sent.
        raw = raw if isinstance(raw, str) else ""
        if len(raw) > kind.max_length(spec):
            return {
                "ok": False,
                "message": _("Ответ длиннее %(max_raw_length)s символов.")
                % {"max_raw_length": kind.max_length(spec)},
                "code": "too_long",
            }
        return {"ok": True, "display": ""}
    if spec.get("kind") == "multipart":
        return _preview_multipart(spec, seed, raw, decimal)
    expected = _expected(kind, spec, variant(spec, seed).values)
    raw = raw if isinstance(raw, str) else ""
    if not raw.strip():
        return {"ok": False, "message": "", "code": "empty"}
    try:
        _refuse_too_long(raw, preview=True)
        parsed = kind.parse(raw, spec, expected)
        shape_error = _shape_error(kind, parsed, expected)
        if shape_error is not None:
            raise shape_error
    except ParseError as exc:
        return {"ok": False, "message": exc.message, "code": exc.code}
    return {"ok": True, "display": localize_display(str(getattr(parsed, "display", "")), decimal)}


def localize_preview(result: dict, decimal: str) -> dict:
    """A preview's displays in ``decimal``: the whole one and, for several fields, each field's."""
    if result.get("parts"):
        parts = [
            {**p, "display": localize_display(p["display"], decimal)} if p.get("display") else p
            for p in result["parts"]
        ]
        shown = [f"({p['number']}) {p['display']}" for p in parts if p.get("display")]
        return {**result, "parts": parts, **({"display": "; ".join(shown)} if shown else {})}
    if result.get("display"):
        return {**result, "display": localize_display(result["display"], decimal)}
    return result


def localize_display(display: str, decimal: str) -> str:
    """How an answer was understood («0,95 → 0.95», stored as ``parsed_display``), in ``decimal``.

    >>> localize_display("1.5 → 1.5", ","), localize_display("вектор: (0.5, 2)", ",")
    ('1,5', 'вектор: (0,5; 2)')
    """
    text = localize_text(display, decimal)
    typed, arrow, shown = text.partition(" → ")
    return shown if arrow and typed.strip() == shown.strip() else text


def _shape_error(kind, parsed, expected) -> ParseError | None:
    """A vector or matrix answer of another shape than the key's (other kinds have none)."""
    check = getattr(kind, "shape_error", None)
    return None if check is None else check(parsed, expected)


def _find_mistake(kind, spec: dict, parsed, expected, values: dict) -> dict | None:
    for index, mistake in enumerate(spec.get("mistakes") or []):
        try:
            wrong = mistake_value(kind, spec, index, values)
        except (EngineError, SpecError):
            continue  # a typical mistake that cannot be computed for this variant never matches
        if kind.matches(parsed, wrong, spec) and not kind.matches(parsed, expected, spec):
            return {
                "id": mistake.get("id") or f"mistake_{index}",
                "feedback": render(
                    mistake.get("feedback", ""), values, scales=derived_scales(spec, values)
                ),
                "value": _plain(wrong),
            }
    return None


def _feedback(outcome, mistake: dict | None) -> str:
    if outcome.correct:
        # A right answer may still carry a note (a short text accepted with a typo).
        said = [_("Верно."), outcome.message, outcome.feedback]
        return " ".join(part for part in said if part)
    parts = []
    if outcome.message:
        # A kind's message is a clause («ожидался вектор из 3 элементов, получен 1»): it ends
        # its sentence here, so the verdict after it is not glued on.
        message = outcome.message.rstrip()
        parts.append(message if message.endswith((".", "!", "?", "…")) else f"{message}.")
    if 0 < outcome.score < 1 and not outcome.partial_by_parts:
        parts.append(
            _("Частично верно: %(percent)s балла.")
            % {"percent": f"{round(outcome.score * 100, 2):g} %"}
        )
    elif 0 < outcome.score < 1:
        right = sum(1 for p in outcome.parts if p)
        parts.append(
            _("Частично верно: %(right)s из %(n_parts)s.")
            % {"right": right, "n_parts": len(outcome.parts)}
        )
    else:
        parts.append(_("Неверно."))
    if outcome.feedback:
        parts.append(outcome.feedback)
    if mistake and mistake["feedback"]:
        parts.append(mistake["feedback"])
    return " ".join(parts)


def _plain(value):
    """The key as JSON: SymPy expressions become their text."""
    if hasattr(value, "free_symbols"):
        import sympy

        return sympy.sstr(value)
    return value


def check_spec(spec: dict, *, samples: int = 20) -> list[str]:
    """Grade each self-test submission on the default and ``samples`` random variants.

    Returns the problems found (in Russian); an empty list means the spec behaves.
    """
    kind = kinds.get(spec.get("kind"))
    problems = []
    if getattr(kind, "NO_ANSWER", False) or getattr(kind, "MANUAL", False):
        return problems  # no key and no answer: nothing to test (its texts render in present)
    for seed in [None, *range(samples)]:
        where = _("вариант по умолчанию") if seed is None else f"seed {seed}"
        try:
            var = variant(spec, seed)
            expected = kind.expected(spec, var.values)
            test = kind.self_test(spec, expected)
            results = {
                "correct": grade(spec, seed, test.correct),
                "wrong": grade(spec, seed, test.wrong),
            }
        except (SpecError, EngineError) as exc:
            problems.append(f"{where}: {exc.message}")
            continue
        if not results["correct"].correct and spec.get("kind") != "flashcard":
            problems.append(
                _("%(where)s: верный ответ %(correct)r не засчитан")
                % {"where": where, "correct": test.correct}
            )
        if results["wrong"].correct:
            problems.append(
                _("%(where)s: неверный ответ %(wrong)r засчитан")
                % {"where": where, "wrong": test.wrong}
            )
        if test.invalid is not None and grade(spec, seed, test.invalid).status != "invalid":
            problems.append(
                _("%(where)s: некорректный ввод %(invalid)r принят")
                % {"where": where, "invalid": test.invalid}
            )
    return problems


# --- several answer fields (kind "multipart", grader/kinds/multipart.py) ---------------------


def _part_expected(kind, pspec: dict, part: dict, values: dict):
    try:
        return _expected(kind, pspec, values)
    except SpecError as exc:
        raise SpecError(
            _("поле %(name)s: %(message)s") % {"name": part.get("name"), "message": exc.message},
            code=exc.code,
        ) from exc


def _fields(spec: dict, values: dict) -> list[tuple]:
    """(number, part, kind module, part spec, key) of every field, in the parts' order."""
    fields = []
    for number, part in enumerate(multipart.parts_of(spec), start=1):
        kind = multipart.part_kind(part)
        pspec = multipart.part_spec(spec, part)
        fields.append((number, part, kind, pspec, _part_expected(kind, pspec, part, values)))
    return fields


def _read_part(field_: tuple, text: str, values: dict):
    """A field's answer → (parsed or None when blank, typical mistake of another shape or None)."""
    number, part, kind, pspec, key = field_
    if not text.strip():
        return None, None
    try:
        parsed = kind.parse(text, pspec, key)
        shape_error = _shape_error(kind, parsed, key)
        mistake = None
        if shape_error is not None:
            mistake = _find_mistake(kind, pspec, parsed, key, values)
            if mistake is None:
                raise shape_error
    except ParseError as exc:
        raise multipart.part_error(number, part.get("name"), exc) from exc
    return parsed, mistake


def _grade_multipart(spec: dict, seed: int | None, raw: str) -> GradeResult:
    var = variant(spec, seed)
    values = var.values
    scales = derived_scales(spec, values)
    fields = _fields(spec, values)
    shown_keys = [kind.display(key, pspec) for _n, _p, kind, pspec, key in fields]
    common = dict(
        expected={part.get("name"): _plain(key) for _n, part, _k, _s, key in fields},
        expected_display="; ".join(f"({n}) {shown}" for n, shown in enumerate(shown_keys, 1)),
        params=var.params,
        solution=render(spec.get("solution", "") or "", values, scales=scales),
    )
    raw = raw if isinstance(raw, str) else ""
    try:
        _refuse_too_long(raw)
        texts = multipart.raw_parts(raw, spec)
        # Every field is read before any is graded: one unreadable field makes the answer
        # unreadable (never wrong), whatever the other fields say.
        readings = [_read_part(f, texts[f[1].get("name")], values) for f in fields]
    except ParseError as exc:
        return GradeResult(status="invalid", feedback=exc.message, error=exc.as_dict(), **common)

    results, total, got, first_mistake = [], 0.0, 0.0, None
    for (number, part, kind, pspec, key), (parsed, mistake), shown_key in zip(
        fields, readings, shown_keys, strict=True
    ):
        weight = multipart.weight(part)
        total += weight
        own = render(part.get("feedback") or "", values, scales=scales)
        row = {
            "name": part.get("name"),
            "number": number,
            "expected_display": shown_key,
            "mistake": None,
        }
        if parsed is None:
            note = _("Нет ответа.")
            results.append(
                {**row, "status": "empty", "score": 0.0, "correct": False,
                 "parsed_display": "", "feedback": " ".join(filter(None, [note, own]))}
            )  # fmt: skip
            continue
        outcome = score_answer(kind, parsed, key, pspec, values)
        if mistake is None and not outcome.correct:
            mistake = _find_mistake(kind, pspec, parsed, key, values)
        if mistake is not None:
            mistake = {**mistake, "id": f"{part.get('name')}:{mistake['id']}"}
            first_mistake = first_mistake or mistake
        feedback = [_feedback(outcome, mistake)]
        if part.get("kind") in ("single_choice", "multiple_choice"):
            chosen = option_feedback(pspec, parsed.value)
            feedback += [render(f, values, scales=scales) for f in chosen]
        got += weight * float(outcome.score)
        results.append(
            {**row, "status": "graded", "score": round(float(outcome.score), 6),
             "correct": outcome.correct, "parsed_display": _part_reading(part, pspec, parsed,
                                                                          values, scales),
             "feedback": " ".join(filter(None, [*feedback, own])), "mistake": mistake}
        )  # fmt: skip
    score = got / total if total else 0.0
    correct = all(r["correct"] for r in results)
    if correct:
        verdict = _("Верно.")
    elif score > 0:
        verdict = _("Частично верно: %(right)s из %(n_parts)s полей.") % {
            "right": sum(1 for r in results if r["correct"]),
            "n_parts": len(results),
        }
    else:
        verdict = _("Неверно.")
    details = [f"({r['number']}) {r['feedback']}" for r in results if r["feedback"]]
    return GradeResult(
        status="graded",
        score=round(score, 6),
        correct=correct,
        parsed_display="; ".join(f"({r['number']}) {r['parsed_display'] or '—'}" for r in results),
        feedback=" ".join([verdict, *details]),
        mistake=first_mistake,
        parts=results,
        **common,
    )


def _part_reading(part: dict, pspec: dict, parsed, values: dict, scales: dict) -> str:
    """How a field's answer was read: a choice field names the chosen options by their text
    («не меняется»), not by their numbers; any other field as its kind displays it."""
    if part.get("kind") in ("single_choice", "multiple_choice"):
        options = pspec.get("options") or []
        return "; ".join(
            render(options[i].get("text", ""), values, scales=scales)
            for i in parsed.value
            if i < len(options)
        )
    return str(getattr(parsed, "display", ""))


def _preview_multipart(spec: dict, seed: int | None, raw: str, decimal: str) -> dict:
    """Each field's preview (``parts``) and the whole: the first unreadable field, if any."""
    raw = raw if isinstance(raw, str) else ""
    if not raw.strip():
        return {"ok": False, "message": "", "code": "empty"}
    try:
        _refuse_too_long(raw, preview=True)
        texts = multipart.raw_parts(raw, spec)
    except ParseError as exc:
        return {"ok": False, "message": exc.message, "code": exc.code}
    values = variant(spec, seed).values
    parts, first_error = [], None
    for field_ in _fields(spec, values):
        number, part = field_[0], field_[1]
        row = {"name": part.get("name"), "number": number}
        text = texts[part.get("name")]
        if not text.strip():
            parts.append({**row, "ok": False, "message": "", "code": "empty"})
            continue
        number, part, kind, pspec, key = field_
        try:
            parsed = kind.parse(text, pspec, key)
            shape_error = _shape_error(kind, parsed, key)
            if shape_error is not None:
                raise shape_error
        except ParseError as exc:
            error = multipart.part_error(number, part.get("name"), exc)
            first_error = first_error or error
            parts.append({**row, "ok": False, "message": error.message, "code": exc.code})
            continue
        shown = localize_display(str(getattr(parsed, "display", "")), decimal)
        parts.append({**row, "ok": True, "display": shown})
    if first_error is not None:
        return {"ok": False, "message": first_error.message, "code": first_error.code,
                "parts": parts}  # fmt: skip
    shown = [f"({p['number']}) {p['display']}" for p in parts if p["ok"]]
    if not shown:
        return {"ok": False, "message": "", "code": "empty", "parts": parts}
    return {"ok": True, "display": "; ".join(shown), "parts": parts}
