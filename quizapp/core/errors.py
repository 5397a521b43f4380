"""Errors of the services: a machine-readable ``code`` and a Russian message for people."""


class ServiceError(Exception):
    """``field`` names the input a refusal is about, when there is one (forms and the API show
    the message beside that field)."""

    def __init__(self, message: str, *, code: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}
