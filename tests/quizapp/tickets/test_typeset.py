"""LaTeX-in-text → Typst: escaping, the math walker, and every bundled question compiling."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

import grader
from question_bank.formats.common import split_question
from question_bank.formats.native import parse_bank
from quizapp.tickets.typeset import TypstError, compile_pdf, markup, math, string
from tests.question_bank.banks import BANKS_DIR

_HEAD = '#set text(font: "New Computer Modern", lang: "ru")\n'


def _text_of(source: str) -> str:
    import io

    reader = PdfReader(io.BytesIO(compile_pdf(_HEAD + source)))
    return "".join(page.extract_text() for page in reader.pages)


def test_markup_escapes_every_special_character_and_keeps_cyrillic():
    text = "Вес #1 *важен* _очень_ [1] @a <b> `c` ~d = -e + /f // g \\h $"
    out = markup(text)
    for special in "#*_[]@<>`~=+/":
        assert re.search(rf"(?<!\\){re.escape(special)}", out) is None, special
    # The lone "$" (no formula) is text, escaped; the PDF reads back the same characters.
    assert _text_of(out).split() == text.split()


def test_numbers_take_the_decimal_mark_in_text_and_in_math():
    assert markup("x = 0.5 и $y = 1.25$", ",") == 'x \\= 0,5 и $y \\= "1,25"$'
    assert markup("x = 0.5 и $y = 1.25$", ".") == "x \\= 0.5 и $y \\= 1.25$"


@pytest.mark.parametrize(
    ("latex", "typst"),
    [
        (r"\frac{1}{2}", "frac(1, 2)"),
        (r"x_i^2", "attach(x, b: i, t: 2)"),
        (r"W_{ij}", "attach(W, b: i j)"),
        (r"\sqrt[3]{x}", "root(3, x)"),
        (r"\hat{y}", "hat(y)"),
        (r"\text{при } x", '"при " x'),
        (r"\max(0, x)", 'op("max") \\( 0 \\; x \\)'),
        (r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", 'mat(delim: "(", 1, 2; 3, 4)'),
        (r"a - b", "a − b"),
    ],
)
def test_math_walker_writes_typst(latex, typst):
    assert math(latex, decimal=",") == f"${typst}$"


def test_formulas_render_with_their_numbers_and_cyrillic():
    source = markup(
        r"Матрица $\begin{bmatrix} 0.5 & -1 \\ 2 & 3 \end{bmatrix}$, дробь $\frac{3}{4}$, "
        r"$\sum_{i=1}^{n} x_i$ и $\text{потеря} = 0.25$",
        ",",
    )
    text = _text_of(source)
    assert "Матрица" in text and "потеря" in text
    for number in ("0,5", "−1", "3", "4", "0,25"):
        assert number in text, number


def test_a_formula_latex2mathml_cannot_read_is_printed_as_its_source():
    assert math(r"\frac{1}{", decimal=",") == '#raw("\\\\frac{1}{")'
    assert r"\frac{1}{" in _text_of(markup(r"Сломано: $\frac{1}{$"))


def test_string_literals_escape_quotes_and_backslashes():
    assert string('a "b" \\c\nd') == '"a \\"b\\" \\\\c\\nd"'


def test_every_bundled_question_compiles():
    """Every text a ticket prints (question, options, matching stems, field labels, the key and
    the worked solution) of every bundled question, seed fixed, in one Typst document."""
    chunks = []
    for path in sorted(BANKS_DIR.glob("*.yaml")):
        for entry in parse_bank(path.read_bytes(), path.name).bank["questions"]:
            _, spec = split_question(entry)
            presented = grader.present(spec, 11)
            texts = [presented.text] + [o["text"] for o in presented.options + presented.stems]
            texts += [p.get("label") or "" for p in presented.parts]
            chunks.extend(markup(t, ",") for t in texts)
    assert len(chunks) > 1500
    results = grader.grade_many(
        [
            (split_question(e)[1], 11, "")
            for p in sorted(BANKS_DIR.glob("*.yaml"))
            for e in parse_bank(p.read_bytes(), p.name).bank["questions"]
        ]
    )
    for result in results:
        assert result["status"] != "error", result
        chunks.append(markup(result["expected_display"] or "", ","))
        chunks.append(markup(result["solution"] or "", ","))
    pdf = compile_pdf(_HEAD + "\n\n".join(chunks))
    assert pdf.startswith(b"%PDF")


def test_typst_sees_no_file_of_the_server():
    with pytest.raises(TypstError, match="not found"):
        compile_pdf('#read("manage.py")')
