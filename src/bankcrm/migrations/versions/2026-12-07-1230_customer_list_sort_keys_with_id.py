"""The customer list's sort keys indexed with the id that breaks their ties

Revision ID: c9d0e1f2a3b4
Revises: b8c9d0e1f2a3
Create Date: 2026-12-07 12:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c9d0e1f2a3b4"
down_revision: str | None = "b8c9d0e1f2a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SORT_KEYS = ("name", "customer_type", "branch_id", "manager_id")


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        for column in SORT_KEYS:
            batch_op.drop_index(f"ix_customers_{column}")
            batch_op.create_index(f"ix_customers_{column}", [column, "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        for column in SORT_KEYS:
            batch_op.drop_index(f"ix_customers_{column}")
            batch_op.create_index(f"ix_customers_{column}", [column], unique=False)
