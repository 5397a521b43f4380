"""Deterministic variants of a question template.

A spec declares parameters with distributions, optional derived values and constraints.
``variant(spec, seed)`` draws every parameter from ``numpy.random.Generator(PCG64(seed))`` in the
order the spec lists them, computes the derived values (each after the values it uses, otherwise
in the listed order: :func:`derivation_order`), and redraws the whole set while a
constraint fails or an engine refuses the numbers (at most ``MAX_TRIES`` times). The same spec and
seed give the same numbers on any machine: only integer draws (``Generator.integers``) are used,
and decimals are integers scaled by ``10**-digits``, so no floating-point sampling can differ.

``seed=None`` gives the *default variant*: every parameter takes its ``default`` (the numbers of
the source problem), which lets a bank reproduce a textbook example exactly.

Parameter distributions (``type``):

- ``int``: ``min``, ``max`` (inclusive), ``step`` (default 1)
- ``decimal``: ``min``, ``max``, ``digits`` (decimal places; values on that grid)
- ``choice``: ``values`` (any JSON values)
- ``vector``: ``size`` and ``of`` (a scalar distribution for every element)
- ``matrix``: ``rows``, ``cols`` and ``of``
- ``subset``: ``of`` (a list) and ``size`` (an int or ``[min, max]``); sorted as in ``of``
- ``const``: ``value``

>>> spec = {"params": {"n": {"type": "int", "min": 1, "max": 9, "default": 4}}}
>>> variant(spec, None).params
{'n': 4}
>>> variant(spec, 7).params == variant(spec, 7).params
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from grader.engines import compute
from grader.engines.registry import to_json
from grader.errors import EngineError, ParseError, SpecError
from grader.expr import evaluate, names_in
from grader.expr import parse_cached as parse_expression
from grader.expr.scale import scale_of
from grader.i18n import _

__all__ = [
    "Variant",
    "variant",
    "draw_params",
    "compute_value",
    "derivation_order",
    "derived_scales",
    "MAX_TRIES",
    "SPEC_FAULTS",
]

MAX_TRIES = 1000
# Engine errors that no other numbers can fix: the spec itself is wrong.
SPEC_FAULTS = frozenset({"unknown_engine", "unknown_arg", "missing_arg"})
MAX_DRAW_ELEMENTS = 400  # a vector or matrix parameter never holds more numbers than this


@dataclass(frozen=True)
class Variant:
    seed: int | None
    params: dict
    derived: dict = field(default_factory=dict)
    tries: int = 1

    @property
    def values(self) -> dict:
        """Parameters and derived values together: what texts and formulas may refer to."""
        return {**self.params, **self.derived}


def variant(spec: dict, seed: int | None) -> Variant:
    """Draw the variant of ``spec`` for ``seed`` (``None``: the default variant).

    Results are cached (grading one answer needs the same variant several times); treat the
    returned values as read-only.
    """
    try:
        # Not sort_keys: parameters are drawn in the order they are listed.
        key = json.dumps(spec, separators=(",", ":"))
    except (TypeError, ValueError):
        return _variant(spec, seed)
    return _cached_variant(key, seed)


@lru_cache(maxsize=2048)
def _cached_variant(spec_json: str, seed: int | None) -> Variant:
    return _variant(json.loads(spec_json), seed)


def _variant(spec: dict, seed: int | None) -> Variant:
    params_spec = spec.get("params") or {}
    order = derivation_order(spec.get("derived") or {})
    if seed is None:
        params = {name: _default(name, dist) for name, dist in params_spec.items()}
        derived = _derive(spec, params, order)  # errors surface: the default must be valid
        failed = _failed_constraint(spec, {**params, **derived})
        if failed is not None:
            raise SpecError(
                _(
                    "значения параметров по умолчанию (default) нарушают ограничение "
                    "«%(failed)s»: измените default у параметров или само ограничение"
                )
                % {"failed": failed},
                code="default_violates_constraint",
            )
        return Variant(seed=None, params=params, derived=derived)

    if not isinstance(seed, int) or seed < 0:
        raise SpecError(
            _("seed должен быть неотрицательным целым, получено %(seed)r") % {"seed": seed},
            code="bad_seed",
        )
    rng = np.random.Generator(np.random.PCG64(seed))
    last_problem = None
    for attempt in range(1, MAX_TRIES + 1):
        params = draw_params(params_spec, rng)
        try:
            derived = _derive(spec, params, order)
        except EngineError as exc:
            if exc.code in SPEC_FAULTS:
                raise SpecError(exc.message, code=exc.code) from exc
            last_problem = exc.message  # these numbers do not fit the engine: draw again
            continue
        failed = _failed_constraint(spec, {**params, **derived})
        if failed is None:
            return Variant(seed=seed, params=params, derived=derived, tries=attempt)
        last_problem = _("ограничение «%(failed)s»") % {"failed": failed}
    raise SpecError(
        _(
            "за %(max_tries)s попыток не удалось получить допустимый вариант (последняя "
            "причина: %(last_problem)s)"
        )
        % {"max_tries": MAX_TRIES, "last_problem": last_problem},
        code="constraints_unsatisfiable",
    )


def draw_params(params_spec: dict, rng: np.random.Generator) -> dict:
    return {name: _draw(name, dist, rng) for name, dist in params_spec.items()}


def _draw(name: str, dist: dict, rng: np.random.Generator):
    kind = dist.get("type")
    if kind == "int":
        lo, hi, step = int(dist["min"]), int(dist["max"]), int(dist.get("step", 1))
        if step < 1 or hi < lo:
            raise SpecError(
                _("параметр %(name)s: пустой диапазон") % {"name": name}, code="bad_param"
            )
        count = (hi - lo) // step + 1
        return lo + step * int(rng.integers(0, count))
    if kind == "decimal":
        digits = int(dist.get("digits", 1))
        scale = 10**digits
        lo, hi = round(float(dist["min"]) * scale), round(float(dist["max"]) * scale)
        if hi < lo or not 0 <= digits <= 6:
            raise SpecError(
                _("параметр %(name)s: пустой диапазон или digits вне 0..6") % {"name": name},
                code="bad_param",
            )
        return round(int(rng.integers(lo, hi + 1)) / scale, digits)
    if kind == "choice":
        values = dist.get("values") or []
        if not values:
            raise SpecError(
                _("параметр %(name)s: пустой список values") % {"name": name}, code="bad_param"
            )
        return values[int(rng.integers(0, len(values)))]
    if kind == "vector":
        size = int(dist["size"])
        _check_count(name, size)
        return [_draw(f"{name}[{i}]", dist["of"], rng) for i in range(size)]
    if kind == "matrix":
        rows, cols = int(dist["rows"]), int(dist["cols"])
        _check_count(name, rows * cols)
        return [
            [_draw(f"{name}[{i}][{j}]", dist["of"], rng) for j in range(cols)] for i in range(rows)
        ]
    if kind == "subset":
        pool = list(dist.get("of") or [])
        size = dist.get("size", [0, len(pool)])
        lo, hi = (int(size[0]), int(size[1])) if isinstance(size, list) else (int(size), int(size))
        if not 0 <= lo <= hi <= len(pool):
            raise SpecError(
                _("параметр %(name)s: размер подмножества вне 0..%(n_pool)s")
                % {"name": name, "n_pool": len(pool)},
                code="bad_param",
            )
        k = lo + int(rng.integers(0, hi - lo + 1))
        chosen = sorted(int(i) for i in rng.choice(len(pool), size=k, replace=False)) if k else []
        return [pool[i] for i in chosen]
    if kind == "const":
        return dist["value"]
    raise SpecError(
        _("параметр %(name)s: неизвестный тип распределения %(kind)r")
        % {"name": name, "kind": kind},
        code="bad_param",
    )


def _check_count(name: str, count: int) -> None:
    if not 0 < count <= MAX_DRAW_ELEMENTS:
        raise SpecError(
            _("параметр %(name)s: число элементов должно быть от 1 до %(max_draw_elements)s")
            % {"name": name, "max_draw_elements": MAX_DRAW_ELEMENTS},
            code="bad_param",
        )


def _default(name: str, dist: dict):
    if dist.get("type") == "const":
        return dist["value"]
    if "default" not in dist:
        raise SpecError(
            _("параметр %(name)s: нет значения default") % {"name": name}, code="no_default"
        )
    return dist["default"]


def _derive(spec: dict, params: dict, order: list[str]) -> dict:
    definitions = spec.get("derived") or {}
    values = dict(params)
    computed = {}
    for name in order:
        definition = definitions[name]
        computed[name] = values[name] = compute_value(definition, values, where=f"derived.{name}")
    return {name: computed[name] for name in definitions}  # shown in the author's order


def derived_scales(spec: dict, values: dict) -> dict:
    """The additive scale of each derived value given by an expression (display only, see
    :mod:`grader.expr.scale`), computed in derivation order so scales carry through."""
    definitions = spec.get("derived") or {}
    scales: dict = {}
    for name in derivation_order(definitions):
        definition = definitions[name]
        if isinstance(definition, dict) and "pick" not in definition:
            definition = definition.get("expr")
        if not isinstance(definition, str):
            continue
        try:
            node = parse_expression(definition)
        except ParseError:
            continue
        scale = scale_of(node, values, scales)
        if scale is not None:
            scales[name] = scale
    return scales


def derivation_order(definitions: dict) -> list[str]:
    """The derived values' names in an order that computes every value after those it uses.

    A stable topological sort: the author's order wherever it is free, so a spec that lists
    its values in a workable order is computed exactly as written, and one that lists a value
    before a value it uses (or whose order a database lost) still works. A value referring to
    itself refers to the parameter of that name, if any. A cycle is a ``SpecError``.
    """
    names = list(definitions)
    known = set(names)
    needs = {
        name: (_referenced(definition) & known) - {name} for name, definition in definitions.items()
    }
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(names):
        ready = next((n for n in names if n not in done and needs[n] <= done), None)
        if ready is None:
            raise SpecError(
                _("производные значения ссылаются друг на друга по кругу: %(cycle)s")
                % {"cycle": _cycle(needs, done)},
                code="derived_cycle",
            )
        order.append(ready)
        done.add(ready)
    return order


def _cycle(needs: dict, done: set) -> str:
    """One cycle among the values not yet computed, as ``a → b → a``."""
    start = next(n for n in needs if n not in done)
    path = [start]
    while True:
        step = next(n for n in sorted(needs[path[-1]]) if n not in done)
        if step in path:
            return " → ".join([*path[path.index(step) :], step])
        path.append(step)


def _referenced(definition) -> set[str]:
    """Every name a value definition's expressions refer to (engine arguments included)."""
    if isinstance(definition, str):
        return _names(definition)
    if not isinstance(definition, dict):
        return set()
    if "engine" in definition:
        return _names_inside(definition.get("args") or {})
    if "expr" in definition:
        return _names(str(definition["expr"]))
    return set()


