"""Backup and restore on SQLite and PostgreSQL: round trip, snapshot, refusals, CLI."""

from __future__ import annotations

import json
import threading
import time
import uuid
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from sqlalchemy import JSON, MetaData, insert, null, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bankcrm.backup import service
from bankcrm.backup.archive import MANIFEST_MEMBER
from bankcrm.cli.main import app
from bankcrm.complaints.models import ComplaintModel
from bankcrm.core.db import Base, make_engine
from bankcrm.core.enums import PrivacyRequestKind, PrivacyRequestStatus, Role
from bankcrm.core.exceptions import Conflict, ValidationFailed
from bankcrm.customers.models import Note
from bankcrm.demo.flows import build_demo_bank
from bankcrm.ingest.synth import GENERATED_AS_OF
from bankcrm.privacy.models import PrivacyRequest
from bankcrm.tasks.models import Task
from tests import factories
from tests.conftest import postgres_server_url

COMPARED_IN_FULL = (
    "customers",
    "customer_counts",  # not archived: the triggers rebuild it as customers are restored
    "transactions",
    "privacy_requests",
    "churn_runs",
    "audit_entries",
    "complaint_recoveries",
    "complaint_models",
)
WRITER_TASK_KIND = "backup_probe"


def checksums(url: str) -> dict[str, tuple[int, str]]:
    """Row count and checksum of every table, as the database holds it now."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            result = {}
            for shape in service.model_tables():
                checksum = service.table_checksum(connection, shape)
                result[shape.name] = (checksum.rows, checksum.hexdigest())
            return result
    finally:
        engine.dispose()


def full_rows(url: str, table: str) -> list[tuple[Any, ...]]:
    """Every row of ``table`` as the driver returns it, written without the backup code."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            key = ", ".join(column.name for column in Base.metadata.tables[table].primary_key)
            # PostgreSQL's driver parses JSON: the text shows key order and SQL NULL apart
            extra = (
                ", corrections IS NULL, CAST(corrections AS TEXT)"
                if table == "privacy_requests"
                else ""
            )
            statement = text(f"SELECT *{extra} FROM {table} ORDER BY {key}")
            return [tuple(row) for row in connection.execute(statement)]
    finally:
        engine.dispose()


def wipe(url: str) -> None:
    """Drop every table, the Alembic version and (PostgreSQL) the trigger function too."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql("DROP SCHEMA public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
            else:
                reflected = MetaData()
                reflected.reflect(connection)
                reflected.drop_all(connection)
        with engine.connect() as connection:
            remaining = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table'")
                if engine.dialect.name == "sqlite"
                else text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).all()
        assert remaining == []
    finally:
        engine.dispose()


def add_awkward_rows(url: str) -> None:
    """Values a careless copy would change: JSON null against SQL NULL, empty text, offsets."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            customer_id, staff_id = connection.execute(
                text("SELECT id, manager_id FROM customers WHERE manager_id IS NOT NULL LIMIT 1")
            ).one()
            requests = PrivacyRequest.__table__
            base = {
                "customer_id": customer_id,
                "kind": PrivacyRequestKind.CORRECTION,
                "status": PrivacyRequestStatus.RECEIVED,
                "received_at": datetime(2026, 3, 1, 9, 15, 30, 123456, tzinfo=UTC),
                "due_on": date(2026, 3, 31),
                "requested_by_id": staff_id,
            }
            for corrections in (
                {"name": "王小明", "b": [1.5, None, True], "a": {"z": 0.1, "y": ""}},
                JSON.NULL,
                null(),
            ):
                connection.execute(insert(requests).values(**base, corrections=corrections))
            for artifact in (b"", b"\x00\xffPK\x03\x04 not text \x80"):
                connection.execute(
                    insert(ComplaintModel.__table__).values(
                        trained_at=datetime(2026, 3, 1, tzinfo=UTC),
                        cases=120,
                        corrections=3,
                        artifact=artifact,
                    )
                )
            notes = Note.__table__
            shanghai = timezone(timedelta(hours=8))
            for body in ("", 'a "quoted"\nline\twith 制表 and \\ backslash', "null"):
                connection.execute(
                    insert(notes).values(
                        customer_id=customer_id,
                        author_id=staff_id,
                        body=body,
                        created_at=datetime(2026, 1, 1, 8, 0, tzinfo=shanghai),
                    )
                )
    finally:
        engine.dispose()


