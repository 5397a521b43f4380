"""Errors of the services: a machine-readable ``code`` and a Russian message for people."""


class ServiceError(Exception):
    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}