def _names_inside(value) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_names_inside(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_names_inside(v) for v in value))
    return _names(value) if isinstance(value, str) else set()


def _names(text: str) -> set[str]:
    try:
        return names_in(parse_expression(text))
    except ParseError:
        return set()  # not an expression: a literal option, or an error reported when computed


def _failed_constraint(spec: dict, values: dict) -> str | None:
    for text in spec.get("constraints") or []:
        try:
            ok = evaluate(parse_expression(text), values)
        except ParseError as exc:
            raise SpecError(
                _("ограничение «%(text)s»: %(message)s") % {"text": text, "message": exc.message},
                code="bad_constraint",
            ) from exc
        if not bool(ok):
            return text
    return None


def compute_value(definition, values: dict, *, where: str = "answer"):
    """Compute a value definition over ``values``.

    A definition is one of: ``{"engine": NAME, "args": {...}, "pick": KEY}`` (engine call, ``pick``
    a key/index or a list of them for nested results; every
    string in ``args`` is an expression, except a bare word that is not a known name, which is a
    string literal such as ``lstm``), ``{"expr": "..."}`` (a safe expression), ``{"value": X}``
    (a constant), or a plain string (shorthand for ``expr``).
    """
    if isinstance(definition, str):
        definition = {"expr": definition}
    if not isinstance(definition, dict):
        raise SpecError(
            _("%(where)s: ожидалось engine, expr или value") % {"where": where},
            code="bad_value_def",
        )
    try:
        if "engine" in definition:
            args = {k: _resolve(v, values) for k, v in (definition.get("args") or {}).items()}
            result = compute(definition["engine"], **args)
        elif "expr" in definition:
            result = to_json(evaluate(parse_expression(str(definition["expr"])), values))
        elif "value" in definition:
            result = definition["value"]
        else:
            raise SpecError(
                _("%(where)s: ожидалось engine, expr или value") % {"where": where},
                code="bad_value_def",
            )
    except ParseError as exc:
        raise SpecError(f"{where}: {exc.message}", code="bad_expression") from exc
    pick = definition.get("pick")
    for key in pick if isinstance(pick, list) else ([] if pick is None else [pick]):
        try:
            result = result[key]
        except (KeyError, IndexError, TypeError):
            raise SpecError(
                _("%(where)s: в результате нет элемента %(pick)r") % {"where": where, "pick": pick},
                code="bad_pick",
            ) from None
    return result


def _resolve(value, values: dict):
    """Evaluate the expressions inside an engine argument (recursively through lists/dicts).

    A string that refers to at least one known value is an expression and must evaluate; a
    string that refers to none (``lstm``, ``same``, ``coco-101``) is a literal option.
    """
    if isinstance(value, dict):
        return {k: _resolve(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, values) for v in value]
    if not isinstance(value, str):
        return value
    try:
        node = parse_expression(value)
    except ParseError:
        return value
    names = names_in(node)
    if names and not names & set(values):
        return value
    return to_json(evaluate(node, values))