def small_bank(url: str, *, customers: int = 6) -> tuple[int, int]:
    """A branch, two staff, a product and a few customers with accounts; (customer, staff)."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            branch = factories.branch(session)
            manager = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=branch.id)
            factories.staff(session, role=Role.ADMIN)
            deposit = factories.product(session)
            first = None
            for _ in range(customers):
                customer = factories.customer(session, branch_id=branch.id, manager_id=manager.id)
                account = factories.account(session, customer=customer, product_id=deposit.id)
                factories.transaction(session, account=account, amount_cents=12_345)
                factories.interaction(session, customer=customer, staff_id=manager.id)
                first = first or customer.id
            session.commit()
            assert first is not None
            return first, manager.id
    finally:
        engine.dispose()


def test_backup_wipe_restore_reproduces_every_table(database_url: str, tmp_path: Path) -> None:
    build_demo_bank(
        database_url=database_url,
        work_dir=tmp_path,
        customers=100,
        seed=3,
        as_of=GENERATED_AS_OF,
    )
    add_awkward_rows(database_url)
    before = checksums(database_url)
    rows_before = {table: full_rows(database_url, table) for table in COMPARED_IN_FULL}
    assert all(rows_before[table] for table in COMPARED_IN_FULL)
    archive = tmp_path / "bank.zip"

    made = service.backup(database_url, archive)

    assert made.rows_by_table == {table: rows for table, (rows, _) in before.items()}
    assert made.bytes == archive.stat().st_size
    wipe(database_url)
    restored = service.restore(database_url, archive)
    assert restored.rows == made.rows
    assert checksums(database_url) == before
    for table in COMPARED_IN_FULL:
        assert full_rows(database_url, table) == rows_before[table], table
    # the three requests add_awkward_rows inserted last
    corrections = [row[-2:] for row in full_rows(database_url, "privacy_requests")][-3:]
    assert corrections[1:] == [(False, "null"), (True, None)]
    assert corrections[0][1].startswith('{"name": ')


def test_backup_is_one_snapshot_while_the_app_writes(database_url: str, tmp_path: Path) -> None:
    customer_id, _ = small_bank(database_url)
    stop = threading.Event()
    committed = [0]
    failures: list[BaseException] = []

    def keep_writing() -> None:
        engine = make_engine(database_url)
        try:
            while not stop.is_set():
                with engine.begin() as connection:
                    connection.execute(
                        insert(Note.__table__).values(customer_id=customer_id, body="probe")
                    )
                    connection.execute(
                        insert(Task.__table__).values(
                            customer_id=customer_id, kind=WRITER_TASK_KIND, title="probe"
                        )
                    )
                committed[0] += 1
        except BaseException as error:
            failures.append(error)
        finally:
            engine.dispose()

    def wait_for_writes(stage: str, rows: int) -> None:
        # notes are read, tasks are next: let the writer commit more pairs in between
        if stage == "tasks" and rows == 0:
            target = committed[0] + 20
            deadline = time.monotonic() + 30
            while committed[0] < target and time.monotonic() < deadline:
                time.sleep(0.01)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while committed[0] < 5:
            time.sleep(0.01)
        archive = tmp_path / "live.zip"
        service.backup(database_url, archive, progress=wait_for_writes)
    finally:
        stop.set()
        writer.join()
    assert not failures

    with zipfile.ZipFile(archive) as opened:
        notes = pa.ipc.open_stream(opened.open("tables/notes.arrow")).read_all()
        tasks = pa.ipc.open_stream(opened.open("tables/tasks.arrow")).read_all()
    probe_tasks = tasks.filter(pc.equal(tasks["kind"], WRITER_TASK_KIND))
    assert notes.num_rows == probe_tasks.num_rows
    assert 5 <= notes.num_rows <= committed[0] - 20
    service.check_archive(archive)


def test_restore_refuses_a_database_with_data_and_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    small_bank(database_url)
    archive = tmp_path / "bank.zip"
    service.backup(database_url, archive)
    before = checksums(database_url)

    with pytest.raises(Conflict, match=r"already holds data \(table (\w+)\)") as refused:
        service.restore(database_url, archive)

    named = refused.value.message.split("(table ")[1].split(")")[0]
    assert before[named][0] > 0
    assert checksums(database_url) == before


def _rewrite(archive: Path, out: Path, change: dict[str, bytes | None]) -> None:
    """Copy ``archive`` to ``out`` with some members replaced (or left out, for None)."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename in change:
                replacement = change[info.filename]
                if replacement is not None:
                    target.writestr(info, replacement)
            else:
                target.writestr(info, source.read(info))


