"""The engine registry: name → function, and the JSON-clean ``compute`` entry point."""

from __future__ import annotations

import difflib
import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from grader.errors import EngineError
from grader.i18n import _

__all__ = ["Engine", "engine", "compute", "get", "names", "to_json", "unknown_name_message"]


@dataclass(frozen=True)
class Engine:
    name: str
    func: Callable
    summary: str

    @property
    def parameters(self) -> list[str]:
        return list(inspect.signature(self.func).parameters)


_REGISTRY: dict[str, Engine] = {}


def engine(name: str):
    """Register a function as engine ``name``. Its keyword arguments are the engine's args."""

    def register(func):
        if name in _REGISTRY:
            raise RuntimeError(f"engine {name!r} registered twice")
        doc = inspect.getdoc(func) or ""
        _REGISTRY[name] = Engine(name=name, func=func, summary=doc.splitlines()[0] if doc else "")
        return func

    return register


def get(name: str) -> Engine:
    """The engine ``name``; a misspelt name is answered with the closest names.

    >>> import grader.engines
    >>> try:
    ...     get("dens_params")
    ... except EngineError as exc:
    ...     print(exc.message)
    неизвестный движок «dens_params»; возможно, вы имели в виду dense_params?
    """
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        what = _("неизвестный движок «%(name)s»") % {"name": name}
        message = unknown_name_message(what, name, names())
        raise EngineError(message, code="unknown_engine") from None


def unknown_name_message(what: str, name, known: list[str]) -> str:
    """``what`` followed by the closest of ``known`` names to ``name``, or by all of them when
    none is close (a typo is the usual cause; a list of forty names hides the one meant)."""
    close = difflib.get_close_matches(str(name), known, n=3, cutoff=0.6)
    if close:
        # Only the names about as close as the closest: «dense_params», not every «*_params».
        best = _similarity(str(name), close[0])
        close = [c for c in close if _similarity(str(name), c) >= best - 0.05]
    if close:
        return _("%(what)s; возможно, вы имели в виду %(close)s?") % {
            "what": what,
            "close": _(" или ").join(close),
        }
    return _("%(what)s; доступны: %(known)s") % {"what": what, "known": ", ".join(known)}


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def names() -> list[str]:
    return sorted(_REGISTRY)


def compute(name: str, /, **args):
    """Run engine ``name`` with keyword ``args`` and return a JSON-clean answer.

    Unknown or missing arguments raise :class:`EngineError` naming them.
    """
    eng = get(name)
    signature = inspect.signature(eng.func)
    unknown = [a for a in args if a not in signature.parameters]
    if unknown:
        raise EngineError(
            _("движок %(name)s: неизвестный аргумент %(unknown)s; допустимы: ")
            % {"name": name, "unknown": unknown[0]}
            + ", ".join(signature.parameters),
            arg=unknown[0],
            code="unknown_arg",
        )
    missing = [
        p.name
        for p in signature.parameters.values()
        if p.default is inspect.Parameter.empty and p.name not in args
    ]
    if missing:
        raise EngineError(
            _("движок %(name)s: не задан обязательный аргумент %(missing)s")
            % {"name": name, "missing": missing[0]},
            arg=missing[0],
            code="missing_arg",
        )
    return to_json(eng.func(**args))


def to_json(value):
    """numpy scalars/arrays → Python ints, floats and lists; dicts and lists recursively."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_json(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if not math.isfinite(value):
            raise EngineError(
                _("результат вычисления не является конечным числом"), code="not_finite"
            )
        return 0.0 if value == 0 else value
    return value
