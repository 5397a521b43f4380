"""The AST of the expression language, its canonical text, and walking the tree.

Nodes are frozen dataclasses, so a parsed formula can be cached and shared. ``str(node)`` is the
canonical ASCII text (``x/(1 - rate)``: the fewest parentheses the precedence allows, one space
around ``+ -`` and comparisons, none around ``* / ^``); it parses back to an equal node.
``node.to_text(pretty=True)`` is the same with ``·``, ``−``, ``≤``, ``≥``, ``≠`` for people to
read. Printing lives with the node types because ``str(node)`` is part of what a node is.
Long chains (``1+1+…+1``) are printed and walked without recursion.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.expr.names import CONSTANTS

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
    "children",
    "left_spine",
    "names_in",
    "count_nodes",
]


@dataclass(frozen=True)
class Node:
    """Base of the AST. ``str(node)`` is the canonical ASCII text; it parses back to ``node``."""

    def to_text(self, pretty: bool = False) -> str:
        """Canonical text; ``pretty=True`` uses ``·``, ``−``, ``≤`` for people to read.

        >>> from grader.expr import parse_expression
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
# Canonical text

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


# ---------------------------------------------------------------------------------------------
# Walking the tree


def children(node: Node) -> tuple:
    """The direct sub-nodes of ``node``, left to right (none for a number or a name)."""
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


def left_spine(node: Binary) -> tuple[Node, list[Binary]]:
    """A chain ``((a op b) op c) op d`` as its first operand ``a`` and its links, first link first.

    Evaluating or building a chain link by link takes no recursion down the left side, so a
    ``1+1+…+1`` of hundreds of terms does not exhaust the stack.

    >>> from grader.expr import parse_expression
    >>> first, links = left_spine(parse_expression("a - b + c"))
    >>> str(first), [(b.op, str(b.right)) for b in links]
    ('a', [('-', 'b'), ('+', 'c')])
    """
    links = []
    cur: Node = node
    while isinstance(cur, Binary):
        links.append(cur)
        cur = cur.left
    links.reverse()
    return cur, links


def names_in(node: Node, *, include_constants: bool = False) -> set[str]:
    """Free variable names (function names of calls excluded; ``e``/``pi``/``π`` too unless asked).

    >>> from grader.expr import parse_expression
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
            stack.extend(children(cur))
    return found


def count_nodes(node: Node) -> int:
    """Number of AST nodes."""
    count, stack = 0, [node]
    while stack:
        cur = stack.pop()
        count += 1
        stack.extend(children(cur))
    return count
