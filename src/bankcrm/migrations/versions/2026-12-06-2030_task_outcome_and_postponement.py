"""A task's outcome note, the reason for its last postponement and how often it moved

Revision ID: a7b8c9d0e1f2
Revises: f6e5d4c3b2a1
Create Date: 2026-12-06 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7b8c9d0e1f2"
down_revision: str | None = "f6e5d4c3b2a1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # tasks raised so far were never postponed
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("postponed_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("postponements", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("postponements")
        batch_op.drop_column("postponed_reason")
        batch_op.drop_column("outcome")
