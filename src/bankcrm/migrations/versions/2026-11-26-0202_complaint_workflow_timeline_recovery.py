"""complaint workflow, timeline, recovery and classifier models

Revision ID: 6f8febad3631
Revises: db74f8466a8c
Create Date: 2026-11-26 02:02:09.799927
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6f8febad3631"
down_revision: str | None = "db74f8466a8c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "complaint_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trained_by_id", sa.Integer(), nullable=True),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("corrections", sa.Integer(), nullable=False),
        sa.Column("macro_f1_product_line", sa.Float(), nullable=True),
        sa.Column("macro_f1_issue", sa.Float(), nullable=True),
        sa.Column("evaluation", sa.JSON(), nullable=True),
        sa.Column("artifact", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["trained_by_id"],
            ["staff_users.id"],
            name=op.f("fk_complaint_models_trained_by_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_models")),
    )
    op.create_table(
        "complaint_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "transition",
                "note",
                "recovery",
                "classification",
                "reminder",
                name="complaint_event_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "action",
            sa.Enum(
                "accept",
                "investigate",
                "reply",
                "close",
                "reopen",
                "escalate",
                "withdraw",
                "extend",
                name="complaint_action",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "from_status",
            sa.Enum(
                "received",
                "accepted",
                "investigating",
                "replied",
                "closed",
                "reopened",
                "escalated",
                "withdrawn",
                name="complaint_from_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "received",
                "accepted",
                "investigating",
                "replied",
                "closed",
                "reopened",
                "escalated",
                "withdrawn",
                name="complaint_to_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff_users.id"], name=op.f("fk_complaint_events_actor_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_events_complaint_id_complaints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_events")),
    )
    with op.batch_alter_table("complaint_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_events_complaint_id"), ["complaint_id"], unique=False
        )

    op.create_table(
        "complaint_recoveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "apology",
                "fee_refund",
                "compensation",
                name="recovery_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                name="recovery_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("maker_id", sa.Integer(), nullable=False),
        sa.Column("checker_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checker_id"],
            ["staff_users.id"],
            name=op.f("fk_complaint_recoveries_checker_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_recoveries_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["maker_id"],
            ["staff_users.id"],
            name=op.f("fk_complaint_recoveries_maker_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_recoveries")),
    )
    with op.batch_alter_table("complaint_recoveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_recoveries_complaint_id"), ["complaint_id"], unique=False
        )

    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("product_line", sa.String(length=32), nullable=False, server_default="other")
        )
        batch_op.alter_column("category", new_column_name="issue")
        batch_op.add_column(
            sa.Column("suggested_product_line", sa.String(length=32), nullable=True)
        )
        batch_op.add_column(sa.Column("suggested_issue", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("extended_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("extension_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("first_replied_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reply", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "confirmation",
                sa.Enum(
                    "satisfied",
                    "unsatisfied",
                    "no_response",
                    name="customer_confirmation",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("reopen_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index(
            batch_op.f("ix_complaints_deadline_at"), ["deadline_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_complaints_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.alter_column("issue", new_column_name="category")
        batch_op.drop_index(batch_op.f("ix_complaints_status"))
        batch_op.drop_index(batch_op.f("ix_complaints_deadline_at"))
        batch_op.drop_column("reopen_count")
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("confirmation")
        batch_op.drop_column("reply")
        batch_op.drop_column("replied_at")
        batch_op.drop_column("first_replied_at")
        batch_op.drop_column("extension_reason")
        batch_op.drop_column("extended_at")
        batch_op.drop_column("suggested_issue")
        batch_op.drop_column("suggested_product_line")
        batch_op.drop_column("product_line")

    with op.batch_alter_table("complaint_recoveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_recoveries_complaint_id"))

    op.drop_table("complaint_recoveries")
    with op.batch_alter_table("complaint_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_events_complaint_id"))

    op.drop_table("complaint_events")
    op.drop_table("complaint_models")
