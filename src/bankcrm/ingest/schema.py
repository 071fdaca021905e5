"""The documented import format: one file per table, its columns, types and keys.

Every file has an ``id`` column holding the record's external id (the key for upserts);
every other ``*_id`` column holds the external id of the record it refers to. Money
columns are yuan with at most two decimals and are stored as integer cents.
``docs/data-schema.md`` is generated from this module (``bankcrm import --schema``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bankcrm.core.enums import (
    AccountPartyRole,
    AccountStatus,
    ComplaintChannel,
    ComplaintStatus,
    CreditGrade,
    CustomerConfirmation,
    CustomerStatus,
    CustomerType,
    Direction,
    InteractionKind,
    LoanClass,
    ProductCategory,
    ProductRisk,
    RiskLevel,
    Role,
    Severity,
    SurveyKind,
    TransactionChannel,
)


class ColumnType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    ENUM = "enum"
    JSON = "json"


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: ColumnType
    required: bool = False
    description: str = ""
    values: tuple[str, ...] = ()
    references: str | None = None
    """Name of the table whose ``id`` this column holds."""
    target: str | None = None
    """Attribute on the model when it differs from ``name`` (money ``x`` → ``x_cents``)."""

    @property
    def model_attribute(self) -> str:
        if self.target:
            return self.target
        if self.type is ColumnType.MONEY:
            return f"{self.name}_cents"
        return self.name


@dataclass(frozen=True)
class TableSpec:
    name: str
    description: str
    columns: tuple[ColumnSpec, ...]
    required_file: bool = False
    streamed: bool = False
    """Large tables (transactions) are read and written in chunks."""
    extra_notes: tuple[str, ...] = field(default_factory=tuple)

    def column(self, name: str) -> ColumnSpec:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def _enum(
    name: str, enum_class: type[StrEnum], *, required: bool = False, doc: str = ""
) -> ColumnSpec:
    return ColumnSpec(
        name,
        ColumnType.ENUM,
        required=required,
        description=doc,
        values=tuple(member.value for member in enum_class),
    )


def _id(doc: str) -> ColumnSpec:
    return ColumnSpec("id", ColumnType.TEXT, required=True, description=doc, target="external_id")


def _ref(name: str, table: str, *, required: bool = False, doc: str = "") -> ColumnSpec:
    return ColumnSpec(name, ColumnType.TEXT, required=required, description=doc, references=table)


T = ColumnType

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "branches",
        "Branches (网点) of the bank.",
        (
            _id("Branch code."),
            ColumnSpec("name", T.TEXT, required=True),
            ColumnSpec("city", T.TEXT),
            ColumnSpec("region", T.TEXT),
            ColumnSpec("address", T.TEXT),
            ColumnSpec("counters", T.INTEGER, description="Counters (柜台窗口) the branch has."),
        ),
        required_file=True,
    ),
    TableSpec(
        "staff",
        "Staff users. Imported users have no password until `bankcrm users create` sets one.",
        (
            _id("Staff number."),
            ColumnSpec("username", T.TEXT, required=True),
            ColumnSpec("full_name", T.TEXT, required=True),
            _enum("role", Role, required=True),
            _ref("branch_id", "branches"),
            ColumnSpec("email", T.TEXT),
            ColumnSpec("phone", T.TEXT),
        ),
    ),
    TableSpec(
        "products",
        "The product catalogue with risk levels and FAB talking points in Chinese and English.",
        (
            _id("Product code."),
            ColumnSpec("name_zh", T.TEXT, required=True),
            ColumnSpec("name_en", T.TEXT, required=True),
            _enum("category", ProductCategory, required=True),
            _enum("product_risk", ProductRisk, required=True),
            ColumnSpec("term_months", T.INTEGER),
            ColumnSpec("min_amount", T.MONEY),
            ColumnSpec("annual_rate_bp", T.INTEGER, description="Rate in basis points."),
            ColumnSpec("fab_feature_zh", T.TEXT),
            ColumnSpec("fab_feature_en", T.TEXT),
            ColumnSpec("fab_advantage_zh", T.TEXT),
            ColumnSpec("fab_advantage_en", T.TEXT),
            ColumnSpec("fab_benefit_zh", T.TEXT),
            ColumnSpec("fab_benefit_en", T.TEXT),
        ),
    ),
    TableSpec(
        "customers",
        "Individual and corporate customers with the account-manager file's profile fields.",
        (
            _id("Customer number (客户号)."),
            _enum("customer_type", CustomerType, required=True),
            _enum("status", CustomerStatus),
            ColumnSpec("name", T.TEXT, required=True),
            ColumnSpec("nickname", T.TEXT),
            ColumnSpec(
                "id_number", T.TEXT, description="Resident ID or unified social credit code."
            ),
            ColumnSpec("gender", T.TEXT),
            ColumnSpec("birth_date", T.DATE),
            ColumnSpec("primary_address", T.TEXT),
            ColumnSpec("secondary_address", T.TEXT),
            ColumnSpec("mobile_phone", T.TEXT),
            ColumnSpec("office_phone", T.TEXT),
            ColumnSpec("fax", T.TEXT),
            ColumnSpec("email", T.TEXT),
            ColumnSpec("best_visit_time", T.TEXT),
            ColumnSpec("income_level", T.TEXT),
            ColumnSpec("occupation", T.TEXT),
            ColumnSpec("interests", T.TEXT),
            ColumnSpec("communication_style", T.TEXT),
            ColumnSpec("decision_pattern", T.TEXT),
            ColumnSpec("product_knowledge", T.TEXT),
            ColumnSpec("preferences", T.TEXT),
            ColumnSpec("other_banks", T.TEXT, description="Other banks the customer uses."),
            ColumnSpec(
                "other_banks_assets",
                T.MONEY,
                description="Estimated assets at other banks (for share of wallet).",
            ),
            _enum("risk_level", RiskLevel),
            _enum("credit_grade", CreditGrade),
            ColumnSpec("decision_maker", T.TEXT, description="Corporate: who decides."),
            ColumnSpec("industry", T.TEXT),
            ColumnSpec("ownership", T.TEXT),
            ColumnSpec("company_size", T.TEXT),
            ColumnSpec("development_stage", T.TEXT),
            ColumnSpec("registered_capital", T.MONEY),
            _ref("branch_id", "branches", required=True),
            _ref("manager_id", "staff", doc="Current account manager."),
            ColumnSpec("onboarded_on", T.DATE),
        ),
        required_file=True,
    ),
    TableSpec(
        "manager_assignments",
        "Account-manager assignment history; the row without `ended_on` is the current one.",
        (
            _id("Assignment id."),
            _ref("customer_id", "customers", required=True),
            _ref("manager_id", "staff", required=True),
            ColumnSpec("started_on", T.DATE, required=True),
            ColumnSpec("ended_on", T.DATE),
            ColumnSpec("reason", T.TEXT),
        ),
    ),
    TableSpec(
        "accounts",
        "Accounts from the core banking system.",
        (
            _id("Account number."),
            _ref("customer_id", "customers", required=True),
            _ref("product_id", "products", required=True),
            _ref("branch_id", "branches", required=True),
            ColumnSpec("currency", T.TEXT),
            _enum("status", AccountStatus),
            ColumnSpec("opened_on", T.DATE, required=True),
            ColumnSpec("closed_on", T.DATE),
            ColumnSpec("balance", T.MONEY, required=True),
            ColumnSpec("credit_limit", T.MONEY),
            _enum("loan_class", LoanClass),
        ),
    ),
    TableSpec(
        "account_parties",
        "Who has rights on an account besides its owner (joint holders, authorised persons).",
        (
            _id("Party id."),
            _ref("account_id", "accounts", required=True),
            _ref("customer_id", "customers", required=True),
            _enum("role", AccountPartyRole, required=True),
        ),
    ),
    TableSpec(
        "standing_orders",
        "Permanent payment orders on accounts (insurance, household bills, loan, leasing).",
        (
            _id("Order id."),
            _ref("account_id", "accounts", required=True),
            ColumnSpec("amount", T.MONEY, required=True),
            ColumnSpec("purpose", T.TEXT),
            ColumnSpec("counterparty_bank", T.TEXT),
            ColumnSpec("counterparty_account", T.TEXT),
        ),
    ),
    TableSpec(
        "holdings",
        "Positions in wealth, fund and insurance products.",
        (
            _id("Holding id."),
            _ref("customer_id", "customers", required=True),
            _ref("product_id", "products", required=True),
            ColumnSpec("amount", T.MONEY, required=True),
            ColumnSpec("started_on", T.DATE, required=True),
            ColumnSpec("ended_on", T.DATE),
        ),
    ),
    TableSpec(
        "transactions",
        "Booked transactions. Amounts are positive; `direction` gives the sign.",
        (
            _id("Transaction id."),
            _ref("account_id", "accounts", required=True),
            ColumnSpec("booked_at", T.DATETIME, required=True),
            ColumnSpec("amount", T.MONEY, required=True),
            _enum("direction", Direction, required=True),
            _enum("channel", TransactionChannel, required=True),
            ColumnSpec("kind", T.TEXT, required=True),
            ColumnSpec(
                "customer_initiated",
                T.BOOLEAN,
                description="False for interest, fees and other system postings.",
            ),
            ColumnSpec("balance_after", T.MONEY),
            ColumnSpec("counterparty_bank", T.TEXT),
            ColumnSpec("description", T.TEXT),
        ),
        streamed=True,
        extra_notes=("`customer_id` is taken from the account.",),
    ),
    TableSpec(
        "interactions",
        "Contacts with customers: visits, calls, messages.",
        (
            _id("Interaction id."),
            _ref("customer_id", "customers", required=True),
            _ref("staff_id", "staff"),
            _enum("kind", InteractionKind, required=True),
            ColumnSpec("occurred_at", T.DATETIME, required=True),
            ColumnSpec("subject", T.TEXT),
            ColumnSpec("outcome", T.TEXT),
            ColumnSpec("notes", T.TEXT),
        ),
    ),
    TableSpec(
        "complaints",
        "Complaint cases, from intake to closure. Product lines, issues and root causes are "
        "codes of the complaint taxonomy (`[complaints] taxonomy`); codes it does not know "
        "are kept as they are.",
        (
            _id("Case number."),
            _ref("customer_id", "customers"),
            _ref("branch_id", "branches"),
            _ref("product_id", "products"),
            _ref("owner_id", "staff", doc="The officer handling the case."),
            _enum("channel", ComplaintChannel, required=True),
            ColumnSpec(
                "product_line",
                T.TEXT,
                description="Product-line code (`credit_card`, `mortgage`, ...); `other` "
                "when empty.",
            ),
            ColumnSpec(
                "issue",
                T.TEXT,
                required=True,
                description="Issue code (`waiting_time`, `fees_and_interest`, ...).",
            ),
            _enum("severity", Severity, required=True),
            ColumnSpec("text", T.TEXT, required=True, description="The complaint as received."),
            _enum("status", ComplaintStatus),
            ColumnSpec("received_at", T.DATETIME, required=True),
            ColumnSpec(
                "deadline_at",
                T.DATETIME,
                required=True,
                description="When the reply is due (by default 15 days after receipt, 30 once "
                "extended).",
            ),
            ColumnSpec("extended_at", T.DATETIME, description="When the deadline was extended."),
            ColumnSpec("extension_reason", T.TEXT, description="Why it was extended."),
            ColumnSpec(
                "first_replied_at",
                T.DATETIME,
                description="The first reply; timeliness is judged on it.",
            ),
            ColumnSpec(
                "replied_at", T.DATETIME, description="The latest reply (after a reopening)."
            ),
            ColumnSpec("reply", T.TEXT, description="The reply sent to the customer."),
            _enum(
                "confirmation",
                CustomerConfirmation,
                doc="The customer's answer to the reply, recorded at closure.",
            ),
            ColumnSpec("closed_at", T.DATETIME),
            ColumnSpec("escalated_at", T.DATETIME, description="When the case was escalated."),
            ColumnSpec(
                "reopen_count",
                T.INTEGER,
                description="How often the case was reopened; 0 when empty.",
            ),
            ColumnSpec(
                "root_cause",
                T.TEXT,
                description="Root-cause code found by the investigation (`staff_error`, "
                "`overpromised`, ...).",
            ),
        ),
    ),
    TableSpec(
        "survey_responses",
        'Survey answers: SERVQUAL (answers as JSON `{"E1": 6, ..., "P22": 5}`), CSAT, NPS.',
        (
            _id("Response id."),
            _enum("kind", SurveyKind, required=True),
            ColumnSpec("wave", T.TEXT),
            _ref("customer_id", "customers"),
            _ref("branch_id", "branches"),
            ColumnSpec("answered_on", T.DATE, required=True),
            ColumnSpec("score", T.INTEGER, description="CSAT 1–5 or NPS 0–10."),
            ColumnSpec("answers", T.JSON),
        ),
    ),
)

TABLES_BY_NAME: dict[str, TableSpec] = {table.name: table for table in TABLES}
