"""The ticket sheet and the key sheet as Typst documents, compiled to PDF.

One ticket a page: the quiz, the ticket's number (and the student's name on a named ticket),
lines for the name, group, date and signature, the instructions, the numbered questions with
their points and answer lines, and the QR code of the ticket's key page in the top corner. The
key sheet gives, per ticket, each question's key (with the quiz's decimal mark) and the worked
solution, as the grader computes them for the ticket's seeds.
"""

from __future__ import annotations

import io
from decimal import Decimal

import segno
from django.utils.translation import gettext as _

from quizapp.tickets.services import Ticket, items_worked, key_lines, option_letter, ticket_url
from quizapp.tickets.typeset import compile_pdf, markup, string

__all__ = ["tickets_pdf", "keys_pdf", "qr_svg"]


_PREAMBLE = """#set document(title: {title}, author: "Нейрозачёт", date: none)
#let label-now = state("ticket", [])
#set page(paper: "a4", margin: (x: 1.8cm, top: 1.5cm, bottom: 1.6cm),
  footer: context align(center, text(size: 8pt, fill: luma(90))[
    {footer} · #label-now.get() · #counter(page).display()]))
#set text(font: "New Computer Modern", size: 11pt, lang: "ru")
#set par(justify: false, leading: 0.6em)
#let answer-line(label) = block(above: 0.8em, below: 0.4em)[#label #box(width: 1fr, repeat[.])]
"""


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as SVG text (medium error correction: survives a smudged print)."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return out.getvalue().decode()


def _points(points: Decimal, decimal: str) -> str:
    text = format(points.normalize(), "f")
    return _("баллы: %(points)s") % {"points": text.replace(".", decimal)}


def _number(ticket: Ticket) -> str:
    return _("Билет № %(number)s") % {"number": ticket.number}


def _heading(ticket: Ticket) -> str:
    number = _number(ticket)
    if ticket.student:
        return f"{markup(ticket.student)} · {number}"
    return number


def tickets_pdf(tickets: list[Ticket], *, base_url: str, decimal: str) -> bytes:
    """The ticket sheet: one ticket a page."""
    quiz = tickets[0].quiz if tickets else None
    title = quiz.title if quiz else ""
    pages = [
        _ticket_page(t, w, base_url=base_url, decimal=decimal)
        for t, w in zip(tickets, _worked(tickets), strict=True)
    ]
    preamble = _PREAMBLE.format(title=string(title), footer=_escape_footer(title))
    return compile_pdf(preamble + "\n#pagebreak()\n".join(pages))


def _escape_footer(title: str) -> str:
    return markup(title) + " · " + _("Нейрозачёт")


def _worked(tickets: list[Ticket]) -> list[list[dict]]:
    """Every ticket's items worked out in one round trip to the grader."""
    flat = items_worked([item for t in tickets for item in t.items])
    out, start = [], 0
    for t in tickets:
        out.append(flat[start : start + len(t.items)])
        start += len(t.items)
    return out


def _ticket_page(ticket: Ticket, worked: list[dict], *, base_url: str, decimal: str) -> str:
    out = [f"#label-now.update[{_heading(ticket)}]\n"]
    name_line = (
        _("Студент: %(name)s") % {"name": markup(ticket.student)}
        if ticket.student
        else "#answer-line[" + _("Фамилия, имя:") + "]"
    )
    qr = qr_svg(ticket_url(ticket, base_url=base_url))
    out.append(
        "#grid(columns: (1fr, 3.2cm), column-gutter: 1em,\n"
        f'  [#text(size: 15pt, weight: "bold")[{markup(ticket.quiz.title)}]\n\n'
        f'   #text(size: 13pt, weight: "bold")[{_number(ticket)}]\n\n'
        f"   {name_line}\n"
        "   #grid(columns: (1fr, 1fr), column-gutter: 1em, "
        f"answer-line[{_('Группа:')}], answer-line[{_('Дата:')}])\n"
        f"   #answer-line[{_('Подпись преподавателя и оценка:')}]],\n"
        f'  [#align(center)[#image(bytes({string(qr)}), format: "svg", width: 3cm)\n'
        f"   #text(size: 7pt)[{_('Ключ к билету — только для преподавателя')}]]],\n)\n"
    )
    out.append("#line(length: 100%, stroke: 0.5pt)\n")
    total = ticket.max_score.normalize()
    out.append(
        "#text(size: 9.5pt)["
        + _(
            "Решите задачи и запишите ответы в строках «Ответ». Числа пишите с десятичной "
            "%(mark)s, округляйте до трёх значащих цифр, если в задаче не сказано иное. В "
            "вопросах с вариантами обведите буквы верных ответов. Всего баллов: %(total)s."
        )
        % {
            "total": format(total, "f").replace(".", decimal),
            "mark": _("запятой") if decimal == "," else _("точкой"),
        }
        + "]\n\n"
    )
    number = 0
    for w in worked:
        if w["item"].informational:
            out.append(f"#block(above: 1em)[{markup(w['presented'].text, decimal)}]\n")
            continue
        number += 1
        out.append(_question(number, w, decimal))
    return "".join(out)


