"""Data files as they are or gzip-compressed: ``name.csv`` and ``name.csv.gz`` alike.

pyarrow and pandas decompress a file whose name ends in ``.gz`` by themselves; these helpers
are for the readers that open a file, or look for one by name, themselves.

Text files come in the encoding the user names (Chinese core systems export GB18030). When a
reader fails on a CSV file, :func:`csv_fault` walks the file once more, in bounded memory, and
names the first row and column that cannot be read: bytes that are not text in that encoding,
a field or a row over its size limit.
"""

from __future__ import annotations

import codecs
import gzip
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

from bankcrm.core.exceptions import ImportRejected

GZIP_SUFFIX = ".gz"
DEFAULT_ENCODING = "utf-8"
"""CSV files are UTF-8 unless the user names another encoding; a byte-order mark is allowed."""
MAX_FIELD_BYTES = 1 << 20
"""The most bytes (as UTF-8) one CSV field may have where no setting says otherwise."""
PYARROW_BLOCK_BYTES = 1 << 20
"""pyarrow's default CSV block: a row longer than it cannot be read with the defaults."""
_SCAN_CHARS = 1 << 20
_UNDECODABLE = re.compile("[\udc80-\udcff]+")
"""What ``surrogateescape`` makes of bytes the codec cannot decode."""


def open_text(path: Path, *, encoding: str = "utf-8", errors: str = "strict") -> TextIO:
    """``path`` opened for reading text with ``newline=""`` (as the csv module wants),
    decompressed when its name ends in ``.gz``."""
    if path.suffix == GZIP_SUFFIX:
        return gzip.open(path, "rt", encoding=encoding, errors=errors, newline="")
    return path.open(encoding=encoding, errors=errors, newline="")


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


def text_encoding(name: str) -> str:
    """Python's name of the text encoding ``name`` (``gb18030``, ``gbk``, ``utf-8``,
    ``utf-8-sig``, …); ``LookupError`` when there is no such text encoding."""
    canonical = codecs.lookup(name).name
    try:
        "".encode(canonical)  # LookupError for codecs that are not text encodings (hex, zlib)
    except UnicodeError:  # the "undefined" codec
        raise LookupError(f"{name!r} is not a usable text encoding") from None
    return canonical


def is_utf8(encoding: str) -> bool:
    """UTF-8 with or without a byte-order mark: what pyarrow reads without transcoding."""
    return text_encoding(encoding) in ("utf-8", "utf-8-sig")


def has_undecodable(text: str) -> bool:
    """Whether ``text``, decoded with ``errors="surrogateescape"``, met bytes that are not
    text in its encoding."""
    return _UNDECODABLE.search(text) is not None


def undecodable_reason(encoding: str, undecodable: bytes) -> str:
    return f"the bytes {undecodable.hex(' ')} are not {text_encoding(encoding)} text"


@dataclass(frozen=True)
class CsvFault:
    """The first place of a CSV file a reader cannot take."""

    row: int | None
    """1-based data row after the header; ``None`` for the header itself."""
    column: str | None
    """The header's name of the column (``None`` when the row has more fields than names)."""
    reason: str
    kind: Literal["encoding", "size", "shape"]


