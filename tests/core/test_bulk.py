from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
)

from bankcrm.core.bulk import append_arrow
from bankcrm.core.db import make_engine
from bankcrm.core.enums import Quadrant, db_enum

ROWS: list[dict[str, Any]] = [
    {
        "id": 1,
        "cents": 12_345_678_901,
        "share": 0.1 + 0.2,
        "tiny": 5e-324,
        "flag": True,
        "day": date(2026, 2, 28),
        "at": datetime(2026, 3, 1, 2, 3, 4, 567_890, tzinfo=UTC),
        "quadrant": Quadrant.PROBLEM_2.value,
        "note": 'He said "yes", then\nleft \\N C:\\dir\\ 王芳',
        "code": "",
    },
    {
        "id": 2,
        "cents": -1,
        "share": None,
        "tiny": -0.0,
        "flag": False,
        "day": None,
        "at": None,
        "quadrant": Quadrant.LOYAL.value,
        "note": None,
        "code": ",",
    },
]


def _table(name: str, metadata: MetaData) -> Table:
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("cents", BigInteger),
        Column("share", Float),
        Column("tiny", Float),
        Column("flag", Boolean),
        Column("day", Date),
        Column("at", DateTime(timezone=True)),
        Column("quadrant", db_enum(Quadrant, f"{name}_quadrant")),
        Column("note", Text),
        Column("code", String(8)),
    )


@pytest.fixture
def store(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_arrow_rows_are_stored_as_an_orm_insert_stores_them(store: Engine) -> None:
    """Every kind of value the analytics runs write, with nulls, extreme floats and text
    that CSV could misread, reads back the same from the bulk path and from an insert."""
    metadata = MetaData()
    bulk, plain = _table("bulk_rows", metadata), _table("plain_rows", metadata)
    metadata.create_all(store)
    arrow = pa.Table.from_pylist(
        ROWS,
        schema=pa.schema(
            [
                ("id", pa.int64()),
                ("cents", pa.int64()),
                ("share", pa.float64()),
                ("tiny", pa.float64()),
                ("flag", pa.bool_()),
                ("day", pa.date32()),
                ("at", pa.timestamp("us", tz="UTC")),
                ("quadrant", pa.string()),
                ("note", pa.string()),
                ("code", pa.string()),
            ]
        ),
    )
    with store.begin() as connection:
        append_arrow(connection, bulk, arrow)
        connection.execute(insert(plain), ROWS)
    with store.connect() as connection:
        from_bulk = connection.execute(select(bulk).order_by(bulk.c.id)).all()
        from_insert = connection.execute(select(plain).order_by(plain.c.id)).all()
    assert from_bulk == from_insert
    assert from_bulk[0].share == 0.1 + 0.2
    assert from_bulk[0].note == ROWS[0]["note"]
    assert (from_bulk[0].code, from_bulk[1].code) == ("", ",")
    assert math.copysign(1, from_bulk[1].tiny) == math.copysign(1, from_insert[1].tiny)


def _scratch_left(database: Path) -> list[Path]:
    return list(database.parent.glob("bankcrm-bulk-*"))


def _attached(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return [row.name for row in connection.exec_driver_sql("PRAGMA database_list")]


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_the_sqlite_scratch_goes_when_the_transaction_ends(tmp_path: Path, outcome: str) -> None:
    """The rows pass through a scratch database the transaction attaches: it stays while the
    transaction may still read it, and is detached and removed once the transaction ends,
    committed or rolled back; a rollback keeps none of the rows."""
    database = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{database}")
    metadata = MetaData()
    target = Table("target", metadata, Column("id", Integer, primary_key=True))
    metadata.create_all(engine)
    with engine.connect() as connection:
        transaction = connection.begin()
        append_arrow(connection, target, pa.table({"id": [1, 2, 3]}))
        append_arrow(connection, target, pa.table({"id": [4]}))
        assert len(_scratch_left(database)) == 2
        getattr(transaction, outcome)()
    assert _scratch_left(database) == []
    assert set(_attached(engine)) <= {"main", "temp"}
    with engine.connect() as connection:
        stored = connection.execute(select(target.c.id).order_by(target.c.id)).scalars().all()
    assert stored == ([1, 2, 3, 4] if outcome == "commit" else [])
    engine.dispose()


def test_a_kind_the_orm_would_store_otherwise_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{database}")
    metadata = MetaData()
    target = Table("target", metadata, Column("amount", String(16)))
    metadata.create_all(engine)
    amounts = pa.table({"amount": pa.array([Decimal("1.10")], pa.decimal128(5, 2))})
    with engine.begin() as connection, pytest.raises(TypeError, match="column amount"):
        append_arrow(connection, target, amounts)
    assert _scratch_left(database) == []
    engine.dispose()