def _question(number: int, w: dict, decimal: str) -> str:
    presented = w["presented"]
    kind = w["kind"]
    head = (
        f"*{_('Вопрос %(number)s') % {'number': number}}* "
        f"#text(size: 9pt, fill: luma(80))[({_points(w['item'].points, decimal)})]"
    )
    body = [f"#block(above: 1.2em, below: 0.6em, breakable: true)[{head} \\\n"]
    body.append(markup(presented.text, decimal) + "\n")
    if kind == "matching":
        body.append(_matching(presented, decimal))
    elif w["options"]:
        body.append(_options(w["options"], decimal))
        hint = (
            _("Обведите все верные варианты.")
            if kind == "multiple_choice"
            else _("Обведите один вариант.")
        )
        body.append(f'\n#text(size: 9pt, style: "italic")[{hint}]\n')
    elif kind == "multipart":
        for part in presented.parts:
            label = markup(part.get("label") or "", decimal)
            body.append(f"\n#answer-line[({part['number']}) {label}]\n")
            if part.get("options"):
                body.append(_options(part["options"], decimal))
    elif kind == "essay":
        body.append(
            "\n#block(width: 100%, height: 7cm, stroke: 0.5pt + luma(120), radius: 2pt, inset: 6pt)"
            f"[#text(size: 9pt, fill: luma(90))[{_('Ответ:')}]]\n"
        )
    elif kind == "flashcard":
        body.append(f"\n#answer-line[{_('Ответ:')}]\n#answer-line[]\n")
    else:
        shape = presented.answer_shape
        hint = ""
        if kind == "vector" and shape:
            hint = _(" (вектор из %(n)s чисел)") % {"n": shape[0]}
        elif kind == "matrix" and shape and len(shape) == 2:
            hint = _(" (матрица %(rows)s×%(cols)s)") % {"rows": shape[0], "cols": shape[1]}
        body.append(f"\n#answer-line[{_('Ответ') + hint}:]\n")
    body.append("]\n")
    return "".join(body)


def _options(options: list[dict], decimal: str) -> str:
    rows = [
        f"  [{option_letter(i)})], [{markup(o['text'], decimal)}],\n" for i, o in enumerate(options)
    ]
    return (
        "#pad(left: 1em, grid(columns: (auto, 1fr), column-gutter: 0.5em, row-gutter: 0.6em,\n"
        + "".join(rows)
        + "))\n"
    )


def _matching(presented, decimal: str) -> str:
    stems = "".join(
        f"  [{n}.], [{markup(s['text'], decimal)}],\n" for n, s in enumerate(presented.stems, 1)
    )
    answers = "".join(
        f"  [{option_letter(i)})], [{markup(o['text'], decimal)}],\n"
        for i, o in enumerate(presented.options)
    )
    blanks = ", ".join(
        f"{n} — #box(width: 2em, repeat[.])" for n in range(1, len(presented.stems) + 1)
    )
    column = "grid(columns: (auto, 1fr), column-gutter: 0.4em, row-gutter: 0.6em,\n{rows})"
    return (
        "#grid(columns: (1fr, 1fr), column-gutter: 1.5em,\n"
        f"  [*{_('Элементы')}*\n\n#{column.format(rows=stems)}],\n"
        f"  [*{_('Ответы')}*\n\n#{column.format(rows=answers)}],\n)\n"
        f"#answer-line[{_('Ответ:')} {blanks}]\n"
    )


def _strong(text: str) -> str:
    """A key in bold, unless it is a paragraph (a flashcard's answer)."""
    return f"#strong[{text}]" if len(text) < 160 else text


def keys_pdf(tickets: list[Ticket], *, decimal: str) -> bytes:
    """The key sheet for the examiner: per ticket, each question's key and worked solution."""
    quiz = tickets[0].quiz if tickets else None
    title = quiz.title if quiz else ""
    preamble = _PREAMBLE.format(
        title=string(_("Ключи: %(title)s") % {"title": title}), footer=_escape_footer(title)
    )
    heading = _("Ключи и решения: %(title)s") % {"title": markup(title)}
    out = [
        preamble,
        # The footer names the ticket a page starts in; the first page starts with the first.
        f"#label-now.update[{_heading(tickets[0])}]\n" if tickets else "",
        f'#text(size: 15pt, weight: "bold")[{heading}]\n\n',
        "#text(size: 9pt)["
        + _("Для преподавателя. Ключи и решения вычислены по номерам вариантов билетов.")
        + "]\n\n",
    ]
    for ticket, worked in zip(tickets, _worked(tickets), strict=True):
        out.append(_ticket_keys(ticket, worked, decimal))
    return compile_pdf("".join(out))


def _ticket_keys(ticket: Ticket, worked: list[dict], decimal: str) -> str:
    out = [
        "#block(above: 1.6em, below: 0.8em, sticky: true)"
        f'[#text(size: 13pt, weight: "bold")[{_heading(ticket)}]]\n'
    ]
    number = 0
    for w in worked:
        if w["item"].informational:
            continue
        number += 1
        head = _("Вопрос %(number)s") % {"number": number}
        title = markup(w["title"], decimal)
        out.append(
            "#block(above: 1em, below: 1em, breakable: true)["
            f"*{head}* #text(size: 9pt, fill: luma(80))[{title} · "
            f"{_points(w['item'].points, decimal)} · {_('вариант')} {w['item'].seed}] \\\n"
            f"{_('Ответ:')} {_strong(markup(key_lines(w), decimal))}"
        )
        solution = w["key"].get("solution") or ""
        if solution and w["kind"] != "flashcard":
            out.append(f"\n\n#text(size: 9.5pt)[_{_('Решение.')}_ {markup(solution, decimal)}]")
        out.append("]\n")
    out.append("#line(length: 100%, stroke: 0.4pt + luma(150))\n")
    return "".join(out)
