"""The ``math`` filter renders bank texts and grader feedback (which quotes student answers): no
LaTeX inside ``$…$`` may smuggle HTML, script URLs or inline styles into the page."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from quizapp.core.mathml import render_math

ATTACKS = [
    r"$\text{<img src=x onerror=alert(1)>}$",
    r"$$\text{<script>alert(1)</script>}$$",
    r"$\mathrm{<svg onload=alert(1)>}$",
    r"$\href{javascript:alert(1)}{x}$",
    r"$\style{background:url(javascript:alert(1))}{x}$",
    r'$\color{red" onmouseover="alert(1)}{x}$',
    "<script>alert(1)</script> $x$",
    "$x$ <img src=x onerror=alert(1)>",
]


class _Tags(HTMLParser):
    """What a browser's parser makes of the HTML: element names and attributes."""

    def __init__(self):
        super().__init__()
        self.tags, self.attrs = set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.extend(attrs)


@pytest.mark.parametrize("text", ATTACKS)
def test_no_markup_escapes_from_math(text):
    html = str(render_math(text))
    parsed = _Tags()
    parsed.feed(html)
    # "span" is our own box around a formula (it scrolls on a phone); it carries only its class.
    assert parsed.tags <= {"math", "mrow", "mi", "mo", "mn", "mtext", "mstyle", "code", "span"}
    boxes = html.count('<span class="math-display">') + html.count('<span class="math-inline">')
    assert html.count("<span") == boxes, html
    names = {name for name, _value in parsed.attrs}
    assert not {n for n in names if n.startswith("on")} and not names & {"href", "style"}, html
    assert all("javascript:" not in (value or "").lower() for _n, value in parsed.attrs), html


def test_symbols_still_render():
    html = str(render_math(r"$x < y \cdot \alpha$ и $$\text{шаг} = 2$$"))
    assert "<math" in html and "&#x0003C;" in html and "&amp;#x" not in html
    assert "<mtext>шаг</mtext>" in html


def test_punctuation_after_an_inline_formula_stays_in_its_box():
    """«$h_1 = …$,» on a phone: the formula fills the line and scrolls in its box; the comma
    goes into that box rather than onto a line of its own (the café solution at 360 px)."""
    html = str(render_math("Итак, $h_1 = 2$, затем $x$. Конец ($y$).", "."))
    assert html.count("</math>,</span>") == 1
    assert "</math>.</span>" in html and "</math>).</span>" in html
    assert html.startswith("Итак, ") and "</span> затем " in html
    # A display formula is a block of its own: what follows stays outside.
    assert str(render_math("$$a$$, b", ".")).endswith("</span>, b")
    # Only punctuation joins: a word right after the formula stays text.
    assert str(render_math("$x$ы", ".")).endswith("</span>ы")
