"""The decimal comma: ``0,95`` read as one number in students' answers (``decimal_comma=True``).

A comma is decimal only when written tightly between digits (an integer literal, ``,``, a digit,
no spaces) and only where it cannot be separating items: at the top level, inside grouping
parentheses, inside an index, inside a call of a builtin one-argument function (``exp(0,5)``).
Inside another call or a list literal it is decimal only when that level also separates its
items with ``;`` or ``, `` (``max(0,5; 1)`` and ``max(0,5, 1)`` are max(0.5, 1));
``max(1,5)`` with nothing else stays max(1, 5).
"""

from __future__ import annotations

from grader.expr.tokens import Token, is_digit, lex_number

__all__ = ["merge_decimal_commas"]


def _ends_operand(tok: Token) -> bool:
    return tok.kind in ("num", "name", ")", "]")


# Builtin functions of exactly one argument: inside their parentheses a comma is decimal.
_ONE_ARGUMENT = set(
    "exp ln log10 log2 sqrt abs sin cos tan asin acos atan arcsin arccos arctan sinh cosh tanh "
    "asinh acosh atanh sigmoid sigma σ softplus relu sign floor ceil int float".split()
)


def merge_decimal_commas(tokens: list[Token], src: str, offset: int) -> list[Token]:
    """Turn ``NUM , NUM`` written tightly into one decimal number where the level allows it.

    >>> from grader.expr.tokens import scan
    >>> [t.text for t in merge_decimal_commas(scan("max(0,5; 1)"), "max(0,5; 1)", 0)]
    ['max', '(', '0.5', ';', '1', ')']
    >>> [t.text for t in merge_decimal_commas(scan("max(1,5)"), "max(1,5)", 0)]
    ['max', '(', '1', ',', '5', ')']
    """
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
            and is_digit(src[tokens[i + 2].pos])
        ):
            level = decimal_level[i + 1]
            if level["kind"] in ("top", "group", "index") or level["semi"] or level["spaced"]:
                after = tokens[i + 2]
                literal = src[tok.pos : tok.end] + "." + src[after.pos : after.end]
                canon, value, _ = lex_number(literal, 0, offset + tok.pos)
                out.append(
                    Token("num", canon, tok.pos, after.end, tok.space_before, tok.newline_before,
                          value)
                )  # fmt: skip
                i += 3
                continue
        out.append(tok)
        i += 1
    return out
