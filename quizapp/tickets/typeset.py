"""Question texts as Typst markup, and Typst documents compiled to PDF.

Texts are the app's: plain text with ``$…$`` / ``$$…$$`` LaTeX math. The math goes the way the
pages take (LaTeX → MathML by :func:`quizapp.core.mathml.math_tree`, with the numbers as a Russian
reader reads them), then the MathML tree is walked into Typst math: Typst's math syntax is not
LaTeX, and the MathML is already parsed, cleaned and localised. An element the walker does not
know becomes its plain text; a formula latex2mathml cannot read is printed as its source, never
as a compile error.

Fonts: only those the typst package embeds (New Computer Modern, with Cyrillic, and its math
font); the machine's fonts are ignored, so a PDF is the same on every machine.
"""

from __future__ import annotations

import html
import re
import tempfile
from functools import lru_cache
from xml.etree.ElementTree import Element

import typst

from grader.templating import localize_text
from quizapp.core.mathml import MATH_DELIMITERS, MAX_FORMULA, math_tree

__all__ = ["markup", "math", "string", "compile_pdf", "TypstError"]

# Characters with a meaning in Typst markup: headings, lists, emphasis, labels, math, code,
# comments ("//", "/*"), shorthands ("--", "~", "...").
_MARKUP_SPECIAL = re.compile(r"([\\#*_$@<>\[\]`~=\-+/])")
# In math, every ASCII punctuation is escaped: none then pairs into a shorthand ("<=", "->").
_MATH_SPECIAL = frozenset("\\$#\"'()[]{},;&!|=<>+-*.:~@/_^%")
_ASCII_OPERATORS = {"-": "−", "*": "∗", "~": "∼"}
_ACCENTS = {
    "^": "hat", "ˆ": "hat", "̂": "hat", "~": "tilde", "˜": "tilde", "̃": "tilde",
    "¯": "macron", "‾": "overline", "―": "overline", "_": "overline", "→": "arrow",
    "⃗": "arrow", "˙": "dot", "̇": "dot", "¨": "diaer", "̈": "diaer", "ˇ": "caron",
    "´": "acute", "`": "grave", "˘": "breve",
    "⏞": "overbrace", "⎴": "overbracket",
}  # fmt: skip
_UNDER = {
    "⏟": "underbrace",
    "‾": "underline",
    "―": "underline",
    "_": "underline",
    "⎵": "underbracket",
}
_FENCES = {"(": ")", "[": "]", "{": "}", "|": "|", "‖": "‖", "⟨": "⟩", "⌊": "⌋", "⌈": "⌉"}
_MATRIX_DELIMS = {"(": '"("', "[": '"["', "{": '"{"', "|": '"|"', "‖": '"||"'}


_NUMBER = re.compile(r"[−-]?\d+(\.\d+)?")


class TypstError(RuntimeError):
    """Typst refused a document: a bug of this module, never the author's text."""


