"""SymPy expressions built from the AST node by node (never by parsing text with SymPy).

Used for answers of kind "expression": the question names its variables and may alias functions
(``{"f": "sigmoid"}``); only :data:`SYMBOLIC_FUNCTIONS` exist here. Before SymPy sees the tree,
every constant subtree is computed by our bounded evaluation, so ``2^(10^300)`` is refused in
microseconds (``too_large``) instead of running for ages inside SymPy's exact arithmetic; and
a variable raised to more than the 1000th power (``(2*t)^(10^300)``: SymPy would compute
2^(10^300)) or a tower of three powers (``t^(t^(t^2))``) is refused the same way. The grader's
sandbox (:mod:`grader.sandbox`) is the backstop for whatever these rules miss.
Lists and indexing are ``unsupported``; ``a if c else b`` becomes a ``Piecewise``.
"""

from __future__ import annotations

from collections.abc import Mapping

from grader.errors import ParseError, SpecError
from grader.expr.arithmetic import arith, as_number, math_error, scalar_result, too_large, truth
from grader.expr.functions import FUNCTION_ALIASES, FUNCTIONS, arity
from grader.expr.limits import MAX_POWER_TOWER, MAX_SYMBOLIC_POWER, fail
from grader.expr.names import CONSTANTS, alias
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
    children,
    left_spine,
)
from grader.i18n import _

__all__ = ["to_sympy", "SYMBOLIC_FUNCTIONS"]


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
    name = FUNCTION_ALIASES.get(name, name)
    return name if name in SYMBOLIC_FUNCTIONS else None


def _decimal_rational(text: str):
    """Exact rational of a canonical float literal ("1.5e-3" → 3/2000), without parsing floats."""
    import sympy as sp

    mantissa, _sep, exponent = text.partition("e")
    int_part, _point, frac = mantissa.partition(".")
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
        for candidate in (name, alias(name)):
            if candidate is not None and candidate in self.symbols:
                return self.symbols[candidate]
        if name == "e":
            return sp.E
        if name in ("pi", "π"):
            return sp.pi
        if _resolve_symbolic(name) or name in self.aliases:
            fail(
                "unknown_name",
                _("«%(name)s» — функция, после неё нужны скобки: %(name)s(…)") % {"name": name},
            )
        split = _split_into_names(name, set(self.symbols))
        hint = (
            _(". Может быть, имелось в виду «%(split)s»?") % {"split": "*".join(split)}
            if split
            else ""
        )
        if self.symbols:
            allowed = _("можно использовать переменные: %(sorted)s") % {
                "sorted": ", ".join(sorted(self.symbols))
            }
        else:
            allowed = _("переменные в этом ответе не используются")
        fail(
            "unknown_name",
            _("неизвестное имя «%(name)s»; %(allowed)s%(hint)s")
            % {"name": name, "allowed": allowed, "hint": hint},
        )

    def build(self, node: Node):
        sp = self.sp
        if isinstance(node, Num):
            if isinstance(node.value, int):
                return sp.Integer(node.value)
            return _decimal_rational(node.text)
        if isinstance(node, Name):
            return self.name(node.name)
        if isinstance(node, Binary):
            first, links = left_spine(node)
            value = self.build(first)
            for b in links:
                right = self.build(b.right)
                value = self.binary(b, value, right)
            return value
        if isinstance(node, Unary):
            operand = self.build(node.operand)
            if node.op == "not":
                self.need_boolean(operand, "not")
                return sp.Not(operand)
            self.need_expr(operand, _("унарный минус"))
            return -operand
        if isinstance(node, Compare):
            rel = {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge, "==": sp.Eq, "!=": sp.Ne}
            values = [self.build(o) for o in node.operands]
            for v in values:
                self.need_expr(v, _("сравнение"))
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
        fail("unsupported", _("векторы и индексы в символьном выражении не поддерживаются"))

    def need_expr(self, value, where: str):
        if not isinstance(value, self.sp.Expr):
            fail(
                "type_error",
                _("%(where)s: ожидалось числовое выражение, а найдено условие") % {"where": where},
            )

    def need_boolean(self, value, where: str):
        # a Symbol is both an Expr and a Boolean in SymPy: a condition must not be an Expr
        if not isinstance(value, self.sp.logic.boolalg.Boolean) or isinstance(value, self.sp.Expr):
            fail(
                "type_error",
                _("%(where)s: ожидалось условие (сравнение), а найдено выражение")
                % {"where": where},
            )

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
            if name in self.symbols or alias(name) in self.symbols:
                fail(
                    "implicit_mul",
                    _(
                        "«%(name)s» — переменная, а не функция; для умножения напишите "
                        "«%(name)s*(…)»"
                    )
                    % {"name": name},
                )
            known = sorted(set(SYMBOLIC_FUNCTIONS) | set(self.aliases))
            fail(
                "unknown_function",
                _("неизвестная функция «%(name)s»; доступны: %(known)s")
                % {"name": name, "known": ", ".join(known)},
            )
        lo, hi, fn = self.table[FUNCTION_ALIASES.get(target, target)]
        arity(name, list(node.args), lo, hi)
        args = [self.build(a) for a in node.args]
        for a in args:
            self.need_expr(a, _("аргумент %(name)s") % {"name": name})
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
    shapes: dict[int, tuple] = {}
    stack: list = [(node, False)]
    while stack:
        cur, ready = stack.pop()
        if not ready:
            stack.append((cur, True))
            stack.extend((child, False) for child in children(cur))
            continue
        values[id(cur)] = _constant_value(cur, values, symbols, aliases)
        shapes[id(cur)] = _power_shape(cur, values, shapes)


