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
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy as np

from grader.errors import ParseError, SpecError

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
]

MAX_LENGTH = 2000
MAX_DEPTH = 40
MAX_NODES = 1000
MAX_OPS = 1_000_000  # evaluation budget: one unit per node plus one per array element touched
MAX_INT_DIGITS = 400
MAX_POW_LOG10 = 300  # a power may not exceed 1e300 in magnitude
MAX_EXPONENT = 400  # |exponent| of a literal like 1e-400
MAX_NAME = 50
_INT_LIMIT = 10**MAX_INT_DIGITS

CONSTANTS = {"e": math.e, "pi": math.pi, "π": math.pi}

GREEK_NAMES = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "ϱ": "rho",
    "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta",
    "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}  # fmt: skip
_LATIN_TO_GREEK = {}
for _g, _l in GREEK_NAMES.items():
    _LATIN_TO_GREEK.setdefault(_l, _g)


def _alias(name: str) -> str | None:
    """The other spelling of a Greek name (``α`` ↔ ``alpha``), or None."""
    return GREEK_NAMES.get(name) or _LATIN_TO_GREEK.get(name)


# ---------------------------------------------------------------------------------------------
# AST


@dataclass(frozen=True)
class Node:
    """Base of the AST. ``str(node)`` is the canonical ASCII text; it parses back to ``node``."""

    def to_text(self, pretty: bool = False) -> str:
        """Canonical text; ``pretty=True`` uses ``·``, ``−``, ``≤`` for people to read.

        >>> parse_expression("f(t)*(1-f(t))").to_text(pretty=True)
        'f(t)·(1 − f(t))'
        """
        return _to_text(self, pretty)

    def __str__(self) -> str:
        return _to_text(self, False)


@dataclass(frozen=True)
class Num(Node):
    value: int | float
    text: str  # canonical literal: "0.95", "1e-3", "12"


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "-" or "not"
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str  # "+", "-", "*", "/", "^", "and", "or"
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare(Node):
    operands: tuple  # of Node, one more than ops
    ops: tuple  # of "<", "<=", ">", ">=", "==", "!="


@dataclass(frozen=True)
class Call(Node):
    func: str
    args: tuple  # of Node


@dataclass(frozen=True)
class ListExpr(Node):
    items: tuple  # of Node


@dataclass(frozen=True)
class Index(Node):
    target: Node
    index: Node


@dataclass(frozen=True)
class Cond(Node):
    then: Node
    cond: Node
    orelse: Node


# ---------------------------------------------------------------------------------------------
# Tokens


@dataclass(frozen=True, slots=True)
class Token:
    """A lexical token. ``kind`` is one of ``num name kw op ( ) [ ] , ; end``.

    ``text`` is canonical (``×`` becomes ``*``, ``**`` becomes ``^``); ``pos``/``end`` index the
    source text; ``space_before`` says whether whitespace separates it from the previous token.
    """

    kind: str
    text: str
    pos: int
    end: int
    space_before: bool = False
    newline_before: bool = False
    value: int | float | None = None


_KEYWORDS = {"and", "or", "not", "if", "else"}
_OPS2 = {"**": "^", "<=": "<=", ">=": ">=", "==": "==", "!=": "!="}
_OPS1 = {
    "^": "^", "+": "+", "-": "-", "*": "*", "/": "/", "<": "<", ">": ">",
    "\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u2219": "*",
    "\u2217": "*", "\u00f7": "/", ":": "/", "\u2264": "<=", "\u2265": ">=", "\u2260": "!=",
    "\u221a": "√",
}  # fmt: skip
_PUNCT = set("()[],;")
_SUPERSCRIPTS = {
    "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4",
    "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9",
}  # fmt: skip
# Zero-width characters that copy-paste from documents leaves behind: treated as spaces.
_INVISIBLE_SPACES = {"\u200b", "\u2060", "\ufeff"}
_CYRILLIC_LOOKALIKES = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "к": "k", "м": "m",
    "т": "t", "н": "h", "в": "b", "А": "A", "Е": "E", "О": "O", "Р": "P", "С": "C", "Х": "X",
    "К": "K", "М": "M", "Т": "T", "Н": "H", "В": "B",
}  # fmt: skip


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _is_greek(ch: str) -> bool:
    return ("\u0391" <= ch <= "\u03a9" or "\u03b1" <= ch <= "\u03c9" or ch in "ϵϑϕϱ") and (
        ch != "\u03a2"
    )


