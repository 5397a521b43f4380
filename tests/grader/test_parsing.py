"""Students' raw answers: every format of every kind, every error code, hostile input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.errors import ParseError, SpecError
from grader.parsing import MAX_ANSWER_LENGTH, Parsed, parse_answer


def err(raw, kind="number", **kw) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_answer(raw, kind, **kw)
    assert type(info.value) is ParseError
    return info.value


def vec(raw, **kw) -> list:
    parsed = parse_answer(raw, "vector", **kw)
    assert parsed.kind == "vector" and parsed.value.ndim == 1
    return parsed.value.tolist()


def mat(raw, **kw) -> list:
    parsed = parse_answer(raw, "matrix", **kw)
    assert parsed.kind == "matrix" and parsed.value.ndim == 2
    return parsed.value.tolist()


# ---------------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize(
    "raw, value",
    [
        ("12", 12),
        ("  12  ", 12),
        ("0.95", 0.95),
        ("0,95", 0.95),
        (",5", None),
        (".5", 0.5),
        ("1e-3", 0.001),
        ("1E-3", 0.001),
        ("1,5e-3", 0.0015),
        ("1.5·10^-3", 0.0015),
        ("1.5*10^(-3)", 0.0015),
        ("1,5·10⁻³", 0.0015),
        ("1.5×10^-3", 0.0015),
        ("3/4", 0.75),
        ("-3/4", -0.75),
        ("(12+1)*300", 3900),
        ("+7", 7),
        ("−7", -7),
        ("-0,5", -0.5),
        ("95%", 0.95),
        ("12,5 %", 0.125),
        ("100%", 1),
        ("84 301", 84301),
        ("84\u00a0301", 84301),
        ("84\u2009301", 84301),
        ("84\u202f301", 84301),
        ("1 000 000", 1000000),
        ("1 000 000,5", 1000000.5),
        ("-1 234,5", -1234.5),
        ("2^10", 1024),
        ("sqrt(2)/2", 2**0.5 / 2),
        ("e^2", np.e**2),
        ("ln(2)", np.log(2)),
        ("\ufeff42\u200b", 42),
    ],
)
def test_numbers(raw, value):
    if value is None:
        assert err(raw).code == "syntax"
        return
    parsed = parse_answer(raw, "number")
    assert parsed.kind == "number" and parsed.value == pytest.approx(value)
    assert type(parsed.value) in (int, float)
    if isinstance(value, int):
        assert type(parsed.value) is int


@pytest.mark.parametrize(
    "raw, display",
    [
        ("0,95", "0,95 → 0.95"),
        ("0.95", "0.95"),
        ("12", "12"),
        ("3/4", "3/4 → 0.75"),
        ("1e-3", "1e-3 → 0.001"),
        ("95%", "95% → 0.95"),
        ("84 301", "84 301 → 84301"),
        ("  7 ", "7"),
    ],
)
def test_number_display(raw, display):
    assert parse_answer(raw, "number").display == display


@pytest.mark.parametrize(
    "raw, code",
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("%", "empty"),
        ("84 30", "implicit_mul"),
        ("1 0000", "implicit_mul"),
        ("2 3", "implicit_mul"),
        ("2x", "implicit_mul"),
        ("x", "unknown_name"),
        ("сорок два", "bad_char"),
        ("1,5,3", "syntax"),
        ("1..5", "syntax"),
        ("1/0", "math_error"),
        ("0/0", "math_error"),
        ("log(-1)", "math_error"),
        ("[1, 2]", "wrong_kind"),
        ("1 < 2", "wrong_kind"),
        ("1e999999", "too_large"),
        ("9**9**9**9", "too_large"),
        ("10**10**10", "too_large"),
        ("(" * 50 + "1" + ")" * 50, "too_deep"),
        ("1" * 2001, "too_long"),
        ("5%%", "bad_char"),
    ],
)
def test_number_errors(raw, code):
    assert err(raw).code == code


def test_number_error_says_what_was_expected():
    message = err("abc def").message
    assert "Ожидалось число, например 0,95 или 3/4" in message
    assert "Ожидалось число" in err("1 +").message
    assert "переменных (x)" in err("2*x").message


def test_words_and_russian_letters_are_explained():
    assert "без слов" in err("Ответ: 5").message
    assert "раскладку" in err("х").message  # one Cyrillic letter: probably the layout


def test_error_columns_count_from_the_raw_answer():
    assert err("  1 +* 2").details["column"] == 6


# ---------------------------------------------------------------------------------------------
# Vectors


@pytest.mark.parametrize(
    "raw, value",
    [
        ("[0; 2; 0]", [0, 2, 0]),
        ("0 2 0", [0, 2, 0]),
        ("[0, 2, 0]", [0, 2, 0]),
        ("(0, 2, 0)", [0, 2, 0]),
        ("0; 2; 0", [0, 2, 0]),
        ("0;2;0", [0, 2, 0]),
        ("[0 2 0]", [0, 2, 0]),
        ("  [ 0 ,  2 , 0 ]  ", [0, 2, 0]),
        ("[1/3, 2^2, sqrt(4)]", [1 / 3, 4, 2]),
        ("[1; 2;]", [1, 2]),
        ("[1, 2, ]", [1, 2]),
        ("1\n2\n3", [1, 2, 3]),
        ("[1\n 2\n 3]", [1, 2, 3]),
        ("[0.5, 2, 0]", [0.5, 2, 0]),
        ("[-1, -2]", [-1, -2]),
        ("[1e-3; 2]", [0.001, 2]),
        ("[max(1,2), 3]", [2, 3]),
        ("[[1], [2], [3]]", [1, 2, 3]),
        ("[[1, 2, 3]]", [1, 2, 3]),
        ("[(1+2), (3)]", [3, 3]),
        ("[84 301; 2]", [84301, 2]),
        ("[7]", [7]),
        ("7", [7]),
    ],
)
def test_vectors(raw, value):
    assert vec(raw) == pytest.approx(value)


@pytest.mark.parametrize(
    "raw, shape, value",
    [
        # rule 1: ";" separates and commas are decimal
        ("[0,5; 2; 0]", None, [0.5, 2, 0]),
        ("[0,5; 2; 0]", (3,), [0.5, 2, 0]),
        ("0,5\n2\n0", None, [0.5, 2, 0]),
        # rule 2: a comma followed by a space separates; a tight comma between digits is decimal
        ("[0,5, 2, 0]", None, [0.5, 2, 0]),
        ("[0,5, 2, 0]", (3,), [0.5, 2, 0]),
        ("[1,2, 3]", (3,), [1, 2, 3]),  # ...unless only "every comma separates" fits
        ("[1,2, 3]", (2,), [1.2, 3]),
        # rule 3: tight commas only: the expected length decides
        ("[0,2,0]", (3,), [0, 2, 0]),
        ("[0,2,0]", None, [0, 2, 0]),  # "0,2,0" is not a number: commas separate
        ("[1,5]", (2,), [1, 5]),
        ("[1,5]", (1,), [1.5]),
        ("0,5 1,5 2,5", (3,), [0.5, 1.5, 2.5]),
        ("0,5 1,5 2,5", (6,), [0, 5, 1, 5, 2, 5]),
        ("[0,5,2]", (3,), [0, 5, 2]),
        # rule 4: whitespace separates too, MATLAB-style signs
        ("[1, 2 3]", None, [1, 2, 3]),
        ("1 -2", None, [1, -2]),
        ("1 - 2", None, [-1]),
        ("1-2", None, [-1]),
        ("[1 +2 3]", None, [1, 2, 3]),
        ("2 (3)", None, [2, 3]),
        ("[[0,5], [1,5]]", (2,), [0.5, 1.5]),
    ],
)
def test_comma_rule(raw, shape, value):
    assert vec(raw, shape=shape) == pytest.approx(value)


@pytest.mark.parametrize("raw, shape", [("[1,5]", None), ("0,5 1,5", None), ("[1,5]", (3,))])
def test_ambiguous_comma(raw, shape):
    error = err(raw, "vector", shape=shape)
    assert error.code == "ambiguous_comma"
    assert "«;»" in error.message


def test_vector_display():
    assert parse_answer("[0; 2; 0]", "vector").display == "вектор из 3 элементов: (0, 2, 0)"
    assert parse_answer("[0,5; 2]", "vector").display == "вектор из 2 элементов: (0.5, 2)"
    assert parse_answer("[1]", "vector").display == "вектор из 1 элемента: (1)"
    long = parse_answer("; ".join(["1"] * 30), "vector").display
    assert long.startswith("вектор из 30 элементов: (1, 1") and long.endswith("…)")


def test_vector_is_read_only_float_array():
    parsed = parse_answer("[1, 2]", "vector")
    assert parsed.value.dtype == float
    with pytest.raises(ValueError):
        parsed.value[0] = 5


@pytest.mark.parametrize(
    "raw, code",
    [
        ("[]", "empty"),
        ("()", "empty"),
        ("[1;;2]", "syntax"),
        ("[;1]", "syntax"),
        ("[1, 2", "syntax"),
        ("[1, 2)", "syntax"),
        ("1, 2]", "syntax"),
        ("[1, x]", "unknown_name"),
        ("[1, 2x]", "implicit_mul"),
        ("[1, 1/0]", "math_error"),
        ("[1 2; 3 4]", "wrong_kind"),
        ("[[1, 2], [3, 4]]", "wrong_kind"),
        ("[[[1]]]", "wrong_kind"),
        ("[1, [2]]", "wrong_kind"),
        ("[1, 2 < 3]", "wrong_kind"),
        ("[1, 9**9**9**9]", "too_large"),
        ("[" * 600 + "1" + "]" * 600, "too_deep"),
        ("[1, @]", "bad_char"),
    ],
)
def test_vector_errors(raw, code):
    assert err(raw, "vector").code == code


def test_vector_element_errors_name_the_element():
    message = err("[1; 2x; 3]", "vector").message
    assert message.startswith("Элемент 2:") and "2*x" in message


# ---------------------------------------------------------------------------------------------
# Matrices


@pytest.mark.parametrize(
    "raw, shape, value",
    [
        ("[[1, 2], [3, 4]]", None, [[1, 2], [3, 4]]),
        ("[[1,2],[3,4]]", None, [[1, 2], [3, 4]]),
        ("[1 2; 3 4]", None, [[1, 2], [3, 4]]),
        ("[1, 2; 3, 4]", None, [[1, 2], [3, 4]]),
        ("1 2\n3 4", None, [[1, 2], [3, 4]]),
        ("[1 2\n 3 4]", None, [[1, 2], [3, 4]]),
        ("1, 2\n3, 4", None, [[1, 2], [3, 4]]),
        ("(1, 2), (3, 4)", None, [[1, 2], [3, 4]]),
        ("[1 2] [3 4]", None, [[1, 2], [3, 4]]),
        ("[[1;2],[3;4]]", None, [[1, 2], [3, 4]]),
        ("[1 -2; -3 4]", None, [[1, -2], [-3, 4]]),
        ("[1,2; 3,4]", (2, 2), [[1, 2], [3, 4]]),
        ("[1,2; 3, 4]", None, [[1, 2], [3, 4]]),  # the clear row fixes the width
        ("[1,5 2; 3 4]", (2, 2), [[1.5, 2], [3, 4]]),
        ("[0,5; 1,5]", (2, 1), [[0.5], [1.5]]),
        ("[1 2 3]", None, [[1, 2, 3]]),
        ("[1/2 sqrt(4); 2^3 -1]", None, [[0.5, 2], [8, -1]]),
        ("[1 2;\n 3 4;]", None, [[1, 2], [3, 4]]),
    ],
)
def test_matrices(raw, shape, value):
    np.testing.assert_allclose(mat(raw, shape=shape), value)


def test_matrix_display():
    assert parse_answer("[1 2; 3 4]", "matrix").display == "матрица 2×2: [1, 2; 3, 4]"


@pytest.mark.parametrize(
    "raw, row",
    [("[1 2; 3 4 5]", 2), ("[[1, 2], [3]]", 2), ("1 2\n3 4\n5", 3), ("[1; 2 3]", 2)],
)
def test_ragged_rows(raw, row):
    error = err(raw, "matrix")
    assert error.code == "ragged" and error.details["row"] == row
    assert f"строке {row}" in error.message


@pytest.mark.parametrize(
    "raw, code",
    [
        ("[]", "empty"),
        ("[1,2; 3,4]", "ambiguous_comma"),
        ("[1 2; 3 x]", "unknown_name"),
        ("[[1, 2], [3, 4]", "syntax"),
        ("[1 2;; 3 4]", "syntax"),
    ],
)
def test_matrix_errors(raw, code):
    assert err(raw, "matrix").code == code


def test_matrix_element_errors_name_row_and_element():
    message = err("[1 2; 3 2x]", "matrix").message
    assert message.startswith("Строка 2, элемент 2:")


# ---------------------------------------------------------------------------------------------
# Expressions


def expr(raw, variables=("t",), functions=None) -> Parsed:
    return parse_answer(raw, "expression", variables=list(variables), functions=functions)


def test_expression_answers():
    t = sp.Symbol("t")
    parsed = expr("f(t)*(1-f(t))", functions={"f": "sigmoid"})
    assert parsed.kind == "expression" and parsed.display == "выражение: f(t)·(1 − f(t))"
    assert parsed.value == (1 - 1 / (1 + sp.exp(-t))) / (1 + sp.exp(-t))
    assert parsed.node is not None and str(parsed.node) == "f(t)*(1 - f(t))"
    assert expr("σ(t)").value == 1 / (1 + sp.exp(-t))
    assert expr("0,5*t^2").value == t**2 / 2
    assert expr("2*t").display == "выражение: 2·t"
    assert expr("max(0,5; t)").value == sp.Max(sp.Rational(1, 2), t)
    assert expr("max(1,5)", variables=()).value == 5
    assert expr("α*t", variables=("alpha", "t")).value == sp.Symbol("alpha") * t


@pytest.mark.parametrize(
    "raw, code, fragment",
    [
        ("2t", "implicit_mul", "2*t"),
        ("x + t", "unknown_name", "можно использовать переменные: t"),
        ("g(t)", "unknown_function", "sigmoid"),
        ("t(1 - t)", "implicit_mul", "t*("),
        ("t > 0", "wrong_kind", "условие"),
        ("", "empty", "выражение"),
        ("[t, t]", "unsupported", "векторы"),
        ("1/(t - t)", "math_error", "деление на ноль"),
        ("2^(10^300)", "too_large", ""),
        ("sin t", "implicit_mul", "sin(t)"),
    ],
)
def test_expression_errors(raw, code, fragment):
    error = err(raw, "expression", variables=["t"])
    assert error.code == code and fragment in error.message


def test_expression_without_variables():
    assert expr("2*pi", variables=()).value == 2 * sp.pi
    assert "переменные в этом ответе не используются" in err("x", "expression").message


# ---------------------------------------------------------------------------------------------
# Limits, hostile input, contract


HOSTILE = [
    "__import__('os')",
    "__import__('os').system('ls')",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 0",
    "exec('1')",
    "eval('1')",
    "9**9**9**9",
    "10**10**10",
    "2^2^2^2^2^2^2^2",
    "9" * 100_000,
    "(" * 10_000 + ")" * 10_000,
    "[" * 10_000,
    "[" * 1_999,
    "(" * 1_000 + "1" + ")" * 1_000,
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "-" * 1_999 + "1",
    "1" + "+1" * 999,
    "a\x00b",
    "\x00",
    "\u202e1 + 2\u202c",
    "\u200f12",
    "x" * 1_999,
    "a" * 60 + "(1)",
    "1e999999",
    "1e-999999",
    "0/0",
    "inf",
    "nan",
    "1" * 401,
    "exp(exp(exp(10)))",
    "floor(exp(exp(100)))",
    "sqrt(-2)^(10^300)",
    "x^x^x^x^x^x^x^x^x^x",
    "\n" * 1_999,
    "\\frac{1}{2}",
    "<script>alert(1)</script>",
    "'; DROP TABLE answers; --",
    "${7*7}",
    "{{7*7}}",
    "%s%s%s%n",
]


@pytest.mark.parametrize("raw", HOSTILE)
@pytest.mark.parametrize("kind", ["number", "vector", "matrix", "expression"])
def test_hostile_inputs_are_refused_or_parsed_quickly(raw, kind):
    try:
        parsed = parse_answer(raw, kind, shape=None, variables=["x"], functions={"f": "sigmoid"})
    except ParseError as exc:
        assert exc.code and exc.message
    else:
        assert isinstance(parsed, Parsed)


def test_too_long_is_refused_before_any_work():
    error = err("9" * 100_000)
    assert error.code == "too_long" and str(MAX_ANSWER_LENGTH) in error.message
    assert err("[" + "1; " * 1000 + "]", "vector").code == "too_long"


def test_parsed_is_frozen():
    parsed = parse_answer("1", "number")
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.value = 2


def test_contract_errors():
    with pytest.raises(SpecError):
        parse_answer("1", "essay")
    assert err(None).code == "syntax"  # type: ignore[arg-type]


_ALPHABET = "0123456789.,;+-*/^()[] \n\u00a0xtefσ%−×<>=:"


@settings(
    max_examples=500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    st.one_of(st.text(max_size=80), st.text(alphabet=_ALPHABET, max_size=40)),
    st.sampled_from(["number", "vector", "matrix", "expression"]),
    st.sampled_from([None, (3,), (2, 2), (1,)]),
)
def test_any_text_gives_parsed_or_parse_error(raw, kind, shape):
    try:
        parsed = parse_answer(raw, kind, shape=shape, variables=["t", "x"], functions={"f": "tanh"})
    except ParseError as exc:
        assert type(exc) is ParseError and exc.code and exc.message
        return
    assert parsed.kind == kind and isinstance(parsed.display, str) and parsed.display
    if kind == "number":
        assert type(parsed.value) in (int, float)
    elif kind in ("vector", "matrix"):
        assert parsed.value.ndim == (1 if kind == "vector" else 2)
        assert np.isfinite(parsed.value).all()
    else:
        assert isinstance(parsed.value, sp.Expr)


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.integers(-10**6, 10**6) | st.floats(-1e6, 1e6, allow_nan=False), min_size=1,
                max_size=8))  # fmt: skip
def test_vector_round_trip(values):
    for sep in ("; ", ", ", " "):
        text = "[" + sep.join(repr(v) for v in values) + "]"
        assert vec(text, shape=(len(values),)) == [float(v) for v in values]
    russian = "; ".join(repr(v).replace(".", ",") for v in values)
    assert vec(russian, shape=(len(values),)) == [float(v) for v in values]
