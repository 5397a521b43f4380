"""Shortcuts shared by the tests of the expression language."""

from __future__ import annotations

import pytest

from grader.errors import ParseError
from grader.expr import evaluate, parse_expression

# Characters the property tests draw from: digits, operators, brackets, a few names and keywords.
ALPHABET = "0123456789.,+-*/^()[] xyabe<>=!σ×−ifelsnotad"


def ev(text, env=None, **kw):
    return evaluate(parse_expression(text), env or {}, **kw)


def code_of(fn, *args, **kw) -> str:
    with pytest.raises(ParseError) as err:
        fn(*args, **kw)
    return err.value.code


def parse_code(text, **kw) -> str:
    return code_of(parse_expression, text, **kw)


def eval_code(text, env=None, **kw) -> str:
    return code_of(ev, text, env, **kw)
