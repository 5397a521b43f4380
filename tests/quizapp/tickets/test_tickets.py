"""Printed tickets end to end: the command's two PDFs read back with pypdf, the draw shared with
online attempts, the signed QR token and its key page, the web form and downloads."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

import grader
from grader.templating import localize_text
from quizapp.attempts.services import attempt_start
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.models import Attempt
from quizapp.tickets import pdf, services

BATCH = "0a1b2c3d"
BASE = "https://exam.example.org"
_NUMBER = re.compile(r"\d+(?:,\d+)?")


def _text(path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()) if hasattr(path, "read_bytes") else path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Page footers («Зачёт по нейросетям · Нейрозачёт · Билет № 1 · 2») cut through the text.
    return re.sub(r"(?m)^.*· Нейрозачёт ·.*$\n?", "", text)


def _flat(text: str) -> str:
    """PDF text without spaces and line breaks, math letters and minus signs made plain."""
    return re.sub(r"\s+", "", text.replace("−", "-"))


def _numbers(text: str) -> list[str]:
    return _NUMBER.findall(localize_text(text, ","))


def _by_ticket(text: str, count: int) -> list[str]:
    parts = re.split(r"Билет № (\d+)\n", text)
    sections: dict[int, str] = {}
    for number, body in zip(parts[1::2], parts[2::2], strict=True):
        sections[int(number)] = sections.get(int(number), "") + body
    assert sorted(sections) == list(range(1, count + 1))
    return [sections[n] for n in range(1, count + 1)]


@pytest.fixture
def printed(tickets_quiz, tmp_path):
    tickets, keys = tmp_path / "tickets.pdf", tmp_path / "keys.pdf"
    out = io.StringIO()
    call_command(
        "exam_tickets", tickets_quiz.slug, "--count", "3", "-o", str(tickets), "--keys",
        str(keys), "--base-url", BASE, "--batch", BATCH, stdout=out,
    )  # fmt: skip
    assert f"Билетов: 3 (набор {BATCH})" in out.getvalue()
    built = services.tickets_build(quiz=tickets_quiz, batch=BATCH, count=3)
    return tickets, keys, built


def test_the_ticket_sheet_has_each_ticket_with_its_own_numbers(printed):
    tickets_pdf, _, tickets = printed
    text = _text(tickets_pdf)
    assert "Зачёт по нейросетям" in text and "Фамилия, имя" in text
    sections = _by_ticket(text, 3)
    seen = []
    for ticket, section in zip(tickets, sections, strict=True):
        flat = _flat(section)
        numbers = []
        for item in ticket.items:
            presented = grader.present(item.version.spec, item.seed)
            for number in _numbers(presented.text):
                assert number in flat, (ticket.number, item.version.question.slug, number)
            numbers += _numbers(presented.text)
        seen.append(numbers)
        assert "Всегобаллов:15,5." in flat  # 1,5 + 8 × 1 + 3 (essay) + 2 (rule) + 1 (flashcard)
    # Different tickets, different variants: the numbers printed differ.
    assert len({tuple(n) for n in seen}) == 3


def test_the_key_sheet_gives_the_graders_key_of_every_question(printed):
    _, keys_pdf, tickets = printed
    sections = _by_ticket(_text(keys_pdf), 3)
    for ticket, section in zip(tickets, sections, strict=True):
        questions = re.split(r"Вопрос \d+ ", section)[1:]
        answered = [i for i in ticket.items if not i.informational]
        assert len(questions) == len(answered)
        results = grader.grade_many([(i.version.spec, i.seed, "") for i in answered])
        for item, result, block in zip(answered, results, questions, strict=True):
            key_line = _flat(block.split("Ответ:", 1)[1].split("Решение.", 1)[0])
            kind = item.version.spec["kind"]
            if kind == "essay":
                assert "оцениваетпреподаватель.Критерии:2балла—переобучение" in key_line
            elif kind in ("single_choice", "multiple_choice", "matching"):
                presented = grader.present(item.version.spec, item.seed)
                letters = "абвгдежзиклмнопрстуфхцчшщэюя"
                shown = [o["index"] for o in presented.options]
                if kind == "matching":
                    stems = [s["index"] for s in presented.stems]
                    want = ",".join(
                        f"{n}—{letters[shown.index(result['expected'][s])]}"
                        for n, s in enumerate(stems, 1)
                    )
                    assert key_line == want
                else:
                    for index in result["expected"]:
                        assert f"{letters[shown.index(index)]})" in key_line
            else:
                display = result["expected_display"]
                spaced = block.split("Ответ:", 1)[1].split("Решение.", 1)[0].replace("−", "-")
                printed, computed = _numbers(spaced), _numbers(display)
                if kind == "matrix":  # the PDF's text runs down the columns
                    printed, computed = sorted(printed), sorted(computed)
                assert printed == computed, (kind, spaced, display)
                if "$" not in display:  # a text key (a word, an expression) reads as it is
                    assert _flat(localize_text(display, ",")) in key_line, (kind, key_line)
            assert str(item.seed) in block  # the variant's number, to find it again


def test_a_numeric_key_reads_exactly_as_the_grader_rounds_it(printed):
    _, keys_pdf, tickets = printed
    sections = _by_ticket(_text(keys_pdf), 3)
    for ticket, section in zip(tickets, sections, strict=True):
        item = next(i for i in ticket.items if i.version.spec["kind"] == "numeric")
        display = grader.grade(item.version.spec, item.seed, "").expected_display
        value = localize_text(display.strip("$"), ",").replace("-", "−")
        assert f"Ответ: {value}\n" in section


def test_a_ticket_draws_what_an_online_attempt_with_its_uuid_would(tickets_quiz, student):
    tickets_quiz.is_published = True
    tickets_quiz.is_open = True
    tickets_quiz.save()
    attempt = attempt_start(user=student, quiz=tickets_quiz)
    stored = [(i.version_id, i.seed, i.points) for i in attempt.items.order_by("position")]
    from quizapp.attempts.services import attempt_draw

    drawn = attempt_draw(quiz=tickets_quiz, attempt_uuid=attempt.uuid)
    assert [(v.pk, s, qi.points) for _, qi, v, s in drawn] == stored
    ticket = services.tickets_build(quiz=tickets_quiz, batch=BATCH, count=1)[0]
    uuid = services.ticket_uuid(quiz=tickets_quiz, batch=BATCH, number=1)
    again = attempt_draw(quiz=tickets_quiz, attempt_uuid=uuid)
    assert [(i.version.pk, i.seed) for i in ticket.items] == [(v.pk, s) for _, _, v, s in again]
    assert Attempt.objects.count() == 1  # tickets write no attempts


def test_the_same_batch_prints_the_same_tickets_another_batch_others(tickets_quiz):
    def seeds(batch):
        return [
            [i.seed for i in t.items]
            for t in services.tickets_build(quiz=tickets_quiz, batch=batch, count=2)
        ]

    assert seeds(BATCH) == seeds(BATCH)
    assert seeds(BATCH) != seeds("ffff0000")


def test_named_tickets_one_per_student_of_the_course(tickets_quiz, tickets_course, tmp_path):
    out = tmp_path / "named.pdf"
    call_command(
        "exam_tickets", str(tickets_quiz.pk), "--students", tickets_course.code, "-o", str(out),
        "--batch", BATCH, "--base-url", BASE, stdout=io.StringIO(),
    )  # fmt: skip
    text = _text(out)
    assert "Студент: Анна Иванова" in text and "Студент: Пётр Петров" in text
    assert text.index("Анна Иванова") < text.index("Пётр Петров")
    assert "Фамилия, имя" not in text


@pytest.mark.parametrize("count", ["0", "301"])
def test_the_command_refuses_a_count_out_of_bounds(tickets_quiz, tmp_path, count):
    with pytest.raises(CommandError, match="от 1 до 300"):
        call_command("exam_tickets", "paper", "--count", count, "-o", str(tmp_path / "t.pdf"))
    assert not (tmp_path / "t.pdf").exists()


def test_the_service_refuses_with_codes(tickets_quiz, owner):
    with pytest.raises(ServiceError) as caught:
        services.tickets_build(quiz=tickets_quiz, batch=BATCH, count=301)
    assert caught.value.code == ErrorCode.TICKETS_COUNT
    assert caught.value.message == "Число билетов — от 1 до 300."
    with pytest.raises(ServiceError) as caught:
        services.tickets_build(quiz=tickets_quiz, batch=BATCH, count=3, limit=2)
    assert caught.value.message == "Число билетов — от 1 до 2."
    from quizapp.models import Course

    empty = Course.objects.create(title="Пустой", code="empty", owner=owner)
    with pytest.raises(ServiceError) as caught:
        services.tickets_build(quiz=tickets_quiz, batch=BATCH, course=empty)
    assert caught.value.code == ErrorCode.TICKETS_NO_STUDENTS
    from quizapp.models import Quiz

    empty_quiz = Quiz.objects.create(slug="empty", title="Пустой", owner=owner)
    with pytest.raises(ServiceError) as caught:
        services.tickets_build(quiz=empty_quiz, batch=BATCH, count=1)
    assert caught.value.code == ErrorCode.TICKETS_EMPTY_QUIZ


# --- The QR code and the key page ---


def test_the_qr_code_carries_the_signed_key_page_url(tickets_quiz, monkeypatch):
    encoded = []
    real = pdf.segno.make

    def spy(content, **kwargs):
        encoded.append(content)
        return real(content, **kwargs)

    monkeypatch.setattr(pdf.segno, "make", spy)
    tickets = services.tickets_build(quiz=tickets_quiz, batch=BATCH, count=2)
    pdf.tickets_pdf(tickets, base_url=BASE + "/", decimal=",")
    assert encoded == [services.ticket_url(t, base_url=BASE) for t in tickets]
    path = reverse("ticket-key", kwargs={"quiz_id": tickets_quiz.pk, "token": tickets[0].token})
    assert encoded[0] == BASE + path
    back = services.ticket_from_token(quiz=tickets_quiz, token=tickets[0].token)
    assert [(i.version.pk, i.seed, i.points) for i in back.items] == [
        (i.version.pk, i.seed, i.points) for i in tickets[0].items
    ]
    assert back.number == 1
    # Short enough for a QR code that scans from paper (a 57×57 code at most).
    assert len(encoded[0]) < 300, len(encoded[0])


def _key_url(quiz, token):
    return reverse("ticket-key", kwargs={"quiz_id": quiz.pk, "token": token})


def test_the_key_page_shows_the_owner_the_keys_and_solutions(client, owner, tickets_quiz):
    ticket = services.tickets_build(quiz=tickets_quiz, batch=BATCH, count=2)[1]
    client.force_login(owner)
    response = client.get(_key_url(tickets_quiz, ticket.token))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ключ к билету № 2" in page
    numeric = next(i for i in ticket.items if i.version.spec["kind"] == "numeric")
    key = grader.grade(numeric.version.spec, numeric.seed, "")
    assert key.expected_display.strip("$").replace(".", ",") in page
    assert "Решение" in page


def test_the_key_page_is_for_the_owner_only(client, tickets_quiz, student, other_instructor):
    token = services.tickets_build(quiz=tickets_quiz, batch=BATCH, count=1)[0].token
    url = _key_url(tickets_quiz, token)
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(student)
    assert client.get(url).status_code == 403
    client.force_login(other_instructor)
    assert client.get(url).status_code == 404


def test_a_tampered_or_foreign_token_is_refused(client, owner, tickets_quiz):
    from quizapp.models import Quiz

    token = services.tickets_build(quiz=tickets_quiz, batch=BATCH, count=1)[0].token
    client.force_login(owner)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.get(_key_url(tickets_quiz, tampered)).status_code == 404
    other = Quiz.objects.create(slug="other", title="Другой", owner=owner)
    assert client.get(_key_url(other, token)).status_code == 404
    with pytest.raises(ServiceError) as caught:
        services.ticket_from_token(quiz=other, token=token)
    assert caught.value.code == ErrorCode.TICKET_TOKEN_BAD


# --- The button and the downloads ---


def test_the_quiz_page_links_to_the_tickets_form(client, owner, tickets_quiz):
    client.force_login(owner)
    page = client.get(reverse("teach-quiz-edit", args=[tickets_quiz.pk])).content.decode()
    assert reverse("tickets", args=[tickets_quiz.pk]) in page
    form = client.get(reverse("tickets", args=[tickets_quiz.pk]))
    assert form.status_code == 200
    assert reverse("tickets-download", args=[tickets_quiz.pk, "keys"]) in form.content.decode()


def test_the_owner_downloads_both_pdfs_of_one_batch(client, owner, tickets_quiz):
    client.force_login(owner)
    query = {"count": "2", "batch": BATCH, "course": ""}
    sheets = {}
    for what in ("tickets", "keys"):
        response = client.get(reverse("tickets-download", args=[tickets_quiz.pk, what]), query)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert f"{what}-paper-{BATCH}.pdf" in response["Content-Disposition"]
        sheets[what] = _text(io.BytesIO(response.content))
    tickets = services.tickets_build(quiz=tickets_quiz, batch=BATCH, count=2)
    # The QR codes point at this site (the request's host).
    assert "Билет № 2" in sheets["tickets"] and "Билет № 2" in sheets["keys"]
    for ticket in tickets:
        assert str(ticket.items[1].seed) in sheets["keys"]


def test_downloads_refuse_others_and_bad_input(
    client, owner, tickets_quiz, student, other_instructor
):
    url = reverse("tickets-download", args=[tickets_quiz.pk, "tickets"])
    query = {"count": "2", "batch": BATCH}
    client.force_login(student)
    assert client.get(url, query).status_code == 403
    client.force_login(other_instructor)
    assert client.get(url, query).status_code == 404
    client.force_login(owner)
    response = client.get(url, {"count": "61", "batch": BATCH})
    assert response.status_code == 400
    assert "На странице — не больше 60 билетов за раз" in response.content.decode()
    response = client.get(url, {"count": "0", "batch": BATCH})
    assert "Нужен хотя бы один билет." in response.content.decode()
    response = client.get(url, {"count": "", "batch": BATCH})
    assert "Укажите число билетов или выберите курс." in response.content.decode()
    response = client.get(url, {"count": "2", "batch": "not hex!"})
    assert response.status_code == 400
    assert (
        client.get(reverse("tickets-download", args=[tickets_quiz.pk, "other"]), query).status_code
        == 404
    )


def test_the_course_choice_lists_only_the_quizs_own_courses(
    client, owner, tickets_quiz, tickets_course
):
    client.force_login(owner)
    url = reverse("tickets-download", args=[tickets_quiz.pk, "tickets"])
    response = client.get(url, {"course": tickets_course.pk, "batch": BATCH})
    assert response.status_code == 200
    assert "Анна Иванова" in _text(io.BytesIO(response.content))
    from quizapp.models import Course

    foreign = Course.objects.create(title="Чужой", code="foreign", owner=owner)
    response = client.get(url, {"course": foreign.pk, "batch": BATCH})
    assert response.status_code == 400


def test_points_print_with_the_decimal_mark(tickets_quiz):
    assert pdf._points(Decimal("1.50"), ",") == "баллы: 1,5"


def test_a_course_with_the_point_prints_numbers_with_the_point(tickets_quiz, owner, tmp_path):
    from quizapp.models import Course

    course = Course.objects.create(title="English", code="en", owner=owner, decimal_mark=".")
    course.quizzes.add(tickets_quiz, through_defaults={"added_by": owner})
    tickets, keys = tmp_path / "t.pdf", tmp_path / "k.pdf"
    call_command(
        "exam_tickets", "paper", "--count", "1", "-o", str(tickets), "--keys", str(keys),
        "--batch", BATCH, stdout=io.StringIO(),
    )  # fmt: skip
    assert "с десятичной точкой" in _text(tickets).replace("\n", " ")
    ticket = services.tickets_build(quiz=tickets_quiz, batch=BATCH, count=1)[0]
    item = next(i for i in ticket.items if i.version.spec["kind"] == "numeric")
    display = grader.grade(item.version.spec, item.seed, "").expected_display.strip("$")
    assert "." in display
    assert f"Ответ: {display.replace('-', '−')}\n" in _text(keys)


def test_the_same_batch_gives_the_same_bytes(tickets_quiz):
    """Fonts embedded with the typst package, no date: a reprint is byte for byte the same."""
    first = services.tickets_build(quiz=tickets_quiz, batch=BATCH, count=1)
    again = services.tickets_build(quiz=tickets_quiz, batch=BATCH, count=1)
    assert pdf.keys_pdf(first, decimal=",") == pdf.keys_pdf(again, decimal=",")
    one = pdf.tickets_pdf(first, base_url=BASE, decimal=",")
    assert one == pdf.tickets_pdf(again, base_url=BASE, decimal=",")
    fonts = set(re.findall(rb"/BaseFont\s*/([A-Z]{6}\+[^\s/]+)", one))
    assert fonts and all(b"NewCM" in f for f in fonts), fonts
