"""Printed exam tickets («билеты»): what each ticket holds, and the signed token of its QR code.

A ticket is drawn exactly as an online attempt would be (``attempts.services.attempt_draw``)
from a UUID derived from the quiz, a batch name and the ticket's number: the same batch prints
the same tickets again (the ticket sheet and the key sheet are two downloads), and a ticket's
questions and numbers are those an online attempt with that UUID would get. No Attempt rows are
written: a paper ticket has no answers to store.

The QR code carries a URL with a signed token (``django.core.signing``) holding the quiz, the
ticket's number and, per question, the version and the seed: the key page recomputes the keys
from them, whatever has changed in the quiz since printing, and nobody can forge a ticket.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

import grader
from grader.errors import GraderError
from grader.grading import Presented
from question_bank.models import Question, QuestionVersion
from quizapp.attempts.services import attempt_draw
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.courses.selectors import roster
from quizapp.models import Course, Enrollment, Quiz, item_seed

__all__ = [
    "MAX_TICKETS",
    "WEB_MAX_TICKETS",
    "Ticket",
    "TicketItem",
    "new_batch",
    "tickets_build",
    "ticket_from_token",
    "ticket_url",
    "items_worked",
    "ticket_worked",
    "key_lines",
    "option_letter",
]

# A few dozen tickets take seconds; a bound keeps one request from compiling thousands of pages.
MAX_TICKETS = 300
# A page answers within the web server's timeout (30 s): a ticket takes about a quarter of a
# second; more tickets at once are for the command.
WEB_MAX_TICKETS = 60
_SALT = "quizapp.tickets.key"
# Option letters as Russian tests print them (no «ё», «й», «ъ», «ь», «ы»: easily misread).
_LETTERS = "абвгдежзиклмнопрстуфхцчшщэюя"
_NAMESPACE = uuid.UUID("5b7f6a52-2f47-4c0e-9d55-8f3e2a1c7b10")


@dataclass(frozen=True)
class TicketItem:
    position: int
    version: QuestionVersion
    seed: int
    points: Decimal

    @property
    def informational(self) -> bool:
        """A description: printed, not numbered, not counted."""
        return self.version.spec.get("kind") == Question.Kind.DESCRIPTION


@dataclass
class Ticket:
    quiz: Quiz
    number: int
    items: list[TicketItem]
    student: str = ""  # the student's name on a named ticket
    student_id: int | None = None
    batch: str = ""
    token: str = field(default="", repr=False)

    @property
    def max_score(self) -> Decimal:
        return sum((i.points for i in self.items if not i.informational), Decimal(0))


def new_batch() -> str:
    """A fresh batch name: another printing of the same quiz gets other tickets."""
    return secrets.token_hex(4)


def ticket_uuid(*, quiz: Quiz, batch: str, number: int) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{quiz.pk}:{batch}:{number}")


def tickets_build(
    *,
    quiz: Quiz,
    batch: str,
    count: int | None = None,
    course: Course | None = None,
    limit: int = MAX_TICKETS,
) -> list[Ticket]:
    """``count`` numbered tickets, or one named ticket per student of ``course``; at most
    ``limit`` of them."""
    if not quiz.items.exists():
        raise ServiceError(code=ErrorCode.TICKETS_EMPTY_QUIZ)
    if course is not None:
        students = [
            e.user
            for e in roster(course).filter(role=Enrollment.Role.STUDENT, user__is_active=True)
        ]
        students.sort(key=lambda u: (_name(u).casefold(), u.pk))
        if not students:
            raise ServiceError(code=ErrorCode.TICKETS_NO_STUDENTS, field="course")
        if len(students) > limit:
            raise _too_many(limit, field="course")
        people = [(_name(u), u.pk) for u in students]
    else:
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= limit:
            raise _too_many(limit, field="count")
        people = [("", None)] * count
    tickets = []
    for number, (name, user_id) in enumerate(people, start=1):
        drawn = attempt_draw(
            quiz=quiz, attempt_uuid=ticket_uuid(quiz=quiz, batch=batch, number=number)
        )
        items = [
            TicketItem(position=position, version=version, seed=seed, points=quiz_item.points)
            for position, quiz_item, version, seed in drawn
        ]
        ticket = Ticket(
            quiz=quiz, number=number, items=items, student=name, student_id=user_id, batch=batch
        )
        ticket.token = _token(ticket)
        tickets.append(ticket)
    return tickets


def _too_many(limit: int, *, field: str) -> ServiceError:
    message = _("Число билетов — от 1 до %(limit)s.") % {"limit": limit}
    return ServiceError(message, code=ErrorCode.TICKETS_COUNT, field=field)


def _name(user) -> str:
    return (user.get_full_name() or user.username).strip()


def _token(ticket: Ticket) -> str:
    """The QR code's token: short, so that the code stays small enough to scan from paper.

    The seeds are not written out: like an attempt's, they follow from the ticket's UUID
    (``item_seed(uuid, position)``), and the UUID from the quiz, the batch and the number.
    The versions are, so that the keys stay those printed whatever changes in the quiz."""
    data = {
        "q": ticket.quiz.pk,
        "b": ticket.batch,
        "n": ticket.number,
        "s": ticket.student_id,
        "v": [i.version.pk for i in ticket.items],
        "p": [format(i.points.normalize(), "f") for i in ticket.items],
    }
    return signing.dumps(data, salt=_SALT, compress=True)


def ticket_url(ticket: Ticket, *, base_url: str) -> str:
    """The URL the ticket's QR code opens: its key page, on the site ``base_url``."""
    path = reverse("ticket-key", kwargs={"quiz_id": ticket.quiz.pk, "token": ticket.token})
    return base_url.rstrip("/") + path