def _is_name_start(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ch == "_" or _is_greek(ch)


def _is_name_char(ch: str) -> bool:
    return _is_name_start(ch) or _is_digit(ch)


def _fail(code: str, message: str, pos: int | None = None, offset: int = 0):
    if pos is not None:
        column = pos + offset + 1
        raise ParseError(f"Позиция {column}: {message}", code=code, column=column)
    raise ParseError(message, code=code)


def _show_char(ch: str) -> str:
    if unicodedata.category(ch)[0] in "CZ":
        return f"U+{ord(ch):04X}"
    return f"«{ch}» (U+{ord(ch):04X})" if ord(ch) > 0x7F else f"«{ch}»"


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _bad_char(ch: str, pos: int, offset: int, text: str = ""):
    if _is_cyrillic(ch):
        end = pos
        while end < len(text) and _is_cyrillic(text[end]):
            end += 1
        if end - pos >= 2:
            word = text[pos:end] if end - pos <= 20 else text[pos : pos + 20] + "…"
            _fail(
                "bad_char",
                f"слово «{word}»: введите только значение (число или формулу), без слов",
                pos,
                offset,
            )
        hint = ""
        if ch in _CYRILLIC_LOOKALIKES:
            hint = f" (похоже на латинскую «{_CYRILLIC_LOOKALIKES[ch]}»)"
        _fail(
            "bad_char",
            f"русская буква «{ch}»{hint}; имена пишутся латиницей — переключите раскладку",
            pos,
            offset,
        )
    if ch == "%":
        _fail("bad_char", "знак % допускается только в конце числового ответа", pos, offset)
    if ch in "{}":
        _fail("bad_char", "фигурные скобки не поддерживаются, используйте ( ) или [ ]", pos, offset)
    if ch == "=":
        _fail(
            "syntax",
            "одиночный «=» не поддерживается: введите только значение; сравнение пишется «==»",
            pos,
            offset,
        )
    if ch == ".":
        _fail("syntax", "лишняя точка: ожидалась цифра (пишите 0.5 или 0,5)", pos, offset)
    _fail("bad_char", f"недопустимый символ {_show_char(ch)}", pos, offset)


def _lex_number(src: str, i: int, offset: int) -> tuple[str, int | float, int]:
    """Read a number literal at ``i``; return (canonical text, value, end)."""
    n = len(src)
    j = i
    while j < n and _is_digit(src[j]):
        j += 1
    int_part = src[i:j]
    frac = None
    if j < n and src[j] == ".":
        k = j + 1
        while k < n and _is_digit(src[k]):
            k += 1
        if k > j + 1 or int_part:  # "5." is a float; a lone "." is not a number
            frac = src[j + 1 : k]
            j = k
    exp_text = None
    if j < n and src[j] in "eE":
        k = j + 1
        sign = ""
        if k < n and src[k] in "+-\u2212":
            sign = "-" if src[k] != "+" else ""
            k += 1
        m = k
        while m < n and _is_digit(src[m]):
            m += 1
        if m > k:  # only digits make an exponent; "2e" is 2 followed by the name e
            digits = src[k:m].lstrip("0") or "0"
            if len(digits) > 6 or int(digits) > MAX_EXPONENT:
                _fail(
                    "too_large",
                    f"слишком большой порядок числа (допускается до ±{MAX_EXPONENT})",
                    i,
                    offset,
                )
            exp_text = sign + digits if digits != "0" else "0"
            j = m
    if j < n and src[j] == ".":
        _fail("syntax", "лишняя точка в числе: ожидалась цифра или знак операции", j, offset)
    int_clean = int_part.lstrip("0") or "0"
    if frac is None and exp_text is None:
        if len(int_clean) > MAX_INT_DIGITS:
            _fail("too_large", f"число длиннее {MAX_INT_DIGITS} цифр", i, offset)
        return int_clean, int(int_clean), j
    text = int_clean
    if frac is not None:
        text += "." + (frac or "0")
    if exp_text is not None:
        text += "e" + exp_text
    if len(int_clean) + (int(exp_text) if exp_text else 0) > MAX_INT_DIGITS:
        _fail("too_large", "слишком большое число", i, offset)
    value = float(text)
    if not math.isfinite(value):
        _fail("too_large", "слишком большое число", i, offset)
    return text, value, j


def tokenize(text: str, *, decimal_comma: bool = False, offset: int = 0) -> list[Token]:
    """Split ``text`` into tokens (no end token). Raise ParseError on a bad character.

    >>> [t.text for t in tokenize("2·x² − 1")]
    ['2', '*', 'x', '^', '2', '-', '1']
    >>> [t.text for t in tokenize("0,5 + 1", decimal_comma=True)]
    ['0.5', '+', '1']
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    space = newline = False
    while i < n:
        ch = text[i]
        if ch.isspace() or ch in _INVISIBLE_SPACES:
            space = True
            newline = newline or ch in "\n\r\u2028\u2029\x0b\x0c\x85"
            i += 1
            continue
        start = i
        if _is_digit(ch) or (ch == "." and i + 1 < n and _is_digit(text[i + 1])):
            canon, value, i = _lex_number(text, i, offset)
            tokens.append(Token("num", canon, start, i, space, newline, value))
        elif _is_name_start(ch) or ch == "\u00b5":
            j = i
            while j < n and (_is_name_char(text[j]) or text[j] == "\u00b5"):
                j += 1
            name = text[i:j].replace("\u00b5", "\u03bc")  # micro sign → Greek mu
            i = j
            if name.startswith("_") or "__" in name:
                _fail(
                    "bad_name",
                    f"имя «{name[:MAX_NAME]}» недопустимо: «_» в начале имени и «__» запрещены",
                    start,
                    offset,
                )
            if len(name) > MAX_NAME:
                _fail("bad_name", f"имя длиннее {MAX_NAME} символов", start, offset)
            kind = "kw" if name in _KEYWORDS else "name"
            tokens.append(Token(kind, name, start, i, space, newline))
        elif ch in _SUPERSCRIPTS or ch in "⁻⁺":
            # x² → x ^ 2; 10⁻³ → 10 ^ - 3
            tokens.append(Token("op", "^", i, i, space, newline))
            if ch in "⁻⁺":
                tokens.append(Token("op", "-" if ch == "⁻" else "+", i, i + 1))
                i += 1
            j = i
            while j < n and text[j] in _SUPERSCRIPTS:
                j += 1
            if j == i:
                _fail("syntax", "после надстрочного знака ожидалась надстрочная цифра", i, offset)
            digits = "".join(_SUPERSCRIPTS[c] for c in text[i:j]).lstrip("0") or "0"
            if len(digits) > MAX_INT_DIGITS:
                _fail("too_large", "слишком длинный показатель степени", i, offset)
            tokens.append(Token("num", digits, i, j, False, False, int(digits)))
            i = j
        elif text.startswith(tuple(_OPS2), i):
            op = _OPS2[text[i : i + 2]]
            tokens.append(Token("op", op, i, i + 2, space, newline))
            i += 2
        elif ch in _OPS1:
            tokens.append(Token("op", _OPS1[ch], i, i + 1, space, newline))
            i += 1
        elif ch in _PUNCT:
            tokens.append(Token(ch, ch, i, i + 1, space, newline))
            i += 1
        else:
            _bad_char(ch, i, offset, text)
        space = newline = False
    if decimal_comma:
        tokens = _merge_decimal_commas(tokens, text, offset)
    return tokens


def _ends_operand(tok: Token) -> bool:
    return tok.kind in ("num", "name", ")", "]")


# Builtin functions of exactly one argument: inside their parentheses a comma is decimal.
_ONE_ARGUMENT = set(
    "exp ln log10 log2 sqrt abs sin cos tan asin acos atan arcsin arccos arctan sinh cosh tanh "
    "asinh acosh atanh sigmoid sigma σ softplus relu sign floor ceil int float".split()
)


def _merge_decimal_commas(tokens: list[Token], src: str, offset: int) -> list[Token]:
    """Turn ``NUM , NUM`` written tightly into one decimal number where the level allows it."""
    # Pass 1: for each comma, does its bracket level read tight digit commas as decimal?
    decimal_level: dict[int, dict] = {}
    stack = [{"kind": "top", "semi": False, "spaced": False}]
    for idx, tok in enumerate(tokens):
        if tok.kind in "([":
            prev = tokens[idx - 1] if idx else None
            if tok.kind == "(":
                kind = "call" if prev is not None and prev.kind == "name" else "group"
                if kind == "call" and prev.text in _ONE_ARGUMENT:
                    kind = "group"  # exp(0,5): a one-argument function has no separators
            else:
                kind = "index" if prev is not None and _ends_operand(prev) else "list"
            stack.append({"kind": kind, "semi": False, "spaced": False})
        elif tok.kind in ")]":
            if len(stack) > 1:
                stack.pop()
        elif tok.kind == ";":
            stack[-1]["semi"] = True
        elif tok.kind == ",":
            nxt = tokens[idx + 1] if idx + 1 < len(tokens) else None
            if nxt is not None and nxt.space_before:
                stack[-1]["spaced"] = True
            decimal_level[idx] = stack[-1]
    # Pass 2: merge.
    out: list[Token] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if (
            tok.kind == "num"
            and i + 2 < n
            and tokens[i + 1].kind == ","
            and tokens[i + 2].kind == "num"
            and not tokens[i + 1].space_before
            and not tokens[i + 2].space_before
            and src[tok.pos : tok.end].isdigit()
            and src[tok.pos : tok.end].isascii()
            and _is_digit(src[tokens[i + 2].pos])
        ):
            level = decimal_level[i + 1]
            if level["kind"] in ("top", "group", "index") or level["semi"] or level["spaced"]:
                after = tokens[i + 2]
                literal = src[tok.pos : tok.end] + "." + src[after.pos : after.end]
                canon, value, _ = _lex_number(literal, 0, offset + tok.pos)
                out.append(
                    Token("num", canon, tok.pos, after.end, tok.space_before, tok.newline_before,
                          value)
                )  # fmt: skip
                i += 3
                continue
        out.append(tok)
        i += 1
    return out


# ---------------------------------------------------------------------------------------------
# Parser

_CMP_OPS = {"<", "<=", ">", ">=", "==", "!="}


def _describe(tok: Token) -> str:
    if tok.kind == "end":
        return "конец ввода"
    if tok.kind == "num":
        return f"число {tok.text}"
    if tok.kind == "name":
        return f"имя «{tok.text}»"
    return f"«{tok.text}»"


class _Parser:
    def __init__(self, tokens, src, *, max_depth, max_nodes, offset, functions=()):
        end = len(src)
        self.toks = tokens + [Token("end", "", end, end, False)]
        self.src = src
        self.i = 0
        self.depth = 0
        self.nodes = 0
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.offset = offset
        self.known_functions = set(functions)

    # -- helpers
    def peek(self) -> Token:
        return self.toks[self.i]

    def advance(self) -> Token:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def fail(self, code, message, tok: Token):
        _fail(code, message, tok.pos, self.offset)

    def make(self, cls, *args):
        self.nodes += 1
        if self.nodes > self.max_nodes:
            _fail(
                "too_complex",
                f"выражение слишком длинное (больше {self.max_nodes} элементов)",
                self.toks[max(self.i - 1, 0)].pos,
                self.offset,
            )
        return cls(*args)

    def enter(self, tok: Token):
        self.depth += 1
        if self.depth > self.max_depth:
            self.fail(
                "too_deep",
                f"слишком глубокая вложенность (больше {self.max_depth} уровней скобок или "
                "знаков подряд)",
                tok,
            )

    def is_op(self, text: str) -> bool:
        tok = self.toks[self.i]
        return tok.kind == "op" and tok.text == text

    def is_kw(self, text: str) -> bool:
        tok = self.toks[self.i]
        return tok.kind == "kw" and tok.text == text

    # -- grammar
    def parse(self) -> Node:
        if self.peek().kind == "end":
            _fail("empty", "пустое выражение: ожидалось число или формула")
        node = self.expr()
        tok = self.peek()
        if tok.kind != "end":
            if tok.kind in (")", "]"):
                self.fail("syntax", f"лишняя закрывающая скобка «{tok.text}»", tok)
            if tok.kind in (",", ";"):
                self.fail(
                    "syntax",
                    f"«{tok.text}» здесь не разделяет ничего: перечисление возможно только в "
                    "скобках [ ] или в аргументах функции",
                    tok,
                )
            self.fail(
                "syntax",
                f"ожидался знак операции или конец выражения, а найдено {_describe(tok)}",
                tok,
            )
        return node

    def expr(self) -> Node:
        self.enter(self.peek())
        node = self.cond()
        self.depth -= 1
        return node

    def cond(self) -> Node:
        then = self.or_()
        if self.is_kw("if"):
            self.advance()
            cond = self.or_()
            if not self.is_kw("else"):
                self.fail("syntax", f"ожидалось else, а найдено {_describe(self.peek())}",
                          self.peek())  # fmt: skip
            tok = self.advance()
            self.enter(tok)
            orelse = self.cond()
            self.depth -= 1
            return self.make(Cond, then, cond, orelse)
        return then

    def or_(self) -> Node:
        left = self.and_()
        while self.is_kw("or"):
            self.advance()
            left = self.make(Binary, "or", left, self.and_())
        return left

    def and_(self) -> Node:
        left = self.not_()
        while self.is_kw("and"):
            self.advance()
            left = self.make(Binary, "and", left, self.not_())
        return left

    def not_(self) -> Node:
        if self.is_kw("not"):
            tok = self.advance()
            self.enter(tok)
            operand = self.not_()
            self.depth -= 1
            return self.make(Unary, "not", operand)
        return self.compare()

    def compare(self) -> Node:
        first = self.additive()
        operands, ops = [first], []
        while self.peek().kind == "op" and self.peek().text in _CMP_OPS:
            ops.append(self.advance().text)
            operands.append(self.additive())
        if ops:
            return self.make(Compare, tuple(operands), tuple(ops))
        return first

    def additive(self) -> Node:
        left = self.multiplicative()
        while self.is_op("+") or self.is_op("-"):
            op = self.advance().text
            left = self.make(Binary, op, left, self.multiplicative())
        return left

    def multiplicative(self) -> Node:
        left = self.unary()
        while self.is_op("*") or self.is_op("/"):
            op = self.advance().text
            left = self.make(Binary, op, left, self.unary())
        return left

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("-", "+", "√"):
            self.advance()
            self.enter(tok)
            operand = self.unary()
            self.depth -= 1
            if tok.text == "+":
                return operand
            if tok.text == "√":
                return self.make(Call, "sqrt", (operand,))
            return self.make(Unary, "-", operand)
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        if self.is_op("^"):
            tok = self.advance()
            self.enter(tok)
            exponent = self.unary()
            self.depth -= 1
            return self.make(Binary, "^", base, exponent)
        return base

    def postfix(self) -> Node:
        start = self.peek()
        node = self.atom()
        while True:
            tok = self.peek()
            # Only a bare name can be called: "(a)(b)" is a missing "*", not a call.
            if tok.kind == "(" and isinstance(node, Name) and start.kind == "name":
                self.advance()
                args = []
                if self.peek().kind != ")":
                    args.append(self.expr())
                    while self.peek().kind in (",", ";"):
                        self.advance()
                        args.append(self.expr())
                self.close(")", tok, "«,» или «)»")
                node = self.make(Call, node.name, tuple(args))
            elif tok.kind == "[" and not isinstance(node, Num):
                self.advance()
                index = self.expr()
                self.close("]", tok, "«]»")
                node = self.make(Index, node, index)
            else:
                break
        nxt = self.peek()
        if nxt.kind in ("num", "name", "(", "[") or (nxt.kind == "op" and nxt.text == "√"):
            self.implicit(node, start, nxt)
        return node

    def close(self, kind: str, opener: Token, expected: str):
        tok = self.peek()
        if tok.kind != kind:
            self.fail(
                "syntax",
                f"ожидалась {expected} (скобка «{opener.text}» открыта в позиции "
                f"{opener.pos + self.offset + 1}), а найдено {_describe(tok)}",
                tok,
            )
        self.advance()

    def implicit(self, node: Node, start: Token, nxt: Token):
        prev = self.toks[self.i - 1]
        left = self.src[start.pos : prev.end]
        if len(left) > 20:
            left = self.src[prev.pos : prev.end]
        right = "(…)" if nxt.kind in ("(", "[") else self.src[nxt.pos : nxt.end]
        if isinstance(node, Name) and (node.name in FUNCTIONS or node.name in self.known_functions):
            self.fail(
                "implicit_mul",
                f"аргумент функции пишется в скобках: «{node.name}({right})», "
                f"а не «{node.name} {right}»",
                nxt,
            )
        self.fail(
            "implicit_mul",
            f"пропущен знак операции между «{left}» и «{right}»: умножение пишется явно, "
            f"например «{left}*{right}»",
            nxt,
        )

    def atom(self) -> Node:
        tok = self.peek()
        if tok.kind == "num":
            self.advance()
            return self.make(Num, tok.value, tok.text)
        if tok.kind == "name":
            self.advance()
            return self.make(Name, tok.text)
        if tok.kind == "(":
            self.advance()
            if self.peek().kind == ")":
                self.fail("syntax", "пустые скобки: ожидалось выражение внутри", self.peek())
            node = self.expr()
            self.close(")", tok, "закрывающая «)»")
            return node
        if tok.kind == "[":
            self.advance()
            items = []
            if self.peek().kind != "]":
                items.append(self.expr())
                while self.peek().kind in (",", ";"):
                    self.advance()
                    if self.peek().kind == "]":  # a trailing separator is harmless
                        break
                    items.append(self.expr())
            self.close("]", tok, "«,», «;» или «]»")
            return self.make(ListExpr, tuple(items))
        if tok.kind == "end":
            prev = self.toks[self.i - 1] if self.i else None
            after = f" после «{prev.text}»" if prev is not None else ""
            self.fail("syntax", f"выражение оборвалось{after}: ожидалось число, имя или «(»", tok)
        if tok.kind == "kw":
            self.fail(
                "syntax",
                f"ожидалось число, имя или «(», а найдено слово «{tok.text}»",
                tok,
            )
        self.fail("syntax", f"ожидалось число, имя или «(», а найдено {_describe(tok)}", tok)


def parse_expression(
    text: str,
    *,
    max_length: int = MAX_LENGTH,
    decimal_comma: bool = False,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
    offset: int = 0,
    functions: Iterable[str] = (),
) -> Node:
    """Parse ``text`` into an AST; raise :class:`ParseError` (with ``code``) otherwise.

    ``offset`` is added to the columns reported in messages (for a part of a longer answer);
    ``functions`` are extra function names, only used to word the ``sin x`` hint.

    >>> parse_expression("-2^2")
    Unary(op='-', operand=Binary(op='^', left=Num(value=2, text='2'), right=Num(value=2, text='2')))
    >>> str(parse_expression("x / (1 - rate)"))
    'x/(1 - rate)'
    >>> str(parse_expression("0,95", decimal_comma=True))
    '0.95'
    >>> parse_expression("2x")
    Traceback (most recent call last):
    ...
    grader.errors.ParseError: Позиция 2: пропущен знак операции между «2» и «x»: умножение пишется явно, например «2*x»
    """  # noqa: E501
    if not isinstance(text, str):
        raise ParseError("ожидался текст выражения", code="syntax")
    if len(text) > max_length:
        raise ParseError(
            f"слишком длинный ввод: {len(text)} символов, допускается не больше {max_length}",
            code="too_long",
        )
    tokens = tokenize(text, decimal_comma=decimal_comma, offset=offset)
    parser = _Parser(
        tokens, text, max_depth=max_depth, max_nodes=max_nodes, offset=offset,
        functions=functions,
    )  # fmt: skip
    return parser.parse()


# ---------------------------------------------------------------------------------------------
# Printing

_P_COND, _P_OR, _P_AND, _P_NOT, _P_CMP, _P_ADD, _P_MUL, _P_UNARY, _P_POW, _P_POST, _P_ATOM = range(
    1, 12
)
_BIN_PREC = {"or": _P_OR, "and": _P_AND, "+": _P_ADD, "-": _P_ADD, "*": _P_MUL, "/": _P_MUL,
             "^": _P_POW}  # fmt: skip
_PRETTY = {"*": "·", "-": "−", "<=": "≤", ">=": "≥", "!=": "≠"}


def _prec(node: Node) -> int:
    if isinstance(node, Binary):
        return _BIN_PREC[node.op]
    if isinstance(node, Unary):
        return _P_UNARY if node.op == "-" else _P_NOT
    if isinstance(node, Compare):
        return _P_CMP
    if isinstance(node, Cond):
        return _P_COND
    if isinstance(node, Index):
        return _P_POST
    return _P_ATOM


def _op_text(op: str, pretty: bool) -> str:
    text = _PRETTY.get(op, op) if pretty else op
    if op in ("*", "/", "^"):
        return text
    return f" {text} "


def _wrap(node: Node, pretty: bool, paren: bool) -> str:
    text = _to_text(node, pretty)
    return f"({text})" if paren else text


def _to_text(node: Node, pretty: bool) -> str:
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Binary):
        p = _BIN_PREC[node.op]
        if node.op == "^":
            left = _wrap(node.left, pretty, _prec(node.left) <= _P_POW)
            right = _wrap(node.right, pretty, _prec(node.right) < _P_UNARY)
            return f"{left}^{right}"
        # Left-associative chain: walk the left spine iteratively (chains can be long).
        parts = []
        cur: Node = node
        while isinstance(cur, Binary) and cur.op != "^" and _BIN_PREC[cur.op] == p:
            parts.append((cur.op, cur.right))
            cur = cur.left
        text = _wrap(cur, pretty, _prec(cur) < p)
        for op, right in reversed(parts):
            text += _op_text(op, pretty) + _wrap(right, pretty, _prec(right) <= p)
        return text
    if isinstance(node, Unary):
        if node.op == "-":
            inner = node.operand
            paren = _prec(inner) < _P_UNARY or isinstance(inner, Unary)
            return ("−" if pretty else "-") + _wrap(inner, pretty, paren)
        return "not " + _wrap(node.operand, pretty, _prec(node.operand) < _P_NOT)
    if isinstance(node, Compare):
        text = _wrap(node.operands[0], pretty, _prec(node.operands[0]) <= _P_CMP)
        for op, operand in zip(node.ops, node.operands[1:], strict=True):
            text += _op_text(op, pretty) + _wrap(operand, pretty, _prec(operand) <= _P_CMP)
        return text
    if isinstance(node, Call):
        return f"{node.func}(" + ", ".join(_to_text(a, pretty) for a in node.args) + ")"
    if isinstance(node, ListExpr):
        return "[" + ", ".join(_to_text(a, pretty) for a in node.items) + "]"
    if isinstance(node, Index):
        target = _wrap(node.target, pretty, _prec(node.target) < _P_POST)
        return f"{target}[{_to_text(node.index, pretty)}]"
    if isinstance(node, Cond):
        then = _wrap(node.then, pretty, _prec(node.then) <= _P_COND)
        cond = _wrap(node.cond, pretty, _prec(node.cond) <= _P_COND)
        return f"{then} if {cond} else {_to_text(node.orelse, pretty)}"
    raise TypeError(f"not a Node: {node!r}")


def _children(node: Node) -> tuple:
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Compare):
        return node.operands
    if isinstance(node, Call):
        return node.args
    if isinstance(node, ListExpr):
        return node.items
    if isinstance(node, Index):
        return (node.target, node.index)
    if isinstance(node, Cond):
        return (node.then, node.cond, node.orelse)
    return ()


def names_in(node: Node, *, include_constants: bool = False) -> set[str]:
    """Free variable names (function names of calls excluded; ``e``/``pi``/``π`` too unless asked).

    >>> sorted(names_in(parse_expression("max(a, b) * exp(-x) + pi")))
    ['a', 'b', 'x']
    """
    found: set[str] = set()
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, Name):
            if include_constants or cur.name not in CONSTANTS:
                found.add(cur.name)
        else:
            stack.extend(_children(cur))
    return found


def count_nodes(node: Node) -> int:
    """Number of AST nodes."""
    count, stack = 0, [node]
    while stack:
        cur = stack.pop()
        count += 1
        stack.extend(_children(cur))
    return count


# ---------------------------------------------------------------------------------------------
# Numeric evaluation


def _math_error(message: str):
    raise ParseError(f"Ошибка вычисления: {message}", code="math_error")


def _type_error(message: str):
    raise ParseError(message, code="type_error")


def _too_large(message: str = "результат слишком велик (больше 1e300)"):
    raise ParseError(message, code="too_large")


def _describe_value(v) -> str:
    if isinstance(v, np.ndarray):
        if v.ndim == 1:
            return f"вектор из {v.shape[0]} элементов"
        return "массив формы " + "×".join(str(s) for s in v.shape)
    if isinstance(v, str):
        return f"строка «{v}»"
    if isinstance(v, bool):
        return "логическое значение"
    return "число"


def _check_int(v: int) -> int:
    if -_INT_LIMIT < v < _INT_LIMIT:
        return v
    _too_large(f"целое число длиннее {MAX_INT_DIGITS} цифр")


def _check_float(v: float) -> float:
    if math.isfinite(v):
        return v
    _math_error("получилось бесконечное или неопределённое значение (переполнение или 0/0)")


def _check_array(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        _math_error("в векторе получилось бесконечное или неопределённое значение")
    return a


def _normalize(value, name: str = "значение"):
    """Python/numpy values from an environment or a helper → int, float, bool, str or array."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return _check_int(int(value))
    if isinstance(value, (float, np.floating)):
        return _check_float(float(value))
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            arr = np.array(value, dtype=float)
        except (TypeError, ValueError, OverflowError):
            _type_error(f"{name}: ожидался числовой вектор или матрица одинаковых по длине строк")
        return _check_array(arr)
    if hasattr(value, "numerator") and hasattr(value, "denominator"):  # Fraction and friends
        try:
            return _check_float(float(value))
        except (OverflowError, ValueError):
            _too_large()
    _type_error(f"{name}: неподдерживаемый тип {type(value).__name__}")


def _as_number(v, what: str):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float, np.ndarray)):
        return v
    _type_error(f"{what}: ожидалось число или вектор, а получено {_describe_value(v)}")


