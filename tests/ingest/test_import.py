from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Connection, Engine, Table, inspect, text
from sqlalchemy.exc import IntegrityError

from bankcrm.core.exceptions import ImportRejected
from bankcrm.ingest.docs import render_schema_markdown
from bankcrm.ingest.service import import_directory

REPOSITORY = Path(__file__).resolve().parents[2]
BANKCRM = str(Path(sys.executable).with_name("bankcrm"))


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
            for table in inspect(connection).get_table_names()
            if table != "alembic_version"
        }


def copy_bank(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def rewrite_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell (row 1 = first data row) of a CSV file."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    rows[row][header.index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_import_loads_every_file(database_url: str, engine: Engine, small_bank_files: Path) -> None:
    report = import_directory(database_url, small_bank_files)
    loaded = counts(engine)
    for table, target in (
        ("customers", "customers"),
        ("transactions", "transactions"),
        ("accounts", "accounts"),
        ("staff", "staff_users"),
        ("survey_responses", "survey_responses"),
    ):
        assert loaded[target] == report.rows_by_table[table] > 0
    with engine.connect() as connection:
        orphan = connection.execute(
            text(
                "SELECT COUNT(*) FROM transactions t JOIN accounts a ON a.id = t.account_id "
                "WHERE a.customer_id <> t.customer_id"
            )
        ).scalar_one()
        total_cents = connection.execute(text("SELECT SUM(amount_cents) FROM transactions"))
    assert orphan == 0
    with (small_bank_files / "transactions.csv").open(encoding="utf-8") as handle:
        expected = sum(round(float(row["amount"]) * 100) for row in csv.DictReader(handle))
    assert total_cents.scalar_one() == expected


def test_text_arrives_exactly_as_written_on_every_backend(
    database_url: str, engine: Engine, small_bank_files: Path, tmp_path: Path
) -> None:
    """Quotes, separators, line breaks and backslashes pass the staging unchanged; a blank
    optional cell is a missing value, not an empty text."""
    bank = copy_bank(small_bank_files, tmp_path / "bank")
    written = 'He said "yes", then\nleft \\N C:\\dir\\ 王芳'
    rewrite_cell(bank / "customers.csv", 1, "name", written)
    rewrite_cell(bank / "customers.csv", 1, "nickname", "")
    rewrite_cell(bank / "customers.csv", 1, "occupation", ",")
    with (bank / "customers.csv").open(encoding="utf-8") as handle:
        external_id = next(iter(csv.DictReader(handle)))["id"]
    import_directory(database_url, bank)
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT name, nickname, occupation FROM customers WHERE external_id = :id"),
            {"id": external_id},
        ).one()
    assert tuple(stored) == (written, None, ",")


def _foreign_keys(engine: Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2"
            )
        )
        return [tuple(row) for row in rows]