def ticket_from_token(*, quiz: Quiz, token: str) -> Ticket:
    """The ticket a QR code names; a forged, damaged or another quiz's token is refused."""
    try:
        data = signing.loads(token, salt=_SALT)
        if data["q"] != quiz.pk:
            raise ValueError("another quiz")
        number, batch = int(data["n"]), str(data["b"])
        ticket_id = ticket_uuid(quiz=quiz, batch=batch, number=number)
        rows = [
            (int(v), item_seed(ticket_id, position), Decimal(p))
            for position, (v, p) in enumerate(zip(data["v"], data["p"], strict=True), start=1)
        ]
    except (signing.BadSignature, KeyError, TypeError, ValueError, ArithmeticError):
        raise ServiceError(code=ErrorCode.TICKET_TOKEN_BAD) from None
    versions = QuestionVersion.objects.select_related("question").in_bulk({v for v, _, _ in rows})
    if len(versions) != len({v for v, _, _ in rows}):
        raise ServiceError(code=ErrorCode.TICKET_TOKEN_BAD)
    items = [
        TicketItem(position=n, version=versions[v], seed=s, points=p)
        for n, (v, s, p) in enumerate(rows, start=1)
    ]
    student_id = data.get("s")
    student = ""
    if student_id:
        user = get_user_model().objects.filter(pk=student_id).first()
        student = _name(user) if user else ""
    return Ticket(
        quiz=quiz,
        number=number,
        items=items,
        student=student,
        student_id=student_id,
        batch=batch,
        token=token,
    )


def items_worked(items: list[TicketItem]) -> list[dict]:
    """Each item with what the paper and the key need: the presented question (text, options,
    stems, fields) and the grader's own key and worked solution for its seed.

    The keys come from ``grader.grade_many`` on an empty answer, in one round trip: exactly the
    key and solution an online attempt's grading would compute (the bank preview does the same).
    """
    keys = grader.grade_many([(i.version.spec, i.seed, "") for i in items])
    worked = []
    for item, key in zip(items, keys, strict=True):
        try:
            presented = grader.present(item.version.spec, item.seed)
        except GraderError as exc:  # a broken bank question is printed as such, not a crash
            presented = Presented(
                kind=item.version.spec.get("kind", ""), text=exc.message, params={}
            )
        kind = presented.kind
        right = (
            set(key.get("expected") or ())
            if kind in ("single_choice", "multiple_choice")
            else set()
        )
        worked.append(
            {
                "item": item,
                "kind": kind,
                "title": item.version.question.title,
                "presented": presented,
                "options": [
                    {**o, "correct": o["index"] in right, "letter": option_letter(n)}
                    for n, o in enumerate(presented.options)
                ],
                "key": key,
            }
        )
    return worked


def option_letter(index: int) -> str:
    return _LETTERS[index] if index < len(_LETTERS) else str(index + 1)


def key_lines(w: dict) -> str:
    """The key of one question as the examiner reads it (LaTeX-in-text, like the pages)."""
    kind = w["kind"]
    key = w["key"]
    if key.get("status") == "error":
        return _("ключ не вычисляется: %(error)s") % {"error": key.get("feedback", "")}
    if kind == "essay":
        rubric = w["item"].version.spec.get("rubric") or ""
        text = _("оценивает преподаватель")
        return f"{text}. {_('Критерии:')} {rubric}" if rubric else text
    if kind in ("single_choice", "multiple_choice"):
        right = [
            f"{option_letter(i)}) {o['text']}" for i, o in enumerate(w["options"]) if o["correct"]
        ]
        return "; ".join(right)
    if kind == "matching":
        expected = key.get("expected") or []
        letters = {o["index"]: option_letter(i) for i, o in enumerate(w["presented"].options)}
        pairs = []
        for n, stem in enumerate(w["presented"].stems, 1):
            if stem["index"] < len(expected):
                pairs.append(f"{n} — {letters.get(expected[stem['index']], '?')}")
        return ", ".join(pairs)
    return key.get("expected_display") or ""


def ticket_worked(ticket: Ticket) -> list[dict]:
    """The key page's items: each worked item with its number on the paper (descriptions have
    none) and its key as text with LaTeX math."""
    worked = items_worked(ticket.items)
    number = 0
    for w in worked:
        if not w["item"].informational:
            number += 1
            w["number"] = number
            w["key_text"] = key_lines(w)
    return worked
