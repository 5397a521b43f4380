"""How the answer parser words things for a student: input hints, counting words, values shown back.

The hints are module constants, so they are only marked here (``gettext_noop``) and translated
where a message is built (``_(NUMBER_HINT)``), in the language of the request being served.
"""

from __future__ import annotations

import numpy as np

from grader.i18n import _, gettext_noop

__all__ = [
    "HINTS",
    "MATRIX_HINT",
    "NUMBER_HINT",
    "USE_SEMICOLON",
    "VECTOR_HINT",
    "count_word",
    "elements_word",
    "show_number",
    "show_text",
    "show_values",
]

NUMBER_HINT = gettext_noop("Ожидалось число, например 0,95 или 3/4")
VECTOR_HINT = gettext_noop("Вектор вводится так: [0; 2; 0], [0, 2, 0] или 0 2 0")
MATRIX_HINT = gettext_noop("Матрица вводится так: [1 2; 3 4] или [[1, 2], [3, 4]]")
USE_SEMICOLON = gettext_noop(
    "Разделяйте элементы знаком «;», например [0,5; 2; 0], или ставьте пробел после "
    "запятой-разделителя: [0, 5, 2]"
)

HINTS = {
    "number": NUMBER_HINT,
    "vector": VECTOR_HINT,
    "matrix": MATRIX_HINT,
    "expression": gettext_noop("Ожидалось выражение, например 2*x*(1 - x)"),
}


def elements_word(n: int) -> str:
    """Genitive after «из»: из 1 элемента, из 2 элементов, из 21 элемента."""
    return _("элемента") if n % 10 == 1 and n % 100 != 11 else _("элементов")


def count_word(n: int) -> str:
    """Nominative: 1 элемент, 2 элемента, 5 элементов."""
    if n % 10 == 1 and n % 100 != 11:
        return _("элемент")
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return _("элемента")
    return _("элементов")


def show_number(x) -> str:
    """A number as people read it: 2.0 → "2", 0.95 → "0.95", 1e-05 → "1e-05"."""
    if isinstance(x, (bool, np.bool_)):
        return str(int(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def show_values(values, limit: int = 20) -> str:
    items = [show_number(v) for v in values[:limit]]
    if len(values) > limit:
        items.append("…")
    return ", ".join(items)


def show_text(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "…"
