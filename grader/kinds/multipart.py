"""A question with several answer fields ("parts"), each of its own kind, sharing the variant.

The spec lists ``parts: [{name, kind, label, weight, feedback, …the kind's own fields}]``; the
question's ``params``/``derived``/``constraints`` and its solution are shared. ``[[name]]`` in the
text marks where a part's field stands (shown as ``(1)``, ``(2)``…).

The raw answer is a JSON object, part name → that part's raw text as its kind reads it
(``{"h": "5", "p": "0"}``); a missing or blank part is unanswered (scored 0, not unreadable).
The score is the weighted mean of the parts' scores; the answer is right when every part is.
Per-part grading (typical mistakes, option feedback, another shape) lives in
:mod:`grader.grading`, which grades each part exactly as a question of that kind.

>>> spec = {"kind": "multipart", "parts": [
...     {"name": "h", "kind": "numeric", "answer": {"value": 5}},
...     {"name": "p", "kind": "numeric", "answer": {"value": 10}, "weight": 3}]}
>>> parse('{"h": "5"}', spec, expected(spec, {})).display
'(1) 5; (2) —'
>>> score(parse('{"h": "5", "p": "9"}', spec, expected(spec, {})), expected(spec, {}), spec).score
0.25
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

from grader.errors import ParseError, SpecError
from grader.i18n import _
from grader.kinds.base import Outcome, SelfTest

__all__ = [
    "MARKER",
    "PART_KINDS",
    "PART_META_KEYS",
    "SHARED_KEYS",
    "expected",
    "parse",
    "part_kind",
    "part_spec",
    "parts_of",
    "raw_parts",
    "replace_markers",
    "score",
]

INPUT_HINT = ""
PART_KINDS = (
    "numeric",
    "vector",
    "matrix",
    "expression",
    "short_text",
    "single_choice",
    "multiple_choice",
)
# The question's fields a part's kind also sees: the variant is the question's.
SHARED_KEYS = ("params", "derived", "constraints")
# A part's own fields that are not its kind's.
PART_META_KEYS = ("name", "label", "weight", "feedback")
MARKER = re.compile(r"\[\[([A-Za-z][A-Za-z0-9_]{0,39})\]\]")


def parts_of(spec: dict) -> list[dict]:
    parts = spec.get("parts") or []
    if not parts or not all(isinstance(p, dict) for p in parts):
        raise SpecError(_("у вопроса из нескольких полей нет полей (parts)"), code="no_parts")
    return parts


def part_spec(spec: dict, part: dict) -> dict:
    """The spec a part is graded with: its own fields and the question's variant definition."""
    own = {k: v for k, v in part.items() if k not in PART_META_KEYS}
    return {**{k: spec[k] for k in SHARED_KEYS if k in spec}, **own}


def part_kind(part: dict):
    kind = part.get("kind")
    if kind not in PART_KINDS:
        raise SpecError(
            _("поле %(name)s: тип %(kind)r не может быть полем; допустимы: %(kinds)s")
            % {"name": part.get("name"), "kind": kind, "kinds": ", ".join(PART_KINDS)},
            code="bad_part_kind",
        )
    from grader import kinds  # the registry imports this module

    return kinds.get(kind)


def weight(part: dict) -> float:
    value = part.get("weight", 1)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise SpecError(
            _("поле %(name)s: вес должен быть положительным числом") % {"name": part.get("name")},
            code="bad_weight",
        )
    return float(value)


def replace_markers(text: str, spec: dict) -> str:
    """``[[name]]`` → ``(n)``, the part's number; other double brackets are left as written."""
    numbers = {p.get("name"): n for n, p in enumerate(parts_of(spec), start=1)}

    def number(match: re.Match) -> str:
        n = numbers.get(match.group(1))
        return match.group(0) if n is None else f"({n})"

    return MARKER.sub(number, text or "")


def expected(spec: dict, values: dict) -> dict:
    """Each part's key, by part name, in the parts' order."""
    keys = {}
    for part in parts_of(spec):
        kind = part_kind(part)
        try:
            keys[part.get("name")] = kind.expected(part_spec(spec, part), values)
        except SpecError as exc:
            raise SpecError(
                _("поле %(name)s: %(message)s")
                % {"name": part.get("name"), "message": exc.message},
                code=exc.code,
            ) from exc
    return keys


