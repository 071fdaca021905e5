"""What every connection to an SQLite store shares, whichever driver opens it."""

from __future__ import annotations

from pathlib import Path

BUSY_TIMEOUT_MS = 30_000
"""How long a connection waits out another connection's lock before it gives up."""


def folder_of(database: str | None) -> Path | None:
    """The folder of a store's file, so scratch files sit on the store's own disk, which has
    room for what the store holds; ``None`` (the system's temporary folder) for a store in
    memory."""
    if not database or database == ":memory:":
        return None
    return Path(database).resolve().parent
