"""Child process: ``backup DB_URL OUT``, ``restore DB_URL IN`` or the baseline ``copy SRC DST``
(SQLite's own online backup API, page by page: the floor for a consistent copy)."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path

from bankcrm.backup import service


def main() -> None:
    mode, first, second = sys.argv[1:]
    started = time.perf_counter()
    if mode == "backup":
        report = service.backup(first, Path(second))
        result: dict[str, object] = {"rows": report.rows, "bytes": report.bytes}
    elif mode == "restore":
        restored = service.restore(first, Path(second))
        result = {"rows": restored.rows}
    else:
        with sqlite3.connect(first) as source, sqlite3.connect(second) as target:
            source.backup(target)
        result = {"bytes": Path(second).stat().st_size}
    print(json.dumps({**result, "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