def raw_parts(raw: str, spec: dict) -> dict[str, str]:
    """The answer's JSON object → part name → raw text ('' for a part not answered)."""
    try:
        data = json.loads(raw) if (raw or "").strip() else {}
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise ParseError(
            _("Ответ на вопрос из нескольких полей — объект JSON: имя поля → ответ."),
            code="bad_parts",
        )
    names = [p.get("name") for p in parts_of(spec)]
    unknown = [str(k) for k in data if k not in names]
    if unknown:
        raise ParseError(
            _("В ответе есть поля, которых нет в вопросе: %(names)s.")
            % {"names": ", ".join(unknown[:5])},
            code="bad_parts",
        )
    texts = {}
    for name in names:
        value = data.get(name)
        if value is None:
            value = ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ParseError(
                _("Ответ в поле %(name)s должен быть текстом.") % {"name": name},
                code="bad_parts",
            )
        texts[name] = str(value)
    return texts


def part_error(number: int, name: str, exc: ParseError) -> ParseError:
    """A part's format error, naming the field as the student sees it: «Поле (2): …»."""
    return ParseError(
        _("Поле (%(number)s): %(message)s") % {"number": number, "message": exc.message},
        code=exc.code,
        part=name,
        number=number,
        **exc.details,
    )


def parse(raw: str, spec: dict, expected):
    """→ ``value``: part name → the part kind's parsed answer, or None when left blank.

    An unreadable part (including another shape than its key's) is a :class:`ParseError`
    naming the field; :mod:`grader.grading` reads the parts itself to let a typical mistake of
    another shape through, as for a question of that kind.
    """
    texts = raw_parts(raw, spec)
    parsed, shown = {}, []
    for number, part in enumerate(parts_of(spec), start=1):
        name = part.get("name")
        text = texts[name]
        if not text.strip():
            parsed[name] = None
            shown.append(f"({number}) —")
            continue
        kind = part_kind(part)
        pspec = part_spec(spec, part)
        try:
            value = kind.parse(text, pspec, expected[name])
            check = getattr(kind, "shape_error", None)
            error = check(value, expected[name]) if check is not None else None
            if error is not None:
                raise error
        except ParseError as exc:
            raise part_error(number, name, exc) from exc
        parsed[name] = value
        shown.append(f"({number}) {getattr(value, 'display', '')}")
    return SimpleNamespace(kind="multipart", value=parsed, display="; ".join(shown))


# A field's numeric alternatives are computed from the variant's values, like its key.
USES_VALUES = True


def score(parsed, expected, spec: dict, values: dict | None = None) -> Outcome:
    """Weighted mean of the parts' scores; ``parts`` is each part's right/wrong."""
    total = got = 0.0
    marks = []
    for part in parts_of(spec):
        name = part.get("name")
        w = weight(part)
        total += w
        value = parsed.value.get(name)
        if value is None:
            marks.append(False)
            continue
        kind = part_kind(part)
        pspec = part_spec(spec, part)
        if getattr(kind, "USES_VALUES", False):
            outcome = kind.score(value, expected[name], pspec, values=values or {})
        else:
            outcome = kind.score(value, expected[name], pspec)
        got += w * outcome.score
        marks.append(outcome.correct)
    return Outcome(score=got / total if total else 0.0, parts=marks)


def matches(parsed, value, spec: dict) -> bool:
    return all(
        parsed.value.get(p.get("name")) is not None
        and part_kind(p).matches(
            parsed.value[p.get("name")], value[p.get("name")], part_spec(spec, p)
        )
        for p in parts_of(spec)
    )


def display(value, spec: dict) -> str:
    return "; ".join(
        f"({n}) {part_kind(p).display(value[p.get('name')], part_spec(spec, p))}"
        for n, p in enumerate(parts_of(spec), start=1)
    )


def self_test(spec: dict, expected) -> SelfTest:
    """Every part right; every part wrong; the first part with an unreadable input unreadable."""
    right, wrong, invalid = {}, {}, None
    for part in parts_of(spec):
        name = part.get("name")
        test = part_kind(part).self_test(part_spec(spec, part), expected[name])
        right[name], wrong[name] = test.correct, test.wrong
        # A blank field is unanswered here, not unreadable (a short answer's own «invalid» is
        # whitespace): only a field with a readable-looking wrong input tests the reading.
        if invalid is None and test.invalid is not None and test.invalid.strip():
            invalid = {name: test.invalid}
    return SelfTest(
        correct=json.dumps(right, ensure_ascii=False),
        wrong=json.dumps(wrong, ensure_ascii=False),
        invalid=json.dumps(invalid, ensure_ascii=False) if invalid is not None else "[]",
    )