def _power_shape(cur: Node, values: dict, shapes: dict) -> tuple:
    """``(power, tower)`` of a subtree, refusing what SymPy could not build in bounded time.

    ``power`` bounds the constant exponent a variable is raised to, through nested powers
    (``((t^99)^99)^99``: 99^3); ``tower`` counts powers stacked in exponents (``t^(t^(t^2))``: 3).
    A constant subtree is a number our evaluator has already bounded: ``(1, 0)``.
    """
    kids = children(cur)
    if values[id(cur)] is not None or not kids:
        return (1, 0)
    power = max(shapes[id(k)][0] for k in kids)
    tower = max(shapes[id(k)][1] for k in kids)
    if not (isinstance(cur, Binary) and cur.op == "^"):
        return (power, tower)
    (base_power, base_tower), exp_tower = shapes[id(cur.left)], shapes[id(cur.right)][1]
    exponent = values[id(cur.right)]
    if exponent is None:  # a variable exponent
        tower = max(base_tower, exp_tower + 1)
    else:
        tower = max(base_tower, 1)
        if isinstance(exponent, (int, float)):  # not _UNKNOWN (sqrt(-1)): the OS limit is there
            power = base_power * max(1, abs(exponent))
    if power > MAX_SYMBOLIC_POWER:
        too_large(
            _(
                "Выражение слишком сложное для проверки: показатель степени больше "
                "%(max_power)s. Упростите запись."
            )
            % {"max_power": MAX_SYMBOLIC_POWER}
        )
    if tower > MAX_POWER_TOWER:
        too_large(
            _(
                "Выражение слишком сложное для проверки: степень в показателе степени в "
                "показателе степени. Упростите запись."
            )
        )
    return (power, tower)


def _constant_value(cur: Node, values: dict, symbols: Mapping, aliases: Mapping):
    """The value of ``cur`` given its children's; None when not constant."""
    if isinstance(cur, Num):
        return cur.value
    if isinstance(cur, Name):
        if cur.name in symbols or alias(cur.name) in symbols or cur.name not in CONSTANTS:
            return None
        return CONSTANTS[cur.name]
    if isinstance(cur, (ListExpr, Index)):
        return None
    kids = [values[id(child)] for child in children(cur)]
    if any(k is None for k in kids):
        return None
    if isinstance(cur, Binary) and cur.op == "^" and kids[0] is _UNKNOWN:
        exponent = kids[1]
        if isinstance(exponent, (int, float)) and abs(exponent) > 1000:
            too_large(_("слишком большой показатель степени"))
    if any(k is _UNKNOWN for k in kids):
        return _UNKNOWN
    try:
        if isinstance(cur, Binary):
            if cur.op in ("and", "or"):
                return _UNKNOWN
            return arith(cur.op, kids[0], kids[1])
        if isinstance(cur, Unary):
            return -as_number(kids[0], _("минус")) if cur.op == "-" else not truth(kids[0])
        if isinstance(cur, Call):
            target = aliases.get(cur.func) or _resolve_symbolic(cur.func)
            if target is None:
                return None
            return scalar_result(FUNCTIONS[target](kids))
        if isinstance(cur, Cond):
            return kids[0] if truth(kids[1]) else kids[2]
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
                raise SpecError(
                    _("переменная %(name)s: ожидался символ SymPy") % {"name": name},
                    code="bad_spec",
                )
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
            raise SpecError(_("переменная %(v)r: ожидалось имя") % {"v": v}, code="bad_spec")
    return table


def _alias_table(functions) -> dict:
    aliases = {}
    for name, target in (functions or {}).items():
        resolved = _resolve_symbolic(str(target))
        if resolved is None:
            raise SpecError(
                _("функция %(name)s: «%(target)s» не из списка %(symbolic_functions)s")
                % {
                    "name": name,
                    "target": target,
                    "symbolic_functions": ", ".join(SYMBOLIC_FUNCTIONS),
                },
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

    >>> from grader.expr import parse_expression
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
        raise ParseError(_("слишком глубокое выражение"), code="too_deep") from None
    except ParseError:
        raise
    except (TypeError, ValueError, ArithmeticError, AttributeError, NotImplementedError) as exc:
        # SymPy refuses some constructions (e.g. comparing a condition with a number).
        raise ParseError(
            _("не удалось построить выражение: %(exc)s") % {"exc": exc}, code="type_error"
        ) from None
    if isinstance(expr, sp.Basic) and expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        math_error(_("деление на ноль или бесконечное значение"))
    return expr
