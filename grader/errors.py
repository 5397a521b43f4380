"""Domain errors of the grader. Every error carries a machine-readable ``code``.

Messages are in Russian because people read them (students, instructors); API clients and tests
use ``code`` (and ``arg`` where an engine argument is at fault).
"""

from __future__ import annotations

__all__ = ["GraderError", "EngineError", "ParseError", "SpecError"]


class GraderError(Exception):
    """Base class: ``code`` is stable and machine-readable, ``message`` is for people."""

    code = "grader_error"

    def __init__(self, message: str, *, code: str | None = None, **details):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        data.update({k: v for k, v in self.details.items() if v is not None})
        return data


class EngineError(GraderError):
    """An engine was called with bad arguments (``arg`` names the argument) or is unknown."""

    code = "bad_arg"

    def __init__(self, message: str, *, arg: str | None = None, code: str | None = None):
        super().__init__(message, code=code, arg=arg)
        self.arg = arg


class ParseError(GraderError):
    """A student's answer could not be understood. This is a format error, not a wrong answer."""

    code = "unparseable"


class SpecError(GraderError):
    """A question spec is invalid (bad parameter distribution, unsatisfiable constraints, ...)."""

    code = "bad_spec"
