"""Domain errors shared by every app.

A domain error carries a stable machine-readable `code` and a message in
Chinese for the person in front of the screen. Pages show the message beside
the form; the API answers 4xx with both.
"""

from django.utils.encoding import force_str


class DomainError(Exception):
    """A request the rules refuse. Subclasses choose the HTTP status."""

    status = 400

    def __init__(self, code: str, message, *, field: str | None = None, details=None):
        self.code = code
        self.message = force_str(message)
        self.field = field
        self.details = details or []
        super().__init__(f"{code}: {self.message}")

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(DomainError):
    status = 422


class IllegalAction(DomainError):
    status = 409


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403
