"""The native YAML bank format: parse, validate the schema and the references, report every problem.

``parse_bank(text, filename)`` returns an :class:`ImportResult` whose problems carry
``file:line:column``; nothing is stored here. The slower variant checks (200 variants per
template) live in :mod:`question_bank.validation`.
"""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext as _
from pydantic import ValidationError

from grader.engines import get as get_engine
from grader.engines.registry import unknown_name_message
from grader.errors import GraderError
from grader.expr import names_in, parse_expression
from grader.templating import placeholders
from question_bank.formats.common import (
    FORMAT_TAG,
    ImportResult,
    Problem,
    QuestionRef,
    refused,
    skip_invalid_questions,
)
from question_bank.formats.schema import BankFile, translate_error
from question_bank.formats.yaml_positions import YamlError, load_with_positions

__all__ = ["parse_bank", "MAX_BYTES"]

MAX_BYTES = 2 * 1024 * 1024
TEXT_FIELDS = ("text", "front", "back", "solution")
# Literal option values of engine arguments. A parameter or derived value with one of these names
# would silently replace the literal (``padding: same`` would mean the value named same).
OPTION_WORDS = frozenset(
    "sigmoid tanh relu leaky_relu linear rnn lstm gru pytorch keras same valid full sequential "
    "mean sum half_sum half_sse mse bce sgd momentum nesterov rmsprop adam adamw max avg "
    "xavier_uniform xavier_normal he_uniform he_normal".split()
)


class _Locator:
    def __init__(self, filename: str, data, positions: dict):
        self.filename, self.data, self.positions = filename, data, positions

    def real_path(self, loc) -> tuple:
        """Drop the union-member names pydantic puts into error locations."""
        path, node = [], self.data
        for part in loc:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                continue
            path.append(part)
        return tuple(path)

    def problem(self, path: tuple, message: str, code: str = "invalid", severity="error"):
        for end in range(len(path), -1, -1):
            if path[:end] in self.positions:
                line, column = self.positions[path[:end]]
                break
        else:
            line = column = None
        label = _label(path)
        text = f"{label}: {message}" if label else message
        problem = Problem(self.filename, line, column, text, code=code, severity=severity)
        return replace(problem, question=self.question_ref(path))

    def question_ref(self, path: tuple) -> QuestionRef | None:
        """The question a path lies in (``questions[i]…``), for lenient mode to leave it out."""
        if len(path) < 2 or path[0] != "questions" or not isinstance(path[1], int):
            return None
        questions = self.data.get("questions") if isinstance(self.data, dict) else None
        entry = questions[path[1]] if isinstance(questions, list) else None
        entry = entry if isinstance(entry, dict) else {}
        slug = entry.get("slug") if isinstance(entry.get("slug"), str) else ""
        title = entry.get("title") if isinstance(entry.get("title"), str) else ""
        kind = entry.get("kind") if isinstance(entry.get("kind"), str) else ""
        return QuestionRef(
            name=slug or title or f"questions[{path[1]}]",
            type=kind,
            line=self.positions.get(path[:2], (None, None))[0],
            index=path[1],
            slug=slug,
        )


def _label(path: tuple) -> str:
    parts = []
    for part in path:
        parts.append(f"[{part}]" if isinstance(part, int) else ("." if parts else "") + str(part))
    return "".join(parts)


def parse_bank(text: str | bytes, filename: str, *, skip_invalid: bool = False) -> ImportResult:
    """A native YAML bank → the bank structure and every problem (``file:line:column``).

    ``skip_invalid`` (lenient mode): when every error lies in a question, those questions are
    left out (each error becomes a ``skipped`` problem naming its question) and the rest is
    checked again on its own; an error of the bank or a topic still refuses the file.
    """
    result = _parse_bank(text, filename)
    if not skip_invalid or result.partial is None:
        return result
    lenient, problems = skip_invalid_questions(result, result.problems)
    result.partial = None  # decided here: the caller must not leave questions out again
    if lenient is result or lenient.bank is None:
        return lenient
    # Checked again without the questions left out: nothing else may have depended on them.
    again = _validate(lenient.bank, filename, lenient.positions)
    if any(p.severity == "error" for p in again.problems):
        return result
    return ImportResult(again.bank, problems + again.problems, again.positions)


