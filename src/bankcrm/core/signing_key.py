"""The key that signs sessions, API tokens and audit fingerprints when none is configured.

A key shipped with the code would sign for anyone who read it; instead each installation
draws its own on first run and keeps it in a file only its owner may read."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

KEY_BYTES = 48


class KeyFileError(ValueError):
    """The key file cannot be used as it is; the message says what to do."""


def load_or_create(path: Path) -> tuple[str, bool]:
    """The key kept in ``path`` and whether this call created it.

    The file is written whole under a temporary name and linked into place, so two
    processes starting together agree on one key and neither reads a half-written file."""
    if path.exists():
        return _read(path), False
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as draft_file:
            draft_file.write(secrets.token_urlsafe(KEY_BYTES) + "\n")
            draft_file.flush()
            os.fsync(draft_file.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            return _read(path), False
    finally:
        draft.unlink(missing_ok=True)
    return _read(path), True


def _read(path: Path) -> str:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"the key file {path} may be read by others (mode {stat.filemode(mode)}); "
            f"run: chmod 600 {path}"
        )
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise KeyFileError(f"the key file {path} holds no key of 32 characters or more")
    return key