def _to_float(v) -> float:
    try:
        return float(v)
    except OverflowError:
        _too_large()


def _short(n: int) -> str:
    text = str(n)
    return text if len(text) <= 15 else f"({text[:3]}…, {len(text.lstrip('-'))} цифр)"


def _int_pow(a: int, b: int):
    if b >= 0:
        if abs(a) <= 1 or b == 0:
            return a**b if abs(a) <= 1 else 1  # (-1)^b, 0^b, 1^b are cheap for any b
        if b * math.log10(abs(a)) > MAX_POW_LOG10:
            _too_large(f"степень {_short(a)}^{_short(b)} слишком велика (больше 1e{MAX_POW_LOG10})")
        return a**b
    if a == 0:
        _math_error("ноль нельзя возводить в отрицательную степень")
    if b * math.log10(abs(a)) < -330:  # underflows to zero: no need to compute it
        return 0.0
    return float(a) ** b


def _float_pow(a: float, b: float) -> float:
    if a == 0:
        if b < 0:
            _math_error("ноль нельзя возводить в отрицательную степень")
        return 1.0 if b == 0 else 0.0
    if a < 0 and not b.is_integer():
        _math_error("отрицательное число нельзя возводить в дробную степень")
    est = b * math.log10(abs(a))
    if est > MAX_POW_LOG10:
        _too_large(f"степень слишком велика (больше 1e{MAX_POW_LOG10})")
    if est < -330:
        return 0.0
    try:
        return _check_float(math.pow(a, b))
    except OverflowError:
        _too_large()


