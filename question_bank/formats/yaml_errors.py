"""PyYAML's syntax errors told in Russian, with the line, a hint and an excerpt of the file.

PyYAML says "expected <block end>, but found '<block mapping start>'": true, but an instructor who
shifted one key by a space cannot act on it. :func:`explain` recognises the common cases (a wrong
indentation, an unclosed quote or bracket, a tab, a colon inside a text) and returns a
:class:`~question_bank.formats.yaml_positions.YamlError` whose message says what is wrong and what
to do, whose excerpt shows the offending line(s) with a caret under the column, and whose details
keep PyYAML's own English text for whoever wants it.
"""

from __future__ import annotations

import yaml
from django.utils.translation import gettext as _

__all__ = ["YamlError", "excerpt", "explain"]

EXCERPT_BEFORE = 2  # lines shown above the offending one
MAX_EXCERPT_WIDTH = 120


class YamlError(Exception):
    """``excerpt``: the offending lines with a caret; ``details``: PyYAML's own English text."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        *,
        excerpt: str = "",
        details: str = "",
    ):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column
        self.excerpt, self.details = excerpt, details


def _indent_hint() -> str:
    return _(
        "проверьте отступы: элементы одного уровня должны начинаться в одном столбце, "
        "вложенные — правее родителя; табуляция не допускается, только пробелы"
    )


def excerpt(text: str, line: int, column: int | None) -> str:
    """The lines up to ``line`` (1-based) with their numbers, and a caret under ``column``."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    first = max(1, line - EXCERPT_BEFORE)
    width = len(str(line))
    out = []
    for number in range(first, line + 1):
        shown = lines[number - 1].replace("\t", "→")[:MAX_EXCERPT_WIDTH]
        out.append(f"{number:>{width}} | {shown}")
    if column:
        out.append(" " * width + " | " + " " * min(column - 1, MAX_EXCERPT_WIDTH) + "^")
    return "\n".join(out)


def _indent(raw: str) -> int:
    return len(raw) - len(raw.lstrip(" "))


def _previous_content_line(lines: list[str], index: int) -> str | None:
    for raw in reversed(lines[:index]):
        if raw.strip() and not raw.lstrip().startswith("#"):
            return raw
    return None


def explain(exc: yaml.MarkedYAMLError, text: str):
    """A Russian :class:`YamlError` for PyYAML's ``exc`` raised on ``text``."""
    problem = exc.problem or ""
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    lines = text.splitlines()
    current = lines[line - 1] if line and line <= len(lines) else ""

    if "'\\t'" in problem or "\t" in problem:
        what = _("символ табуляции")
        hint = _("табуляция в YAML не допускается: замените её пробелами (обычно два на уровень)")
    elif "quoted scalar" in context and exc.context_mark is not None:
        # PyYAML stops at the end of the file; the place to fix is where the quote opened.
        line, column = exc.context_mark.line + 1, exc.context_mark.column + 1
        what = _("кавычка не закрыта")
        hint = _(
            "закройте кавычку в этой строке; если кавычка — часть текста, удвойте её внутри "
            "одинарных кавычек ('') или поставьте \\\" внутри двойных"
        )
    elif "flow sequence" in context or "flow mapping" in context:
        start = exc.context_mark
        bracket = "[" if "sequence" in context else "{"
        what = _("скобка «%(bracket)s» не закрыта") % {"bracket": bracket}
        if start is not None:
            line, column = start.line + 1, start.column + 1
        hint = _("закройте скобку в той же записи; элементы внутри скобок разделяются запятыми")
    elif problem == "mapping values are not allowed here":
        previous = _previous_content_line(lines, (line or 1) - 1)
        shifted = (
            previous is not None
            and _indent(current) > _indent(previous)
            and not previous.rstrip().endswith((":", "|", ">", "|-", ">-"))
        )
        if shifted:
            what = _("строка сдвинута вправо относительно предыдущей")
            hint = _indent_hint()
        else:
            what = _("двоеточие с пробелом внутри значения")
            hint = _(
                "«: » начинает пару «ключ: значение»; если двоеточие — часть текста, заключите "
                "всё значение в кавычки"
            )
    elif problem.startswith("expected <block end>") or problem.startswith("did not find expected"):
        what = _("неверный отступ")
        hint = _indent_hint()
    elif problem == "could not find expected ':'":
        what = _("после ключа нет двоеточия")
        if exc.context_mark is not None:
            line, column = exc.context_mark.line + 1, exc.context_mark.column + 1
        hint = (
            _(
                "у каждого ключа должно быть «ключ: значение»; если это продолжение текста с "
                "предыдущей строки, заключите текст в кавычки или используйте «|»; "
            )
            + _indent_hint()
        )
    else:
        what = _("синтаксическая ошибка YAML")
        hint = _indent_hint()

    where = (
        _("строка %(line)s, столбец %(column)s") % {"line": line, "column": column} if line else ""
    )
    message = (
        _("синтаксическая ошибка YAML (%(where)s): %(what)s; %(hint)s")
        % {"where": where, "what": what, "hint": hint}
        if where
        else _("синтаксическая ошибка YAML: %(what)s; %(hint)s") % {"what": what, "hint": hint}
    )
    details = "; ".join(part for part in (context, problem) if part) or str(exc)
    return YamlError(
        message,
        line,
        column,
        excerpt=excerpt(text, line, column) if line else "",
        details=details,
    )
