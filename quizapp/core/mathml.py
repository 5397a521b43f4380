"""Server-side math: ``$…$`` and ``$$…$$`` in question texts become MathML (no client-side JS).

Everything outside the math is HTML-escaped; a formula latex2mathml cannot convert is shown as
escaped source in ``<code>`` rather than breaking the page.

Texts come from uploaded banks and from grader feedback that quotes student answers, so the
MathML is serialized here rather than by ``latex2mathml.convert``: that one unescapes the whole
string (``\\text{<img onerror=…>}`` would come out as a live tag) and keeps ``\\href`` and
``\\style``. Only numeric character references are restored, and only known MathML elements and
harmless attributes are kept.
"""

from __future__ import annotations

import re
from functools import lru_cache
from xml.etree.ElementTree import tostring

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from latex2mathml.converter import Converter

__all__ = ["render_math"]

MATH_DELIMITERS = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.DOTALL)
MAX_FORMULA = 4000
_ELEMENTS = frozenset(
    "math maction menclose merror mfenced mfrac mi mmultiscripts mn mo mover mpadded mphantom "
    "mprescripts mroot mrow ms mspace msqrt mstyle msub msubsup msup mtable mtd mtext mtr munder "
    "munderover none".split()
)
# Links (\href), inline CSS (\style), ids and classes never come from a formula.
_DROPPED_ATTRIBUTES = frozenset({"href", "style", "class", "id", "src"})
# latex2mathml writes symbols as "&#x…;" into element text; tostring escapes the "&".
_CHAR_REF = re.compile(r"&amp;(#x[0-9a-fA-F]{1,6};|#[0-9]{1,7};)")


class _UnsafeFormula(ValueError):
    pass


def _to_html(latex: str, display: bool) -> str:
    root = Converter(display="block" if display else "inline").convert_to_element(latex)
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag not in _ELEMENTS:
            raise _UnsafeFormula(element.tag)
        for name in list(element.attrib):
            lowered = name.lower()
            if lowered in _DROPPED_ATTRIBUTES or lowered.startswith(("on", "xlink")):
                del element.attrib[name]
    return _CHAR_REF.sub(r"&\1", tostring(root, encoding="unicode"))


@lru_cache(maxsize=4096)
def _formula(latex: str, display: bool) -> str:
    if len(latex) > MAX_FORMULA:
        return f"<code>{escape(latex[:MAX_FORMULA])}…</code>"
    try:
        html = _to_html(latex, display)
    except Exception:  # latex2mathml raises many exception types on odd input
        return f"<code>{escape(latex)}</code>"
    # A wide formula scrolls inside its own box instead of widening a phone's page: Chromium
    # neither breaks a formula across lines nor honours overflow on <math> itself. Spans, so
    # that a formula may sit inside a <p>.
    return f'<span class="math-{"display" if display else "inline"}">{html}</span>'


def render_math(text: str) -> SafeString:
    # A page is rendered again after every answer and reload with the same texts (a variant's
    # numbers are fixed by its seed): each text is converted once per process.
    return _render_math(text or "")


@lru_cache(maxsize=4096)
def _render_math(text: str) -> SafeString:
    parts = []
    position = 0
    for match in MATH_DELIMITERS.finditer(text or ""):
        parts.append(escape(text[position : match.start()]))
        display = match.group(1) is not None
        parts.append(_formula((match.group(1) or match.group(2)).strip(), display))
        position = match.end()
    parts.append(escape((text or "")[position:]))
    return mark_safe("".join(parts))