def _parse_bank(text: str | bytes, filename: str) -> ImportResult:
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            return _fail(
                filename,
                _("файл больше %(max_bytes)s МБ") % {"max_bytes": MAX_BYTES // 1024 // 1024},
                "too_large",
            )
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            return _fail(
                filename,
                _("файл не в кодировке UTF-8 (байт %(start)s)") % {"start": exc.start},
                "encoding",
            )
    if len(text.encode("utf-8")) > MAX_BYTES:
        return _fail(
            filename,
            _("файл больше %(max_bytes)s МБ") % {"max_bytes": MAX_BYTES // 1024 // 1024},
            "too_large",
        )
    try:
        data, positions = load_with_positions(text)
    except YamlError as exc:
        return refused(
            filename,
            exc.message,
            "yaml",
            line=exc.line,
            column=exc.column,
            excerpt=exc.excerpt,
            details=exc.details,
        )
    if not isinstance(data, dict):
        return _fail(filename, _("ожидался словарь с ключами bank, topics, questions"), "schema")
    result = _validate(data, filename, positions)
    if result.bank is None and isinstance(data.get("questions"), list):
        result.partial = {**data, "format": data.get("format", FORMAT_TAG)}
    return result


def _validate(data: dict, filename: str, positions: dict) -> ImportResult:
    locator = _Locator(filename, data, positions)
    try:
        BankFile.model_validate(data)
    except ValidationError as exc:
        problems, seen, broken = [], set(), set()
        for error in exc.errors():
            path = locator.real_path(error["loc"])
            if path[:1] == ("questions",) and len(path) > 1:
                broken.add(path[1])
            message = translate_error(error)
            if (path, message) in seen:
                continue
            seen.add((path, message))
            problems.append(locator.problem(path, message, code=error.get("type", "schema")))
        problems.extend(_references(data, locator, skip=broken | {"*"} if not broken else broken))
        return ImportResult(None, problems, positions)
    problems = _references(data, locator, skip=set())
    bank = {**data, "format": data.get("format", FORMAT_TAG)}
    ok = not any(p.severity == "error" for p in problems)
    return ImportResult(bank if ok else None, problems, positions)


def _fail(filename: str, message: str, code: str) -> ImportResult:
    return refused(filename, message, code, line=1, column=1)


def _references(data: dict, locator: _Locator, *, skip: set) -> list[Problem]:
    """Cross-references the schema cannot see: topics, slugs, engines, expressions, placeholders."""
    problems = []
    topics = [t for t in data.get("topics") or [] if isinstance(t, dict)]
    topic_slugs = {}
    for i, topic in enumerate(topics):
        slug = topic.get("slug")
        if slug in topic_slugs:
            problems.append(
                locator.problem(
                    ("topics", i, "slug"), _("тема %(slug)s уже есть") % {"slug": slug}, "duplicate"
                )
            )
        topic_slugs[slug] = topic.get("parent")
    for i, topic in enumerate(topics):
        parent = topic.get("parent")
        if parent is not None and parent not in topic_slugs:
            problems.append(
                locator.problem(
                    ("topics", i, "parent"),
                    _("нет темы %(parent)s") % {"parent": parent},
                    "unknown_topic",
                )
            )
        seen, current = set(), topic.get("slug")
        while current is not None and current not in seen:
            seen.add(current)
            current = topic_slugs.get(current)
        if current is not None:
            problems.append(locator.problem(("topics", i), _("темы образуют цикл"), "topic_cycle"))
    question_slugs = set()
    for i, entry in enumerate(data.get("questions") or []):
        if not isinstance(entry, dict):
            continue
        where = ("questions", i)
        slug = entry.get("slug")
        if slug in question_slugs:
            problems.append(
                locator.problem(
                    (*where, "slug"), _("вопрос %(slug)s уже есть") % {"slug": slug}, "duplicate"
                )
            )
        question_slugs.add(slug)
        topic = entry.get("topic")
        if topic is not None and topic not in topic_slugs:
            problems.append(
                locator.problem(
                    (*where, "topic"), _("нет темы %(topic)s") % {"topic": topic}, "unknown_topic"
                )
            )
        if i not in skip and "*" not in skip:
            # Only questions that passed the schema: their fields have the expected shapes.
            problems.extend(_question_references(entry, where, locator))
    return problems


def _question_references(entry: dict, where: tuple, locator: _Locator) -> list[Problem]:
    problems = []
    names = set(entry.get("params") or {})
    for group in ("params", "derived"):
        for name in entry.get(group) or {}:
            if name in OPTION_WORDS:
                message = _(
                    "имя %(name)s совпадает со значением аргумента движка и подменило бы "
                    "его; переименуйте"
                ) % {"name": name}
                problems.append(locator.problem((*where, group, name), message, "reserved_name"))
    for name, definition in (entry.get("derived") or {}).items():
        problems.extend(_value_def(definition, (*where, "derived", name), names, locator))
        names.add(name)
    for j, text in enumerate(entry.get("constraints") or []):
        problems.extend(_expression(text, (*where, "constraints", j), names, locator))
    if entry.get("kind") != "expression":
        if entry.get("answer") is not None:
            problems.extend(_value_def(entry["answer"], (*where, "answer"), names, locator))
        for j, mistake in enumerate(entry.get("mistakes") or []):
            path = (*where, "mistakes", j, "answer")
            problems.extend(_value_def(mistake["answer"], path, names, locator))
    for j, part in enumerate(entry.get("parts") or []):
        problems.extend(_part_references(part, (*where, "parts", j), names, locator))
    # A multipart solution has no single key to show: its fields' keys are named in the parts.
    with_answer = names if entry.get("kind") == "multipart" else names | {"answer"}
    for field in TEXT_FIELDS:
        allowed = with_answer if field in ("solution", "back") else names
        problems.extend(_placeholders(entry.get(field, ""), (*where, field), allowed, locator))
    for j, hint in enumerate(entry.get("hints") or []):
        problems.extend(_placeholders(hint, (*where, "hints", j), names, locator))
    problems.extend(_option_and_mistake_texts(entry, where, names, locator))
    return problems


def _option_and_mistake_texts(entry: dict, where: tuple, names: set, locator) -> list[Problem]:
    """The placeholders of a question's (or a field's) options and typical mistakes' feedback."""
    found = []
    for j, option in enumerate(entry.get("options") or []):
        for key in ("text", "feedback"):
            path = (*where, "options", j, key)
            found.extend(_placeholders(option.get(key, ""), path, names, locator))
    for j, mistake in enumerate(entry.get("mistakes") or []):
        path = (*where, "mistakes", j, "feedback")
        found.extend(_placeholders(mistake.get("feedback", ""), path, names, locator))
    return found


def _part_references(part: dict, where: tuple, names: set, locator: _Locator) -> list[Problem]:
    """A field of a multipart question: its key, mistakes and texts see the question's names.
    Every message names the field, since the line alone may point into a long list of parts."""
    found = []
    if part.get("kind") != "expression":
        if part.get("answer") is not None:
            found.extend(_value_def(part["answer"], (*where, "answer"), names, locator))
        for j, mistake in enumerate(part.get("mistakes") or []):
            found.extend(
                _value_def(mistake["answer"], (*where, "mistakes", j, "answer"), names, locator)
            )
    for key in ("label", "feedback"):
        found.extend(_placeholders(part.get(key, ""), (*where, key), names, locator))
    found.extend(_option_and_mistake_texts(part, where, names, locator))
    named = _("поле %(name)s") % {"name": part.get("name")}
    return [replace(p, message=_after_label(p.message, named)) for p in found]


def _after_label(message: str, named: str) -> str:
    """``questions[0].parts[1].answer: …`` → ``questions[0].parts[1].answer: поле p: …``."""
    label, sep, rest = message.partition(": ")
    return f"{label}: {named}: {rest}" if sep else f"{named}: {message}"


def _value_def(definition, path: tuple, names: set, locator: _Locator) -> list[Problem]:
    if isinstance(definition, str):
        return _expression(definition, path, names, locator)
    if "expr" in definition:
        return _expression(definition["expr"], (*path, "expr"), names, locator)
    if "engine" in definition:
        try:
            engine = get_engine(definition["engine"])
        except GraderError as exc:
            return [locator.problem((*path, "engine"), exc.message, exc.code)]
        problems = []
        for arg in definition.get("args") or {}:
            if arg not in engine.parameters:
                what = _("у движка %(name)s нет аргумента %(arg)s") % {
                    "name": engine.name,
                    "arg": arg,
                }
                problems.append(
                    locator.problem(
                        (*path, "args", arg),
                        unknown_name_message(what, arg, engine.parameters),
                        "unknown_arg",
                    )
                )
        problems.extend(_engine_args(definition.get("args") or {}, (*path, "args"), names, locator))
        return problems
    return []


def _engine_args(value, path: tuple, names: set, locator: _Locator) -> list[Problem]:
    """Strings in engine args that mention a known name are expressions: all names must exist."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _engine_args(v, (*path, k), names, locator)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _engine_args(v, (*path, i), names, locator)]
    if not isinstance(value, str):
        return []
    try:
        used = names_in(parse_expression(value))
    except GraderError:
        return []  # a literal option such as "coco-101"
    if used & names and used - names:
        unknown = ", ".join(sorted(used - names))
        return [
            locator.problem(
                path,
                _("«%(value)s»: неизвестные имена %(unknown)s")
                % {"value": value, "unknown": unknown},
                "unknown_name",
            )
        ]
    return []


def _expression(text: str, path: tuple, names: set, locator: _Locator) -> list[Problem]:
    try:
        unknown = names_in(parse_expression(text)) - names
    except GraderError as exc:
        return [locator.problem(path, f"«{text}»: {exc.message}", exc.code)]
    if unknown:
        return [
            locator.problem(
                path,
                _("«%(text)s»: неизвестные имена %(sorted)s")
                % {"text": text, "sorted": ", ".join(sorted(unknown))},
                "unknown_name",
            )
        ]
    return []


def _placeholders(template: str, path: tuple, names: set, locator: _Locator) -> list[Problem]:
    problems = []
    for expression, _fmt in placeholders(template or ""):
        try:
            unknown = names_in(parse_expression(expression)) - names
        except GraderError as exc:
            problems.append(
                locator.problem(
                    path,
                    _("подстановка «%(expression)s»: %(message)s")
                    % {"expression": expression, "message": exc.message},
                    exc.code,
                )
            )
            continue
        if unknown:
            missing = ", ".join(sorted(unknown))
            message = _("подстановка «{{ %(expression)s }}»: нет параметра %(missing)s") % {
                "expression": expression,
                "missing": missing,
            }
            problems.append(locator.problem(path, message, "unknown_placeholder"))
    return problems
