"""Parse a student's raw answer for an expected kind: number, vector, matrix or expression.

:func:`parse_answer` returns a :class:`Parsed` (the value plus a Russian ``display`` of how the
input was understood) or raises :class:`~grader.errors.ParseError` with a ``code`` and a Russian
message saying what was expected and where. It never raises anything else for any string:
every element goes through the bounded parser of :mod:`grader.expr`.

Numbers
-------
Integers, decimals with ``.`` or ``,`` (``0,95``), scientific notation (``1e-3``, ``1,5e-3``,
``1.5·10^-3``, ``1.5*10^(-3)``, ``1.5·10⁻³``), fractions ``3/4``, arithmetic ``(12+1)*300``,
a leading ``+``/``-``/``−``, surrounding spaces. A trailing ``%`` divides by 100 (``95%`` is
0.95; so a question that asks for percent wants ``95`` without the sign). Thousands may be
grouped with spaces, no-break or thin spaces (``84 301``) when every group after the first has
exactly three digits; other spaces between digits are an error.

Vectors: the comma rule
-----------------------
Elements may be any constant expressions. Outer brackets ``[...]`` or ``(...)`` are optional.
At the level of the elements:

1. if ``;`` (or a line break) appears there, it separates the elements and every comma there
   is a decimal comma: ``[0,5; 2; 0]`` = (0.5, 2, 0);
2. otherwise a comma followed by whitespace separates, and a comma written tightly between
   digits is a decimal comma: ``[0,5, 2, 0]`` = (0.5, 2, 0); if that does not give the expected
   length but splitting at every comma does, every comma separates;
3. otherwise (commas without spaces, like ``[0,2,0]``) the expected length decides: whichever of
   "commas separate" and "commas are decimal" gives the expected number of elements wins;
   a reading that does not parse (``0,2,0`` is not a number) is discarded; if both readings
   remain possible and neither (or, without an expected length, both) fits, the answer is
   refused with code ``ambiguous_comma`` asking for ``;``;
4. whitespace also separates elements, where one element ends and another starts: ``0 2 0``,
   ``[1, 2 3]``; as in MATLAB, ``1 -2`` is two elements but ``1 - 2`` and ``1-2`` are one.

Matrices
--------
``[[1, 2], [3, 4]]`` (rows in brackets, separated by commas, ``;`` or spaces), ``[1 2; 3 4]``,
``[1, 2; 3, 4]`` or rows on separate lines. Within a row the vector rules 2–4 apply (for
``[1,5 2; 3 4]`` the expected number of columns decides, and the first row that is clear
decides for the others). Rows of different lengths are refused with code ``ragged`` naming
the row. A vector answer written as a single row or column (``[[1, 2, 3]]``, ``[[1], [2]]``)
is accepted as a vector.

Expressions
-----------
Parsed by :func:`grader.expr.parse_expression` with the decimal comma on, then built into
SymPy by :func:`grader.expr.to_sympy` with the question's variables and function aliases
(``functions={"f": "sigmoid"}``). An unknown name is refused with a message listing the allowed
variables; ``2x`` is refused with a hint to write ``2*x``.

Limits
------
An answer longer than 2000 characters is refused at once (``too_long``); every element or
expression is bounded as described in :mod:`grader.expr`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.errors import ParseError, SpecError
from grader.expr import (
    Node,
    Token,
    evaluate,
    names_in,
    parse_expression,
    to_sympy,
    tokenize,
)
from grader.hints import (
    HINTS,
    MATRIX_HINT,
    NUMBER_HINT,
    USE_SEMICOLON,
    VECTOR_HINT,
    count_word,
    elements_word,
    show_number,
    show_text,
    show_values,
)
from grader.i18n import _

__all__ = ["Parsed", "parse_answer", "KINDS", "MAX_ANSWER_LENGTH"]

MAX_ANSWER_LENGTH = 2000
KINDS = ("number", "vector", "matrix", "expression")

_EDGE = re.compile(r"^[\s\u200b\u2060\ufeff]+|[\s\u200b\u2060\ufeff]+$")
_GROUP_SPACE = "[ \u00a0\u2009\u202f]"
_THOUSANDS = re.compile(rf"[+\-\u2212]?[0-9]{{1,3}}(?:{_GROUP_SPACE}[0-9]{{3}})+(?:[.,][0-9]+)?")


@dataclass(frozen=True, eq=False)
class Parsed:
    """A parsed answer.

    ``value``: ``int``/``float`` for a number; a read-only ``numpy`` ``float64`` array for a
    vector (shape ``(n,)``) or a matrix (``(rows, cols)``); a SymPy expression for an
    expression (whose AST is in ``node``). ``display``: how the input was understood, in Russian.
    """

    kind: str
    value: Any
    display: str
    node: Node | None = None


def parse_answer(
    raw: str,
    kind: str,
    *,
    shape: tuple | int | None = None,
    variables: Sequence | Mapping = (),
    functions: Mapping[str, str] | None = None,
) -> Parsed:
    """Parse ``raw`` as ``kind`` (``number``, ``vector``, ``matrix``, ``expression``).

    ``shape`` is the expected shape (``(3,)``, ``(2, 2)``), used only to settle ambiguous commas;
    a different shape is not an error here (the comparison reports it). ``variables`` and
    ``functions`` are passed to :func:`grader.expr.to_sympy` for expressions.

    >>> parse_answer("0,95", "number").display
    '0,95 → 0.95'
    >>> parse_answer(" 84 301 ", "number").value
    84301
    >>> parse_answer("[0,5; 2; 0]", "vector").display
    'вектор из 3 элементов: (0.5, 2, 0)'
    >>> parse_answer("[0,2,0]", "vector", shape=(3,)).value.tolist()
    [0.0, 2.0, 0.0]
    >>> parse_answer("[1 2; 3 4]", "matrix").display
    'матрица 2×2: [1, 2; 3, 4]'
    >>> parse_answer("f(t)*(1-f(t))", "expression", variables=["t"],
    ...              functions={"f": "sigmoid"}).display
    'выражение: f(t)·(1 − f(t))'
    >>> parse_answer("[1,5]", "vector")
    Traceback (most recent call last):
    ...
    grader.errors.ParseError: Непонятно, что означают запятые: «1,5» можно прочитать как 2 элемента или как 1. Разделяйте элементы знаком «;», например [0,5; 2; 0], или ставьте пробел после запятой-разделителя: [0, 5, 2]
    """  # noqa: E501
    if kind not in KINDS:
        raise SpecError(
            _("неизвестный вид ответа %(kind)r; ожидался один из %(kinds)s")
            % {"kind": kind, "kinds": KINDS},
            code="bad_kind",
        )
    if not isinstance(raw, str):
        raise ParseError(_("Ответ должен быть текстом"), code="syntax")
    if len(raw) > MAX_ANSWER_LENGTH:
        raise ParseError(
            _(
                "Ответ слишком длинный: %(n_raw)s символов, допускается не больше "
                "%(max_answer_length)s"
            )
            % {"n_raw": len(raw), "max_answer_length": MAX_ANSWER_LENGTH},
            code="too_long",
        )
    lead_match = re.match(r"[\s\u200b\u2060\ufeff]*", raw)
    lead = lead_match.end() if lead_match else 0
    text = _EDGE.sub("", raw)
    if not text:
        raise ParseError(_("Ответ пуст. %(hints)s") % {"hints": _(HINTS[kind])}, code="empty")
    try:
        if kind == "number":
            return _parse_number(text, lead)
        if kind == "expression":
            return _parse_expression(text, lead, variables, functions)
        splitter = _Splitter(text, lead)
        if kind == "vector":
            return splitter.vector(_expected_length(shape))
        return splitter.matrix(_expected_matrix(shape))
    except RecursionError:
        raise ParseError(_("Слишком глубокая вложенность скобок"), code="too_deep") from None


def _with_hint(exc: ParseError, hint: str, prefix: str = "") -> ParseError:
    message = exc.message.rstrip(".")
    if prefix:
        message = f"{prefix}: {message[:1].lower()}{message[1:]}"
    return ParseError(f"{message}. {hint}" if hint else message, code=exc.code, **exc.details)


# ---------------------------------------------------------------------------------------------
# Numbers


def _real_scalar(value, what: str):
    if isinstance(value, bool):
        raise ParseError(
            _("%(what)s: ожидалось число, а получено условие (да/нет)") % {"what": what},
            code="wrong_kind",
        )
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, np.ndarray):
        raise ParseError(
            _("%(what)s: ожидалось одно число, а введён список") % {"what": what}, code="wrong_kind"
        )
    raise ParseError(_("%(what)s: ожидалось число") % {"what": what}, code="wrong_kind")


def _constant(text: str, *, decimal_comma: bool, offset: int, what: str, hint: str):
    """Parse and evaluate a constant expression to a real number (int or float)."""
    node = parse_expression(text, decimal_comma=decimal_comma, offset=offset)
    try:
        value = evaluate(node, {})
    except ParseError as exc:
        if exc.code == "unknown_name":
            names = ", ".join(sorted(names_in(node))) or "?"
            message = _("%(what)s: здесь не может быть переменных (%(names)s)") % {
                "what": what,
                "names": names,
            }
            message = f"{message}. {hint}" if hint else message
            raise ParseError(message, code="unknown_name") from None
        raise
    return node, _real_scalar(value, what)


def _parse_number(text: str, lead: int) -> Parsed:
    body = text
    percent = body.endswith("%")
    if percent:
        body = body[:-1].rstrip()
        if not body:
            raise ParseError(
                _("Перед знаком %% нет числа. %(number_hint)s") % {"number_hint": _(NUMBER_HINT)},
                code="empty",
            )
    if _THOUSANDS.fullmatch(body):
        body = re.sub(_GROUP_SPACE, "", body)
    try:
        node, value = _constant(
            body, decimal_comma=True, offset=lead, what=_("Числовой ответ"), hint=_(NUMBER_HINT)
        )
    except ParseError as exc:
        if exc.code == "unknown_name":
            raise
        raise _with_hint(exc, _(NUMBER_HINT)) from None
    if percent:
        value = _percent_of(value)
    shown = show_number(value)
    display = shown if show_text(text) == shown else f"{show_text(text)} → {shown}"
    return Parsed("number", value, display, node)


def _percent_of(value):
    """``95%`` → 0.95; a whole number of hundreds stays an integer (``200%`` → 2)."""
    return value // 100 if isinstance(value, int) and value % 100 == 0 else value / 100


# ---------------------------------------------------------------------------------------------
# Expressions


def _parse_expression(text: str, lead: int, variables, functions) -> Parsed:
    import sympy

    names = list(functions or ())
    node = parse_expression(text, decimal_comma=True, offset=lead, functions=names)
    expr = to_sympy(node, variables=variables, functions=functions)
    if not isinstance(expr, sympy.Expr):
        raise ParseError(
            _("Ожидалось выражение, а введено условие (сравнение или логическая формула)"),
            code="wrong_kind",
        )
    return Parsed(
        "expression",
        expr,
        _("выражение: %(expression)s") % {"expression": node.to_text(pretty=True)},
        node,
    )


# ---------------------------------------------------------------------------------------------
# Vectors and matrices


def _expected_length(shape) -> int | None:
    if shape is None:
        return None
    if isinstance(shape, int):
        return shape
    shape = tuple(int(s) for s in shape)
    if len(shape) == 1:
        return shape[0]
    if len(shape) == 2 and 1 in shape:
        return shape[0] * shape[1]
    return None


def _expected_matrix(shape) -> tuple[int | None, int | None]:
    if shape is None or isinstance(shape, int):
        return None, None
    shape = tuple(int(s) for s in shape)
    if len(shape) == 2:
        return shape
    return None, None


def _starts_operand(tok: Token) -> bool:
    return tok.kind in ("num", "name", "(", "[") or (tok.kind == "op" and tok.text == "√")


def _ends_operand(tok: Token) -> bool:
    return tok.kind in ("num", "name", ")", "]", "%")


class _Candidate:
    """One reading of a level: its element values, or the error that refuted it."""

    def __init__(self, values=None, error=None):
        self.values = values
        self.error = error

    @property
    def ok(self) -> bool:
        return self.error is None


class _Splitter:
    """Splits an array answer at the top level of its tokens (iteratively: no deep recursion)."""

    def __init__(self, text: str, lead: int):
        self.src = text
        self.lead = lead
        # Commas stay separate tokens here; so does a percent sign, which may end an element
        # as it may end a numeric answer (``[5%; 10%]`` is (0.05, 0.1)).
        self.toks = tokenize(text, offset=lead, percent=True)
        self.match = self._match_brackets()

    # -- structure
    def _col(self, i: int) -> int:
        return self.toks[i].pos + self.lead + 1

    def _match_brackets(self) -> dict[int, int]:
        pairs = {"(": ")", "[": "]"}
        match, stack = {}, []
        for i, tok in enumerate(self.toks):
            if tok.kind in pairs:
                stack.append(i)
            elif tok.kind in (")", "]"):
                if not stack:
                    raise ParseError(
                        _("Позиция %(col)s: лишняя закрывающая скобка «%(kind)s»")
                        % {"col": self._col(i), "kind": tok.kind},
                        code="syntax",
                        column=self._col(i),
                    )
                j = stack.pop()
                if pairs[self.toks[j].kind] != tok.kind:
                    raise ParseError(
                        _(
                            "Позиция %(col)s: скобка «%(kind)s» не подходит к «%(kind2)s» из "
                            "позиции %(col2)s"
                        )
                        % {
                            "col": self._col(i),
                            "kind": tok.kind,
                            "kind2": self.toks[j].kind,
                            "col2": self._col(j),
                        },
                        code="syntax",
                        column=self._col(i),
                    )
                match[j], match[i] = i, j
        if stack:
            j = stack[-1]
            raise ParseError(
                _("Позиция %(col)s: скобка «%(kind)s» не закрыта")
                % {"col": self._col(j), "kind": self.toks[j].kind},
                code="syntax",
                column=self._col(j),
            )
        return match

    def depth0(self, lo: int, hi: int) -> list[int]:
        out, i = [], lo
        while i < hi:
            out.append(i)
            i = self.match[i] + 1 if self.toks[i].kind in "([" else i + 1
        return out

    def strip_outer(self, lo: int, hi: int) -> tuple[int, int]:
        if hi - lo >= 2 and self.toks[lo].kind in "([" and self.match[lo] == hi - 1:
            return lo + 1, hi - 1
        return lo, hi

    def boundary(self, i: int, lo: int, hi: int) -> bool:
        """Does whitespace before token ``i`` separate two elements?"""
        toks = self.toks
        if i <= lo or not toks[i].space_before or not _ends_operand(toks[i - 1]):
            return False
        tok = toks[i]
        if _starts_operand(tok):
            # "f (x)" is still a call; "2 (3)" and "(1) (2)" are two elements
            return not (tok.kind == "(" and toks[i - 1].kind == "name")
        if tok.kind == "op" and tok.text in ("+", "-"):
            nxt = toks[i + 1] if i + 1 < hi else None
            return nxt is not None and not nxt.space_before and _starts_operand(nxt)
        return False

    def groups(self, lo: int, hi: int) -> list[tuple[int, int]] | None:
        """``[1, 2], [3, 4]`` → the inner ranges of the bracketed groups; None if not that form."""
        groups, want_group = [], True
        for i in self.depth0(lo, hi):
            tok = self.toks[i]
            if tok.kind in "([":
                if not want_group and not tok.space_before:
                    return None
                groups.append((i + 1, self.match[i]))
                want_group = False
            elif tok.kind in ",;" and not want_group:
                want_group = True
            else:
                return None
        return groups or None

    def has_rows(self, lo: int, hi: int) -> bool:
        return any(
            self.toks[i].kind == ";" or (self.toks[i].newline_before and self.boundary(i, lo, hi))
            for i in self.depth0(lo, hi)
        )

    def split_rows(self, lo: int, hi: int, what: str) -> list[tuple[int, int]]:
        pieces, start = [], lo
        for i in self.depth0(lo, hi):
            tok = self.toks[i]
            if tok.kind == ";":
                pieces.append((start, i))
                start = i + 1
            elif i > start and tok.newline_before and self.boundary(i, lo, hi):
                pieces.append((start, i))
                start = i
        pieces.append((start, hi))
        return self._drop_empty(pieces, what)

    def _drop_empty(self, pieces: list, what: str) -> list:
        if len(pieces) > 1 and pieces[-1][0] == pieces[-1][1]:
            pieces.pop()  # a trailing separator, as in [1; 2;], is harmless
        for k, (a, b) in enumerate(pieces, 1):
            if a == b:
                raise ParseError(
                    _("Пустой %(what)s №%(k)s: два разделителя подряд или разделитель в начале")
                    % {"what": what, "k": k},
                    code="syntax",
                )
        return pieces

    def cut(self, lo: int, hi: int, commas: set[int], spaces: set[int]) -> list[tuple[int, int]]:
        pieces, start = [], lo
        for i in self.depth0(lo, hi):
            if i in commas:
                pieces.append((start, i))
                start = i + 1
            elif i in spaces and i > start:
                pieces.append((start, i))
                start = i
        pieces.append((start, hi))
        return self._drop_empty(pieces, _("элемент"))

    def text(self, a: int, b: int) -> str:
        return self.src[self.toks[a].pos : self.toks[b - 1].end]

    # -- elements
    def element(self, a: int, b: int, decimal: bool, label: str):
        text = self.text(a, b)
        percent = text.endswith("%")
        if percent:
            text = text[:-1].rstrip()
            if not text:
                raise ParseError(
                    _("%(label)s: перед знаком %% нет числа")
                    % {"label": label[:1].upper() + label[1:]},
                    code="empty",
                )
        if _THOUSANDS.fullmatch(text):
            text = re.sub(_GROUP_SPACE, "", text)
        try:
            _text, value = _constant(
                text, decimal_comma=decimal, offset=self.lead + self.toks[a].pos, what=label,
                hint="",
            )  # fmt: skip
        except ParseError as exc:
            if not exc.message.startswith(label):
                exc = _with_hint(exc, "", label)
            message = exc.message[:1].upper() + exc.message[1:]
            raise ParseError(message, code=exc.code, **exc.details) from None
        return _percent_of(value) if percent else value

    def read(self, pieces, decimal: bool, label: str) -> _Candidate:
        try:
            values = [
                self.element(a, b, decimal, _("%(label)sэлемент %(k)s") % {"label": label, "k": k})
                for k, (a, b) in enumerate(pieces, 1)
            ]
        except ParseError as exc:
            return _Candidate(error=exc)
        return _Candidate(values)

    def split_1d(
        self, lo: int, hi: int, n: int | None, *, semis: bool, label: str = "", lists=False
    ) -> list:
        """The element values of one level (a vector, or one row of a matrix).

        ``lists``: the level is a bracketed row like ``[1,2]`` in ``[[1,2],[3,4]]``, where tight
        commas separate unless the expected length says otherwise (as in list literals).
        """
        if lo == hi:
            where = f" ({label.rstrip(', ')})" if label else ""
            raise ParseError(
                _("Пустой список%(where)s: ожидались числа") % {"where": where}, code="empty"
            )
        top = self.depth0(lo, hi)
        if semis and self.has_rows(lo, hi):
            values = []
            for k, (a, b) in enumerate(self.split_rows(lo, hi, _("элемент")), 1):
                inner = [i for i in self.depth0(a, b) if self.boundary(i, a, b)]
                if inner and not _THOUSANDS.fullmatch(self.text(a, b)):
                    raise ParseError(
                        _(
                            "%(label)sэлемент %(k)s («%(shown)s») состоит из нескольких "
                            "чисел, а элементы разделены «;» — это похоже на матрицу. "
                        )
                        % {"label": label, "k": k, "shown": show_text(self.text(a, b))}
                        + _(VECTOR_HINT),
                        code="wrong_kind",
                    )
                values.append(
                    self.element(a, b, True, _("%(label)sэлемент %(k)s") % {"label": label, "k": k})
                )
            return values
        commas = [i for i in top if self.toks[i].kind == ","]
        spaces = {i for i in top if self.boundary(i, lo, hi)}
        if not commas:
            return self._take(self.read(self.cut(lo, hi, set(), spaces), True, label))
        spaced = {i for i in commas if i + 1 >= hi or self.toks[i + 1].space_before}
        tight = set(commas) - spaced
        if spaced:
            primary = self.read(self.cut(lo, hi, spaced, spaces), True, label)
            if tight and n is not None and not self._fits(primary, n):
                every = self.read(self.cut(lo, hi, set(commas), spaces), False, label)
                if self._fits(every, n):
                    return every.values
            return self._take(primary)
        every = self.read(self.cut(lo, hi, set(commas), spaces), False, label)
        decimal = self.read(self.cut(lo, hi, set(), spaces), True, label)
        if n is not None:
            fitting = [c for c in (every, decimal) if self._fits(c, n)]
            if len(fitting) == 1:
                return fitting[0].values
        if lists and every.ok:
            return every.values
        if every.ok and decimal.ok:
            raise ParseError(
                _(
                    "Непонятно, что означают запятые: «%(shown)s» можно прочитать как "
                    "%(n_values)s %(count_word)s или как %(n_values2)s. %(use_semicolon)s"
                )
                % {
                    "shown": show_text(self.text(lo, hi)),
                    "n_values": len(every.values),
                    "count_word": count_word(len(every.values)),
                    "n_values2": len(decimal.values),
                    "use_semicolon": _(USE_SEMICOLON),
                },
                code="ambiguous_comma",
            )
        return self._take(every if every.ok or not decimal.ok else decimal)

    @staticmethod
    def _fits(candidate: _Candidate, n: int) -> bool:
        return candidate.ok and len(candidate.values) == n

    @staticmethod
    def _take(candidate: _Candidate) -> list:
        if candidate.error is not None:
            raise candidate.error
        return candidate.values

    # -- kinds
    def vector(self, n: int | None) -> Parsed:
        lo, hi = self.strip_outer(0, len(self.toks))
        groups = self.groups(lo, hi) if lo < hi else None
        if groups:
            if len(groups) == 1:
                a, b = groups[0]
                rows = [self.split_1d(a, b, n, semis=True, label=_("строка 1, "), lists=True)]
            else:
                # [[0,5],[1,5]] for a vector of 2 is a column: one element per row
                cols = 1 if n is not None and n == len(groups) else None
                rows = self.rows(groups, cols, semis=True, lists=True)
            if all(len(r) == 1 for r in rows):
                values = [r[0] for r in rows]
            elif len(rows) == 1:
                values = rows[0]
            else:
                raise ParseError(
                    _("Ожидался вектор, а введена матрица %(n_rows)s×%(n_rows2)s. ")
                    % {"n_rows": len(rows), "n_rows2": len(rows[0])}
                    + _(VECTOR_HINT),
                    code="wrong_kind",
                )
        else:
            values = self.split_1d(lo, hi, n, semis=True)
        array = _frozen(values)
        count = len(values)
        display = _("вектор из %(count)s %(elements_word)s: (%(join)s)") % {
            "count": count,
            "elements_word": elements_word(count),
            "join": show_values(values),
        }
        return Parsed("vector", array, display)

    def rows(self, ranges: list, cols: int | None, *, semis: bool, lists: bool = False) -> list:
        """Each row's values. A row whose commas are ambiguous waits until another row has fixed
        the width (``[1,2; 3, 4]``: the second row says two columns)."""
        rows: list = [None] * len(ranges)
        pending = list(range(len(ranges)))
        for attempt in (0, 1):
            for k in list(pending):
                a, b = ranges[k]
                try:
                    rows[k] = self.split_1d(
                        a,
                        b,
                        cols,
                        semis=semis,
                        label=_("строка %(k)s, ") % {"k": k + 1},
                        lists=lists,
                    )
                except ParseError as exc:
                    if exc.code == "ambiguous_comma" and attempt == 0:
                        continue
                    raise
                pending.remove(k)
                if cols is None:
                    cols = len(rows[k])
            if not pending:
                break
        return rows

    def matrix(self, expected: tuple[int | None, int | None]) -> Parsed:
        lo, hi = self.strip_outer(0, len(self.toks))
        if lo == hi:
            raise ParseError(
                _("Пустая матрица. %(matrix_hint)s") % {"matrix_hint": _(MATRIX_HINT)}, code="empty"
            )
        groups = self.groups(lo, hi)
        if groups:
            rows = self.rows(groups, expected[1], semis=True, lists=True)
        else:
            rows = self.rows(self.split_rows(lo, hi, _("строка")), expected[1], semis=False)
        width = len(rows[0])
        for k, row in enumerate(rows[1:], 2):
            if len(row) != width:
                raise ParseError(
                    _(
                        "Строки матрицы разной длины: в строке %(k)s — %(n_row)s "
                        "%(count_word)s, а в строке 1 — %(width)s. Проверьте строку %(k)s."
                    )
                    % {
                        "k": k,
                        "n_row": len(row),
                        "count_word": count_word(len(row)),
                        "width": width,
                    },
                    code="ragged",
                    row=k,
                )
        array = _frozen(rows)
        shown = "; ".join(show_values(row, 10) for row in rows[:10]) + (
            "; …" if len(rows) > 10 else ""
        )
        display = _("матрица %(n_rows)s×%(width)s: [%(shown)s]") % {
            "n_rows": len(rows),
            "width": width,
            "shown": shown,
        }
        return Parsed("matrix", array, display)


def _frozen(values) -> np.ndarray:
    try:
        array = np.array(values, dtype=float)
    except OverflowError:
        raise ParseError(_("Слишком большое число в ответе"), code="too_large") from None
    if not np.isfinite(array).all():
        raise ParseError(_("Слишком большое число в ответе"), code="too_large")
    array.flags.writeable = False
    return array