def string(text: str) -> str:
    """A Typst string literal (code and math both read them)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "").replace("\t", " ") + '"'


def _text(text: str, decimal: str) -> str:
    """Plain text as Typst markup: escaped; a blank line stays a paragraph break."""
    text = localize_text(text, decimal)
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(_MARKUP_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", p)) for p in paragraphs)


def markup(text: str, decimal: str = ",") -> str:
    """Text with ``$…$`` math as Typst markup, numbers with the decimal mark ``decimal``.

    >>> markup("Найдите $x_1$ #1", ",")
    'Найдите $attach(x, b: 1)$ \\\\#1'
    """
    parts = []
    position = 0
    for match in MATH_DELIMITERS.finditer(text or ""):
        parts.append(_text(text[position : match.start()], decimal))
        display = match.group(1) is not None
        parts.append(math((match.group(1) or match.group(2)).strip(), display, decimal))
        position = match.end()
    parts.append(_text((text or "")[position:], decimal))
    return "".join(parts)


@lru_cache(maxsize=4096)
def math(latex: str, display: bool = False, decimal: str = ",") -> str:
    """One formula as Typst math (``$…$``; with spaces inside, a display block)."""
    if len(latex) > MAX_FORMULA:
        latex = latex[:MAX_FORMULA]
    try:
        body = _node(math_tree(latex, display=display, decimal=decimal))
    except Exception:  # latex2mathml raises many exception types on odd input
        return "#raw(" + string(latex) + ")"
    body = body.strip() or '""'
    return f"$ {body} $" if display else f"${body}$"


def _char(element: Element) -> str:
    return html.unescape(element.text or "")


def _token(text: str) -> str:
    """One character of a formula as Typst math: ASCII punctuation escaped, letters apart."""
    out = []
    for ch in text:
        ch = _ASCII_OPERATORS.get(ch, ch)
        if ch in _MATH_SPECIAL:
            out.append("\\" + ch)
        elif ch.isspace():
            out.append(" ")
        else:
            out.append(ch)
    # Letters stand apart: "ab" would be one (unknown) identifier in Typst.
    return " ".join(out)


def _word(text: str) -> str:
    """A run of letters (``max``, ``softmax``, ``ReLU``) as an upright operator name."""
    return f"op({string(text)})"


def _leaf(element: Element) -> str:
    text = _char(element).strip()
    tag = element.tag
    if not text:
        return ""
    if tag == "mtext" or tag == "ms":
        return string(_char(element).replace("\xa0", " "))
    if tag == "mn":
        # Typst reads "1.5" as one number; anything else (a decimal comma, which Typst would
        # space as a separator) is printed as it is.
        if _NUMBER.fullmatch(text):
            return ("−" if text[0] in "−-" else "") + text.lstrip("−-")
        return string(text)
    if len(text) > 1 and text.isalpha():
        return _word(text)
    if len(text) > 1 and tag == "mi" and not text.isascii():
        return string(text)
    return _token(text)


def _group(element: Element) -> str:
    """A child as one argument of a Typst function: never empty."""
    inner = _node(element).strip()
    return inner if inner else '""'


def _children(element: Element) -> list[Element]:
    return [c for c in element if isinstance(c.tag, str)]


def _node(element: Element) -> str:
    tag = element.tag
    kids = _children(element)
    if tag in ("mi", "mn", "mo", "mtext", "ms"):
        return _leaf(element)
    if tag == "mspace":
        width = element.get("width", "")
        return " quad " if width.endswith("em") and _em(width) >= 0.9 else " thin "
    if tag in ("mphantom", "none", "mprescripts"):
        return ""
    if tag == "mfrac" and len(kids) == 2:
        return f"frac({_group(kids[0])}, {_group(kids[1])})"
    if tag == "msqrt":
        return f"sqrt({_row(kids) or chr(34) * 2})"
    if tag == "mroot" and len(kids) == 2:
        return f"root({_group(kids[1])}, {_group(kids[0])})"
    if tag == "msub" and len(kids) == 2:
        return f"attach({_group(kids[0])}, b: {_group(kids[1])})"
    if tag == "msup" and len(kids) == 2:
        return f"attach({_group(kids[0])}, t: {_group(kids[1])})"
    if tag == "msubsup" and len(kids) == 3:
        return f"attach({_group(kids[0])}, b: {_group(kids[1])}, t: {_group(kids[2])})"
    if tag == "mover" and len(kids) == 2:
        accent = _char(kids[1]).strip() if kids[1].tag == "mo" else ""
        if accent in _ACCENTS:
            return f"{_ACCENTS[accent]}({_group(kids[0])})"
        return f"attach(limits({_group(kids[0])}), t: {_group(kids[1])})"
    if tag == "munder" and len(kids) == 2:
        accent = _char(kids[1]).strip() if kids[1].tag == "mo" else ""
        if accent in _UNDER:
            return f"{_UNDER[accent]}({_group(kids[0])})"
        return f"attach(limits({_group(kids[0])}), b: {_group(kids[1])})"
    if tag == "munderover" and len(kids) == 3:
        return f"attach(limits({_group(kids[0])}), b: {_group(kids[1])}, t: {_group(kids[2])})"
    if tag == "mtable":
        return _matrix(element, None)
    if tag == "mfenced":
        inner = f" {_token(',')} ".join(_group(k) for k in kids)
        opening, closing = element.get("open", "("), element.get("close", ")")
        return f"lr({_token(opening)} {inner} {_token(closing)})"
    # math, mrow, mstyle, mpadded, menclose, merror, maction and anything unknown: the children
    # in a row (an unknown leaf keeps its text).
    if not kids:
        return _leaf(element) if element.text else ""
    return _row(kids)


def _em(width: str) -> float:
    try:
        return float(width[:-2])
    except ValueError:
        return 0.0


def _row(kids: list[Element]) -> str:
    # A matrix in brackets: the brackets become the matrix's delimiters (they then grow with
    # it); other brackets stretch when \left…\right asked for it.
    if (
        len(kids) == 3
        and kids[1].tag == "mtable"
        and kids[0].tag == "mo"
        and kids[2].tag == "mo"
        and _char(kids[0]).strip() in _MATRIX_DELIMS
    ):
        return _matrix(kids[1], _char(kids[0]).strip())
    parts = [_node(k) for k in kids]
    if (
        len(kids) >= 2
        and kids[0].tag == "mo"
        and kids[-1].tag == "mo"
        and kids[0].get("fence") == "true"
        and kids[-1].get("fence") == "true"
    ):
        return "lr(" + " ".join(p for p in parts if p.strip()) + ")"
    return " ".join(p for p in parts if p.strip())


def _matrix(table: Element, opening: str | None) -> str:
    rows = []
    for row in _children(table):
        cells = [_group(cell) for cell in _children(row)] if row.tag == "mtr" else [_group(row)]
        rows.append(", ".join(cells))
    delim = _MATRIX_DELIMS.get(opening or "", "#none")
    return f"mat(delim: {delim}, {'; '.join(rows) or chr(34) * 2})"


def compile_pdf(source: str) -> bytes:
    """A Typst document as PDF, with the embedded fonts only."""
    # Typst reads files under its root (#read, #image): an empty directory, so that nothing of
    # the server is reachable even if a text ever slipped past the escaping.
    with tempfile.TemporaryDirectory(prefix="tickets-") as root:
        try:
            return typst.compile(source.encode(), root=root, format="pdf", ignore_system_fonts=True)
        except Exception as exc:  # typst raises its own error types with the diagnostics
            raise TypstError(str(exc)) from exc
