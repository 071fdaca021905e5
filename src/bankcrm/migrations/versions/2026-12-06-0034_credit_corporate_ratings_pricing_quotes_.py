"""Credit: corporate ratings, pricing quotes, loan pre-qualifications, credit scores, and the
loans' five-category class

Revision ID: 76fbbc79c2c8
Revises: c4ea342264c5
Create Date: 2026-12-06 00:34:32.111881
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "76fbbc79c2c8"
down_revision: str | None = "c4ea342264c5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "corporate_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("factor_points", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column(
            "grade",
            sa.Enum(
                "AAA",
                "AA",
                "A",
                "BBB",
                "BB",
                "B",
                "CCC",
                "CC",
                "C",
                name="credit_grade",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "approved",
                "rejected",
                name="rating_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("prepared_by_id", sa.Integer(), nullable=True),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_corporate_ratings_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["prepared_by_id"],
            ["staff_users.id"],
            name=op.f("fk_corporate_ratings_prepared_by_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["staff_users.id"],
            name=op.f("fk_corporate_ratings_reviewed_by_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corporate_ratings")),
    )
    with op.batch_alter_table("corporate_ratings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_corporate_ratings_customer_status", ["customer_id", "status"], unique=False
        )

    op.create_table(
        "credit_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("scored_on", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("probability_of_default", sa.Float(), nullable=False),
        sa.Column(
            "grade",
            sa.Enum(
                "AAA",
                "AA",
                "A",
                "BBB",
                "BB",
                "B",
                "CCC",
                "CC",
                "C",
                name="credit_grade",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("scorecard", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_credit_scores_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_scores")),
    )
    with op.batch_alter_table("credit_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credit_scores_customer_on", ["customer_id", "scored_on"], unique=False
        )

    op.create_table(
        "loan_prequalifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("checklist_version", sa.String(length=32), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "pass",
                "refer",
                "decline",
                name="prequalification_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("rule_outcomes", sa.JSON(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("debt_to_income", sa.Float(), nullable=True),
        sa.Column("debt_source", sa.String(length=32), nullable=True),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checked_by_id"],
            ["staff_users.id"],
            name=op.f("fk_loan_prequalifications_checked_by_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_loan_prequalifications_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_prequalifications")),
    )
    with op.batch_alter_table("loan_prequalifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_loan_prequalifications_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "pricing_quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column(
            "grade",
            sa.Enum(
                "AAA",
                "AA",
                "A",
                "BBB",
                "BB",
                "B",
                "CCC",
                "CC",
                "C",
                name="credit_grade",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("probability_of_default", sa.Float(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("term_months", sa.SmallInteger(), nullable=False),
        sa.Column("rate", sa.Numeric(precision=9, scale=4), nullable=False),
        sa.Column("floor", sa.Numeric(precision=9, scale=4), nullable=False),
        sa.Column("ceiling", sa.Numeric(precision=9, scale=4), nullable=False),
        sa.Column("base", sa.Numeric(precision=9, scale=4), nullable=False),
        sa.Column("spreads", sa.JSON(), nullable=False),
        sa.Column("discount", sa.Numeric(precision=9, scale=4), nullable=False),
        sa.Column("raroc", sa.Numeric(precision=9, scale=4), nullable=False),
        sa.Column(
            "authority",
            sa.Enum(
                "account_manager",
                "branch_manager",
                "head_office",
                name="pricing_authority",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("rate_table_version", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "agreed",
                "pending_approval",
                "approved",
                "rejected",
                name="quote_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("quoted_by_id", sa.Integer(), nullable=True),
        sa.Column("quoted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_pricing_quotes_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["staff_users.id"],
            name=op.f("fk_pricing_quotes_decided_by_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_pricing_quotes_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["quoted_by_id"],
            ["staff_users.id"],
            name=op.f("fk_pricing_quotes_quoted_by_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pricing_quotes")),
    )
    with op.batch_alter_table("pricing_quotes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pricing_quotes_customer_at", ["customer_id", "quoted_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pricing_quotes_status"), ["status"], unique=False)

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "loan_class",
                sa.Enum(
                    "normal",
                    "special_mention",
                    "substandard",
                    "doubtful",
                    "loss",
                    name="loan_class",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("loan_class")

    with op.batch_alter_table("pricing_quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pricing_quotes_status"))
        batch_op.drop_index("ix_pricing_quotes_customer_at")

    op.drop_table("pricing_quotes")
    with op.batch_alter_table("loan_prequalifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_prequalifications_customer_id"))

    op.drop_table("loan_prequalifications")
    with op.batch_alter_table("credit_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_scores_customer_on")

    op.drop_table("credit_scores")
    with op.batch_alter_table("corporate_ratings", schema=None) as batch_op:
        batch_op.drop_index("ix_corporate_ratings_customer_status")

    op.drop_table("corporate_ratings")
