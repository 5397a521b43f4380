"""Text to AST: the tokenizer with the decimal comma, and a recursive-descent parser.

The grammar, loosest first: ``a if cond else b``; ``or``; ``and``; ``not``; comparisons (chains
like ``0 < p < 1``); ``+ -``; ``* /``; unary ``-``/``+`` and ``√``; power ``^``
(right-associative, tighter than unary minus: ``-2^2 = -4``, ``2^-1 = 0.5``); calls ``f(a; b)``,
indexing ``v[i]``; numbers, names, ``(…)`` and list literals ``[a, b]``. Multiplication is
never implicit (``2x`` is refused with ``implicit_mul`` and a hint). Depth and node count are
bounded (``too_deep``, ``too_complex``) while parsing, so hostile input fails early.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from grader.errors import ParseError
from grader.expr.commas import merge_decimal_commas
from grader.expr.functions import FUNCTIONS
from grader.expr.limits import MAX_DEPTH, MAX_LENGTH, MAX_NODES, fail
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
)
from grader.expr.tokens import Token, scan
from grader.i18n import _

__all__ = ["tokenize", "parse_expression", "parse_cached"]


def tokenize(
    text: str, *, decimal_comma: bool = False, offset: int = 0, percent: bool = False
) -> list[Token]:
    """Split ``text`` into tokens (no end token). Raise ParseError on a bad character.

    ``percent``: keep ``%`` as a token (see :func:`grader.expr.tokens.scan`).

    >>> [t.text for t in tokenize("2·x² − 1")]
    ['2', '*', 'x', '^', '2', '-', '1']
    >>> [t.text for t in tokenize("0,5 + 1", decimal_comma=True)]
    ['0.5', '+', '1']
    """
    tokens = scan(text, offset=offset, percent=percent)
    if decimal_comma:
        tokens = merge_decimal_commas(tokens, text, offset)
    return tokens


_CMP_OPS = {"<", "<=", ">", ">=", "==", "!="}


def _describe(tok: Token) -> str:
    if tok.kind == "end":
        return _("конец ввода")
    if tok.kind == "num":
        return _("число %(text)s") % {"text": tok.text}
    if tok.kind == "name":
        return _("имя «%(text)s»") % {"text": tok.text}
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
        fail(code, message, tok.pos, self.offset)

    def make(self, cls, *args):
        self.nodes += 1
        if self.nodes > self.max_nodes:
            fail(
                "too_complex",
                _("выражение слишком длинное (больше %(max_nodes)s элементов)")
                % {"max_nodes": self.max_nodes},
                self.toks[max(self.i - 1, 0)].pos,
                self.offset,
            )
        return cls(*args)

    def enter(self, tok: Token):
        self.depth += 1
        if self.depth > self.max_depth:
            self.fail(
                "too_deep",
                _(
                    "слишком глубокая вложенность (больше %(max_depth)s уровней скобок или "
                    "знаков подряд)"
                )
                % {"max_depth": self.max_depth},
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
            fail("empty", _("пустое выражение: ожидалось число или формула"))
        node = self.expr()
        tok = self.peek()
        if tok.kind != "end":
            if tok.kind in (")", "]"):
                self.fail(
                    "syntax", _("лишняя закрывающая скобка «%(text)s»") % {"text": tok.text}, tok
                )
            if tok.kind in (",", ";"):
                self.fail(
                    "syntax",
                    _(
                        "«%(text)s» здесь не разделяет ничего: перечисление возможно "
                        "только в скобках [ ] или в аргументах функции"
                    )
                    % {"text": tok.text},
                    tok,
                )
            self.fail(
                "syntax",
                _("ожидался знак операции или конец выражения, а найдено %(describe)s")
                % {"describe": _describe(tok)},
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
                self.fail(
                    "syntax",
                    _("ожидалось else, а найдено %(describe)s")
                    % {"describe": _describe(self.peek())},
                    self.peek(),
                )
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
                self.close(")", tok, _("«,» или «)»"))
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
                _(
                    "ожидалась %(expected)s (скобка «%(text)s» открыта в позиции %(pos)s), "
                    "а найдено %(describe)s"
                )
                % {
                    "expected": expected,
                    "text": opener.text,
                    "pos": opener.pos + self.offset + 1,
                    "describe": _describe(tok),
                },
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
                _(
                    "аргумент функции пишется в скобках: «%(name)s(%(right)s)», а не "
                    "«%(name)s %(right)s»"
                )
                % {"name": node.name, "right": right},
                nxt,
            )
        self.fail(
            "implicit_mul",
            _(
                "пропущен знак операции между «%(left)s» и «%(right)s»: умножение пишется "
                "явно, например «%(left)s*%(right)s»"
            )
            % {"left": left, "right": right},
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
                self.fail("syntax", _("пустые скобки: ожидалось выражение внутри"), self.peek())
            node = self.expr()
            self.close(")", tok, _("закрывающая «)»"))
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
            self.close("]", tok, _("«,», «;» или «]»"))
            return self.make(ListExpr, tuple(items))
        if tok.kind == "end":
            prev = self.toks[self.i - 1] if self.i else None
            after = _(" после «%(text)s»") % {"text": prev.text} if prev is not None else ""
            self.fail(
                "syntax",
                _("выражение оборвалось%(after)s: ожидалось число, имя или «(»") % {"after": after},
                tok,
            )
        if tok.kind == "kw":
            self.fail(
                "syntax",
                _("ожидалось число, имя или «(», а найдено слово «%(text)s»") % {"text": tok.text},
                tok,
            )
        self.fail(
            "syntax",
            _("ожидалось число, имя или «(», а найдено %(describe)s")
            % {"describe": _describe(tok)},
            tok,
        )


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
        raise ParseError(_("ожидался текст выражения"), code="syntax")
    if len(text) > max_length:
        raise ParseError(
            _("слишком длинный ввод: %(n_text)s символов, допускается не больше %(max_length)s")
            % {"n_text": len(text), "max_length": max_length},
            code="too_long",
        )
    tokens = tokenize(text, decimal_comma=decimal_comma, offset=offset)
    parser = _Parser(
        tokens, text, max_depth=max_depth, max_nodes=max_nodes, offset=offset,
        functions=functions,
    )  # fmt: skip
    return parser.parse()


@functools.lru_cache(maxsize=4096)
def parse_cached(text: str) -> Node:
    """:func:`parse_expression` with a cache, for the formulas of question specs.

    Specs repeat the same few formulas for every variant; nodes are immutable, so sharing them
    is safe. Student input is not cached (it rarely repeats and would only evict formulas).
    """
    return parse_expression(text)
