"""A gradebook as a file: CSV (for spreadsheets set to a Russian locale) and XLSX."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext

from quizapp.gradebook.selectors import Gradebook


def _table(book: Gradebook) -> tuple[list[str], list[list]]:
    header = [gettext("Логин"), gettext("Фамилия"), gettext("Имя")]
    for q in book.quizzes:
        header.append(
            gettext("%(title)s (из %(max_score)s)") % {"title": q.title, "max_score": q.max_score}
            if q.max_score
            else q.title
        )
    header.append(gettext("Итого"))
    rows = []
    for row in book.rows:
        s = row.student
        rows.append(
            [s.username, s.last_name, s.first_name] + [c.score for c in row.cells] + [row.total]
        )
    return header, rows


def gradebook_csv(book: Gradebook, *, sep: str = ";") -> bytes:
    if sep not in (";", ","):
        raise ValueError("sep must be ';' or ','")
    header, rows = _table(book)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_value(v, sep) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_value(value, sep: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.replace(".", ",") if sep == ";" else text
    return str(value)


def gradebook_xlsx(book: Gradebook) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows = _table(book)
    wb = Workbook()
    ws = wb.active
    ws.title = gettext("Журнал")
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
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
