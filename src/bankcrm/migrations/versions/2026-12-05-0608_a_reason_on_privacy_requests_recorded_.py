"""A reason on privacy requests, recorded with every export

Revision ID: 55cd9569d5fc
Revises: 5baf2e5a588e
Create Date: 2026-12-05 06:08:02.418165
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "55cd9569d5fc"
down_revision: str | None = "5baf2e5a588e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.drop_column("reason")