@pytest.mark.postgres
def test_a_first_load_checks_the_foreign_keys_once_and_keeps_them(
    postgres_url: str, small_bank_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every table of this bank counts as a first load: its foreign keys come off for the
    insert and go back on, the same as before, and they still refuse a dangling row."""
    from bankcrm.core.db import make_engine
    from bankcrm.ingest import repository, service

    monkeypatch.setattr(service, "FIRST_LOAD_ROWS", 1)
    first_loads: list[str] = []
    checked_once = repository.foreign_keys_checked_once

    def noted(connection: Connection, target: Table) -> AbstractContextManager[None]:
        first_loads.append(target.name)
        return checked_once(connection, target)

    monkeypatch.setattr(repository, "foreign_keys_checked_once", noted)
    engine = make_engine(postgres_url)
    declared = _foreign_keys(engine)
    report = import_directory(postgres_url, small_bank_files)
    loaded = counts(engine)
    assert _foreign_keys(engine) == declared
    assert loaded["transactions"] == report.rows_by_table["transactions"] > 0
    assert {"accounts", "transactions", "customers"} <= set(first_loads)
    first_loads.clear()
    import_directory(postgres_url, small_bank_files)
    assert first_loads == []
    assert counts(engine) == loaded | {"audit_entries": loaded["audit_entries"] + 1}
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE transactions SET account_id = -1 WHERE id = 1"))
    engine.dispose()


@pytest.mark.postgres
def test_two_first_loads_at_once_both_succeed(
    postgres_url: str, small_bank_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both imports have staged their files when the store is still empty; one loads it
    while the other waits, then finds it filled and updates it."""
    from bankcrm.core.db import make_engine
    from bankcrm.ingest import repository, service

    monkeypatch.setattr(service, "FIRST_LOAD_ROWS", 1)
    both_staged = threading.Barrier(2, timeout=60)
    one_at_a_time = repository.one_import_at_a_time

    def together(connection: Connection) -> None:
        both_staged.wait()
        one_at_a_time(connection)

    monkeypatch.setattr(repository, "one_import_at_a_time", together)
    with ThreadPoolExecutor(2) as pool:
        runs = [pool.submit(import_directory, postgres_url, small_bank_files) for _ in range(2)]
        reports = [run.result(timeout=300) for run in runs]
    engine = make_engine(postgres_url)
    loaded = counts(engine)
    engine.dispose()
    assert reports[0].rows_by_table == reports[1].rows_by_table
    assert loaded["transactions"] == reports[0].rows_by_table["transactions"]
    assert loaded["customers"] == reports[0].rows_by_table["customers"]


def test_reimport_changes_no_row_counts(
    database_url: str, engine: Engine, small_bank_files: Path
) -> None:
    import_directory(database_url, small_bank_files)
    first = counts(engine)
    import_directory(database_url, small_bank_files)
    again = counts(engine)
    # the second import is one more link of the audit trail; every record table is unchanged
    assert again.pop("audit_entries") == first.pop("audit_entries") + 1
    assert again == first


def test_bad_amount_on_row_5000_is_named_and_nothing_changes(
    database_url: str, engine: Engine, small_bank_files: Path, tmp_path: Path
) -> None:
    bank = copy_bank(small_bank_files, tmp_path / "bank")
    rewrite_cell(bank / "transactions.csv", 5_000, "amount", "12.3x4")
    before = counts(engine)
    with pytest.raises(ImportRejected) as rejected:
        import_directory(database_url, bank)
    message = str(rejected.value)
    assert "transactions.csv" in message
    assert "row 5,000" in message
    assert "'amount'" in message
    assert "12.3x4" in message
    assert (rejected.value.row, rejected.value.column) == (5_000, "amount")
    assert counts(engine) == before


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "reason"),
    [
        ("customers", 7, "name", "", "a value is required"),
        ("customers", 12, "customer_type", "alien", "is not one of"),
        ("customers", 3, "onboarded_on", "2025-02-30", "not a calendar date"),
        ("customers", 4, "onboarded_on", "30/01/2025", "not a date"),
        ("accounts", 9, "customer_id", "C999999999", "no customers record"),
        ("accounts", 2, "balance", "10.001", "at most two decimals"),
        ("transactions", 40, "booked_at", "yesterday", "not a date-time"),
        ("transactions", 41, "customer_initiated", "perhaps", "not true or false"),
        ("survey_responses", 2, "answers", "{broken", "not valid JSON"),
    ],
)
def test_each_kind_of_bad_value_names_file_row_and_column(
    sqlite_url: str,
    small_bank_files: Path,
    tmp_path: Path,
    file: str,
    row: int,
    column: str,
    value: str,
    reason: str,
) -> None:
    bank = copy_bank(small_bank_files, tmp_path / "bank")
    rewrite_cell(bank / f"{file}.csv", row, column, value)
    with pytest.raises(ImportRejected) as rejected:
        import_directory(sqlite_url, bank)
    assert rejected.value.file == f"{file}.csv"
    assert (rejected.value.row, rejected.value.column) == (row, column)
    assert reason in rejected.value.reason


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "reason"),
    [
        ("customers", 5, "name", "王" * 201, "longer than 200 characters"),
        ("accounts", 3, "customer_id", "C" * 65, "longer than 64 characters"),
        ("branches", 2, "counters", "99999999999", "out of range"),
        ("branches", 2, "counters", "4.5", "not a whole number"),
    ],
)
def test_values_the_store_cannot_keep_are_refused_on_every_backend(
    database_url: str,
    engine: Engine,
    small_bank_files: Path,
    tmp_path: Path,
    file: str,
    row: int,
    column: str,
    value: str,
    reason: str,
) -> None:
    bank = copy_bank(small_bank_files, tmp_path / "bank")
    rewrite_cell(bank / f"{file}.csv", row, column, value)
    before = counts(engine)
    with pytest.raises(ImportRejected) as rejected:
        import_directory(database_url, bank)
    assert (rejected.value.file, rejected.value.row, rejected.value.column) == (
        f"{file}.csv",
        row,
        column,
    )
    assert reason in rejected.value.reason
    assert counts(engine) == before


