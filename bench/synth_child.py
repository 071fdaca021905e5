"""Child process: generate a bank (``customers seed out format``) or the plain-write baseline."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from bankcrm.ingest.synth import generate_bank


def baseline(rows: int, out: Path) -> dict[str, object]:
    """Write ``rows`` rows of nine random columns with pyarrow: the floor for any generator."""
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    block = 2_000_000
    with pa_csv.CSVWriter(
        out / "plain.csv", pa.schema([(f"c{i}", pa.int64()) for i in range(9)])
    ) as writer:
        for start in range(0, rows, block):
            size = min(block, rows - start)
            writer.write_table(pa.table({f"c{i}": rng.integers(0, 10**9, size) for i in range(9)}))
    return {"rows": rows, "seconds": time.perf_counter() - started}


def main() -> None:
    mode, *rest = sys.argv[1:]
    if mode == "baseline":
        print(json.dumps(baseline(int(rest[0]), Path(rest[1]))))
        return
    customers, seed, out, file_format = int(rest[0]), int(rest[1]), Path(rest[2]), rest[3]
    started = time.perf_counter()
    rows = generate_bank(
        out,
        customers=customers,
        seed=seed,
        transaction_format=file_format,  # type: ignore[arg-type]
    )
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
