"""Staff KPIs, incentive pools and statements, training, queue tickets, branch staffing plans

Revision ID: d7512c6a3a48
Revises: 9c3f2e8a4b17
Create Date: 2026-12-06 06:36:56.262721
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d7512c6a3a48"
down_revision: str | None = "9c3f2e8a4b17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("pass_mark", sa.Float(), nullable=True),
        sa.Column("qualification", sa.String(length=32), nullable=True),
        sa.Column("validity_months", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_courses")),
        sa.UniqueConstraint("code", name=op.f("uq_training_courses_code")),
    )
    op.create_table(
        "branch_staffing_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_branch_staffing_plans_branch_id_branches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_branch_staffing_plans")),
        sa.UniqueConstraint(
            "branch_id", "week_start", name=op.f("uq_branch_staffing_plans_branch_id")
        ),
    )
    with op.batch_alter_table("branch_staffing_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_branch_staffing_plans_branch_id"), ["branch_id"], unique=False
        )

    op.create_table(
        "incentive_pools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "approved",
                name="pool_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unallocated_cents", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["staff_users.id"],
            name=op.f("fk_incentive_pools_approved_by_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_incentive_pools_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_users.id"],
            name=op.f("fk_incentive_pools_created_by_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incentive_pools")),
        sa.UniqueConstraint("branch_id", "month", name=op.f("uq_incentive_pools_branch_id")),
    )
    with op.batch_alter_table("incentive_pools", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incentive_pools_branch_id"), ["branch_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incentive_pools_month"), ["month"], unique=False)

    op.create_table(
        "queue_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("service_type", sa.String(length=32), nullable=False),
        sa.Column(
            "priority",
            sa.Enum(
                "normal",
                "vip",
                "elderly",
                name="ticket_priority",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "called",
                "serving",
                "done",
                "no_show",
                name="ticket_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counter", sa.String(length=16), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_queue_tickets_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_users.id"], name=op.f("fk_queue_tickets_staff_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_tickets")),
        sa.UniqueConstraint(
            "branch_id", "issued_on", "number", name=op.f("uq_queue_tickets_branch_id")
        ),
    )
    with op.batch_alter_table("queue_tickets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_queue_tickets_branch_arrived", ["branch_id", "arrived_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_queue_tickets_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "staff_kpi_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("attainment", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("ranked_among", sa.Integer(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_staff_kpi_months_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_users.id"], name=op.f("fk_staff_kpi_months_staff_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_kpi_months")),
        sa.UniqueConstraint("staff_id", "month", name=op.f("uq_staff_kpi_months_staff_id")),
    )
    with op.batch_alter_table("staff_kpi_months", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_kpi_months_branch_id"), ["branch_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_staff_kpi_months_month"), ["month"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_staff_kpi_months_staff_id"), ["staff_id"], unique=False
        )

    op.create_table(
        "training_attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("attended_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("assessment_score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_training_attendances_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_attendances_course_id_training_courses"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_users.id"],
            name=op.f("fk_training_attendances_recorded_by_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_training_attendances_staff_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attendances")),
        sa.UniqueConstraint(
            "course_id", "staff_id", "attended_on", name=op.f("uq_training_attendances_course_id")
        ),
    )
    with op.batch_alter_table("training_attendances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_attendances_attended_on"), ["attended_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_attendances_branch_id"), ["branch_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_attendances_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_attendances_staff_id"), ["staff_id"], unique=False
        )

    op.create_table(
        "incentive_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("gross_cents", sa.BigInteger(), nullable=False),
        sa.Column("clawback_cents", sa.BigInteger(), nullable=False),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_incentive_statements_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["incentive_pools.id"],
            name=op.f("fk_incentive_statements_pool_id_incentive_pools"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_incentive_statements_staff_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incentive_statements")),
        sa.UniqueConstraint("pool_id", "staff_id", name=op.f("uq_incentive_statements_pool_id")),
    )
    with op.batch_alter_table("incentive_statements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incentive_statements_branch_id"), ["branch_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incentive_statements_pool_id"), ["pool_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incentive_statements_staff_id"), ["staff_id"], unique=False
        )

    op.create_table(
        "staff_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("qualification", sa.String(length=32), nullable=False),
        sa.Column("attendance_id", sa.Integer(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attendance_id"],
            ["training_attendances.id"],
            name=op.f("fk_staff_certificates_attendance_id_training_attendances"),
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_staff_certificates_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_certificates_staff_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_certificates")),
    )
    with op.batch_alter_table("staff_certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_certificates_branch_id"), ["branch_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_staff_certificates_expires_on"), ["expires_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_staff_certificates_qualification"), ["qualification"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_staff_certificates_staff_id"), ["staff_id"], unique=False
        )

    op.create_table(
        "incentive_clawbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("sale_id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_incentive_clawbacks_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_incentive_clawbacks_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sales.id"], name=op.f("fk_incentive_clawbacks_sale_id_sales")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_incentive_clawbacks_staff_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["incentive_statements.id"],
            name=op.f("fk_incentive_clawbacks_statement_id_incentive_statements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incentive_clawbacks")),
        sa.UniqueConstraint("sale_id", "complaint_id", name=op.f("uq_incentive_clawbacks_sale_id")),
    )
    with op.batch_alter_table("incentive_clawbacks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incentive_clawbacks_branch_id"), ["branch_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incentive_clawbacks_complaint_id"), ["complaint_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incentive_clawbacks_sale_id"), ["sale_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incentive_clawbacks_staff_id"), ["staff_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incentive_clawbacks_statement_id"), ["statement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("incentive_clawbacks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incentive_clawbacks_statement_id"))
        batch_op.drop_index(batch_op.f("ix_incentive_clawbacks_staff_id"))
        batch_op.drop_index(batch_op.f("ix_incentive_clawbacks_sale_id"))
        batch_op.drop_index(batch_op.f("ix_incentive_clawbacks_complaint_id"))
        batch_op.drop_index(batch_op.f("ix_incentive_clawbacks_branch_id"))

    op.drop_table("incentive_clawbacks")
    with op.batch_alter_table("staff_certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_certificates_staff_id"))
        batch_op.drop_index(batch_op.f("ix_staff_certificates_qualification"))
        batch_op.drop_index(batch_op.f("ix_staff_certificates_expires_on"))
        batch_op.drop_index(batch_op.f("ix_staff_certificates_branch_id"))

    op.drop_table("staff_certificates")
    with op.batch_alter_table("incentive_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incentive_statements_staff_id"))
        batch_op.drop_index(batch_op.f("ix_incentive_statements_pool_id"))
        batch_op.drop_index(batch_op.f("ix_incentive_statements_branch_id"))

    op.drop_table("incentive_statements")
    with op.batch_alter_table("training_attendances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_attendances_staff_id"))
        batch_op.drop_index(batch_op.f("ix_training_attendances_course_id"))
        batch_op.drop_index(batch_op.f("ix_training_attendances_branch_id"))
        batch_op.drop_index(batch_op.f("ix_training_attendances_attended_on"))

    op.drop_table("training_attendances")
    with op.batch_alter_table("staff_kpi_months", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_kpi_months_staff_id"))
        batch_op.drop_index(batch_op.f("ix_staff_kpi_months_month"))
        batch_op.drop_index(batch_op.f("ix_staff_kpi_months_branch_id"))

    op.drop_table("staff_kpi_months")
    with op.batch_alter_table("queue_tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_queue_tickets_staff_id"))
        batch_op.drop_index("ix_queue_tickets_branch_arrived")

    op.drop_table("queue_tickets")
    with op.batch_alter_table("incentive_pools", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incentive_pools_month"))
        batch_op.drop_index(batch_op.f("ix_incentive_pools_branch_id"))

    op.drop_table("incentive_pools")
    with op.batch_alter_table("branch_staffing_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_branch_staffing_plans_branch_id"))

    op.drop_table("branch_staffing_plans")
    op.drop_table("training_courses")
