"""Data files are found and read the same whether they are gzipped or not."""

from __future__ import annotations

import gzip
from pathlib import Path

from bankcrm.core import files

TEXT = "id,name\n1,Zhang Wei\n2,李娜\n"


def test_open_text_reads_plain_and_gzipped_files_alike(tmp_path: Path) -> None:
    plain = tmp_path / "a.csv"
    plain.write_text(TEXT, encoding="utf-8")
    packed = tmp_path / "b.csv.gz"
    packed.write_bytes(gzip.compress(TEXT.encode("utf-8")))
    for path in (plain, packed):
        with files.open_text(path) as handle:
            assert handle.read() == TEXT


def test_find_prefers_the_plain_file_and_falls_back_to_gz(tmp_path: Path) -> None:
    (tmp_path / "client.asc.gz").write_bytes(b"")
    assert files.find(tmp_path, "client.asc") == tmp_path / "client.asc.gz"
    (tmp_path / "client.asc").write_text("", encoding="utf-8")
    assert files.find(tmp_path, "client.asc") == tmp_path / "client.asc"
    assert files.find(tmp_path, "loan.asc") is None


def test_glob_orders_by_the_uncompressed_name_and_takes_each_file_once(tmp_path: Path) -> None:
    for name in ("b.csv.gz", "a.csv", "c.csv", "c.csv.gz", "notes.txt.gz"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "d.csv.gz").mkdir()
    found = files.glob(tmp_path, "*.csv")
    assert [path.name for path in found] == ["a.csv", "b.csv.gz", "c.csv"]
    assert [files.uncompressed_name(path) for path in found] == ["a.csv", "b.csv", "c.csv"]
