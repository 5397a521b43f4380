"""The grader: variants, engines, answer parsing, comparison and grading. Pure Python, no Django.

Public contract (see docs/spec.md):

- ``variant(spec, seed)``: the parameters (and derived values) of a variant;
- ``present(spec, seed)``: the rendered question of that variant;
- ``grade(spec, seed, raw)``: a :class:`GradeResult` as plain data;
- ``grader.engines.compute(name, **args)``: an engine's answer as JSON.

Names are imported lazily so that ``import grader.engines`` does not pull in SymPy.
"""

from importlib import import_module

__all__ = [
    "variant",
    "present",
    "preview",
    "grade",
    "check_spec",
    "Variant",
    "GradeResult",
    "Presented",
    "GraderError",
    "EngineError",
    "ParseError",
    "SpecError",
]

_HOMES = {
    "variant": "grader.variants",
    "Variant": "grader.variants",
    "present": "grader.grading",
    "preview": "grader.grading",
    "grade": "grader.grading",
    "check_spec": "grader.grading",
    "GradeResult": "grader.grading",
    "Presented": "grader.grading",
    "GraderError": "grader.errors",
    "EngineError": "grader.errors",
    "ParseError": "grader.errors",
    "SpecError": "grader.errors",
}


def __getattr__(name):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
