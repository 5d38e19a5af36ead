"""Domain errors. The HTTP adapter maps each to an application/problem+json status."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    title = "Bad Request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not Found"


class Conflict(DomainError):
    """The wish is not in a state that allows the action; the body says which state it is in."""

    status = 409
    title = "Conflict"


class TooManyRequests(DomainError):
    """A count limit was reached (codes tried, messages to an address today, upload tickets)."""

    status = 429
    title = "Too Many Requests"


class InvalidInput(DomainError):
    """A field that passed its schema but breaks a rule of the domain (e.g. an unknown village)."""

    status = 422
    title = "Unprocessable Entity"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", errors=[{"field": field, "message": message}])