def _scalar_arith(op: str, a, b):
    if isinstance(a, bool):
        a = int(a)
    if isinstance(b, bool):
        b = int(b)
    both_int = isinstance(a, int) and isinstance(b, int)
    if op == "^":
        if both_int:
            return _int_pow(a, b)
        return _float_pow(_to_float(a), _to_float(b))
    if op == "/":
        if b == 0:
            _math_error("деление на ноль")
        if both_int:
            if a % b == 0:
                return a // b
            try:
                return _check_float(a / b)
            except OverflowError:
                _too_large()
    if op == "*" and both_int:
        if a.bit_length() + b.bit_length() > _INT_LIMIT.bit_length() + 1:
            _too_large(f"целое число длиннее {MAX_INT_DIGITS} цифр")
    try:
        if op == "+":
            result = a + b
        elif op == "-":
            result = a - b
        elif op == "*":
            result = a * b
        else:
            result = a / b
    except OverflowError:
        _too_large()
    if isinstance(result, int):
        return _check_int(result)
    return _check_float(result)


def _array_arith(op: str, a, b):
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape != b.shape:
        _type_error(
            f"размеры не согласованы: {_describe_value(a)} и {_describe_value(b)} "
            "(поэлементные операции требуют одинаковых размеров)"
        )
    fa = a if isinstance(a, np.ndarray) else _to_float(a)
    fb = b if isinstance(b, np.ndarray) else _to_float(b)
    with np.errstate(all="ignore"):
        if op == "+":
            result = np.add(fa, fb)
        elif op == "-":
            result = np.subtract(fa, fb)
        elif op == "*":
            result = np.multiply(fa, fb)
        elif op == "/":
            if np.any(np.asarray(fb) == 0):
                _math_error("деление на ноль")
            result = np.divide(fa, fb)
        else:
            result = np.power(fa, fb)
    return _check_array(np.asarray(result, dtype=float))


def _arith(op: str, a, b):
    a = _as_number(a, f"левая часть «{op}»")
    b = _as_number(b, f"правая часть «{op}»")
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return _array_arith(op, a, b)
    return _scalar_arith(op, a, b)


