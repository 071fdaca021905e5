"""Each customer's deposits kept on the customer, by the store's own triggers

The customer list sorts by deposits; summing every customer's accounts for each page cost
seconds at a million customers. The total is kept by triggers, so every write of an
account or a product's category, whichever path makes it, keeps it right.

Revision ID: d1e2f3a4b5c6
Revises: c9d0e1f2a3b4
Create Date: 2026-12-07 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d1e2f3a4b5c6"
down_revision: str | None = "c9d0e1f2a3b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _total_of(customer: str) -> str:
    """The deposits of ``customer`` (an SQL expression of its id): cents in deposit and
    settlement accounts that are not closed."""
    return f"""(SELECT COALESCE(SUM(a.balance_cents), 0) FROM accounts a
        JOIN products p ON p.id = a.product_id
        WHERE a.customer_id = {customer} AND a.status <> 'closed'
        AND p.category IN ('deposit', 'payment'))"""


def _refresh(customers: str) -> str:
    total = _total_of("customers.id")
    return f"UPDATE customers SET deposit_cents = {total} WHERE id IN ({customers})"


SQLITE_TRIGGERS = {
    "accounts_deposits_insert": f"""AFTER INSERT ON accounts BEGIN
        {_refresh("NEW.customer_id")}; END""",
    "accounts_deposits_delete": f"""AFTER DELETE ON accounts BEGIN
        {_refresh("OLD.customer_id")}; END""",
    "accounts_deposits_update": f"""AFTER UPDATE OF balance_cents, status, product_id,
        customer_id ON accounts BEGIN
        {_refresh("OLD.customer_id, NEW.customer_id")}; END""",
    "products_deposits_category": f"""AFTER UPDATE OF category ON products BEGIN
        {_refresh("SELECT customer_id FROM accounts WHERE product_id = NEW.id")}; END""",
}

RECATEGORISED = """SELECT accounts.customer_id FROM accounts
    JOIN changed_after c ON c.id = accounts.product_id JOIN changed_before b ON b.id = c.id
    WHERE b.category IS DISTINCT FROM c.category"""
"""The holders of products whose category changed (a product renamed changes no deposits)."""
MOVED = "SELECT customer_id FROM changed_before UNION SELECT customer_id FROM changed_after"
"""The customers of accounts updated: an account may have moved from one to another."""

# One statement-level trigger per event: a load of many accounts refreshes each customer it
# touched once, in one statement, instead of once per row.
POSTGRES_FUNCTION = f"""CREATE FUNCTION customers_refresh_deposits() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {_refresh("SELECT customer_id FROM changed_after")};
        ELSIF TG_OP = 'DELETE' THEN
            {_refresh("SELECT customer_id FROM changed_before")};
        ELSIF TG_TABLE_NAME = 'products' THEN
            {_refresh(RECATEGORISED)};
        ELSE
            {_refresh(MOVED)};
        END IF;
        RETURN NULL;
    END $$"""
POSTGRES_TRIGGERS = {
    "accounts_deposits_insert": "AFTER INSERT ON accounts REFERENCING NEW TABLE AS changed_after",
    "accounts_deposits_delete": "AFTER DELETE ON accounts REFERENCING OLD TABLE AS changed_before",
    "accounts_deposits_update": "AFTER UPDATE ON accounts "
    "REFERENCING OLD TABLE AS changed_before NEW TABLE AS changed_after",
    "products_deposits_category": "AFTER UPDATE ON products "
    "REFERENCING OLD TABLE AS changed_before NEW TABLE AS changed_after",
}


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("deposit_cents", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.create_index("ix_customers_deposit_cents", ["deposit_cents", "id"], unique=False)
    op.execute(_refresh("SELECT customer_id FROM accounts"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for name, definition in POSTGRES_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} {definition} "
                "FOR EACH STATEMENT EXECUTE FUNCTION customers_refresh_deposits()"
            )
    else:
        for name, definition in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {definition}")


TRIGGERED_TABLES = {
    "accounts_deposits_insert": "accounts",
    "accounts_deposits_delete": "accounts",
    "accounts_deposits_update": "accounts",
    "products_deposits_category": "products",
}
"""The table each trigger is on: PostgreSQL drops a trigger by its name and table."""


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table in TRIGGERED_TABLES.items():
        op.execute(f"DROP TRIGGER {name} ON {table}" if postgres else f"DROP TRIGGER {name}")
    if postgres:
        op.execute("DROP FUNCTION customers_refresh_deposits()")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_deposit_cents")
        batch_op.drop_column("deposit_cents")
