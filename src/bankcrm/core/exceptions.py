"""Domain errors carry their meaning; ``main.py`` maps them to HTTP answers in one handler.

An error's message is English. One raised with ``params`` has a catalog message id as its
message (``"Task %(id)s was not found."``): the handler shows it in the reader's language
with :meth:`BankcrmError.localized`, any other message as it is when the catalog lacks it."""

from __future__ import annotations

from collections.abc import Callable, Mapping


class BankcrmError(Exception):
    """Base of every error the domain raises on purpose."""

    status_code = 400

    def __init__(self, message: str, *, params: Mapping[str, object] | None = None) -> None:
        self.msgid = message
        """The catalog message id; with :attr:`params` the message before they are filled in."""
        self.params: dict[str, object] = dict(params or {})
        self.message = message % self.params if self.params else message
        """The message in English, parameters filled in."""
        super().__init__(self.message)

    def localized(self, translate: Callable[[str], str]) -> str:
        """The message through ``translate`` (a catalog's ``gettext``), parameters filled in."""
        text = translate(self.msgid)
        return text % self.params if self.params else text


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

    def __init__(
        self,
        message: str,
        reasons: list[dict[str, str]],
        *,
        params: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message, params=params)
        self.reasons = reasons


class ValidationFailed(BankcrmError):
    status_code = 422

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message, params=params)
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
