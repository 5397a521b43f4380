"""The limits every stage of the expression language enforces, and how a broken rule is reported.

Every refusal is a :class:`~grader.errors.ParseError` with a ``code`` and a Russian message;
:func:`fail` words it "Позиция N: …" when the column is known (``pos`` counts from 0 in the text
being read, ``offset`` shifts it for a part of a longer answer; the column reported counts from 1).
"""

from __future__ import annotations

from grader.errors import ParseError
from grader.i18n import _

__all__ = [
    "MAX_LENGTH",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_OPS",
    "MAX_INT_DIGITS",
    "MAX_POW_LOG10",
    "MAX_EXPONENT",
    "MAX_SYMBOLIC_POWER",
    "MAX_POWER_TOWER",
    "MAX_NAME",
    "INT_LIMIT",
    "fail",
]

MAX_LENGTH = 2000
MAX_DEPTH = 40
MAX_NODES = 1000
MAX_OPS = 1_000_000  # evaluation budget: one unit per node plus one per array element touched
MAX_INT_DIGITS = 400
MAX_POW_LOG10 = 300  # a power may not exceed 1e300 in magnitude
MAX_EXPONENT = 400  # |exponent| of a literal like 1e-400
# SymPy distributes a constant exponent over a product at once: (2*t)^(10^300) makes it compute
# 2^(10^300), which no memory holds. A variable raised (through nested powers, so ((t^99)^99)^99
# counts 99^3) to more than this is refused before SymPy sees it; no answer needs more.
MAX_SYMBOLIC_POWER = 1000
# t^(t^(t^99)): a power in the exponent of a power in the exponent. Its value overflows at
# every point the comparison draws, so it could never be graded anyway.
MAX_POWER_TOWER = 2
MAX_NAME = 50
INT_LIMIT = 10**MAX_INT_DIGITS  # integers must stay strictly inside ±INT_LIMIT


def fail(code: str, message: str, pos: int | None = None, offset: int = 0):
    """Raise ParseError ``code``; with ``pos`` the message names the column (1-based).

    >>> fail("syntax", "лишняя закрывающая скобка «)»", pos=1)
    Traceback (most recent call last):
    ...
    grader.errors.ParseError: Позиция 2: лишняя закрывающая скобка «)»
    """
    if pos is not None:
        column = pos + offset + 1
        raise ParseError(
            _("Позиция %(column)s: %(message)s") % {"column": column, "message": message},
            code=code,
            column=column,
        )
    raise ParseError(message, code=code)