def _flip_byte_in(archive: Path, out: Path, member: str) -> None:
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as opened:
        info = opened.getinfo(member)
    # the member's data follows its 30-byte local header, name and extra field
    header = data[info.header_offset : info.header_offset + 30]
    name_length = int.from_bytes(header[26:28], "little")
    extra_length = int.from_bytes(header[28:30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    data[start + info.compress_size // 2] ^= 0xFF
    out.write_bytes(bytes(data))


def _manifest_with(archive: Path, **changes: Any) -> bytes:
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read(MANIFEST_MEMBER))
    for table_name, sha256 in changes.pop("sha256_of", {}).items():
        for table in manifest["tables"]:
            if table["name"] == table_name:
                table["sha256"] = sha256
    manifest.update(changes)
    return json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("flip_customers", r"tables/customers\.arrow|customers"),
        ("flip_manifest", r"manifest|bankcrm backup"),
        ("edit_checksum", r"table transactions has 6 rows with checksum \w+, the manifest says"),
        ("truncate", r"corrupt or not a bankcrm backup"),
        ("no_manifest", r"no manifest\.json"),
        ("future_format", r"format version 99 is unknown"),
    ],
)
def test_a_damaged_archive_is_refused_before_the_target_is_touched(
    database_url: str, tmp_path: Path, damage: str, message: str
) -> None:
    small_bank(database_url)
    archive = tmp_path / "bank.zip"
    service.backup(database_url, archive)
    damaged = tmp_path / "damaged.zip"
    if damage == "flip_customers":
        _flip_byte_in(archive, damaged, "tables/customers.arrow")
    elif damage == "flip_manifest":
        _flip_byte_in(archive, damaged, MANIFEST_MEMBER)
    elif damage == "edit_checksum":
        forged = _manifest_with(archive, sha256_of={"transactions": "0" * 64})
        _rewrite(archive, damaged, {MANIFEST_MEMBER: forged})
    elif damage == "truncate":
        damaged.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    elif damage == "no_manifest":
        _rewrite(archive, damaged, {MANIFEST_MEMBER: None})
    else:
        _rewrite(archive, damaged, {MANIFEST_MEMBER: _manifest_with(archive, format_version=99)})
    target = tmp_path / "target.db"

    with pytest.raises(ValidationFailed, match=message):
        service.restore(f"sqlite:///{target}", damaged)
    with pytest.raises(ValidationFailed, match=message):
        service.check_archive(damaged)

    assert not target.exists()
    service.check_archive(archive)


@pytest.mark.postgres
@pytest.mark.parametrize("direction", ["sqlite_to_postgres", "postgres_to_sqlite"])
def test_an_archive_restores_on_the_other_backend(
    sqlite_url: str, postgres_url: str, tmp_path: Path, direction: str
) -> None:
    source, target = (
        (sqlite_url, postgres_url)
        if direction == "sqlite_to_postgres"
        else (postgres_url, sqlite_url)
    )
    customer_id, _ = small_bank(source)
    add_awkward_rows(source)
    archive = tmp_path / "bank.zip"
    service.backup(source, archive)

    service.restore(target, archive)

    assert checksums(target) == checksums(source)
    engine = make_engine(target)
    try:
        with engine.begin() as connection:
            highest = connection.execute(text("SELECT max(id) FROM notes")).scalar_one()
            added = connection.execute(
                insert(Note.__table__).values(customer_id=customer_id, body="after restore")
            ).inserted_primary_key
        assert added is not None and added[0] == highest + 1
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_restore_creates_a_postgres_database_that_does_not_exist(
    sqlite_url: str, tmp_path: Path
) -> None:
    server = make_url(postgres_server_url())
    name = f"bankcrm_restore_{uuid.uuid4().hex[:12]}"
    small_bank(sqlite_url)
    archive = tmp_path / "bank.zip"
    service.backup(sqlite_url, archive)
    target = server.set(database=name).render_as_string(hide_password=False)
    try:
        report = service.restore(target, archive)
        assert report.dialect == "postgresql"
        assert checksums(target) == checksums(sqlite_url)
    finally:
        admin = make_engine(server.render_as_string(hide_password=False))
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_cli_backs_up_restores_and_refuses(database_url: str, tmp_path: Path) -> None:
    small_bank(database_url)
    archive = tmp_path / "cli.zip"
    target = f"sqlite:///{tmp_path / 'new.db'}"
    runner = CliRunner()

    made = runner.invoke(app, ["backup", str(archive), "--database-url", database_url, "--json"])
    assert made.exit_code == 0, made.output
    report = json.loads(made.stdout)
    assert report["bytes"] == archive.stat().st_size
    assert report["rows_by_table"]["customers"] == 6

    checked = runner.invoke(app, ["restore", str(archive), "--check"])
    assert checked.exit_code == 0, checked.output
    tables = len(service.model_tables())
    assert checked.stdout.startswith(f"archive intact: {tables} tables")

    restored = runner.invoke(app, ["restore", str(archive), "--database-url", target])
    assert restored.exit_code == 0, restored.output
    assert restored.stdout.startswith(f"restored {tables} tables, {report['rows']:,} rows")
    assert checksums(target) == checksums(database_url)

    again = runner.invoke(app, ["restore", str(archive), "--database-url", target])
    assert again.exit_code == 1
    assert "error: the target database already holds data" in again.stderr
    assert "Traceback" not in again.output

    exists = runner.invoke(app, ["backup", str(archive), "--database-url", database_url])
    assert exists.exit_code == 1
    assert "exists" in exists.stderr