def test_duplicate_id_names_the_second_row(
    database_url: str, small_bank_files: Path, tmp_path: Path
) -> None:
    bank = copy_bank(small_bank_files, tmp_path / "bank")
    with (bank / "customers.csv").open(encoding="utf-8") as handle:
        first_id = next(iter(csv.DictReader(handle)))["id"]
    rewrite_cell(bank / "customers.csv", 25, "id", first_id)
    with pytest.raises(ImportRejected) as rejected:
        import_directory(database_url, bank)
    assert (rejected.value.row, rejected.value.column) == (25, "id")
    assert "more than once" in rejected.value.reason


def test_missing_required_file_and_unknown_columns_are_refused(
    sqlite_url: str, small_bank_files: Path, tmp_path: Path
) -> None:
    bank = copy_bank(small_bank_files, tmp_path / "bank")
    (bank / "customers.csv").unlink()
    with pytest.raises(ImportRejected, match="required file is missing"):
        import_directory(sqlite_url, bank)
    other = copy_bank(small_bank_files, tmp_path / "other")
    (other / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(ImportRejected, match="unknown file"):
        import_directory(sqlite_url, other)
    (other / "notes.txt").unlink()
    table = pa_csv.read_csv(other / "branches.csv")
    pa_csv.write_csv(table.append_column("colour", table.column("id")), other / "branches.csv")
    with pytest.raises(ImportRejected) as rejected:
        import_directory(sqlite_url, other)
    assert rejected.value.column == "colour"


def test_parquet_files_import_like_csv(
    sqlite_url: str, small_bank_files: Path, tmp_path: Path
) -> None:
    bank = copy_bank(small_bank_files, tmp_path / "bank")
    for name in ("transactions", "accounts"):
        pq.write_table(pa_csv.read_csv(bank / f"{name}.csv"), bank / f"{name}.parquet")
        (bank / f"{name}.csv").unlink()
    report = import_directory(sqlite_url, bank)
    with (small_bank_files / "transactions.csv").open(encoding="utf-8") as handle:
        assert report.rows_by_table["transactions"] == sum(1 for _ in handle) - 1


def test_small_chunks_give_the_same_result(
    sqlite_url: str, small_bank_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bankcrm.core.config import get_settings

    settings = get_settings()
    monkeypatch.setattr(settings, "import_chunk_rows", 1_000)
    report = import_directory(sqlite_url, small_bank_files)
    assert report.rows_by_table["transactions"] > 10_000


def test_killed_import_leaves_the_database_as_before(tmp_path: Path) -> None:
    from bankcrm.core.db import make_engine
    from bankcrm.core.migrate import upgrade
    from bankcrm.ingest.synth import generate_bank

    bank = tmp_path / "bank"
    generate_bank(bank, customers=6_000, seed=5)
    database = tmp_path / "kill.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    env = {**os.environ, "BANKCRM_DATABASE_URL": url, "BANKCRM_IMPORT_CHUNK_ROWS": "5000"}
    engine = make_engine(url)
    before = counts(engine)
    process = subprocess.Popen(
        [BANKCRM, "import", str(bank)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wal = database.with_name(database.name + "-wal")
    deadline = time.monotonic() + 60
    # wait until the import has written a good part of the transactions into the database
    while time.monotonic() < deadline and process.poll() is None:
        if wal.exists() and wal.stat().st_size > 8_000_000:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the import finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert counts(engine) == before
    engine.dispose()


def test_committed_schema_document_matches_the_schema() -> None:
    committed = (REPOSITORY / "docs" / "data-schema.md").read_text(encoding="utf-8")
    assert committed.startswith(render_schema_markdown())
