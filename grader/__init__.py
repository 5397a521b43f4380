"""The grader: variants, engines, answer parsing, comparison and grading. Pure Python, no Django.

Public contract (see docs/spec.md):

- ``variant(spec, seed)``: the parameters (and derived values) of a variant;
- ``present(spec, seed)``: the rendered question of that variant;
- ``grade(spec, seed, raw)``: a :class:`GradeResult` as plain data;
- ``preview(spec, seed, raw, *, decimal=".")``: how an answer is understood, before it is submitted;
- ``grade_many([(spec, seed, raw), …])``: a batch of result dicts in one round trip;
- ``preview_many([(spec, seed, raw), …])``: a batch of previews in one round trip;
- ``grader.engines.compute(name, **args)``: an engine's answer as JSON.

``grade``, ``preview``, ``grade_many`` and ``preview_many`` run in a child process under
operating-system limits on time and memory (:mod:`grader.sandbox`): they are what a caller with
untrusted input (a student's answer, a bank file) uses. The in-process versions, without those
limits, are in :mod:`grader.grading`, for the child itself and for unit tests of the grading
logic.

Names are imported lazily so that ``import grader.engines`` does not pull in SymPy.
"""

from importlib import import_module

__all__ = [
    "variant",
    "present",
    "preview",
    "grade",
    "grade_many",
    "preview_many",
    "check_question",
    "check_spec",
    "raw_limit",
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
    "preview": "grader.sandbox",
    "grade": "grader.sandbox",
    "grade_many": "grader.sandbox",
    "preview_many": "grader.sandbox",
    "check_question": "grader.sandbox",
    "check_spec": "grader.grading",
    "raw_limit": "grader.grading",
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
