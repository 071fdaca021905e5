"""A task's title as a catalog message and its parameters, read in the reader's language

Revision ID: b8c9d0e1f2a3
Revises: a7b8c9d0e1f2
Create Date: 2026-12-07 00:00:00.000000
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8c9d0e1f2a3"
down_revision: str | None = "a7b8c9d0e1f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The bilingual titles tasks were raised with so far ("中文 / English"): the English half
# read back into the catalog message and its parameters. Any other title stays as stored.
_TITLES: dict[str, tuple[re.Pattern[str], str]] = {
    "reassessment": (re.compile(r"^Risk re-assessment$"), "Risk reassessment"),
    "credit_downgrade": (
        re.compile(r"^Credit grade down (?P<before>\S+)→(?P<after>\S+)$"),
        "Credit grade down %(before)s→%(after)s",
    ),
    "rating_downgrade": (
        re.compile(r"^Corporate rating down (?P<before>\S+)→(?P<after>\S+)$"),
        "Corporate rating down %(before)s→%(after)s",
    ),
    "prospect_follow_up": (re.compile(r"^Follow up (?P<name>.+)$"), "Follow up %(name)s"),
    "campaign_contact": (
        re.compile(r"^Campaign (?P<code>\S+): contact the customer$"),
        "Campaign %(code)s: contact the customer",
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_params", sa.JSON(), nullable=True))
    tasks = sa.table(
        "tasks",
        sa.column("id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("title", sa.String()),
        sa.column("title_params", sa.JSON()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(tasks.c.id, tasks.c.kind, tasks.c.title).where(tasks.c.kind.in_(list(_TITLES)))
    ).all()
    for task_id, kind, title in rows:
        pattern, msgid = _TITLES[kind]
        _, separator, english = title.partition(" / ")
        found = pattern.match(english) if separator else None
        if found is None:
            continue
        connection.execute(
            sa.update(tasks)
            .where(tasks.c.id == task_id)
            .values(title=msgid, title_params=found.groupdict())
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("title_params")
