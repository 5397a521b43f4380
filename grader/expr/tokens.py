"""Tokens of the expression language: what a token is, and scanning text into tokens.

Numbers are read here (``12``, ``.5``, ``5.``, ``1.5E+3``; canonical text ``"0.5"``, ``"1.5e3"``),
names (Latin or Greek letters, digits, ``_``; ``µ`` is read as ``μ``), the Unicode operators
people paste (``× · ÷ − ≤``) as their ASCII forms, and superscripts (``x²`` is ``x ^ 2``).
A comma is always a token here: reading ``0,95`` as one number is :mod:`grader.expr.commas`'s job.
Characters that cannot start a token get a message saying what was probably meant (a Cyrillic
lookalike letter, ``%``, braces, a single ``=``).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from grader.expr.limits import MAX_EXPONENT, MAX_INT_DIGITS, MAX_NAME, fail
from grader.i18n import _

__all__ = ["Token", "scan", "lex_number", "is_digit"]


@dataclass(frozen=True, slots=True)
class Token:
    """A lexical token. ``kind`` is one of ``num name kw op ( ) [ ] , ; % end``.

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


def is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _is_greek(ch: str) -> bool:
    return ("\u0391" <= ch <= "\u03a9" or "\u03b1" <= ch <= "\u03c9" or ch in "ϵϑϕϱ") and (
        ch != "\u03a2"
    )


def _is_name_start(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ch == "_" or _is_greek(ch)


def _is_name_char(ch: str) -> bool:
    return _is_name_start(ch) or is_digit(ch)


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
            fail(
                "bad_char",
                _("слово «%(word)s»: введите только значение (число или формулу), без слов")
                % {"word": word},
                pos,
                offset,
            )
        hint = ""
        if ch in _CYRILLIC_LOOKALIKES:
            hint = _(" (похоже на латинскую «%(cyrillic_lookalikes)s»)") % {
                "cyrillic_lookalikes": _CYRILLIC_LOOKALIKES[ch]
            }
        fail(
            "bad_char",
            _("русская буква «%(ch)s»%(hint)s; имена пишутся латиницей — переключите раскладку")
            % {"ch": ch, "hint": hint},
            pos,
            offset,
        )
    if ch == "%":
        fail(
            "bad_char",
            _(
                "знак % допускается только после числа: в конце числового ответа или "
                "элемента вектора"
            ),
            pos,
            offset,
        )
    if ch in "{}":
        fail(
            "bad_char", _("фигурные скобки не поддерживаются, используйте ( ) или [ ]"), pos, offset
        )
    if ch == "=":
        fail(
            "syntax",
            _("одиночный «=» не поддерживается: введите только значение; сравнение пишется «==»"),
            pos,
            offset,
        )
    if ch == ".":
        fail("syntax", _("лишняя точка: ожидалась цифра (пишите 0.5 или 0,5)"), pos, offset)
    fail(
        "bad_char",
        _("недопустимый символ %(show_char)s") % {"show_char": _show_char(ch)},
        pos,
        offset,
    )


def lex_number(src: str, i: int, offset: int) -> tuple[str, int | float, int]:
    """Read a number literal at ``i``; return (canonical text, value, end)."""
    n = len(src)
    j = i
    while j < n and is_digit(src[j]):
        j += 1
    int_part = src[i:j]
    frac = None
    if j < n and src[j] == ".":
        k = j + 1
        while k < n and is_digit(src[k]):
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
        while m < n and is_digit(src[m]):
            m += 1
        if m > k:  # only digits make an exponent; "2e" is 2 followed by the name e
            digits = src[k:m].lstrip("0") or "0"
            if len(digits) > 6 or int(digits) > MAX_EXPONENT:
                fail(
                    "too_large",
                    _("слишком большой порядок числа (допускается до ±%(max_exponent)s)")
                    % {"max_exponent": MAX_EXPONENT},
                    i,
                    offset,
                )
            exp_text = sign + digits if digits != "0" else "0"
            j = m
    if j < n and src[j] == ".":
        fail("syntax", _("лишняя точка в числе: ожидалась цифра или знак операции"), j, offset)
    int_clean = int_part.lstrip("0") or "0"
    if frac is None and exp_text is None:
        if len(int_clean) > MAX_INT_DIGITS:
            fail(
                "too_large",
                _("число длиннее %(max_int_digits)s цифр") % {"max_int_digits": MAX_INT_DIGITS},
                i,
                offset,
            )
        return int_clean, int(int_clean), j
    text = int_clean
    if frac is not None:
        text += "." + (frac or "0")
    if exp_text is not None:
        text += "e" + exp_text
    if len(int_clean) + (int(exp_text) if exp_text else 0) > MAX_INT_DIGITS:
        fail("too_large", _("слишком большое число"), i, offset)
    value = float(text)
    if not math.isfinite(value):
        fail("too_large", _("слишком большое число"), i, offset)
    return text, value, j


def scan(text: str, *, offset: int = 0, percent: bool = False) -> list[Token]:
    """Split ``text`` into tokens (no end token), every comma a ``,`` token.

    Raise ParseError on a bad character. :func:`grader.expr.tokenize` also reads decimal commas.
    ``percent``: ``%`` is a ``%`` token (for splitting a vector whose elements may end with it,
    ``[5%; 10%]``); otherwise it is a bad character, as no expression may contain it.

    >>> [t.text for t in scan("2·x² − 1")]
    ['2', '*', 'x', '^', '2', '-', '1']
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
        if is_digit(ch) or (ch == "." and i + 1 < n and is_digit(text[i + 1])):
            canon, value, i = lex_number(text, i, offset)
            tokens.append(Token("num", canon, start, i, space, newline, value))
        elif _is_name_start(ch) or ch == "\u00b5":
            j = i
            while j < n and (_is_name_char(text[j]) or text[j] == "\u00b5"):
                j += 1
            name = text[i:j].replace("\u00b5", "\u03bc")  # micro sign → Greek mu
            i = j
            if name.startswith("_") or "__" in name:
                fail(
                    "bad_name",
                    _("имя «%(name)s» недопустимо: «_» в начале имени и «__» запрещены")
                    % {"name": name[:MAX_NAME]},
                    start,
                    offset,
                )
            if len(name) > MAX_NAME:
                fail(
                    "bad_name",
                    _("имя длиннее %(max_name)s символов") % {"max_name": MAX_NAME},
                    start,
                    offset,
                )
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
                fail("syntax", _("после надстрочного знака ожидалась надстрочная цифра"), i, offset)
            digits = "".join(_SUPERSCRIPTS[c] for c in text[i:j]).lstrip("0") or "0"
            if len(digits) > MAX_INT_DIGITS:
                fail("too_large", _("слишком длинный показатель степени"), i, offset)
            tokens.append(Token("num", digits, i, j, False, False, int(digits)))
            i = j
        elif text.startswith(tuple(_OPS2), i):
            op = _OPS2[text[i : i + 2]]
            tokens.append(Token("op", op, i, i + 2, space, newline))
            i += 2
        elif ch in _OPS1:
            tokens.append(Token("op", _OPS1[ch], i, i + 1, space, newline))
            i += 1
        elif ch == "%" and percent:
            tokens.append(Token("%", "%", i, i + 1, space, newline))
            i += 1
        elif ch in _PUNCT:
            tokens.append(Token(ch, ch, i, i + 1, space, newline))
            i += 1
        else:
            _bad_char(ch, i, offset, text)
        space = newline = False
    return tokens
