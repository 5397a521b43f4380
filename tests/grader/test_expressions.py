"""The safe expression language: parsing, printing, numeric evaluation, SymPy construction."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.errors import ParseError, SpecError
from grader.expressions import (
    FUNCTIONS,
    Binary,
    Call,
    Compare,
    Cond,
    Index,
    ListExpr,
    Name,
    Num,
    Unary,
    count_nodes,
    evaluate,
    names_in,
    parse_expression,
    to_sympy,
    tokenize,
)


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


# ---------------------------------------------------------------------------------------------
# Numbers and tokens


@pytest.mark.parametrize(
    "text, value, kind",
    [
        ("12", 12, int),
        ("007", 7, int),
        ("0.95", 0.95, float),
        ("1e-3", 0.001, float),
        ("1E3", 1000.0, float),
        ("1.5e+2", 150.0, float),
        (".5", 0.5, float),
        ("5.", 5.0, float),
        ("1" + "0" * 399, 10**399, int),
    ],
)
def test_number_literals(text, value, kind):
    node = parse_expression(text)
    assert isinstance(node, Num) and node.value == value and type(node.value) is kind


def test_canonical_number_text():
    assert str(parse_expression(".5")) == "0.5"
    assert str(parse_expression("1E+03")) == "1e3"
    assert str(parse_expression("5.")) == "5.0"
    assert str(parse_expression("0,95", decimal_comma=True)) == "0.95"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0,95", 0.95),
        ("1,5e-3", 0.0015),
        ("-0,5", -0.5),
        ("(0,5 + 1)*2", 3.0),
        ("max(0,5; 1)", 1),
        ("max(0,5, 1)", 1),
        ("max(1,5)", 5),  # a call level with nothing else: the comma separates
        ("exp(0,5)", math.exp(0.5)),  # one-argument functions have no separators
        ("sqrt(2,25)", 1.5),
        ("v[0,0]", None),  # index level: decimal, and 0.0 is a valid integral index
    ],
)
def test_decimal_comma(text, expected):
    value = ev_dc(text)
    if expected is not None:
        assert value == pytest.approx(expected)


def ev_dc(text):
    return evaluate(parse_expression(text, decimal_comma=True), {"v": [7, 8]})


def test_decimal_comma_off_by_default():
    assert parse_code("0,95") == "syntax"
    assert ev("max(1,5)") == 5


def test_decimal_comma_in_lists():
    assert ev_dc("[0,5; 2]").tolist() == [0.5, 2.0]
    assert ev_dc("[0,5, 2]").tolist() == [0.5, 2.0]
    assert ev_dc("[0,5]").tolist() == [0.0, 5.0]
    assert parse_code("1,2,3", decimal_comma=True) == "syntax"


def test_unicode_operators_and_superscripts():
    assert ev("2×3") == 6 and ev("2·3") == 6 and ev("2⋅3") == 6 and ev("2∙3") == 6
    assert ev("5−7") == -2 and ev("5–7") == -2
    assert ev("6÷4") == 1.5 and ev("6:3") == 2
    assert ev("x²", {"x": 3}) == 9 and ev("10⁻³") == pytest.approx(1e-3)
    assert ev("√16") == 4.0 and ev("√(x+1)", {"x": 8}) == 3.0
    assert ev("2 ≤ 3") is True and ev("2 ≥ 3") is False and ev("2 ≠ 3") is True
    assert ev("2**10") == 1024


def test_tokens_record_spacing():
    tokens = tokenize("a +\n b")
    assert [t.kind for t in tokens] == ["name", "op", "name"]
    assert tokens[1].space_before and not tokens[1].newline_before
    assert tokens[2].newline_before


def test_invisible_spaces_are_spaces():
    assert ev("\ufeff1 +\u200b2") == 3


# ---------------------------------------------------------------------------------------------
# Names


def test_names():
    env = {"x_1": 2, "rate2": 3, "alpha": 0.5, "σ2": 4}
    assert ev("x_1 * rate2", env) == 6
    assert ev("α * 2", env) == 1.0  # Greek letter finds its Latin name
    assert ev("σ2", env) == 4
    assert ev("µ", {"μ": 7}) == 7  # micro sign is the Greek mu


@pytest.mark.parametrize("text", ["_x", "a__b", "__import__('os')", "x" * 51])
def test_bad_names(text):
    assert parse_code(text) == "bad_name"


def test_constants():
    assert ev("e") == math.e and ev("pi") == math.pi and ev("π") == math.pi
    assert ev("e", {"e": 5}) == 5  # a parameter named e wins
    assert names_in(parse_expression("2*pi*r + e")) == {"r"}
    assert names_in(parse_expression("2*pi*r"), include_constants=True) == {"pi", "r"}


def test_cyrillic_letters_are_explained():
    with pytest.raises(ParseError) as err:
        parse_expression("х + 1")  # Cyrillic х
    assert err.value.code == "bad_char"
    assert "латинскую «x»" in err.value.message and "раскладку" in err.value.message
    assert err.value.details["column"] == 1


# ---------------------------------------------------------------------------------------------
# Grammar


@pytest.mark.parametrize(
    "text, value",
    [
        ("-2^2", -4),
        ("(-2)^2", 4),
        ("2^3^2", 512),
        ("2^-1", 0.5),
        ("-2^-2", -0.25),
        ("2*3+4", 10),
        ("2*(3+4)", 14),
        ("10-4-3", 3),
        ("2/4/2", 0.25),
        ("--2", 2),
        ("+5", 5),
        ("1 < 2 < 3", True),
        ("1 < 3 < 2", False),
        ("2 == 2.0", True),
        ("not 1 < 2", False),
        ("1 < 2 and 2 < 1", False),
        ("1 < 2 or 2 < 1", True),
        ("10 if 1 > 2 else 20", 20),
        ("1 if 0 else 2 if 0 else 3", 3),
    ],
)
def test_precedence(text, value):
    result = ev(text)
    assert result == value and type(result) is type(value)


def test_ast_shapes():
    assert parse_expression("-2^2") == Unary("-", Binary("^", Num(2, "2"), Num(2, "2")))
    assert isinstance(parse_expression("f(a, b)"), Call)
    assert isinstance(parse_expression("[1, 2]"), ListExpr)
    assert isinstance(parse_expression("v[i]"), Index)
    assert isinstance(parse_expression("a if c else b"), Cond)
    node = parse_expression("0 < p < 1")
    assert isinstance(node, Compare) and node.ops == ("<", "<")
    assert parse_expression("+x") == Name("x")


@pytest.mark.parametrize(
    "text, hint",
    [
        ("2x", "2*x"),
        ("2 x", "2*x"),
        ("2(x+1)", "2*(…)"),
        ("(a)(b)", "(a)*(…)"),
        ("x y", "x*y"),
        ("f(x)(y)", "f(x)*(…)"),
        ("sin x", "sin(x)"),
        ("2e", "2*e"),
        ("3 4", "3*4"),
    ],
)
def test_implicit_multiplication_is_refused_with_a_hint(text, hint):
    with pytest.raises(ParseError) as err:
        parse_expression(text)
    assert err.value.code == "implicit_mul"
    assert hint in err.value.message


@pytest.mark.parametrize(
    "text, column, fragment",
    [
        ("(1 + 2", 7, "«)»"),
        ("1 + ", 5, "оборвалось"),
        ("1 +* 2", 4, "ожидалось число"),
        ("1)", 2, "лишняя закрывающая"),
        ("[1, 2", 6, "«]»"),
        ("f(1,)", 5, "ожидалось число"),
        ("1, 2", 2, "«,»"),
        ("()", 2, "пустые скобки"),
        ("a if b", 7, "else"),
        ("x = 5", 3, "=="),
        ("1.2.3", 4, "лишняя точка"),
        ("x.__class__", 2, "лишняя точка"),
        ("not", 4, "оборвалось"),
    ],
)
def test_syntax_errors_say_what_and_where(text, column, fragment):
    with pytest.raises(ParseError) as err:
        parse_expression(text)
    assert err.value.code == "syntax"
    assert err.value.details["column"] == column
    assert f"Позиция {column}" in err.value.message and fragment in err.value.message


def test_offset_shifts_reported_columns():
    with pytest.raises(ParseError) as err:
        parse_expression("1 +", offset=10)
    assert err.value.details["column"] == 14


@pytest.mark.parametrize(
    "text, code",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("1 + @", "bad_char"),
        ("a\x00b", "bad_char"),
        ("\u202e12", "bad_char"),
        ("{1}", "bad_char"),
        ("5%", "bad_char"),
        ("1e999999", "too_large"),
        ("1e400", "too_large"),
        ("1e-401", "too_large"),
        ("9" * 401, "too_large"),
        ("1" * 2001, "too_long"),
    ],
)
def test_lexical_errors(text, code):
    assert parse_code(text) == code


def test_depth_limit():
    assert parse_code("(" * 41 + "1" + ")" * 41) == "too_deep"
    assert ev("(" * 38 + "1" + ")" * 38) == 1
    assert parse_code("-" * 50 + "1") == "too_deep"
    assert parse_code("2^" * 50 + "2") == "too_deep"
    assert parse_code("not " * 50 + "1") == "too_deep"
    assert parse_code("[" * 10_000 + "1" + "]" * 10_000, max_length=100_000) == "too_deep"
    assert parse_code("(1)", max_depth=1) == "too_deep"


def test_node_limit():
    long_sum = "+".join(["1"] * 600)
    assert parse_code(long_sum) == "too_complex"
    assert parse_code("1+1+1", max_nodes=4) == "too_complex"
    # a long but legal left-associative chain is evaluated and printed without deep recursion
    chain = "+".join(["1"] * 499)
    assert ev(chain) == 499
    assert str(parse_expression(chain)).count("+") == 498
    assert count_nodes(parse_expression(chain)) == 997


# ---------------------------------------------------------------------------------------------
# Printing


@pytest.mark.parametrize(
    "text, canonical, pretty",
    [
        ("f(t)*(1-f(t))", "f(t)*(1 - f(t))", "f(t)·(1 − f(t))"),
        ("x / (1 - rate)", "x/(1 - rate)", "x/(1 − rate)"),
        ("-2^2", "-2^2", "−2^2"),
        ("(-2)^2", "(-2)^2", "(−2)^2"),
        ("(a^b)^c", "(a^b)^c", "(a^b)^c"),
        ("a^b^c", "a^b^c", "a^b^c"),
        ("a-(b-c)", "a - (b - c)", "a − (b − c)"),
        ("(a-b)-c", "a - b - c", "a − b − c"),
        ("a/(b*c)", "a/(b*c)", "a/(b·c)"),
        ("2^-x", "2^-x", "2^−x"),
        ("a<=b", "a <= b", "a ≤ b"),
        ("x if x>0 else -x", "x if x > 0 else -x", "x if x > 0 else −x"),
        ("(a if b else c) + 1", "(a if b else c) + 1", "(a if b else c) + 1"),
        ("not (a and b)", "not (a and b)", "not (a and b)"),
        ("[1,2][0]", "[1, 2][0]", "[1, 2][0]"),
        ("(x+1)[0]", "(x + 1)[0]", "(x + 1)[0]"),
        ("√x", "sqrt(x)", "sqrt(x)"),
        ("x²", "x^2", "x^2"),
        ("- -x", "-(-x)", "−(−x)"),
    ],
)
def test_printing(text, canonical, pretty):
    node = parse_expression(text)
    assert str(node) == canonical
    assert node.to_text(pretty=True) == pretty
    assert parse_expression(str(node)) == node


_ALPHABET = "0123456789.,+-*/^()[] xyabe<>=!σ×−ifelsnotad"


@settings(
    max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.text(alphabet=_ALPHABET, max_size=40), st.booleans())
def test_printing_round_trips(text, decimal_comma):
    try:
        node = parse_expression(text, decimal_comma=decimal_comma)
    except ParseError:
        return
    assert parse_expression(str(node)) == node
    # the pretty form also parses back (it only uses operators the tokenizer knows)
    assert parse_expression(node.to_text(pretty=True)) == node


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=60))
def test_any_text_parses_or_raises_parse_error(text):
    try:
        parse_expression(text)
    except ParseError as exc:
        assert exc.code and exc.message


@settings(
    max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.text(alphabet=_ALPHABET + "[];vx", max_size=40))
def test_any_parsed_text_evaluates_or_raises_parse_error(text):
    try:
        node = parse_expression(text, decimal_comma=True)
    except ParseError:
        return
    env = {"x": 1.5, "y": -2, "a": 3, "b": [1, 2, 3], "v": np.array([1.0, 2.0])}
    try:
        evaluate(node, env)
    except ParseError as exc:
        assert exc.code


# ---------------------------------------------------------------------------------------------
# Evaluation


def test_integers_stay_exact():
    assert ev("(12 + 1) * 300") == 3900 and type(ev("(12 + 1) * 300")) is int
    assert ev("2^100") == 2**100
    assert ev("6/3") == 2 and type(ev("6/3")) is int
    assert ev("3/4") == 0.75 and type(ev("3/4")) is float
    assert ev("-7/7") == -1
    assert type(ev("2^-1")) is float
    assert ev("2.0 * 3") == 6.0 and type(ev("2.0 * 3")) is float
    assert ev("True_ + 1", {"True_": True}) == 2


def test_vectors_are_float_arrays():
    value = ev("[1, 2, 3]")
    assert isinstance(value, np.ndarray) and value.dtype == float
    assert ev("[1, 2][0]") == 1.0 and type(ev("[1, 2][0]")) is float
    assert ev("x / (1 - rate)", {"x": [1, 2], "rate": 0.5}).tolist() == [2.0, 4.0]
    assert ev("x + y", {"x": [1, 2], "y": np.array([3, 4])}).tolist() == [4.0, 6.0]
    assert ev("-x", {"x": [1, 2]}).tolist() == [-1.0, -2.0]
    assert ev("x^2", {"x": [1, 2]}).tolist() == [1.0, 4.0]
    assert ev("[[1, 2], [3, 4]]").shape == (2, 2)
    assert ev("m[1][0]", {"m": [[1, 2], [3, 4]]}) == 3.0
    assert ev("v[-1]", {"v": [1, 2, 3]}) == 3.0
    assert ev("v[i]", {"v": [1, 2, 3], "i": 1}) == 2.0
    assert ev("v[1.0]", {"v": [1, 2, 3]}) == 2.0
    assert ev("sum(v > 1)", {"v": [1, 2, 3]}) == 2.0
    assert ev("[]").shape == (0,)


def test_strings_pass_through():
    assert ev("act", {"act": "relu"}) == "relu"
    assert ev("act == other", {"act": "relu", "other": "relu"}) is True
    assert eval_code("act + 1", {"act": "relu"}) == "type_error"
    assert eval_code("act < other", {"act": "a", "other": "b"}) == "type_error"


@pytest.mark.parametrize(
    "text, value",
    [
        ("exp(0)", 1.0),
        ("log(e)", 1.0),
        ("ln(e^2)", 2.0),
        ("log(8, 2)", 3.0),
        ("log10(1000)", 3.0),
        ("log2(8)", 3.0),
        ("sqrt(16)", 4.0),
        ("abs(-3)", 3),
        ("min(3, 1, 2)", 1),
        ("max(3, 1, 2)", 3),
        ("max([1, 5, 2])", 5.0),
        ("min([4, 2], 3)", 2.0),
        ("sum([1, 2, 3])", 6.0),
        ("sum(1, 2, 3)", 6),
        ("prod([2, 3])", 6.0),
        ("prod(2, 3)", 6),
        ("mean([1, 2, 3, 4])", 2.5),
        ("var([1, 3])", 1.0),
        ("std([1, 3])", 1.0),
        ("len([1, 2, 3])", 3),
        ("round(2.5)", 3),
        ("round(-2.5)", -3),
        ("round(0.125, 2)", 0.13),
        ("round(2.675, 2)", 2.68),
        ("round(1234, -2)", 1200),
        ("floor(2.7)", 2),
        ("ceil(2.1)", 3),
        ("floor(-2.5)", -3),
        ("sin(0)", 0.0),
        ("cos(0)", 1.0),
        ("tan(0)", 0.0),
        ("tanh(0)", 0.0),
        ("sigmoid(0)", 0.5),
        ("σ(0)", 0.5),
        ("sigma(0)", 0.5),
        ("relu(-3)", 0),
        ("relu(2.5)", 2.5),
        ("softplus(0)", math.log(2)),
        ("clip(5, 0, 3)", 3),
        ("clip(-1.5, 0, 3)", 0),
        ("int(3.7)", 3),
        ("int(-3.7)", -3),
        ("float(3)", 3.0),
        ("sign(-2)", -1),
        ("norm([3, 4])", 5.0),
        ("argmax([1, 5, 2])", 1),
        ("argmin([1, 5, 2])", 0),
        ("dot([1, 2], [3, 4])", 11.0),
        ("atan(1)*4", math.pi),
    ],
)
def test_functions(text, value):
    result = ev(text)
    assert result == pytest.approx(value)
    assert type(result) is type(value)


def test_vector_functions():
    assert ev("softmax([0, 0])").tolist() == [0.5, 0.5]
    assert ev("softmax([1000, 0])").tolist() == pytest.approx([1.0, 0.0])  # stable
    assert ev("sigmoid([-1000, 0, 1000])").tolist() == pytest.approx([0.0, 0.5, 1.0])
    assert ev("relu([-1, 2])").tolist() == [0.0, 2.0]
    assert ev("exp([0, 0])").tolist() == [1.0, 1.0]
    assert ev("clip([-1, 5], 0, 3)").tolist() == [0.0, 3.0]
    assert ev("round([0.5, 1.25], 1)").tolist() == [0.5, 1.3]
    assert ev("dot(W, x)", {"W": [[1, 0], [0, 2]], "x": [3, 4]}).tolist() == [3.0, 8.0]
    assert ev("sigmoid(-1000)") == 0.0 and ev("sigmoid(1000)") == 1.0


def test_custom_functions():
    def fan_in(k, c):
        return k * k * c

    assert evaluate(parse_expression("fan_in(3, c)"), {"c": 4}, functions={"fan_in": fan_in}) == 36
    node = parse_expression("sum(v)")
    assert evaluate(node, {"v": [1]}, functions={"sum": lambda v: 42}) == 42  # overrides

    def boom(x):
        raise ZeroDivisionError("деление")

    with pytest.raises(ParseError) as err:
        evaluate(parse_expression("boom(1)"), functions={"boom": boom})
    assert err.value.code == "math_error"


@pytest.mark.parametrize(
    "text, code",
    [
        ("1/0", "math_error"),
        ("0/0", "math_error"),
        ("1.0/0", "math_error"),
        ("[1, 2]/0", "math_error"),
        ("log(0)", "math_error"),
        ("log(-1)", "math_error"),
        ("log(2, 1)", "math_error"),
        ("sqrt(-1)", "math_error"),
        ("asin(2)", "math_error"),
        ("(-8)^(1/3)", "math_error"),
        ("0^-1", "math_error"),
        ("1e300 * 1e300", "math_error"),
        ("exp(1000)", "too_large"),
        ("9**9**9**9", "too_large"),
        ("10**10**10", "too_large"),
        ("2^1000", "too_large"),
        ("10.0^301", "too_large"),
        ("0.1^-400", "too_large"),
        ("(10^300)*(10^300)", "too_large"),
        ("y", "unknown_name"),
        ("exp", "unknown_name"),
        ("foo(1)", "unknown_function"),
        ("x(2)", "implicit_mul"),
        ("exp(1, 2)", "bad_call"),
        ("round(1, 2, 3)", "bad_call"),
        ("round(1, 0.5)", "bad_call"),
        ("max()", "bad_call"),
        ("len(3)", "bad_call"),
        ("softmax(1)", "bad_call"),
        ("dot(1, 2)", "bad_call"),
        ("clip(1, 3, 0)", "bad_call"),
        ("max([])", "bad_call"),
        ("[1, 2] + [1, 2, 3]", "type_error"),
        ("[1, [2]]", "type_error"),
        ("[[1], [2, 3]]", "type_error"),
        ("1 if [1, 2] else 0", "type_error"),
        ("3[0]", "implicit_mul"),
        ("x[0]", "type_error"),
        ("[1, 2][2]", "index_error"),
        ("[1, 2][-3]", "index_error"),
        ("[1, 2][0.5]", "type_error"),
        ("dot([1, 2], [1, 2, 3])", "type_error"),
    ],
)
def test_evaluation_errors(text, code):
    assert eval_code(text, {"x": 2}) == code


def test_math_error_message_is_russian():
    with pytest.raises(ParseError) as err:
        ev("1/0")
    assert "деление на ноль" in err.value.message


def test_unknown_name_lists_what_is_available():
    with pytest.raises(ParseError) as err:
        ev("n + k", {"n": 1, "m": 2})
    assert "«k»" in err.value.message and "m, n" in err.value.message


def test_operation_budget():
    env = {"v": np.zeros(10_000)}
    assert eval_code("v + v + v", env, max_ops=20_000) == "too_complex"
    assert ev("sum(v + v)", env, max_ops=100_000) == 0.0


def test_environment_values_are_checked():
    assert eval_code("x", {"x": object()}) == "type_error"
    assert eval_code("x", {"x": [[1, 2], [3]]}) == "type_error"
    assert eval_code("x", {"x": float("nan")}) == "math_error"
    assert ev("x", {"x": np.int64(3)}) == 3 and type(ev("x", {"x": np.int64(3)})) is int


def test_hostile_inputs_are_bounded():
    for text in ["9**9**9**9", "10**10**10", "2^2^2^2^2^2^2", "(2^300)^(2^300)", "1e308*1e308"]:
        with pytest.raises(ParseError):
            ev(text)
    for text in ["__import__('os')", "().__class__", "lambda: 0", "import os", "x.y"]:
        with pytest.raises(ParseError):
            ev(text)


def test_evaluate_rejects_non_nodes():
    with pytest.raises(TypeError):
        evaluate("1 + 1", {})


def test_every_builtin_function_name_is_callable():
    for name in FUNCTIONS:
        try:
            evaluate(parse_expression(f"{name}([1, 2])"))
        except ParseError:
            pass
        try:
            evaluate(parse_expression(f"{name}(0.5)"))
        except ParseError:
            pass


# ---------------------------------------------------------------------------------------------
# SymPy


def sym(text, variables=("t",), functions=None):
    return to_sympy(
        parse_expression(text, decimal_comma=True), variables=list(variables), functions=functions
    )


def test_to_sympy_builds_expressions():
    t = sp.Symbol("t")
    assert sym("f(t)", functions={"f": "sigmoid"}) == 1 / (1 + sp.exp(-t))
    assert sym("σ(t)") == sym("sigma(t)") == sym("sigmoid(t)")
    assert sym("e^t") == sp.exp(t)
    assert sym("2*pi") == 2 * sp.pi
    assert sym("0,5*t") == t / 2  # decimals become exact rationals
    assert sym("1.5e-3") == sp.Rational(3, 2000)
    assert sym("log(t, 2)") == sp.log(t, 2)
    assert sym("relu(t)") == sp.Max(0, t)
    assert sym("t if t > 0 else 0") == sp.Piecewise((t, t > 0), (0, True))
    assert sym("abs(t) + sqrt(t) + ln(t)") == sp.Abs(t) + sp.sqrt(t) + sp.log(t)


def test_to_sympy_variables_forms():
    x = sp.Symbol("x", positive=True)
    assert to_sympy(parse_expression("x^2"), variables={"x": x}) == x**2
    assert to_sympy(parse_expression("x^2"), variables=[x]) == x**2
    assert to_sympy(parse_expression("n*x"), variables={"n": 3, "x": x}) == 3 * x
    alpha = sp.Symbol("alpha")
    assert to_sympy(parse_expression("α*2"), variables=["alpha"]) == 2 * alpha
    assert to_sympy(parse_expression("alpha"), variables=["α"]) == sp.Symbol("α")


def test_to_sympy_unknown_names_list_allowed_variables():
    with pytest.raises(ParseError) as err:
        sym("x + t")
    assert err.value.code == "unknown_name" and "можно использовать переменные: t" in str(err.value)
    with pytest.raises(ParseError) as err:
        sym("xy", variables=("x", "y"))
    assert "x*y" in err.value.message
    with pytest.raises(ParseError) as err:
        sym("g(t)")
    assert err.value.code == "unknown_function" and "sigmoid" in err.value.message
    with pytest.raises(ParseError) as err:
        sym("t(1 - t)")
    assert err.value.code == "implicit_mul" and "t*(" in err.value.message
    with pytest.raises(ParseError) as err:
        sym("sigmoid + 1")
    assert err.value.code == "unknown_name" and "скобки" in err.value.message


@pytest.mark.parametrize(
    "text, code",
    [
        ("[t, 1]", "unsupported"),
        ("sum(t)", "unknown_function"),
        ("exp(t, 1)", "bad_call"),
        ("1/0", "math_error"),
        ("t/(t - t)", "math_error"),
        ("2^(10^300)", "too_large"),
        ("t + 9^9^9^9", "too_large"),
        ("floor(exp(exp(100)))", "too_large"),
        ("sqrt(-2)^(10^300)", "too_large"),
        ("(10^300)*(10^300)", "too_large"),
        ("t and 1", "type_error"),
        ("1 if t else 0", "type_error"),
        ("not t", "type_error"),
        ("(t > 1) + 1", "type_error"),
    ],
)
def test_to_sympy_errors(text, code):
    assert code_of(sym, text) == code


def test_to_sympy_symbolic_huge_exponent_is_fine():
    t = sp.Symbol("t")
    assert sym("t^(10^10)") == t ** (10**10)


def test_to_sympy_bad_function_alias_is_a_spec_error():
    with pytest.raises(SpecError):
        to_sympy(parse_expression("f(t)"), variables=["t"], functions={"f": "eval"})
    with pytest.raises(SpecError):
        to_sympy(parse_expression("t"), variables=[3])


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.text(alphabet="0123456789.+-*/^() txe<>σfsqrtlogexp,", max_size=30))
def test_to_sympy_gives_expr_or_parse_error(text):
    try:
        node = parse_expression(text, decimal_comma=True)
    except ParseError:
        return
    try:
        result = to_sympy(node, variables=["t", "x"], functions={"f": "sigmoid"})
    except ParseError as exc:
        assert exc.code
        return
    assert isinstance(result, sp.Basic)


def test_names_in():
    assert names_in(parse_expression("max(a, b) * exp(-x) + v[i]")) == {"a", "b", "x", "v", "i"}
    assert names_in(parse_expression("3 * 4")) == set()


def test_functions_of_moodle_formulas():
    # atan2, fmod and the inverse hyperbolic functions exist for imported Moodle formulas
    assert ev("atan2(1, -1)") == pytest.approx(3 * math.pi / 4)
    assert ev("atan2(0, 0)") == 0.0
    assert ev("fmod(7.5, 2)") == pytest.approx(1.5)
    assert ev("fmod(-7.5, 2)") == pytest.approx(-1.5)  # the sign of the dividend, as in C
    assert ev("asinh(1)") == pytest.approx(math.asinh(1))
    assert ev("acosh(2)") == pytest.approx(math.acosh(2))
    assert ev("atanh(0.5)") == pytest.approx(math.atanh(0.5))
    assert np.allclose(ev("asinh([0, 1])"), [0, math.asinh(1)])
    assert code_of(ev, "fmod(1, 0)") == "math_error"
    assert code_of(ev, "acosh(0.5)") == "math_error"
    assert code_of(ev, "atanh(1)") == "math_error"
    assert code_of(ev, "atan2(1)") == "bad_call"
    assert code_of(ev, "atan2([1, 2], 1)") == "bad_call"
    assert {"atan2", "fmod", "asinh", "acosh", "atanh"} <= set(FUNCTIONS)
