"""The safe expression language: student answers and bank-author formulas over parameters.

Text is read by our own tokenizer and recursive-descent parser into a small AST of frozen
dataclasses (:class:`Node` and its subclasses). Nothing here ever calls ``eval``, ``exec``,
``compile``, ``ast.literal_eval`` or a SymPy parser: SymPy objects are built node by node by
:func:`to_sympy`, numbers are computed by :func:`evaluate`.

Syntax
------
* numbers: ``12``, ``0.95``, ``.5``, ``5.``, ``1e-3``, ``1.5E+3``; with ``decimal_comma=True``
  also ``0,95`` and ``1,5e-3`` (see "Decimal comma" below);
* names: a Latin or Greek letter or ``_``, then letters, digits, ``_``; a name that starts with
  ``_`` or contains ``__`` is refused (code ``bad_name``), as is a name longer than 50 characters.
  ``µ`` (micro sign) is read as ``μ``. Greek letters and their Latin names are interchangeable
  when a name is looked up (``α`` finds ``alpha`` and the other way round);
* constants: ``e``, ``pi``, ``π`` (a variable or parameter of the same name wins);
* operators, loosest first: ``a if cond else b``; ``or``; ``and``; ``not``; comparisons
  ``< <= > >= == !=`` (``≤ ≥ ≠`` too; chains like ``0 < p < 1`` mean ``0 < p and p < 1``);
  ``+ -``; ``* /`` (also ``× · ⋅ ∙ ÷`` and ``:`` for division); unary ``-``/``+`` and ``√``;
  power ``^`` or ``**``, right-associative, binding tighter than unary minus: ``-2^2 = -4``,
  ``2^-1 = 0.5``, ``2^3^2 = 2^9``; superscripts ``x²``, ``10⁻³``; ``−`` and ``–`` are minus;
* calls ``f(a, b)`` (arguments separated by ``,`` or ``;``), list literals ``[a, b]``,
  indexing ``v[0]``, ``v[i]``, ``m[i][j]`` (negative indices count from the end);
* there is no implicit multiplication: ``2x``, ``2(x+1)``, ``(a)(b)`` are refused with code
  ``implicit_mul`` and a message suggesting ``2*x``; ``sin x`` suggests ``sin(x)``.

Decimal comma (``decimal_comma=True``, used for students' answers)
------------------------------------------------------------------
A comma written tightly between digits (``0,95``: an integer literal, ``,``, a digit, no spaces)
is a decimal comma at the top level, inside grouping parentheses, inside an index and inside a
call of a builtin one-argument function (``exp(0,5)``). Inside another call or a list
literal, whose commas may separate items, it is a decimal comma only when that level also uses
``;`` or a comma followed by a space as separator (``max(0,5; 1)``, ``max(0,5, 1)`` are both
max(0.5, 1)); ``max(1,5)`` with nothing else is max(1, 5).

Limits (every one raises :class:`~grader.errors.ParseError` with a ``code``)
--------------------------------------------------------------------------
``too_long`` text longer than ``max_length`` (2000); ``too_deep`` nesting deeper than
``max_depth`` (40: brackets, unary signs, powers, ``not``, ``else`` branches); ``too_complex``
more than ``max_nodes`` (1000) AST nodes, or an evaluation over its operation budget;
``too_large`` an integer literal of more than 400 digits, an exponent beyond ±400, a power whose
result would exceed 1e300 in magnitude (checked *before* computing it, so ``9**9**9**9`` fails in
microseconds) or an integer result of more than 400 digits. Other codes: ``empty``, ``syntax``,
``bad_char``, ``bad_name``, ``implicit_mul``, ``unknown_name``, ``unknown_function``,
``bad_call`` (wrong number or kind of arguments), ``type_error``, ``index_error``,
``math_error`` (division by zero, log of a non-positive number, NaN or infinite result),
``unsupported`` (vectors in a symbolic expression). Messages are Russian and name the column.

Numeric semantics of :func:`evaluate`
-------------------------------------
Integers stay exact Python ``int`` through ``+ - *``, ``^`` with a non-negative integer exponent,
``abs``, ``min``, ``max``, ``sum``/``prod`` of scalars, ``round(x)``, ``floor``, ``ceil``,
``int``. ``/`` gives an ``int`` when both sides are integers and the division is exact
(``6/3 = 2``), a ``float`` otherwise (``3/4 = 0.75``). Lists become ``numpy`` ``float64``
arrays (so their elements are floats: ``[1, 2][0] == 1.0``); arithmetic between arrays of the
same shape or an array and a scalar is elementwise; comparisons of arrays give 0/1 arrays.
``round`` rounds halves away from zero (``round(2.5) = 3``), as people do by hand.

Modules, each importing only from those above it
-------------------------------------------------
``limits`` (the bounds, :func:`~grader.expr.limits.fail`), ``names`` (constants, Greek
spellings), ``tokens`` (scanning), ``commas`` (the decimal comma), ``nodes`` (the AST, its
canonical text, walking it), ``arithmetic`` (values and bounded operations), ``functions`` (the
builtins), ``parser``, ``evaluation``, ``symbolic`` (SymPy). Import from ``grader.expr``.
"""

from grader.expr.evaluation import evaluate
from grader.expr.functions import FUNCTIONS
from grader.expr.limits import (
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_INT_DIGITS,
    MAX_LENGTH,
    MAX_NAME,
    MAX_NODES,
    MAX_OPS,
    MAX_POW_LOG10,
)
from grader.expr.names import CONSTANTS, GREEK_NAMES
from grader.expr.nodes import (
    Binary,
    Call,
    Compare,
    Cond,
    Index,
    ListExpr,
    Name,
    Node,
    Num,
    Unary,
    count_nodes,
    names_in,
)
from grader.expr.parser import parse_cached, parse_expression, tokenize
from grader.expr.symbolic import SYMBOLIC_FUNCTIONS, to_sympy
from grader.expr.tokens import Token

__all__ = [
    "Node",
    "Num",
    "Name",
    "Unary",
    "Binary",
    "Compare",
    "Call",
    "ListExpr",
    "Index",
    "Cond",
    "Token",
    "tokenize",
    "parse_expression",
    "parse_cached",
    "evaluate",
    "to_sympy",
    "names_in",
    "count_nodes",
    "FUNCTIONS",
    "SYMBOLIC_FUNCTIONS",
    "CONSTANTS",
    "GREEK_NAMES",
    "MAX_LENGTH",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_OPS",
    "MAX_INT_DIGITS",
    "MAX_POW_LOG10",
    "MAX_EXPONENT",
    "MAX_NAME",
]
