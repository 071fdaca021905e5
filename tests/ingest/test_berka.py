"""The real PKDD'99 Czech bank data: every source row lands in a countable place."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from bankcrm.ingest.service import import_directory

# Row counts of the source files (verified in the data set's SOURCE.md).
SOURCE_ROWS = {
    "district": 77,
    "client": 5_369,
    "account": 4_500,
    "disp": 5_369,
    "order": 6_471,
    "loan": 682,
    "card": 892,
    "trans": 46_997,
}


def scalar(engine: Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


def test_berka_import_reproduces_the_source_row_counts(
    database_url: str, engine: Engine, berka_dir: Path
) -> None:
    report = import_directory(database_url, berka_dir, source_format="berka")
    assert scalar(engine, "SELECT COUNT(*) FROM branches") == SOURCE_ROWS["district"]
    assert scalar(engine, "SELECT COUNT(*) FROM customers") == SOURCE_ROWS["client"]
    assert scalar(engine, "SELECT COUNT(*) FROM account_parties") == SOURCE_ROWS["disp"]
    assert scalar(engine, "SELECT COUNT(*) FROM standing_orders") == SOURCE_ROWS["order"]
    assert scalar(engine, "SELECT COUNT(*) FROM transactions") == SOURCE_ROWS["trans"]
    assert scalar(engine, "SELECT COUNT(*) FROM accounts WHERE external_id LIKE 'AC%'") == 4_500
    assert scalar(engine, "SELECT COUNT(*) FROM accounts WHERE external_id LIKE 'LN%'") == 682
    assert scalar(engine, "SELECT COUNT(*) FROM accounts WHERE external_id LIKE 'CD%'") == 892
    assert report.rows_by_table["accounts"] == 4_500 + 682 + 892
    owners = "SELECT COUNT(*) FROM account_parties WHERE role = 'owner'"
    assert scalar(engine, owners) == 4_500
    women = "SELECT COUNT(*) FROM customers WHERE gender = '女'"
    assert 2_500 < scalar(engine, women) < 2_900
    defaulted = "SELECT COUNT(*) FROM customers WHERE credit_grade IN ('C', 'CCC')"
    assert scalar(engine, defaulted) == 31 + 45


def test_berka_import_is_idempotent(sqlite_url: str, berka_dir: Path) -> None:
    first = import_directory(sqlite_url, berka_dir, source_format="berka")
    second = import_directory(sqlite_url, berka_dir, source_format="berka")
    assert first.rows_by_table == second.rows_by_table
