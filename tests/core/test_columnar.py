from __future__ import annotations

import threading
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import text

from bankcrm.core.columnar import StoreReadError, read_tables
from bankcrm.core.db import make_engine

ROWS = 10_000


def test_a_read_leaves_the_connections_held_open_on_the_store_working(tmp_path: Path) -> None:
    """The server holds connections to the store while a job reads it as Arrow. Read by the
    ADBC driver's own SQLite in the server's process, the read's end deleted the
    write-ahead log under them and the next new connection failed with "disk I/O error"."""
    path = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE movements (id INTEGER PRIMARY KEY, note TEXT)")
        connection.exec_driver_sql(
            "WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n "
            f"WHERE value < {ROWS}) INSERT INTO movements SELECT value, 'note ' || value FROM n"
        )
    held, reader = engine.connect(), engine.connect()
    assert reader.execute(text("SELECT count(*) FROM movements")).scalar_one() == ROWS

    counted, notes = read_tables(
        f"sqlite:///{path}", ["SELECT count(*) AS n FROM movements", "SELECT * FROM movements"]
    )

    assert counted.to_pylist() == [{"n": ROWS}]
    assert notes.num_rows == ROWS
    assert notes.column("note")[ROWS - 1].as_py() == f"note {ROWS}"
    for added in range(ROWS + 1, ROWS + 50):
        held.execute(text("INSERT INTO movements VALUES (:id, 'later')"), {"id": added})
        held.commit()
    assert Path(f"{path}-wal").exists()
    assert reader.execute(text("SELECT count(*) FROM movements")).scalar_one() == ROWS + 49
    with engine.connect() as fresh:
        assert fresh.execute(text("SELECT count(*) FROM movements")).scalar_one() == ROWS + 49
    held.close()
    reader.close()
    engine.dispose()


def test_reads_while_the_application_writes_lose_nothing(tmp_path: Path) -> None:
    """A writer commits without pause while the store is read again and again: no read waits
    forever or fails on a lock, and every write is kept."""
    path = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE movements (id INTEGER PRIMARY KEY, note TEXT)")
    written: list[int] = []
    failures: list[BaseException] = []
    reading = threading.Event()

    def write() -> None:
        with engine.connect() as writer:
            while not reading.is_set():
                try:
                    writer.execute(text("INSERT INTO movements (note) VALUES ('x')"))
                    writer.commit()
                    written.append(1)
                except BaseException as failure:
                    failures.append(failure)
                    return

    thread = threading.Thread(target=write)
    thread.start()
    try:
        counts = [
            read_tables(f"sqlite:///{path}", ["SELECT count(*) AS n FROM movements"])[0]
            for _ in range(5)
        ]
    finally:
        reading.set()
        thread.join()

    assert failures == []
    seen = [table.column("n")[0].as_py() for table in counts]
    assert seen == sorted(seen)
    with engine.connect() as fresh:
        assert fresh.execute(text("SELECT count(*) FROM movements")).scalar_one() == len(written)
    engine.dispose()


def test_each_result_keeps_its_order_and_its_types(database_url: str) -> None:
    tables = read_tables(
        database_url,
        [
            "SELECT 1 AS one, 'a' AS letter",
            "SELECT 2 AS two, CAST(2.5 AS DOUBLE PRECISION) AS half "
            "UNION ALL SELECT 3, CAST(3.5 AS DOUBLE PRECISION) ORDER BY two",
        ],
    )

    assert [table.to_pylist() for table in tables] == [
        [{"one": 1, "letter": "a"}],
        [{"two": 2, "half": 2.5}, {"two": 3, "half": 3.5}],
    ]
    assert pa.types.is_integer(tables[1].schema.field("two").type)


def test_a_statement_the_store_refuses_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    make_engine(f"sqlite:///{path}").dispose()
    with pytest.raises(StoreReadError, match="no_such_table"):
        read_tables(f"sqlite:///{path}", ["SELECT * FROM no_such_table"])
