"""The prospect pipeline: prospects and their stages, objections, follow-up plans

Revision ID: 9c3f2e8a4b17
Revises: 5a1e5b0c7d21
Create Date: 2026-12-06 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9c3f2e8a4b17"
down_revision: str | None = "5a1e5b0c7d21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "prospects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "individual",
                "corporate",
                name="prospect_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "referral",
                "walk_in",
                "campaign",
                "event",
                "existing_customer",
                name="prospect_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("source_detail", sa.String(length=100), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("expected_amount_cents", sa.BigInteger(), nullable=True),
        sa.Column(
            "stage",
            sa.Enum(
                "identify",
                "needs",
                "presentation",
                "negotiation",
                "deal",
                "lost",
                name="prospect_stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "reached_stage",
            sa.Enum(
                "identify",
                "needs",
                "presentation",
                "negotiation",
                "deal",
                "lost",
                name="prospect_reached_stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("lost_reason", sa.Text(), nullable=True),
        sa.Column("decision_maker", sa.String(length=200), nullable=True),
        sa.Column("needs", sa.Text(), nullable=True),
        sa.Column("budget_cents", sa.BigInteger(), nullable=True),
        sa.Column("growth_potential", sa.Boolean(), nullable=False),
        sa.Column("cultivation", sa.JSON(), nullable=False),
        sa.Column(
            "fee_stage",
            sa.Enum(
                "negotiation",
                "quotation",
                "delivery",
                "follow_up",
                "completed",
                name="fee_stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("fee_quoted_cents", sa.BigInteger(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_prospects_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_users.id"],
            name=op.f("fk_prospects_created_by_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_prospects_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff_users.id"], name=op.f("fk_prospects_owner_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_prospects_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prospects")),
    )
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prospects_branch_id"), ["branch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_prospects_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_prospects_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "prospect_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prospect_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_stage",
            sa.Enum(
                "identify",
                "needs",
                "presentation",
                "negotiation",
                "deal",
                "lost",
                name="prospect_event_from",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_stage",
            sa.Enum(
                "identify",
                "needs",
                "presentation",
                "negotiation",
                "deal",
                "lost",
                name="prospect_event_to",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "from_fee_stage",
            sa.Enum(
                "negotiation",
                "quotation",
                "delivery",
                "follow_up",
                "completed",
                name="fee_event_from",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_fee_stage",
            sa.Enum(
                "negotiation",
                "quotation",
                "delivery",
                "follow_up",
                "completed",
                name="fee_event_to",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff_users.id"], name=op.f("fk_prospect_events_actor_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["prospect_id"], ["prospects.id"], name=op.f("fk_prospect_events_prospect_id_prospects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prospect_events")),
    )
    with op.batch_alter_table("prospect_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prospect_events_prospect_id"), ["prospect_id"], unique=False
        )

    op.create_table(
        "prospect_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prospect_id", sa.Integer(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "phone",
                "visit",
                "branch",
                "wechat",
                "sms",
                "email",
                name="follow_up_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_users.id"],
            name=op.f("fk_prospect_follow_ups_created_by_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["prospect_id"],
            ["prospects.id"],
            name=op.f("fk_prospect_follow_ups_prospect_id_prospects"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_prospect_follow_ups_task_id_tasks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prospect_follow_ups")),
    )
    with op.batch_alter_table("prospect_follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prospect_follow_ups_prospect_id"), ["prospect_id"], unique=False
        )

    op.create_table(
        "prospect_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prospect_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "misunderstanding",
                "doubt",
                "shortcoming",
                "complaint",
                "price_budget",
                "price_elsewhere",
                "price_value",
                name="objection_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("said", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["prospect_id"],
            ["prospects.id"],
            name=op.f("fk_prospect_objections_prospect_id_prospects"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_users.id"],
            name=op.f("fk_prospect_objections_recorded_by_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prospect_objections")),
    )
    with op.batch_alter_table("prospect_objections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prospect_objections_prospect_id"), ["prospect_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("prospect_objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prospect_objections_prospect_id"))

    op.drop_table("prospect_objections")
    with op.batch_alter_table("prospect_follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prospect_follow_ups_prospect_id"))

    op.drop_table("prospect_follow_ups")
    with op.batch_alter_table("prospect_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prospect_events_prospect_id"))

    op.drop_table("prospect_events")
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prospects_owner_id"))
        batch_op.drop_index(batch_op.f("ix_prospects_customer_id"))
        batch_op.drop_index(batch_op.f("ix_prospects_branch_id"))

    op.drop_table("prospects")
