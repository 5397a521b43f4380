"""Server-side math: ``$…$`` and ``$$…$$`` in question texts become MathML (no client-side JS).

Everything outside the math is HTML-escaped; a formula latex2mathml cannot convert is shown as
escaped source in ``<code>`` rather than breaking the page.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from latex2mathml.converter import convert

__all__ = ["render_math"]

_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.DOTALL)
MAX_FORMULA = 4000


@lru_cache(maxsize=4096)
def _formula(latex: str, display: bool) -> str:
    if len(latex) > MAX_FORMULA:
        return f"<code>{escape(latex[:MAX_FORMULA])}…</code>"
    try:
        return convert(latex, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many exception types on odd input
        return f"<code>{escape(latex)}</code>"


def render_math(text: str) -> SafeString:
    parts = []
    position = 0
    for match in _MATH.finditer(text or ""):
        parts.append(escape(text[position : match.start()]))
        display = match.group(1) is not None
        parts.append(_formula((match.group(1) or match.group(2)).strip(), display))
        position = match.end()
    parts.append(escape((text or "")[position:]))
    return mark_safe("".join(parts))
