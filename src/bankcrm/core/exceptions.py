"""Domain errors carry their meaning; ``main.py`` maps them to HTTP answers in one handler."""

from __future__ import annotations


class BankcrmError(Exception):
    """Base of every error the domain raises on purpose."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(BankcrmError):
    status_code = 404


class PermissionDenied(BankcrmError):
    status_code = 403


class AuthenticationFailed(BankcrmError):
    status_code = 401


class Conflict(BankcrmError):
    """Someone else changed the record first (optimistic locking) or a key already exists."""

    status_code = 409


class Refused(Conflict):
    """A rule said no; ``reasons`` lists each rule broken, for the caller to show."""

    def __init__(self, message: str, reasons: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.reasons = reasons


class ValidationFailed(BankcrmError):
    status_code = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ImportRejected(BankcrmError):
    """A whole import was refused; the location names file, row (1-based data row) and column."""

    status_code = 422

    def __init__(self, message: str, *, file: str, row: int | None, column: str | None) -> None:
        location = file
        if row is not None:
            location += f", row {row:,}"
        if column is not None:
            location += f", column {column!r}"
        super().__init__(f"{location}: {message}")
        self.file = file
        self.row = row
        self.column = column
        self.reason = message