def _truth(v) -> bool:
    if isinstance(v, (bool, int, float)):
        return bool(v)
    _type_error(f"условие должно быть числом или сравнением, а получено {_describe_value(v)}")


def _compare(op: str, a, b):
    if isinstance(a, str) or isinstance(b, str):
        if op in ("==", "!="):
            return (a == b) == (op == "==")
        _type_error("строки можно сравнивать только на равенство (== и !=)")
    a = _as_number(a, f"левая часть «{op}»")
    b = _as_number(b, f"правая часть «{op}»")
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape != b.shape:
            _type_error(f"нельзя сравнить {_describe_value(a)} и {_describe_value(b)}")
        fa = a if isinstance(a, np.ndarray) else _to_float(a)
        fb = b if isinstance(b, np.ndarray) else _to_float(b)
        result = {
            "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
            "==": np.equal, "!=": np.not_equal,
        }[op](fa, fb)  # fmt: skip
        return np.asarray(result, dtype=float)
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "==":
        return a == b
    return a != b


def _scalar_result(v):
    """numpy 0-d results → Python float/int."""
    if isinstance(v, np.ndarray) and v.ndim == 0:
        v = v[()]
    if isinstance(v, (np.integer,)):
        return _check_int(int(v))
    if isinstance(v, np.floating):
        return _check_float(float(v))
    return v


# -- builtin numeric functions: name -> (min args, max args, implementation(args))


def _arity(name: str, args: list, lo: int, hi: int | None):
    if len(args) < lo or (hi is not None and len(args) > hi):
        if hi is None:
            expected = f"не меньше {lo}"
        elif lo == hi:
            expected = str(lo)
        else:
            expected = f"от {lo} до {hi}"
        _fail(
            "bad_call", f"функция {name} принимает {expected} аргумент(а/ов), передано {len(args)}"
        )


def _one_number(name: str, v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float, np.ndarray)):
        return v
    _fail("bad_call", f"аргумент функции {name} должен быть числом, а не {_describe_value(v)}")


def _scalar_only(name: str, v):
    v = _one_number(name, v)
    if isinstance(v, np.ndarray):
        _fail("bad_call", f"аргумент функции {name} должен быть числом, а не вектором")
    return v


def _vector_only(name: str, v) -> np.ndarray:
    if not isinstance(v, np.ndarray) or v.ndim == 0:
        _fail("bad_call", f"аргумент функции {name} должен быть вектором, например [1, 2, 3]")
    return v


def _elementwise(name, scalar_fn, array_fn, domain=None, domain_msg=""):
    """Wrap a one-argument math function for scalars (``math``) and arrays (``numpy``)."""

    def impl(args):
        _arity(name, args, 1, 1)
        x = _one_number(name, args[0])
        if isinstance(x, np.ndarray):
            if domain is not None and x.size and not np.all(domain(x)):
                _math_error(f"{name}: {domain_msg}")
            with np.errstate(all="ignore"):
                return _check_array(np.asarray(array_fn(x), dtype=float))
        if domain is not None and not domain(x):
            _math_error(f"{name}: {domain_msg}")
        try:
            return _check_float(float(scalar_fn(x)))
        except OverflowError:
            _too_large(f"{name}: результат слишком велик")
        except ValueError:
            _math_error(f"{name}: аргумент вне области определения")

    return impl


def _sigmoid_scalar(x) -> float:
    x = _to_float(x)
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _sigmoid_array(x):
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (
        1.0 + np.exp(-np.abs(x))))  # fmt: skip


def _softplus_scalar(x) -> float:
    x = _to_float(x)
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _flatten_numbers(name: str, args: list) -> tuple[list, bool]:
    """All arguments flattened: (values, all_ints). Arrays contribute their elements."""
    values, all_ints = [], True
    for a in args:
        a = _one_number(name, a)
        if isinstance(a, np.ndarray):
            values.extend(float(x) for x in a.ravel())
            all_ints = False
        else:
            values.append(a)
            all_ints = all_ints and isinstance(a, int)
    return values, all_ints


def _min_max(name: str, pick):
    def impl(args):
        _arity(name, args, 1, None)
        values, all_ints = _flatten_numbers(name, args)
        if not values:
            _fail("bad_call", f"функция {name}: пустой вектор")
        result = pick(values)
        return result if all_ints else float(result)

    return impl


def _sum(args):
    _arity("sum", args, 1, None)
    values, all_ints = _flatten_numbers("sum", args)
    if all_ints:
        return _check_int(sum(values))
    return _check_float(math.fsum(values))


def _prod(args):
    _arity("prod", args, 1, None)
    values, all_ints = _flatten_numbers("prod", args)
    result = 1
    for v in values:
        result = _scalar_arith("*", result, v)
    return result if all_ints else _check_float(float(result))


def _stat(name: str, fn):
    def impl(args):
        _arity(name, args, 1, None)
        values, _ = _flatten_numbers(name, args)
        if not values:
            _fail("bad_call", f"функция {name}: пустой вектор")
        with np.errstate(all="ignore"):
            return _check_float(float(fn(np.array(values, dtype=float))))

    return impl


def _len(args):
    _arity("len", args, 1, 1)
    v = _vector_only("len", args[0])
    return int(v.shape[0])


