"""Data files as they are or gzip-compressed: ``name.csv`` and ``name.csv.gz`` alike.

pyarrow and pandas decompress a file whose name ends in ``.gz`` by themselves; these helpers
are for the readers that open a file, or look for one by name, themselves.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TextIO

GZIP_SUFFIX = ".gz"


def open_text(path: Path, *, encoding: str = "utf-8") -> TextIO:
    """``path`` opened for reading text with ``newline=""`` (as the csv module wants),
    decompressed when its name ends in ``.gz``."""
    if path.suffix == GZIP_SUFFIX:
        return gzip.open(path, "rt", encoding=encoding, newline="")
    return path.open(encoding=encoding, newline="")


def uncompressed_name(path: Path) -> str:
    """The file's name without a trailing ``.gz``."""
    return path.name.removesuffix(GZIP_SUFFIX)


def find(directory: Path, name: str) -> Path | None:
    """The file ``name`` of ``directory``, else ``name.gz``, else ``None``."""
    for candidate in (directory / name, directory / f"{name}{GZIP_SUFFIX}"):
        if candidate.is_file():
            return candidate
    return None


def glob(directory: Path, pattern: str) -> list[Path]:
    """The files of ``directory`` matching ``pattern`` or ``pattern.gz``, in the order of
    their uncompressed names; a file present both ways is read uncompressed, once."""
    found = {
        uncompressed_name(path): path
        for path in directory.glob(f"{pattern}{GZIP_SUFFIX}")
        if path.is_file()
    }
    found.update({path.name: path for path in directory.glob(pattern) if path.is_file()})
    return [found[name] for name in sorted(found)]
