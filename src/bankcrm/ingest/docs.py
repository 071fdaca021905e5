"""``docs/data-schema.md``, rendered from the schema so the two never disagree."""

from __future__ import annotations

from bankcrm.ingest.schema import TABLES, ColumnSpec

INTRODUCTION = """# Import format

`bankcrm import DIR` loads one file per table from `DIR`: `<table>.csv` (UTF-8, comma
separated, a header row, fields quoted as needed) or `<table>.parquet`. Only the tables
marked *required* must be present. Tables load in the order below, in **one transaction**:
if any value of any file is wrong, the import stops with a message naming the file, the
row (1 = the first line after the header) and the column, and the database is left exactly
as it was. Importing the same files again changes nothing: records are matched on `id`
and updated in place.

Conventions:
- `id` is the record's own identifier in the source system (its *external id*).
- Every other column ending in `_id` holds the `id` of the record it refers to, in this
  import or an earlier one.
- `money`: yuan with at most two decimals (`1234.5`, `-20.00`); stored as integer fen.
- `date`: `YYYY-MM-DD`. `datetime`: ISO 8601, `2025-03-01T10:15:00+08:00`; without an
  offset the bank's time zone (`BANKCRM_TIMEZONE`, default Asia/Shanghai) is assumed.
- `boolean`: `true`/`false` (also `1`/`0`, `yes`/`no`). `json`: a JSON text.
- Empty cells are missing values. Transactions are read and written in chunks
  (`BANKCRM_IMPORT_CHUNK_ROWS`), so memory stays flat whatever the file size.
- Every file is read, checked and staged before the first record is written: on
  PostgreSQL in temporary tables of the import's transaction, on SQLite in a scratch
  database in a temporary folder beside the database file (about as large as the files),
  removed when the import ends.
"""


def _type_text(column: ColumnSpec) -> str:
    if column.values:
        return "one of " + ", ".join(f"`{value}`" for value in column.values)
    if column.references:
        return f"id of a `{column.references}` record"
    return column.type.value


def render_schema_markdown() -> str:
    lines = [INTRODUCTION]
    for table in TABLES:
        required = " (required)" if table.required_file else ""
        lines.append(f"## `{table.name}`{required}\n")
        lines.append(table.description + "\n")
        lines.append("| column | type | required | meaning |")
        lines.append("|---|---|---|---|")
        for column in table.columns:
            lines.append(
                f"| `{column.name}` | {_type_text(column)} | "
                f"{'yes' if column.required else ''} | {column.description} |"
            )
        for note in table.extra_notes:
            lines.append(f"\n{note}")
        lines.append("")
    return "\n".join(lines)