def _round_half_up(x, ndigits: int):
    with localcontext() as ctx:
        ctx.prec = 1000  # enough for any float or 400-digit integer
        if isinstance(x, int):
            if ndigits >= 0:
                return x
            q = 10**-ndigits
            return int((Decimal(x) / q).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * q
        # repr gives the shortest decimal that round-trips: round(2.675, 2) = 2.68, as by hand.
        step = Decimal(1).scaleb(-ndigits)
        return float(Decimal(repr(float(x))).quantize(step, rounding=ROUND_HALF_UP))


def _round(args):
    _arity("round", args, 1, 2)
    x = _one_number("round", args[0])
    nd = 0
    if len(args) == 2:
        n = _scalar_only("round", args[1])
        if not float(n).is_integer() or not -20 <= n <= 20:
            _fail("bad_call", "round(x, n): n должно быть целым от -20 до 20")
        nd = int(n)
    if isinstance(x, np.ndarray):
        scale = 10.0**nd
        with np.errstate(all="ignore"):
            return _check_array(np.sign(x) * np.floor(np.abs(x) * scale + 0.5) / scale)
    result = _round_half_up(x, nd)
    if len(args) == 1:
        return int(result)
    return float(result) if isinstance(x, float) else result


def _floor_ceil(name: str, fn, array_fn):
    def impl(args):
        _arity(name, args, 1, 1)
        x = _one_number(name, args[0])
        if isinstance(x, np.ndarray):
            return array_fn(x)
        return fn(x) if isinstance(x, int) else int(fn(x))

    return impl


def _abs(args):
    _arity("abs", args, 1, 1)
    x = _one_number("abs", args[0])
    return np.abs(x) if isinstance(x, np.ndarray) else abs(x)


def _relu(args):
    _arity("relu", args, 1, 1)
    x = _one_number("relu", args[0])
    if isinstance(x, np.ndarray):
        return np.maximum(x, 0.0)
    return x if x > 0 else (0 if isinstance(x, int) else 0.0)


def _sign(args):
    _arity("sign", args, 1, 1)
    x = _one_number("sign", args[0])
    if isinstance(x, np.ndarray):
        return np.sign(x)
    return (x > 0) - (x < 0)


def _log(args):
    _arity("log", args, 1, 2)
    x = _one_number("log", args[0])
    positive = "логарифм определён только для положительных чисел"
    if isinstance(x, np.ndarray):
        if not np.all(x > 0):
            _math_error(positive)
        result = np.log(x)
    else:
        if x <= 0:
            _math_error(positive)
        result = _check_float(math.log(x))
    if len(args) == 2:
        base = _scalar_only("log", args[1])
        if base <= 0 or base == 1:
            _math_error("основание логарифма должно быть положительным и не равным 1")
        result = result / math.log(base)
    return result


def _softmax(args):
    _arity("softmax", args, 1, 1)
    v = _vector_only("softmax", args[0])
    shifted = v - np.max(v, axis=-1, keepdims=True)
    with np.errstate(all="ignore"):
        ex = np.exp(shifted)
        return _check_array(ex / np.sum(ex, axis=-1, keepdims=True))


def _dot(args):
    _arity("dot", args, 2, 2)
    a = _one_number("dot", args[0])
    b = _one_number("dot", args[1])
    if not isinstance(a, np.ndarray) or not isinstance(b, np.ndarray):
        _fail("bad_call", "dot(a, b): оба аргумента должны быть векторами или матрицами")
    if a.ndim > 2 or b.ndim > 2:
        _fail("bad_call", "dot(a, b): поддерживаются только векторы и матрицы")
    try:
        with np.errstate(all="ignore"):
            result = np.dot(a, b)
    except ValueError:
        _type_error(f"dot: размеры не согласованы ({_describe_value(a)} и {_describe_value(b)})")
    result = np.asarray(result, dtype=float)
    _check_array(result)
    return _scalar_result(result)


def _clip(args):
    _arity("clip", args, 3, 3)
    x = _one_number("clip", args[0])
    lo = _scalar_only("clip", args[1])
    hi = _scalar_only("clip", args[2])
    if lo > hi:
        _fail("bad_call", "clip(x, lo, hi): lo больше hi")
    if isinstance(x, np.ndarray):
        return np.clip(x, lo, hi)
    return min(max(x, lo), hi)


def _int(args):
    _arity("int", args, 1, 1)
    x = _scalar_only("int", args[0])
    return int(x)


def _float(args):
    _arity("float", args, 1, 1)
    return _to_float(_scalar_only("float", args[0]))


def _arg(name: str, fn):
    def impl(args):
        _arity(name, args, 1, 1)
        v = _vector_only(name, args[0])
        if v.size == 0:
            _fail("bad_call", f"функция {name}: пустой вектор")
        return int(fn(v.ravel()))

    return impl


def _norm(args):
    _arity("norm", args, 1, 1)
    v = _vector_only("norm", args[0])
    with np.errstate(all="ignore"):
        return _check_float(float(np.linalg.norm(v)))


def _atan2(args):
    # Moodle's calculated formulas (PHP) have atan2(y, x): the angle of the point (x, y).
    _arity("atan2", args, 2, 2)
    y = _to_float(_scalar_only("atan2", args[0]))
    x = _to_float(_scalar_only("atan2", args[1]))
    return _check_float(math.atan2(y, x))


def _fmod(args):
    # C/PHP fmod: the remainder of a/b with the sign of a (unlike Python's %).
    _arity("fmod", args, 2, 2)
    a = _to_float(_scalar_only("fmod", args[0]))
    b = _to_float(_scalar_only("fmod", args[1]))
    if b == 0:
        _math_error("fmod: деление на ноль")
    return _check_float(math.fmod(a, b))


def _positive(x):
    return x > 0


def _non_negative(x):
    return x >= 0


def _unit(x):
    return (x >= -1) & (x <= 1) if isinstance(x, np.ndarray) else -1 <= x <= 1


def _open_unit(x):
    return (x > -1) & (x < 1) if isinstance(x, np.ndarray) else -1 < x < 1


def _at_least_one(x):
    return x >= 1


_NON_NEG = "корень определён только для неотрицательных чисел"
_POS = "логарифм определён только для положительных чисел"
_UNIT = "аргумент должен лежать в отрезке [-1, 1]"
_OPEN_UNIT = "аргумент должен лежать в интервале (-1, 1)"
_AT_LEAST_ONE = "аргумент должен быть не меньше 1"

FUNCTIONS: dict[str, Callable] = {
    "exp": _elementwise("exp", math.exp, np.exp),
    "log": _log,
    "log10": _elementwise("log10", math.log10, np.log10, _positive, _POS),
    "log2": _elementwise("log2", math.log2, np.log2, _positive, _POS),
    "sqrt": _elementwise("sqrt", math.sqrt, np.sqrt, _non_negative, _NON_NEG),
    "abs": _abs,
    "min": _min_max("min", min),
    "max": _min_max("max", max),
    "sum": _sum,
    "prod": _prod,
    "mean": _stat("mean", np.mean),
    "var": _stat("var", np.var),
    "std": _stat("std", np.std),
    "len": _len,
    "round": _round,
    "floor": _floor_ceil("floor", math.floor, np.floor),
    "ceil": _floor_ceil("ceil", math.ceil, np.ceil),
    "sin": _elementwise("sin", math.sin, np.sin),
    "cos": _elementwise("cos", math.cos, np.cos),
    "tan": _elementwise("tan", math.tan, np.tan),
    "asin": _elementwise("asin", math.asin, np.arcsin, _unit, _UNIT),
    "acos": _elementwise("acos", math.acos, np.arccos, _unit, _UNIT),
    "atan": _elementwise("atan", math.atan, np.arctan),
    "sinh": _elementwise("sinh", math.sinh, np.sinh),
    "cosh": _elementwise("cosh", math.cosh, np.cosh),
    "tanh": _elementwise("tanh", math.tanh, np.tanh),
    "asinh": _elementwise("asinh", math.asinh, np.arcsinh),
    "acosh": _elementwise("acosh", math.acosh, np.arccosh, _at_least_one, _AT_LEAST_ONE),
    "atanh": _elementwise("atanh", math.atanh, np.arctanh, _open_unit, _OPEN_UNIT),
    "atan2": _atan2,
    "fmod": _fmod,
    "sigmoid": _elementwise("sigmoid", _sigmoid_scalar, _sigmoid_array),
    "softplus": _elementwise(
        "softplus", _softplus_scalar, lambda x: np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
    ),
    "relu": _relu,
    "sign": _sign,
    "softmax": _softmax,
    "dot": _dot,
    "clip": _clip,
    "int": _int,
    "float": _float,
    "norm": _norm,
    "argmax": _arg("argmax", np.argmax),
    "argmin": _arg("argmin", np.argmin),
}
_FUNCTION_ALIASES = {"ln": "log", "σ": "sigmoid", "sigma": "sigmoid", "arcsin": "asin",
                     "arccos": "acos", "arctan": "atan"}  # fmt: skip
for _a, _t in _FUNCTION_ALIASES.items():
    FUNCTIONS[_a] = FUNCTIONS[_t]


class _Evaluator:
    def __init__(self, env: Mapping, functions: Mapping, max_ops: int):
        self.env = env
        self.functions = functions
        self.max_ops = max_ops
        self.ops = 0

    def charge(self, units: int):
        self.ops += units
        if self.ops > self.max_ops:
            _fail("too_complex", "вычисление слишком сложное (превышен лимит операций)")

    def charge_value(self, v):
        if isinstance(v, np.ndarray):
            self.charge(int(v.size))

    def lookup(self, name: str):
        for candidate in (name, _alias(name)):
            if candidate is not None and candidate in self.env:
                return _normalize(self.env[candidate], f"значение «{candidate}»")
        if name in CONSTANTS:
            return CONSTANTS[name]
        known = sorted(str(k) for k in self.env)
        if len(known) > 15:
            known = known[:15] + ["…"]
        hint = f"; доступны: {', '.join(known)}" if known else "; переменных здесь нет"
        if name in FUNCTIONS or name in self.functions:
            _fail("unknown_name", f"«{name}» — функция, после неё нужны скобки: {name}(…)")
        _fail("unknown_name", f"неизвестное имя «{name}»{hint}")

    def eval(self, node: Node):
        self.charge(1)
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Name):
            value = self.lookup(node.name)
            self.charge_value(value)
            return value
        if isinstance(node, Binary):
            # Walk the left spine iteratively: "1+1+...+1" may be hundreds of nodes deep.
            spine = []
            cur: Node = node
            while isinstance(cur, Binary):
                spine.append(cur)
                cur = cur.left
            value = self.eval(cur)
            for b in reversed(spine):
                self.charge(1)
                if b.op == "and":
                    value = _truth(value) and _truth(self.eval(b.right))
                elif b.op == "or":
                    value = _truth(value) or _truth(self.eval(b.right))
                else:
                    right = self.eval(b.right)
                    value = _arith(b.op, value, right)
                    self.charge_value(value)
            return value
        if isinstance(node, Unary):
            value = self.eval(node.operand)
            if node.op == "not":
                return not _truth(value)
            value = _as_number(value, "унарный минус")
            if isinstance(value, bool):
                value = int(value)
            return -value
        if isinstance(node, Compare):
            left = self.eval(node.operands[0])
            result = True
            for op, operand in zip(node.ops, node.operands[1:], strict=True):
                right = self.eval(operand)
                current = _compare(op, left, right)
                if isinstance(current, np.ndarray):
                    if len(node.ops) > 1:
                        _type_error("цепочки сравнений для векторов не поддерживаются")
                    return current
                if not current:
                    return False
                left = right
            return result
        if isinstance(node, Cond):
            if _truth(self.eval(node.cond)):
                return self.eval(node.then)
            return self.eval(node.orelse)
        if isinstance(node, ListExpr):
            return self.make_list([self.eval(item) for item in node.items])
        if isinstance(node, Index):
            return self.index(self.eval(node.target), self.eval(node.index))
        if isinstance(node, Call):
            return self.call(node)
        raise TypeError(f"not a Node: {node!r}")

    def make_list(self, items: list):
        if not items:
            return np.zeros(0)
        if all(isinstance(v, (bool, int, float)) for v in items):
            try:
                arr = np.array([float(v) for v in items], dtype=float)
            except OverflowError:
                _too_large()
            self.charge(arr.size)
            return arr
        if all(isinstance(v, np.ndarray) for v in items):
            shapes = {v.shape for v in items}
            if len(shapes) != 1:
                _type_error("строки матрицы должны быть одинаковой длины")
            arr = np.stack(items)
            self.charge(arr.size)
            return arr
        _type_error("элементы списка должны быть числами или списками одинаковой длины")

    def index(self, target, idx):
        if not isinstance(target, np.ndarray) or target.ndim == 0:
            _type_error(f"индексировать можно только вектор, а не {_describe_value(target)}")
        if isinstance(idx, bool) or not isinstance(idx, (int, float)):
            _type_error(f"индекс должен быть целым числом, а получено {_describe_value(idx)}")
        if isinstance(idx, float):
            if not idx.is_integer():
                _type_error(f"индекс должен быть целым числом, а получено {idx}")
            idx = int(idx)
        n = target.shape[0]
        if not -n <= idx < n:
            _fail("index_error", f"индекс {idx} вне границ: в векторе {n} элементов "
                                 f"(индексы от 0 до {n - 1})")  # fmt: skip
        return _scalar_result(target[idx])

    def call(self, node: Call):
        name = node.func
        impl = self.functions.get(name)
        custom = impl is not None
        if impl is None:
            impl = FUNCTIONS.get(name)
        if impl is None:
            if name in self.env or _alias(name) in self.env:
                _fail(
                    "implicit_mul",
                    f"«{name}» — не функция; если имелось в виду умножение, напишите «{name}*(…)»",
                )
            known = ", ".join(sorted(set(FUNCTIONS) | set(self.functions)))
            _fail("unknown_function", f"неизвестная функция «{name}»; доступны: {known}")
        args = [self.eval(a) for a in node.args]
        for a in args:
            self.charge_value(a)
        if custom:
            try:
                result = impl(*args)
            except (ArithmeticError, ValueError) as exc:
                _math_error(f"{name}: {exc}")
            result = _normalize(result, f"результат {name}")
        else:
            result = impl(args)
        if isinstance(result, np.ndarray):
            result = _check_array(np.asarray(result, dtype=float))
            self.charge_value(result)
        return _scalar_result(result)


