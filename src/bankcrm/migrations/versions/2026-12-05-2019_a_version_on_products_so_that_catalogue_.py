"""A version on products, so that catalogue edits cannot overwrite each other

Revision ID: c4ea342264c5
Revises: abafa3a6effd
Create Date: 2026-12-05 20:19:01.618242
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4ea342264c5"
down_revision: str | None = "abafa3a6effd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # every product already in the catalogue starts at version 1, as a new one does
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("version")
