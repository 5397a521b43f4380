"""Every formula has a text alternative (issue 18): ``alttext`` with its LaTeX source and an
``aria-label`` with a Russian spoken form — the one Chromium exposes as the formula's name —
both with the numbers as the page shows them (the decimal mark of the site or the course)."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest

from quizapp.core.mathml import render_math


class _MathAttributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "math":
            self.found.append(dict(attrs))


def _math(text: str, decimal: str = ",") -> list[dict]:
    parser = _MathAttributes()
    parser.feed(str(render_math(text, decimal)))
    return parser.found


@pytest.mark.parametrize(
    ("latex", "spoken"),
    [
        (r"\mu_B", "мю с индексом B"),
        (r"\hat y", "y с крышкой"),
        (r"\sigma_B^2", "сигма с индексом B в квадрате"),
        (r"\frac{1}{2}", "1 делить на 2"),
        (r"\frac{x - \mu_B}{\sqrt{\sigma_B^2 + \varepsilon}}",
         "дробь: числитель x минус мю с индексом B, знаменатель корень из "
         "(сигма с индексом B в квадрате плюс эпсилон), конец дроби"),
        (r"\sum_{i=1}^{n} x_i", "сумма от i равно 1 до n x с индексом i"),
        (r"W^T x", "W транспонированная x"),
        (r"\bar x", "x с чертой"),
        (r"\vec v", "вектор v"),
        (r"e^{-x}", "e в степени (минус x)"),
        (r"\begin{pmatrix}1 & 2\\ 3 & 4\end{pmatrix}", "(матрица: 1; 2. 3; 4.)"),
    ],
)  # fmt: skip
def test_spoken_form(latex, spoken):
    (attributes,) = _math(f"${latex}$")
    assert attributes["aria-label"] == spoken
    assert attributes["alttext"] == latex


def test_numbers_as_the_page_shows_them():
    """The reported formula: with the comma a decimal is «0,5» and the separator «;», with the
    point both stay as typed; the MathML itself says the same."""
    text = r"$h = \max(0, 5x_1 - 60x_2 + 0.5x_3)$"
    (comma,) = _math(text, ",")
    assert comma["aria-label"] == (
        "h равно max (0; 5 x с индексом 1 минус 60 x с индексом 2 плюс 0,5 x с индексом 3)"
    )
    assert comma["alttext"] == r"h = \max(0, 5x_1 - 60x_2 + 0,5x_3)"
    (point,) = _math(text, ".")
    assert "0.5 x с индексом 3" in point["aria-label"] and "(0 " not in point["aria-label"]
    assert point["alttext"] == r"h = \max(0, 5x_1 - 60x_2 + 0.5x_3)"
    (vector,) = _math(r"$(-1.6, 1.2)$", ",")
    assert vector["aria-label"] == "(минус 1,6; 1,2)"


def test_display_formulas_and_several_formulas_each_get_their_own():
    found = _math(r"Среднее $\mu_B$, затем $$\hat x = \frac{x - \mu_B}{\sigma_B}$$")
    assert [a["alttext"] for a in found] == [r"\mu_B", r"\hat x = \frac{x - \mu_B}{\sigma_B}"]
    assert found[1]["display"] == "block"
    assert found[1]["aria-label"].startswith("x с крышкой равно дробь")


@pytest.mark.parametrize(
    "text",
    [
        r'$\text{" onmouseover="alert(1)}$',
        r"$\text{<img src=x onerror=alert(1)>}$",
        r"$x_{&#x22; onclick=&#x22;alert(1)}$",
    ],
)
def test_the_alternative_cannot_break_out_of_its_attribute(text):
    html = str(render_math(text, ","))
    (attributes,) = _math(text)
    # Quotes and brackets stay inside the two attribute values: no new attribute, no tag.
    assert set(attributes) <= {"xmlns", "display", "alttext", "aria-label"}
    assert "<img" not in html and "onmouseover=" not in re.sub(r'"[^"]*"', '""', html)
    assert unescape(attributes["alttext"]).startswith(("\\text", "x_"))
