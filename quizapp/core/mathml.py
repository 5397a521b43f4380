"""Server-side math: ``$…$`` and ``$$…$$`` in question texts become MathML (no client-side JS).

Everything outside the math is HTML-escaped; a formula latex2mathml cannot convert is shown as
escaped source in ``<code>`` rather than breaking the page.

Texts come from uploaded banks and from grader feedback that quotes student answers, so the
MathML is serialized here rather than by ``latex2mathml.convert``: that one unescapes the whole
string (``\\text{<img onerror=…>}`` would come out as a live tag) and keeps ``\\href`` and
``\\style``. Only numeric character references are restored, and only known MathML elements and
harmless attributes are kept.

Every formula carries a text alternative: ``alttext`` with its LaTeX source and an
``aria-label`` with a Russian spoken form built from the MathML (``μ_B`` → «мю с индексом B»,
``\\hat y`` → «y с крышкой»). Chromium exposes only the ``aria-label`` as the formula's
accessible name (``alttext`` is not mapped), so without it a screen reader that does not read
MathML says «mu B» or «y caret». Both show numbers with the page's decimal mark.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from xml.etree.ElementTree import Element, tostring

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from latex2mathml.converter import Converter

from grader.templating import DECIMAL_MARKS, localize_text

__all__ = ["render_math", "decimal_mark", "spoken_form", "math_tree"]

MATH_DELIMITERS = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.DOTALL)
# Punctuation written right after an inline formula («$h_1 = …$,») goes into the formula's box:
# a long formula fills a phone's line, and the comma would otherwise start a line of its own.
_TRAILING = re.compile(r"[,.;:!?…»)]{1,3}")
MAX_FORMULA = 4000
_ELEMENTS = frozenset(
    "math maction menclose merror mfenced mfrac mi mmultiscripts mn mo mover mpadded mphantom "
    "mprescripts mroot mrow ms mspace msqrt mstyle msub msubsup msup mtable mtd mtext mtr munder "
    "munderover none".split()
)
# Links (\href), inline CSS (\style), ids and classes never come from a formula.
_DROPPED_ATTRIBUTES = frozenset({"href", "style", "class", "id", "src"})
# …nor into the alttext (the formula's source), where they would mean nothing.
_DROPPED_COMMANDS = re.compile(r"\\(?:href|style)\s*\{[^{}]*\}")
# latex2mathml writes symbols as "&#x…;" into element text; tostring escapes the "&".
_CHAR_REF = re.compile(r"&amp;(#x[0-9a-fA-F]{1,6};|#[0-9]{1,7};)")


class _UnsafeFormula(ValueError):
    pass


def math_tree(latex: str, *, display: bool = False, decimal: str = ".") -> Element:
    """A formula as a MathML element tree, cleaned as for the page (only known elements, no links
    or styles) and with its numbers as a Russian reader reads them (see ``_numbers``): what the
    printed tickets (:mod:`quizapp.tickets.typeset`) turn into Typst. Raises on what latex2mathml
    cannot convert."""
    root = Converter(display="block" if display else "inline").convert_to_element(latex)
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag not in _ELEMENTS:
            raise _UnsafeFormula(element.tag)
        for name in list(element.attrib):
            lowered = name.lower()
            if lowered in _DROPPED_ATTRIBUTES or lowered.startswith(("on", "xlink")):
                del element.attrib[name]
    _numbers(root, decimal)
    return root


def _to_html(latex: str, display: bool, decimal: str) -> str:
    root = math_tree(latex, display=display, decimal=decimal)
    root.set("alttext", _source_numbers(_DROPPED_COMMANDS.sub("", latex), decimal))
    spoken = spoken_form(root)
    if spoken:
        root.set("aria-label", spoken)
    return _CHAR_REF.sub(r"&\1", tostring(root, encoding="unicode"))


# latex2mathml writes operators as character references: "&#x0002C;" is ",".
_MINUS = "&#x02212;"
_COMMA = "&#x0002C;"
_SEMICOLON = "&#x0003B;"
# After these a minus is a sign, not a subtraction (an opening bracket, a separator, a relation,
# an operator): "(−1,6; −0,6)", "x = −0,5", "2 · −3".
_NOT_BEFORE_SIGN = frozenset(")]}|!′″")
_SCRIPTS = frozenset({"msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts"})


def _char(element: Element) -> str:
    return html.unescape(element.text or "").strip()


def _is_blank(element: Element) -> bool:
    return element.tag == "mspace" or (element.tag == "mtext" and not _char(element))


def _numbers(root: Element, decimal: str) -> None:
    """Numbers of a formula as a Russian reader reads them, in place.

    - ``0{,}5`` (a TeX decimal comma) becomes one ``<mn>`` rather than a number, a comma and a
      number;
    - a sign minus joins its number, ``<mn>−1,6</mn>``: left as an ``<mo>`` after "(" or ","
      it is spaced as a subtraction, «( − 1,6»;
    - a number's decimal mark is ``decimal``; with a comma, a comma that separates numbers
      (vector components, ``\\max(0, 5x)``) becomes ";", except in indices (``W_{1,2}``).
    """
    in_script = set()
    for element in root.iter():
        if element.tag in _SCRIPTS:
            for script in list(element)[1:]:
                in_script.update(id(e) for e in script.iter())
    for parent in list(root.iter()):
        children = list(parent)
        merged: list[Element] = []
        for child in children:
            merged.append(child)
            # mn, mrow(mo ","), mn → mn
            if (
                len(merged) >= 3
                and child.tag == "mn"
                and merged[-3].tag == "mn"
                and merged[-2].tag == "mrow"
                and len(merged[-2]) == 1
                and merged[-2][0].tag == "mo"
                and _char(merged[-2][0]) in ",."
            ):
                merged[-3].text = f"{merged[-3].text}.{child.text}"
                parent.remove(merged[-2])
                parent.remove(child)
                del merged[-2:]
        children = list(parent)
        for index, child in enumerate(children):
            if child.tag != "mo" or _char(child) not in ("−", "-") or index + 1 >= len(children):
                continue
            number = children[index + 1]
            before = [c for c in children[:index] if not _is_blank(c)]
            if number.tag != "mn" or not before:
                continue  # the first child of a row is already spaced as a sign
            previous = before[-1]
            if previous.tag == "mo" and _char(previous) not in _NOT_BEFORE_SIGN:
                number.text = f"{_MINUS}{number.text}"
                parent.remove(child)
        children = list(parent)
        if decimal == "," and id(parent) not in in_script:
            for index, child in enumerate(children):
                if child.tag != "mo" or _char(child) != ",":
                    continue
                around = [c for c in children[:index] if not _is_blank(c)][-1:] + [
                    c for c in children[index + 1 :] if not _is_blank(c)
                ][:1]
                if any(c.tag == "mn" for c in around):
                    child.text = _SEMICOLON
    for element in root.iter():
        # A semicolon between components is followed by a space, as in text: MathML's operator
        # dictionary gives it none («(0;−0,3)»), and latex2mathml makes a TeX «;» an identifier.
        if element.tag in ("mo", "mi") and _char(element) == ";":
            element.tag = "mo"
            element.attrib.pop("mathvariant", None)
            element.set("lspace", "0")
            element.set("rspace", "0.2778em")
    for element in root.iter("mn"):
        element.text = (element.text or "").replace(".", decimal)


# A decimal in LaTeX source («0.5x_3»: a number next to a letter, which localize_text, made for
# plain text, leaves alone); version-like «1.2.3» is not a number.
_SOURCE_DECIMAL = re.compile(r"(?<![\d.])(\d+)\.(\d+)(?![\d.])")


def _source_numbers(latex: str, decimal: str) -> str:
    return _SOURCE_DECIMAL.sub(rf"\1{decimal}\2", latex) if decimal != "." else latex


# --- The spoken form: what a screen reader says for a formula when it does not read MathML. ---
_LETTERS = {
    "α": "альфа", "β": "бета", "γ": "гамма", "Γ": "гамма", "δ": "дельта", "Δ": "дельта",
    "ε": "эпсилон", "ϵ": "эпсилон", "ζ": "дзета", "η": "эта", "θ": "тета", "Θ": "тета",
    "ι": "йота", "κ": "каппа", "λ": "лямбда", "Λ": "лямбда", "μ": "мю", "ν": "ню", "ξ": "кси",
    "π": "пи", "Π": "пи", "ρ": "ро", "σ": "сигма", "Σ": "сигма", "τ": "тау", "υ": "ипсилон",
    "φ": "фи", "ϕ": "фи", "Φ": "фи", "χ": "хи", "ψ": "пси", "Ψ": "пси", "ω": "омега",
    "Ω": "омега", "∞": "бесконечность", "∇": "набла", "∂": "частная производная",
}  # fmt: skip
_OPERATORS = {
    "+": "плюс", "−": "минус", "-": "минус", "±": "плюс-минус", "=": "равно",
    "≠": "не равно", "≈": "примерно равно", "<": "меньше", ">": "больше",
    "≤": "меньше или равно", "≥": "больше или равно", "·": "умножить на", "⋅": "умножить на",
    "×": "умножить на", "∗": "умножить на", "*": "умножить на", "/": "делить на",
    "÷": "делить на", "→": "стремится к", "∈": "принадлежит", "∑": "сумма",
    "∏": "произведение", "∫": "интеграл", "⊙": "поэлементно умножить на", "′": "штрих",
    "∘": "композиция", "|": "модуль", "‖": "норма",
}  # fmt: skip
_ACCENTS = {
    "^": "с крышкой", "ˆ": "с крышкой", "̂": "с крышкой", "¯": "с чертой", "‾": "с чертой",
    "_": "с чертой", "~": "с тильдой", "˜": "с тильдой", "˙": "с точкой", "¨": "с двумя точками",
}  # fmt: skip
_BIG = {"∑": "сумма", "∏": "произведение", "∫": "интеграл", "lim": "предел"}
_POWERS = {"2": "в квадрате", "3": "в кубе", "T": "транспонированная", "⊤": "транспонированная"}


def _token(text: str) -> str:
    if text in _LETTERS:
        return _LETTERS[text]
    if text in _OPERATORS:
        return _OPERATORS[text]
    if text[:1] in "−-" and text[1:2].isdigit():
        return f"минус {text[1:]}"
    return text


def _simple(element: Element) -> bool:
    """One token (``x``, ``12``, ``мю``): said without «скобка … конец».

    >>> _simple(Element("mi"))
    True
    """
    while element.tag in ("mrow", "mstyle") and len(element) == 1:
        element = element[0]
    return element.tag in ("mi", "mn", "mo", "mtext")


def _speak(element: Element) -> str:
    tag = element.tag
    parts = [_speak(child) for child in element]
    if tag in ("mi", "mn", "mo", "mtext", "ms"):
        return _token(_char(element))
    if tag == "mphantom":
        return ""
    if tag == "mspace":
        return " "
    if tag == "mfrac" and len(parts) == 2:
        if _simple(element[0]) and _simple(element[1]):
            return f"{parts[0]} делить на {parts[1]}"
        return f"дробь: числитель {parts[0]}, знаменатель {parts[1]}, конец дроби"
    if tag == "msqrt":
        inner = " ".join(parts)
        return f"корень из {inner}" if _simple(element) else f"корень из ({inner})"
    if tag == "mroot" and len(parts) == 2:
        return f"корень степени {parts[1]} из ({parts[0]})"
    if tag in ("msub", "munder") and len(parts) == 2:
        base = _char(element[0]) if _simple(element[0]) else ""
        if base in _BIG:
            return f"{_BIG[base]} по {parts[1]}"
        if tag == "munder" and _char(element[1]) in _ACCENTS:
            return f"{parts[0]} с чертой снизу"
        if base in ("max", "min", "argmax", "argmin"):
            return f"{parts[0]} по {parts[1]}"
        return f"{parts[0]} с индексом {parts[1]}"
    if tag == "msup" and len(parts) == 2:
        return f"{parts[0]} {_power(element[1], parts[1])}"
    if tag == "mover" and len(parts) == 2:
        accent = _char(element[1])
        if accent in _ACCENTS:
            return f"{parts[0]} {_ACCENTS[accent]}"
        if accent in ("→", "⃗"):
            return f"вектор {parts[0]}"
        return f"{parts[0]} с {parts[1]} сверху"
    if tag in ("msubsup", "munderover") and len(parts) == 3:
        base = _char(element[0]) if _simple(element[0]) else ""
        if base in _BIG:
            return f"{_BIG[base]} от {parts[1]} до {parts[2]}"
        return f"{parts[0]} с индексом {parts[1]} {_power(element[2], parts[2])}"
    if tag == "mtable":
        rows = ["; ".join(_speak(cell) for cell in row) for row in element]
        return "матрица: " + ". ".join(rows) + "."
    return " ".join(parts)


def _power(exponent: Element, spoken: str) -> str:
    char = _char(exponent) if _simple(exponent) else ""
    if char in _POWERS:
        return _POWERS[char]
    if char == "′":
        return "штрих"
    return f"в степени {spoken}" if _simple(exponent) else f"в степени ({spoken})"


def spoken_form(root: Element) -> str:
    """A formula (MathML, numbers already as the page shows them) in Russian words.

    >>> from latex2mathml.converter import Converter
    >>> spoken_form(Converter().convert_to_element(r"\\mu_B"))
    'мю с индексом B'
    """
    text = re.sub(r"\s+", " ", _speak(root))
    return re.sub(r"\(\s", "(", re.sub(r"\s([);.,])", r"\1", text)).strip()


def decimal_mark(mark: str | None = None) -> str:
    """``mark`` if it is a valid decimal mark, else the site's (settings.NZ_DECIMAL_MARK)."""
    return mark if mark in DECIMAL_MARKS else settings.NZ_DECIMAL_MARK


@lru_cache(maxsize=4096)
def _formula(latex: str, display: bool, decimal: str) -> str:
    if len(latex) > MAX_FORMULA:
        return f"<code>{escape(latex[:MAX_FORMULA])}…</code>"
    try:
        html = _to_html(latex, display, decimal)
    except Exception:  # latex2mathml raises many exception types on odd input
        return f"<code>{escape(latex)}</code>"
    # A wide formula scrolls inside its own box instead of widening a phone's page: Chromium
    # neither breaks a formula across lines nor honours overflow on <math> itself. Spans, so
    # that a formula may sit inside a <p>.
    return f'<span class="math-{"display" if display else "inline"}">{html}</span>'


def render_math(text: str, decimal: str | None = None) -> SafeString:
    """Text with ``$…$`` math as HTML with MathML; numbers written with the decimal mark
    ``decimal`` (``None``: the site's), in the text and in the formulas."""
    # A page is rendered again after every answer and reload with the same texts (a variant's
    # numbers are fixed by its seed): each text is converted once per process.
    return _render_math(text or "", decimal_mark(decimal))


@lru_cache(maxsize=4096)
def _render_math(text: str, decimal: str) -> SafeString:
    parts = []
    position = 0
    for match in MATH_DELIMITERS.finditer(text or ""):
        parts.append(escape(localize_text(text[position : match.start()], decimal)))
        display = match.group(1) is not None
        formula = _formula((match.group(1) or match.group(2)).strip(), display, decimal)
        position = match.end()
        trailing = None if display else _TRAILING.match(text, position)
        if trailing and formula.endswith("</span>"):
            formula = formula[: -len("</span>")] + escape(trailing.group()) + "</span>"
            position = trailing.end()
        parts.append(formula)
    parts.append(escape(localize_text((text or "")[position:], decimal)))
    return mark_safe("".join(parts))
