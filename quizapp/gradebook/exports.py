"""A gradebook as a file: CSV (in the course's decimal mark) and XLSX (numbers numeric cells).

Names, logins and quiz titles are typed by people (an LMS sets names through LTI), so every row
goes through :mod:`quizapp.core.exports`, which keeps text from being read as a formula and keeps
scores numeric.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext

from quizapp.core.exports import csv_row, xlsx_append
from quizapp.gradebook.selectors import Gradebook


def _table(book: Gradebook, decimal: str = ",") -> tuple[list[str], list[list]]:
    header = [gettext("Логин"), gettext("Фамилия"), gettext("Имя")]
    for q in book.quizzes:
        max_score = format(q.max_score, "f") if q.max_score else ""
        header.append(
            gettext("%(title)s (из %(max_score)s)")
            % {"title": q.title, "max_score": max_score.replace(".", decimal)}
            if q.max_score
            else q.title
        )
    header += [gettext("Итого"), gettext("Особые условия")]
    several = len(book.quizzes) > 1
    rows = []
    for row in book.rows:
        s = row.student
        # Who had what (an accommodation, the course's dates), per quiz when there are several.
        terms = [
            f"{q.title}: {c.terms_text}" if several else c.terms_text
            for q, c in zip(book.quizzes, row.cells, strict=True)
            if c.terms is not None
        ]
        rows.append(
            [s.username, s.last_name, s.first_name]
            + [c.score for c in row.cells]
            + [row.total, " | ".join(terms)]
        )
    return header, rows


def gradebook_csv(book: Gradebook, *, sep: str | None = None, decimal: str = ",") -> bytes:
    """CSV in the reader's decimal mark: with a comma, fields are separated by «;» (what a
    spreadsheet set to a Russian locale reads); with a point, by «,». ``sep`` asks for the other
    separator explicitly, and numbers then take the mark that does not clash with it."""
    if sep is None:
        sep = ";" if decimal == "," else ","
    if sep not in (";", ","):
        raise ValueError("sep must be ';' or ','")
    header, rows = _table(book, "," if sep == ";" else ".")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow(csv_row(row, decimal_comma=sep == ";"))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def gradebook_xlsx(book: Gradebook) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows = _table(book)
    wb = Workbook()
    ws = wb.active
    ws.title = gettext("Журнал")
    xlsx_append(ws, header, font=Font(bold=True))
    for row in rows:
        xlsx_append(ws, row)
    ws.freeze_panes = "D2"
    for letter, width in zip("ABC", (16, 18, 14), strict=True):
        ws.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_filename(book: Gradebook, ext: str) -> str:
    if book.course is not None:
        slug = book.course.code
    else:
        slug = book.quizzes[0].slug
    return f"gradebook-{slug}.{ext}"
