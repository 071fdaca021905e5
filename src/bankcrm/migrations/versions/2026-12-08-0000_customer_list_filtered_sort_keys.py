"""The customer list's sort keys indexed under its filters by type and branch

At a million customers a page of corporates by name sorted all 100,000 of them (125 ms),
and a page of individuals by deposits took 0.5–1.2 s; every such page is now a walk of
its part of one index (under 45 ms).

Revision ID: a5b6c7d8e9f0
Revises: f3a4b5c6d7e8
Create Date: 2026-12-08 00:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a5b6c7d8e9f0"
down_revision: str | None = "f3a4b5c6d7e8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILTERED_SORT_KEYS = (
    ("customer_type", "name"),
    ("customer_type", "external_id"),
    ("customer_type", "deposit_cents"),
    ("branch_id", "external_id"),
    ("branch_id", "deposit_cents"),
    ("branch_id", "customer_type"),
)


# plain index statements: a batch of table changes on SQLite could copy the table and lose
# the triggers that keep its counts and deposit totals


def upgrade() -> None:
    for filtered, key in FILTERED_SORT_KEYS:
        op.create_index(f"ix_customers_{filtered}_{key}", "customers", [filtered, key, "id"])


def downgrade() -> None:
    for filtered, key in FILTERED_SORT_KEYS:
        op.drop_index(f"ix_customers_{filtered}_{key}", table_name="customers")
