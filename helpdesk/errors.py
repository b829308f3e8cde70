"""The small family of domain errors. One DRF handler and one consumer helper map them to HTTP statuses
and WebSocket close codes, so bad input always gets a clear message and never a traceback."""

from __future__ import annotations


class DomainError(Exception):
    code = "error"
    http_status = 400
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: dict[str, list[str]] | None = None,
        code: str | None = None,
    ) -> None:
        self.message = message or self.message
        self.fields = fields or {}
        self.code = code or self.code
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class InvalidInput(DomainError):
    code = "invalid"


class NotFound(DomainError):
    """A missing row and a row of another tenant are the same thing to the caller."""

    code = "not_found"
    http_status = 404
    message = "Not found."


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    http_status = 401
    message = "Authentication is required."


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403
    message = "You may not do this."


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
    message = "Somebody else changed this first."
