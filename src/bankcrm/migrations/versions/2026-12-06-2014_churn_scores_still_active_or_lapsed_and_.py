"""Churn scores: still active or lapsed, and the customer value that ranks the warnings

Revision ID: e1a2b3c4d5e6
Revises: d7512c6a3a48
Create Date: 2026-12-06 20:14:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e1a2b3c4d5e6"
down_revision: str | None = "d7512c6a3a48"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("churn_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active_threshold", sa.Float(), nullable=True))
    with op.batch_alter_table("churn_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("value_cents", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("churn_scores", schema=None) as batch_op:
        batch_op.drop_column("value_cents")
        batch_op.drop_column("active")
    with op.batch_alter_table("churn_runs", schema=None) as batch_op:
        batch_op.drop_column("active_threshold")