def evaluate(node: Node, env: Mapping | None = None, *, functions: Mapping | None = None,
             max_ops: int = MAX_OPS):  # fmt: skip
    """Compute ``node`` numerically over ``env`` (name → number, list, array or string).

    Returns an ``int``, ``float``, ``bool``, ``str`` (a string parameter passed through) or a
    ``numpy`` ``float64`` array. ``functions`` adds or overrides functions (name → Python
    callable taking the evaluated arguments). See the module docstring for the integer rules.

    >>> evaluate(parse_expression("(12 + 1) * 300"))
    3900
    >>> evaluate(parse_expression("6/3")), evaluate(parse_expression("3/4"))
    (2, 0.75)
    >>> evaluate(parse_expression("x / (1 - rate)"), {"x": [1, 2], "rate": 0.5})
    array([2., 4.])
    >>> evaluate(parse_expression("9**9**9**9"))
    Traceback (most recent call last):
    ...
    grader.errors.ParseError: степень 9^387420489 слишком велика (больше 1e300)
    """
    if not isinstance(node, Node):
        raise TypeError("evaluate() expects a Node from parse_expression()")
    try:
        return _Evaluator(env or {}, functions or {}, max_ops).eval(node)
    except RecursionError:
        raise ParseError("слишком глубокое выражение", code="too_deep") from None


# ---------------------------------------------------------------------------------------------
# SymPy


def _sympy_functions():
    import sympy as sp

    def sigmoid(x):
        return 1 / (1 + sp.exp(-x))

    def log(*args):
        return sp.log(args[0]) if len(args) == 1 else sp.log(args[0], args[1])

    return {
        "exp": (1, 1, sp.exp),
        "log": (1, 2, log),
        "log10": (1, 1, lambda x: sp.log(x, 10)),
        "log2": (1, 1, lambda x: sp.log(x, 2)),
        "sqrt": (1, 1, sp.sqrt),
        "abs": (1, 1, sp.Abs),
        "sin": (1, 1, sp.sin),
        "cos": (1, 1, sp.cos),
        "tan": (1, 1, sp.tan),
        "asin": (1, 1, sp.asin),
        "acos": (1, 1, sp.acos),
        "atan": (1, 1, sp.atan),
        "sinh": (1, 1, sp.sinh),
        "cosh": (1, 1, sp.cosh),
        "tanh": (1, 1, sp.tanh),
        "sigmoid": (1, 1, sigmoid),
        "softplus": (1, 1, lambda x: sp.log(1 + sp.exp(x))),
        "relu": (1, 1, lambda x: sp.Max(0, x)),
        "min": (1, None, sp.Min),
        "max": (1, None, sp.Max),
        "sign": (1, 1, sp.sign),
        "floor": (1, 1, sp.floor),
        "ceil": (1, 1, sp.ceiling),
    }


SYMBOLIC_FUNCTIONS = (
    "exp log ln log10 log2 sqrt abs sin cos tan asin acos atan arcsin arccos arctan sinh cosh "
    "tanh sigmoid sigma σ softplus relu min max sign floor ceil"
).split()


def _resolve_symbolic(name: str) -> str | None:
    name = _FUNCTION_ALIASES.get(name, name)
    return name if name in SYMBOLIC_FUNCTIONS else None


def _decimal_rational(text: str):
    """Exact rational of a canonical float literal ("1.5e-3" → 3/2000), without parsing floats."""
    import sympy as sp

    mantissa, _, exponent = text.partition("e")
    int_part, _, frac = mantissa.partition(".")
    scale = len(frac) - (int(exponent) if exponent else 0)
    digits = int((int_part or "0") + frac)
    if scale >= 0:
        return sp.Rational(digits, 10**scale)
    return sp.Integer(digits * 10**-scale)


class _SympyBuilder:
    def __init__(self, symbols: dict, aliases: dict):
        import sympy as sp

        self.sp = sp
        self.symbols = symbols
        self.aliases = aliases
        self.table = _sympy_functions()

    def name(self, name: str):
        sp = self.sp
        for candidate in (name, _alias(name)):
            if candidate is not None and candidate in self.symbols:
                return self.symbols[candidate]
        if name == "e":
            return sp.E
        if name in ("pi", "π"):
            return sp.pi
        if _resolve_symbolic(name) or name in self.aliases:
            _fail("unknown_name", f"«{name}» — функция, после неё нужны скобки: {name}(…)")
        split = _split_into_names(name, set(self.symbols))
        hint = f". Может быть, имелось в виду «{'*'.join(split)}»?" if split else ""
        if self.symbols:
            allowed = f"можно использовать переменные: {', '.join(sorted(self.symbols))}"
        else:
            allowed = "переменные в этом ответе не используются"
        _fail("unknown_name", f"неизвестное имя «{name}»; {allowed}{hint}")

    def build(self, node: Node):
        sp = self.sp
        if isinstance(node, Num):
            if isinstance(node.value, int):
                return sp.Integer(node.value)
            return _decimal_rational(node.text)
        if isinstance(node, Name):
            return self.name(node.name)
        if isinstance(node, Binary):
            spine = []
            cur: Node = node
            while isinstance(cur, Binary):
                spine.append(cur)
                cur = cur.left
            value = self.build(cur)
            for b in reversed(spine):
                right = self.build(b.right)
                value = self.binary(b, value, right)
            return value
        if isinstance(node, Unary):
            operand = self.build(node.operand)
            if node.op == "not":
                self.need_boolean(operand, "not")
                return sp.Not(operand)
            self.need_expr(operand, "унарный минус")
            return -operand
        if isinstance(node, Compare):
            rel = {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge, "==": sp.Eq, "!=": sp.Ne}
            values = [self.build(o) for o in node.operands]
            for v in values:
                self.need_expr(v, "сравнение")
            parts = [rel[op](a, b) for op, a, b in zip(node.ops, values, values[1:], strict=False)]
            return parts[0] if len(parts) == 1 else sp.And(*parts)
        if isinstance(node, Cond):
            then, cond, orelse = (self.build(x) for x in (node.then, node.cond, node.orelse))
            self.need_boolean(cond, "if")
            self.need_expr(then, "if")
            self.need_expr(orelse, "else")
            return sp.Piecewise((then, cond), (orelse, True))
        if isinstance(node, Call):
            return self.call(node)
        _fail("unsupported", "векторы и индексы в символьном выражении не поддерживаются")

    def need_expr(self, value, where: str):
        if not isinstance(value, self.sp.Expr):
            _fail("type_error", f"{where}: ожидалось числовое выражение, а найдено условие")

    def need_boolean(self, value, where: str):
        # a Symbol is both an Expr and a Boolean in SymPy: a condition must not be an Expr
        if not isinstance(value, self.sp.logic.boolalg.Boolean) or isinstance(value, self.sp.Expr):
            _fail("type_error", f"{where}: ожидалось условие (сравнение), а найдено выражение")

    def binary(self, b: Binary, left, right):
        sp = self.sp
        if b.op in ("and", "or"):
            self.need_boolean(left, b.op)
            self.need_boolean(right, b.op)
            return sp.And(left, right) if b.op == "and" else sp.Or(left, right)
        self.need_expr(left, f"«{b.op}»")
        self.need_expr(right, f"«{b.op}»")
        if b.op == "+":
            return left + right
        if b.op == "-":
            return left - right
        if b.op == "*":
            return left * right
        if b.op == "/":
            return left / right
        return left**right

    def call(self, node: Call):
        name = node.func
        target = self.aliases.get(name) or _resolve_symbolic(name)
        if target is None:
            if name in self.symbols or _alias(name) in self.symbols:
                _fail(
                    "implicit_mul",
                    f"«{name}» — переменная, а не функция; для умножения напишите «{name}*(…)»",
                )
            known = sorted(set(SYMBOLIC_FUNCTIONS) | set(self.aliases))
            _fail(
                "unknown_function",
                f"неизвестная функция «{name}»; доступны: {', '.join(known)}",
            )
        lo, hi, fn = self.table[_FUNCTION_ALIASES.get(target, target)]
        _arity(name, list(node.args), lo, hi)
        args = [self.build(a) for a in node.args]
        for a in args:
            self.need_expr(a, f"аргумент {name}")
        return fn(*args)