class _Scan:
    """A CSV tokenizer that only counts: rows, columns, field and row sizes."""

    def __init__(
        self, *, encoding: str, delimiter: str, max_field_bytes: int, max_row_bytes: int | None
    ) -> None:
        self.encoding = encoding
        self.delimiter = delimiter
        self.special = re.compile(f'["{re.escape(delimiter)}\r\n]')
        self.max_field_bytes = max_field_bytes
        self.max_row_bytes = max_row_bytes
        self.header: list[str] = []
        self.name: list[str] | None = []
        """The header field being read; ``None`` past the header."""
        self.record = self.column = self.field_bytes = self.row_bytes = 0
        self.field_started = self.record_started = False
        self.in_quotes = self.quote_pending = False

    def fault(self, reason: str, kind: Literal["encoding", "size", "shape"] = "size") -> CsvFault:
        if not self.record:
            return CsvFault(row=None, column=None, reason=f"the header: {reason}", kind=kind)
        name = self.header[self.column] if self.column < len(self.header) else None
        return CsvFault(row=self.record, column=name, reason=reason, kind=kind)

    def add(self, text: str, *, markup: int = 0) -> CsvFault | None:
        """``text`` of the current field, after ``markup`` bytes of quotes."""
        self.row_bytes += markup
        if not text:
            return self._check_row()
        self.field_started = self.record_started = True
        bad = _UNDECODABLE.search(text)
        if bad is not None:
            raw = bad.group().encode("utf-8", "surrogateescape")[:8]
            return self.fault(undecodable_reason(self.encoding, raw), "encoding")
        size = len(text.encode("utf-8", "surrogatepass"))
        self.field_bytes += size
        self.row_bytes += size
        if self.field_bytes > self.max_field_bytes:
            return self.fault(f"the field is longer than {self.max_field_bytes:,} bytes")
        if self.name is not None:
            self.name.append(text)
        return self._check_row()

    def _check_row(self) -> CsvFault | None:
        if self.max_row_bytes is not None and self.row_bytes > self.max_row_bytes:
            return self.fault(f"the row is longer than {self.max_row_bytes:,} bytes")
        return None

    def end_field(self) -> None:
        if self.name is not None:
            self.header.append("".join(self.name))
            self.name = []
        self.column += 1
        self.field_bytes = 0
        self.row_bytes += 1
        self.field_started = False
        self.record_started = True

    def end_record(self) -> CsvFault | None:
        if not self.record_started:
            return None  # an empty line is no row
        self.end_field()
        if self.record and self.column != len(self.header):
            count = f"{self.column} field" + ("" if self.column == 1 else "s")
            reason = f"the row has {count}, the header {len(self.header)}"
            return CsvFault(row=self.record, column=None, reason=reason, kind="shape")
        self.record += 1
        self.name = None
        self.column = self.row_bytes = 0
        self.record_started = False
        return None

    def feed(self, chunk: str) -> CsvFault | None:
        position, end = 0, len(chunk)
        while position < end:
            fault: CsvFault | None = None
            if self.quote_pending:  # the chunk before ended on a quote inside quotes
                self.quote_pending = False
                if chunk[position] == '"':  # a doubled quote is one quote of the text
                    fault = self.add('"', markup=1)
                    position += 1
                else:
                    self.in_quotes = False
            elif self.in_quotes:
                found = chunk.find('"', position)
                stop = end if found < 0 else found
                fault = self.add(chunk[position:stop])
                if found < 0:
                    position = end
                elif found + 1 == end:
                    self.quote_pending, position = True, end
                elif chunk[found + 1] == '"':
                    fault = fault or self.add('"', markup=1)
                    position = found + 2
                else:
                    fault = fault or self.add("", markup=1)
                    self.in_quotes, position = False, found + 1
            else:
                match = self.special.search(chunk, position)
                stop = end if match is None else match.start()
                fault = self.add(chunk[position:stop])
                position = end if match is None else match.end()
                if match is not None and fault is None:
                    mark = match.group()
                    if mark == '"' and not self.field_started:
                        self.in_quotes = self.field_started = self.record_started = True
                        fault = self.add("", markup=1)
                    elif mark == '"':
                        fault = self.add('"')
                    elif mark == self.delimiter:
                        self.end_field()
                    else:
                        fault = self.end_record()
            if fault is not None:
                return fault
        return None


def csv_fault(
    path: Path,
    *,
    encoding: str = DEFAULT_ENCODING,
    max_field_bytes: int = MAX_FIELD_BYTES,
    max_row_bytes: int | None = None,
    delimiter: str = ",",
) -> CsvFault | None:
    """The first row and column of the CSV file ``path`` (gzipped when its name ends in
    ``.gz``) with bytes that are not ``encoding`` text, a field of more than
    ``max_field_bytes`` or a row of more than ``max_row_bytes`` (as UTF-8); ``None`` if there
    is none.

    Rows are counted as pyarrow counts them: the header is not one, empty lines are skipped,
    a quoted field may hold line breaks. The file is read in chunks, so memory stays bounded
    whatever the file holds.
    """
    codec = "utf-8-sig" if is_utf8(encoding) else text_encoding(encoding)
    scan = _Scan(
        encoding=encoding,
        delimiter=delimiter,
        max_field_bytes=max_field_bytes,
        max_row_bytes=max_row_bytes,
    )
    with open_text(path, encoding=codec, errors="surrogateescape") as text:
        while True:
            try:
                chunk = text.read(_SCAN_CHARS)
            except UnicodeError as error:  # a decoder that fails whatever the error handler
                return scan.fault(f"not {codec} text ({error})", "encoding")
            if not chunk:
                return scan.end_record()  # a last row without a line break
            fault = scan.feed(chunk)
            if fault is not None:
                return fault


def csv_refusal(
    error: Exception,
    path: Path,
    *,
    label: str | None = None,
    encoding: str = DEFAULT_ENCODING,
    max_field_bytes: int = MAX_FIELD_BYTES,
    max_row_bytes: int | None = PYARROW_BLOCK_BYTES,
    delimiter: str = ",",
    encoding_hint: str = "save the file as UTF-8",
) -> ImportRejected:
    """What to tell the user when a reader failed on the CSV file ``path`` with ``error``:
    the first row and column it cannot take (see :func:`csv_fault`), else the first line of
    the reader's message. ``label`` names the file (its name by default); ``encoding_hint``
    follows a reason about undecodable bytes."""
    label = label or uncompressed_name(path)
    fault = csv_fault(
        path,
        encoding=encoding,
        max_field_bytes=max_field_bytes,
        max_row_bytes=max_row_bytes,
        delimiter=delimiter,
    )
    if fault is None:
        lines = str(error).strip().splitlines()
        reason = lines[0][:300] if lines else type(error).__name__
        return ImportRejected(reason, file=label, row=None, column=None)
    reason = f"{fault.reason}; {encoding_hint}" if fault.kind == "encoding" else fault.reason
    return ImportRejected(reason, file=label, row=fault.row, column=fault.column)
