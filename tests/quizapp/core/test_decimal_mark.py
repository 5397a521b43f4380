"""The decimal mark people read (issue 12 §3): MathML numbers, separators, signs; the site
setting and a course's own mark; every bundled question shown with the comma."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

import grader
from question_bank.formats.common import split_question
from quizapp.core.env import env_choice
from quizapp.core.mathml import render_math
from quizapp.courses import services as courses
from quizapp.courses.selectors import quiz_decimal_mark
from quizapp.models import Quiz
from tests.question_bank.banks import BANKS_DIR


def test_mathml_numbers_with_the_comma_and_vectors_with_semicolons():
    html = render_math("$(-1.6, 1.2, -0.6)$", ",")
    # the sign joins its number: no binary spacing «( − 1,6»
    semicolon = '<mo lspace="0" rspace="0.2778em">&#x0003B;</mo>'  # spaced as in text
    assert f"<mn>&#x02212;1,6</mn>{semicolon}<mn>1,2</mn>" in html
    assert "<mo>&#x02212;</mo>" not in html
    assert "1.2" not in html


def test_the_issue_formula_no_longer_reads_as_zero_comma_five():
    html = render_math("$\\max(0, 5x_1 - 60x_2 + 0.5x_3)$", ",")
    assert '<mn>0</mn><mo lspace="0" rspace="0.2778em">&#x0003B;</mo><mn>5</mn>' in html
    assert "<mn>0,5</mn>" in html
    assert "<mo>&#x02212;</mo><mn>60</mn>" in html  # a subtraction stays an operator


def test_tex_decimal_comma_is_one_number_and_indices_keep_their_comma():
    html = render_math("$W_{1,2} = 0{,}5$", ",")
    assert "<mn>0,5</mn>" in html
    assert "<mn>1</mn><mo>&#x0002C;</mo><mn>2</mn>" in html
    assert "<mn>0.5</mn>" in render_math("$0{,}5$", ".")


def test_plain_text_around_math_and_the_point_mark():
    html = render_math("p = 0.2 в Python 3.11: $p = 0.2$", ",")
    assert html.startswith("p = 0,2 в Python 3.11: ") and "<mn>0,2</mn>" in html
    assert "<mn>0.2</mn>" in render_math("$p = 0.2$", ".")


def test_site_default_comes_from_a_strict_setting(settings, monkeypatch):
    assert settings.NZ_DECIMAL_MARK == ","
    assert "<mn>0,5</mn>" in render_math("$0.5$")
    settings.NZ_DECIMAL_MARK = "."
    assert "<mn>0.5</mn>" in render_math("$0.5$")
    monkeypatch.setenv("NZ_DECIMAL_MARK", ";")
    with pytest.raises(ImproperlyConfigured):
        env_choice("NZ_DECIMAL_MARK", ",", choices=(",", "."))


@pytest.mark.django_db
def test_a_course_overrides_the_site_mark(owner, settings):
    quiz = Quiz.objects.create(slug="q", title="Тест", owner=owner, is_published=True)
    assert quiz_decimal_mark(quiz=quiz) == ","
    course = courses.course_create(owner=owner, title="Курс", code="c-1", decimal_mark=".")
    course.quizzes.add(quiz)
    assert quiz_decimal_mark(quiz=quiz) == "."
    settings.NZ_DECIMAL_MARK = "."
    other = courses.course_create(owner=owner, title="Другой", code="c-2", decimal_mark=",")
    other.quizzes.add(quiz)
    assert quiz_decimal_mark(quiz=quiz) == "."  # two courses disagree: the site's
    assert (
        courses.course_create(owner=owner, title="Т", code="c-3", decimal_mark="x").decimal_mark
        == ""
    )


@pytest.mark.django_db
def test_the_course_form_sets_the_mark(client, owner):
    course = courses.course_create(owner=owner, title="Курс", code="c-1")
    client.force_login(owner)
    url = reverse("course-edit", args=[course.pk])
    assert "десятичный разделитель" in client.get(url).content.decode().lower()
    data = {"title": "Курс", "code": "c-1", "decimal_mark": ".", "join_enabled": "on"}
    assert client.post(url, data).status_code == 302
    course.refresh_from_db()
    assert course.decimal_mark == "."


_POINT_DECIMAL = re.compile(r"\d\.\d")
_FILES = sorted(BANKS_DIR.glob("*.yaml"))


def _typed(display: str) -> str:
    """What a student types after reading the key shown with the comma."""
    text = display.strip("$").replace("{,}", ",")
    text = text.replace("\\begin{pmatrix}", "[").replace("\\end{pmatrix}", "]")
    text = text.replace("\\\\", ";").replace("&", " ")
    text = re.sub(r"\\cdot 10\^\{(-?\d+)\}", r"e\1", text)
    return text.replace("(", "[").replace(")", "]")


@pytest.mark.parametrize("path", _FILES, ids=[p.stem for p in _FILES])
def test_every_bundled_question_reads_with_the_comma_and_its_key_types_back(path):
    for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
        _meta, spec = split_question(entry)
        for seed in (None, 3, 17):
            shown = grader.present(spec, seed)
            result = grader.grade(spec, seed, "")
            texts = [shown.text, *shown.hints, *(o["text"] for o in shown.options)]
            texts += [result.solution, result.expected_display]
            for text in texts:
                html = render_math(text, ",")
                read = re.sub(r"<[^>]*>", " ", html)  # what is read, not attributes (0.167em)
                assert not _POINT_DECIMAL.search(read), (entry["slug"], seed, read)
            if spec["kind"] in ("numeric", "vector", "matrix"):
                typed = _typed(result.expected_display.replace(".", "{,}"))
                assert grader.grade(spec, seed, typed).correct, (entry["slug"], seed, typed)