_UNKNOWN = object()  # a constant whose value our evaluator cannot give (0^-1, sqrt(-1), ...)


def _check_constants(node: Node, symbols: Mapping, aliases: Mapping):
    """Evaluate every constant subtree bottom-up with our bounded evaluator before SymPy sees it.

    SymPy computes with exact numbers: ``2^(10^300)``, ``floor(exp(exp(100)))`` or a product of
    many 300-digit numbers would run for ages inside SymPy. Our evaluator refuses those in
    microseconds (``too_large``); constants it cannot compute for other reasons (``sqrt(-1)``)
    are left to SymPy, except as the base of a power with a large exponent.
    """
    values: dict[int, object] = {}
    stack: list = [(node, False)]
    while stack:
        cur, ready = stack.pop()
        if not ready:
            stack.append((cur, True))
            stack.extend((child, False) for child in _children(cur))
            continue
        values[id(cur)] = _constant_value(cur, values, symbols, aliases)


def _constant_value(cur: Node, values: dict, symbols: Mapping, aliases: Mapping):
    """The value of ``cur`` given its children's; None when not constant."""
    if isinstance(cur, Num):
        return cur.value
    if isinstance(cur, Name):
        if cur.name in symbols or _alias(cur.name) in symbols or cur.name not in CONSTANTS:
            return None
        return CONSTANTS[cur.name]
    if isinstance(cur, (ListExpr, Index)):
        return None
    kids = [values[id(child)] for child in _children(cur)]
    if any(k is None for k in kids):
        return None
    if isinstance(cur, Binary) and cur.op == "^" and kids[0] is _UNKNOWN:
        exponent = kids[1]
        if isinstance(exponent, (int, float)) and abs(exponent) > 1000:
            _too_large("слишком большой показатель степени")
    if any(k is _UNKNOWN for k in kids):
        return _UNKNOWN
    try:
        if isinstance(cur, Binary):
            if cur.op in ("and", "or"):
                return _UNKNOWN
            return _arith(cur.op, kids[0], kids[1])
        if isinstance(cur, Unary):
            return -_as_number(kids[0], "минус") if cur.op == "-" else not _truth(kids[0])
        if isinstance(cur, Call):
            target = aliases.get(cur.func) or _resolve_symbolic(cur.func)
            if target is None:
                return None
            return _scalar_result(FUNCTIONS[target](kids))
        if isinstance(cur, Cond):
            return kids[0] if _truth(kids[1]) else kids[2]
        if isinstance(cur, Compare):
            return _UNKNOWN
    except ParseError as exc:
        if exc.code in ("too_large", "too_complex"):
            raise
    return _UNKNOWN


def _split_into_names(name: str, allowed: set[str]) -> list[str] | None:
    """Split "xy" into ["x", "y"] when every part is an allowed name (for a hint)."""
    if not allowed or len(name) > 12:
        return None
    best: dict[int, list[str]] = {0: []}
    for i in range(len(name)):
        if i not in best:
            continue
        for part in allowed:
            if part and name.startswith(part, i) and i + len(part) not in best:
                best[i + len(part)] = best[i] + [part]
    parts = best.get(len(name))
    return parts if parts and len(parts) > 1 else None


def _symbol_table(variables) -> dict:
    import sympy as sp

    if isinstance(variables, Mapping):
        table = {}
        for name, value in variables.items():
            if isinstance(value, sp.Basic):
                table[str(name)] = value
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                raise SpecError(f"переменная {name}: ожидался символ SymPy", code="bad_spec")
            else:
                table[str(name)] = sp.Integer(value) if isinstance(value, int) else sp.Float(value)
        return table
    table = {}
    for v in variables or ():
        if isinstance(v, sp.Symbol):
            table[v.name] = v
        elif isinstance(v, str):
            table[v] = sp.Symbol(v)
        else:
            raise SpecError(f"переменная {v!r}: ожидалось имя", code="bad_spec")
    return table


def _alias_table(functions) -> dict:
    aliases = {}
    for name, target in (functions or {}).items():
        resolved = _resolve_symbolic(str(target))
        if resolved is None:
            raise SpecError(
                f"функция {name}: «{target}» не из списка {', '.join(SYMBOLIC_FUNCTIONS)}",
                code="bad_spec",
            )
        aliases[str(name)] = resolved
    return aliases


def to_sympy(node: Node, *, variables, functions: Mapping[str, str] | None = None):
    """Build a SymPy expression from the AST, node by node (no string parsing).

    ``variables``: names (or ``Symbol``s) the expression may use, or a mapping name → ``Symbol``
    (or number); a plain name becomes ``Symbol(name)``. ``functions``: user-visible name → known
    function, e.g. ``{"f": "sigmoid"}``. ``sigmoid`` (aliases ``sigma``, ``σ``) is
    ``1/(1 + exp(-x))``; ``relu`` is ``Max(0, x)``; ``e`` and ``pi`` are constants unless they are
    variables. ``a if c else b`` becomes a ``Piecewise``. Unknown names raise ``unknown_name``
    listing the allowed variables.

    >>> to_sympy(parse_expression("f(t)*(1 - f(t))"), variables=["t"], functions={"f": "sigmoid"})
    (1 - 1/(1 + exp(-t)))/(1 + exp(-t))
    >>> to_sympy(parse_expression("e^x + y"), variables=["x"])
    Traceback (most recent call last):
    ...
    grader.errors.ParseError: неизвестное имя «y»; можно использовать переменные: x
    """
    import sympy as sp

    symbols = _symbol_table(variables)
    aliases = _alias_table(functions)
    try:
        _check_constants(node, symbols, aliases)
        expr = _SympyBuilder(symbols, aliases).build(node)
    except RecursionError:
        raise ParseError("слишком глубокое выражение", code="too_deep") from None
    except ParseError:
        raise
    except (TypeError, ValueError, ArithmeticError, AttributeError, NotImplementedError) as exc:
        # SymPy refuses some constructions (e.g. comparing a condition with a number).
        raise ParseError(f"не удалось построить выражение: {exc}", code="type_error") from None
    if isinstance(expr, sp.Basic) and expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        _math_error("деление на ноль или бесконечное значение")
    return expr


@functools.lru_cache(maxsize=4096)
def parse_cached(text: str) -> Node:
    """:func:`parse_expression` with a cache, for the formulas of question specs.

    Specs repeat the same few formulas for every variant; nodes are immutable, so sharing them
    is safe. Student input is not cached (it rarely repeats and would only evict formulas).
    """
    return parse_expression(text)
