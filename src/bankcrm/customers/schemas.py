from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from bankcrm.core.db import STORABLE_TEXT, UtcDatetime
from bankcrm.core.enums import (
    AccountStatus,
    CreditGrade,
    CustomerStatus,
    CustomerType,
    Direction,
    InteractionKind,
    ProductCategory,
    ProductRisk,
    RiskLevel,
    TaskPriority,
    TaskStatus,
    TransactionChannel,
)
from bankcrm.core.inputs import Input, Text
from bankcrm.core.pagination import Page


class CustomerBase(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    external_id: str
    customer_type: CustomerType
    status: CustomerStatus
    name: str
    risk_level: RiskLevel | None = None
    credit_grade: CreditGrade | None = None


class CustomerRead(CustomerBase):
    id: int
    branch_id: int
    branch_name: str
    manager_id: int | None
    manager_name: str | None
    mobile_phone: str | None = None
    deposit_balance: Decimal
    """Deposit and settlement accounts that are not closed; loans and cards excluded."""


class CustomerPage(Page[CustomerRead]):
    pass


class CustomerSort(StrEnum):
    """The columns the customer list sorts by (``-`` before one in the query: descending)."""

    NUMBER = "number"
    NAME = "name"
    TYPE = "type"
    BRANCH = "branch"
    MANAGER = "manager"
    DEPOSITS = "deposits"


DEFAULT_CUSTOMER_SORT = CustomerSort.NAME.value


class CustomerExportRead(CustomerRead):
    onboarded_on: date | None


class CustomerExport(BaseModel):
    """The rows of the list's export, in the list's order, and how many the list holds."""

    items: list[CustomerExportRead]
    total: int


class CustomerPickRead(BaseModel):
    """One customer offered by the search-as-you-type picker of a form."""

    id: int
    customer_number: str
    name: str
    label: str
    """As forms and reports name a customer: ``王芳 (C000014388)``."""
    branch_name: str
    mobile_phone: str | None
    """Masked, as the customer list shows it."""


class CustomerProfileRead(CustomerBase):
    id: int
    nickname: str | None
    id_number: str | None
    gender: str | None
    birth_date: date | None
    primary_address: str | None
    secondary_address: str | None
    mobile_phone: str | None
    office_phone: str | None
    fax: str | None
    email: str | None
    best_visit_time: str | None
    income_level: str | None
    occupation: str | None
    interests: str | None
    communication_style: str | None
    decision_pattern: str | None
    product_knowledge: str | None
    preferences: str | None
    other_banks: str | None
    other_banks_assets: Decimal | None
    decision_maker: str | None
    industry: str | None
    ownership: str | None
    company_size: str | None
    development_stage: str | None
    registered_capital: Decimal | None
    onboarded_on: date | None
    version: int


class PersonalDataRead(BaseModel):
    """The contact fields a role sees masked, unmasked by an audited reveal."""

    id: int
    name: str
    id_number: str | None
    birth_date: date | None
    primary_address: str | None
    secondary_address: str | None
    mobile_phone: str | None
    office_phone: str | None
    fax: str | None
    email: str | None


class RevealCreate(Input):
    reason: Text = Field(min_length=1, max_length=300, pattern=STORABLE_TEXT)
    """Why the personal data is needed (a callback, an identity check); kept in the audit."""


class AccountRead(BaseModel):
    id: int
    external_id: str
    product_name_zh: str
    product_name_en: str
    category: ProductCategory
    product_risk: ProductRisk
    status: AccountStatus
    currency: str
    opened_on: date
    closed_on: date | None
    balance: Decimal


class HoldingRead(BaseModel):
    id: int
    external_id: str
    product_name_zh: str
    product_name_en: str
    category: ProductCategory
    product_risk: ProductRisk
    amount: Decimal
    started_on: date
    ended_on: date | None


class TransactionRead(BaseModel):
    id: int
    external_id: str
    account_external_id: str
    booked_at: UtcDatetime
    amount: Decimal
    direction: Direction
    channel: TransactionChannel
    kind: str
    description: str | None


class InteractionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: InteractionKind
    occurred_at: UtcDatetime
    subject: str | None
    outcome: str | None
    staff_name: str | None


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    title: str
    status: TaskStatus
    priority: TaskPriority
    due_on: date | None
    assignee_name: str | None


class AssignmentRead(BaseModel):
    manager_id: int
    manager_name: str
    started_on: date
    ended_on: date | None
    reason: str | None


class NoteRead(BaseModel):
    id: int
    body: str
    author_name: str | None
    created_at: UtcDatetime


class MonthlyFlowRead(BaseModel):
    month: str
    inflow: Decimal
    outflow: Decimal


class Customer360Read(BaseModel):
    profile: CustomerProfileRead
    personal_data_masked: bool
    """Contact fields are masked for roles without ``personal_data:view``."""
    branch_name: str
    manager_id: int | None
    manager_name: str | None
    deposit_balance: Decimal
    """Deposit and settlement accounts that are not closed; loans and cards excluded."""
    accounts: list[AccountRead]
    holdings: list[HoldingRead]
    recent_transactions: list[TransactionRead]
    monthly_flows: list[MonthlyFlowRead]
    interactions: list[InteractionRead]
    open_tasks: list[TaskRead]
    assignments: list[AssignmentRead]
    notes: list[NoteRead]
