"""Marketing plans: the eight sections, competitors, PEST, the 7P review, versions and
approval, budget lines

Revision ID: 5a1e5b0c7d21
Revises: 293cf3410af9
Create Date: 2026-12-06 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a1e5b0c7d21"
down_revision: str | None = "293cf3410af9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "marketing_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "approved",
                "returned",
                name="plan_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("target_new_customers", sa.Integer(), nullable=True),
        sa.Column("target_deposits_cents", sa.BigInteger(), nullable=True),
        sa.Column("target_on", sa.Date(), nullable=True),
        sa.Column("budget_inputs", sa.JSON(), nullable=False),
        sa.Column(
            "budget_method",
            sa.Enum(
                "affordable",
                "percent_of_sales",
                "competitive_parity",
                "objective_and_task",
                name="budget_method",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("budget_cents", sa.BigInteger(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff_users.id"], name=op.f("fk_marketing_plans_author_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_marketing_plans_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["staff_users.id"],
            name=op.f("fk_marketing_plans_decided_by_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_plans")),
        sa.UniqueConstraint("series_id", "revision", name=op.f("uq_marketing_plans_series_id")),
    )
    with op.batch_alter_table("marketing_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_marketing_plans_branch_id"), ["branch_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_marketing_plans_series_id"), ["series_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_marketing_plans_status"), ["status"], unique=False)

    op.create_table(
        "marketing_plan_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("cost_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["staff_users.id"],
            name=op.f("fk_marketing_plan_actions_owner_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["marketing_plans.id"],
            name=op.f("fk_marketing_plan_actions_plan_id_marketing_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_plan_actions")),
    )
    with op.batch_alter_table("marketing_plan_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_marketing_plan_actions_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "marketing_plan_budget_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "branch",
                "phone",
                "sms",
                "app",
                "email",
                "wechat",
                name="campaign_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("activity", sa.String(length=200), nullable=False),
        sa.Column("planned_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["marketing_plans.id"],
            name=op.f("fk_marketing_plan_budget_lines_plan_id_marketing_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_plan_budget_lines")),
    )
    with op.batch_alter_table("marketing_plan_budget_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_marketing_plan_budget_lines_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "marketing_plan_checklist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column(
            "answer",
            sa.Enum(
                "yes",
                "no",
                "partly",
                name="checklist_answer",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["marketing_plans.id"],
            name=op.f("fk_marketing_plan_checklist_plan_id_marketing_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_plan_checklist")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_marketing_plan_checklist_plan_id")),
    )
    op.create_table(
        "marketing_plan_competitors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("products", sa.Text(), nullable=True),
        sa.Column("prices", sa.Text(), nullable=True),
        sa.Column("strengths", sa.Text(), nullable=True),
        sa.Column("weaknesses", sa.Text(), nullable=True),
        sa.Column("market_share", sa.Float(), nullable=True),
        sa.Column("promotion_spend_cents", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["marketing_plans.id"],
            name=op.f("fk_marketing_plan_competitors_plan_id_marketing_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_plan_competitors")),
    )
    with op.batch_alter_table("marketing_plan_competitors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_marketing_plan_competitors_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "marketing_plan_pest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column(
            "factor",
            sa.Enum(
                "political",
                "economic",
                "social",
                "technological",
                name="pest_factor",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("impact", sa.SmallInteger(), nullable=False),
        sa.Column("likelihood", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["marketing_plans.id"],
            name=op.f("fk_marketing_plan_pest_plan_id_marketing_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_plan_pest")),
    )
    with op.batch_alter_table("marketing_plan_pest", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_marketing_plan_pest_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "marketing_plan_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["staff_users.id"],
            name=op.f("fk_marketing_plan_sections_owner_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["marketing_plans.id"],
            name=op.f("fk_marketing_plan_sections_plan_id_marketing_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_plan_sections")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_marketing_plan_sections_plan_id")),
    )
    op.create_table(
        "marketing_plan_campaigns",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_marketing_plan_campaigns_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["marketing_plans.id"],
            name=op.f("fk_marketing_plan_campaigns_plan_id_marketing_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "campaign_id", name=op.f("pk_marketing_plan_campaigns")),
    )
    with op.batch_alter_table("marketing_plan_campaigns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_marketing_plan_campaigns_campaign_id"), ["campaign_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("marketing_plan_campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketing_plan_campaigns_campaign_id"))

    op.drop_table("marketing_plan_campaigns")
    op.drop_table("marketing_plan_sections")
    with op.batch_alter_table("marketing_plan_pest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketing_plan_pest_plan_id"))

    op.drop_table("marketing_plan_pest")
    with op.batch_alter_table("marketing_plan_competitors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketing_plan_competitors_plan_id"))

    op.drop_table("marketing_plan_competitors")
    op.drop_table("marketing_plan_checklist")
    with op.batch_alter_table("marketing_plan_budget_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketing_plan_budget_lines_plan_id"))

    op.drop_table("marketing_plan_budget_lines")
    with op.batch_alter_table("marketing_plan_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketing_plan_actions_plan_id"))

    op.drop_table("marketing_plan_actions")
    with op.batch_alter_table("marketing_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketing_plans_status"))
        batch_op.drop_index(batch_op.f("ix_marketing_plans_series_id"))
        batch_op.drop_index(batch_op.f("ix_marketing_plans_branch_id"))

    op.drop_table("marketing_plans")
