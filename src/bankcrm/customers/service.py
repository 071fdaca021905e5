"""Customer list and the customer 360 view."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Row
from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.core.config import get_settings
from bankcrm.core.enums import AuditAction, CustomerType, Direction
from bankcrm.core.exceptions import NotFound, ValidationFailed
from bankcrm.core.money import from_cents
from bankcrm.core.pagination import PageParams
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.customers.labels import customer_label
from bankcrm.customers.models import Customer
from bankcrm.customers.repository import CustomerRepository
from bankcrm.customers.schemas import (
    AccountRead,
    AssignmentRead,
    Customer360Read,
    CustomerExport,
    CustomerExportRead,
    CustomerPage,
    CustomerPickRead,
    CustomerProfileRead,
    CustomerRead,
    CustomerSort,
    HoldingRead,
    InteractionRead,
    MonthlyFlowRead,
    NoteRead,
    PersonalDataRead,
    TaskRead,
    TransactionRead,
)
from bankcrm.privacy.fields import CUSTOMER_CONTACT_FIELDS, fingerprint, mask
from bankcrm.staff.models import StaffUser
from bankcrm.tasks import service as tasks_service

RECENT_TRANSACTIONS = 20
RECENT_INTERACTIONS = 20
FLOW_MONTHS = 12
PHONE_DIGITS = re.compile(r"\+?[0-9]{3,}")
"""A search term that can be the start of a phone number (three digits at least)."""
EXPORT_LIMIT = 10_000
"""The most customers one export holds; the workbook says when the list holds more."""
BALANCE_BATCH = 1_000
"""Customers whose deposits one query sums (a bound on the statement's parameters)."""
PICK_MIN_LENGTH = 2
"""The shortest term the picker searches for: one character matches half the bank."""
PICK_MAX_LIMIT = 20
"""The most customers the picker offers at once; typing more narrows them down."""
CUSTOMER_NUMBER = re.compile(r"[Cc]?([0-9]+)")
"""A search term that can be the start of a customer number, with or without its ``C``."""


def list_customers(
    session: Session,
    *,
    user: StaffUser,
    search: str | None = None,
    customer_type: CustomerType | None = None,
    branch_id: int | None = None,
    manager_id: int | None = None,
    sort: CustomerSort = CustomerSort.NAME,
    descending: bool = False,
    page: int = 1,
    page_size: int = 25,
) -> CustomerPage:
    """A page of the customers the viewer may see, in the order of ``sort``.

    The search matches the mobile number only for roles that see it unmasked, so nobody can
    rebuild the digits a mask hides one guess at a time; such a search is a read of personal
    data and is recorded, with the searched number as a fingerprint."""
    params = PageParams(page=page, page_size=page_size)
    repository = CustomerRepository(session, user)
    rows, total = _search(
        session,
        repository,
        user=user,
        search=search,
        customer_type=customer_type,
        branch_id=branch_id,
        manager_id=manager_id,
        sort=sort,
        descending=descending,
        offset=params.offset,
        limit=params.page_size,
    )
    balances = repository.deposit_balances([customer.id for customer, _, _ in rows])
    items = [_listed(customer, branch, manager, balances) for customer, branch, manager in rows]
    return CustomerPage(items=items, total=total, page=params.page, page_size=params.page_size)


def export_customers(
    session: Session,
    *,
    user: StaffUser,
    search: str | None = None,
    customer_type: CustomerType | None = None,
    branch_id: int | None = None,
    manager_id: int | None = None,
    sort: CustomerSort = CustomerSort.NAME,
    descending: bool = False,
) -> CustomerExport:
    """The list with the same search, filters and order, up to ``EXPORT_LIMIT`` rows, for its
    workbook. The export is recorded in the audit trail with its filters and the customers it
    holds: it is a file of customers' names leaving the application."""
    repository = CustomerRepository(session, user)
    rows, total = _search(
        session,
        repository,
        user=user,
        search=search,
        customer_type=customer_type,
        branch_id=branch_id,
        manager_id=manager_id,
        sort=sort,
        descending=descending,
        offset=0,
        limit=EXPORT_LIMIT,
    )
    ids = [customer.id for customer, _, _ in rows]
    balances: dict[int, int] = {}
    for start in range(0, len(ids), BALANCE_BATCH):
        balances |= repository.deposit_balances(ids[start : start + BALANCE_BATCH])
    items = [
        CustomerExportRead(
            **_listed(customer, branch, manager, balances).model_dump(),
            onboarded_on=customer.onboarded_on,
        )
        for customer, branch, manager in rows
    ]
    audit_recorder.record(
        session,
        action=AuditAction.EXPORT,
        entity="customers",
        after={
            "format": "xlsx",
            "searched": bool(search and search.strip()),
            "customer_type": customer_type.value if customer_type else None,
            "branch_id": branch_id,
            "manager_id": manager_id,
            "sort": f"-{sort.value}" if descending else sort.value,
            "total": total,
            "customers": ids,
        },
    )
    return CustomerExport(items=items, total=total)


def _search(
    session: Session,
    repository: CustomerRepository,
    *,
    user: StaffUser,
    search: str | None,
    customer_type: CustomerType | None,
    branch_id: int | None,
    manager_id: int | None,
    sort: CustomerSort,
    descending: bool,
    offset: int,
    limit: int,
) -> tuple[list[Row[Customer, str, str]], int]:
    """The list's rows from ``offset``; a search by phone is recorded as a personal read."""
    text = search.strip() if search and search.strip() else None
    match_mobile = (
        text is not None
        and PHONE_DIGITS.fullmatch(text) is not None
        and has_permission(user.role, Permission.PERSONAL_DATA_VIEW)
    )
    rows, total = repository.search(
        text=text,
        match_mobile=match_mobile,
        customer_type=customer_type,
        branch_id=branch_id,
        manager_id=manager_id,
        sort=sort,
        descending=descending,
        offset=offset,
        limit=limit,
    )
    if match_mobile and text is not None:
        _record_personal_search(session, text, [customer.id for customer, _, _ in rows])
    return rows, total


def _listed(
    customer: Customer, branch_name: str, manager_name: str | None, balances: dict[int, int]
) -> CustomerRead:
    return CustomerRead(
        id=customer.id,
        external_id=customer.external_id,
        customer_type=customer.customer_type,
        status=customer.status,
        name=customer.name,
        risk_level=customer.risk_level,
        credit_grade=customer.credit_grade,
        branch_id=customer.branch_id,
        branch_name=branch_name,
        manager_id=customer.manager_id,
        manager_name=manager_name,
        # the list is for finding; the full number is on the customer 360, where reading it
        # is recorded
        mobile_phone=mask("mobile_phone", customer.mobile_phone),
        deposit_balance=from_cents(balances.get(customer.id, 0)),
    )


def pick_customers(
    session: Session, *, user: StaffUser, search: str, limit: int = 10
) -> list[CustomerPickRead]:
    """A few of the customers the viewer may see, for the picker of a form.

    The term matches anywhere in the name, the start of the customer number (with or without
    its ``C``) and the mobile number: its start for roles that see it unmasked, otherwise only
    the whole number, so that nobody rebuilds the digits a mask hides one guess at a time.
    A search by phone is a read of personal data and is recorded, as on the customer list."""
    text = search.strip()
    if len(text) < PICK_MIN_LENGTH:
        raise ValidationFailed(
            f"type at least {PICK_MIN_LENGTH} characters of a name, number or phone",
            field="q",
        )
    if not 1 <= limit <= PICK_MAX_LIMIT:
        raise ValidationFailed(f"limit must be between 1 and {PICK_MAX_LIMIT}", field="limit")
    number_match = CUSTOMER_NUMBER.fullmatch(text)
    phone_like = PHONE_DIGITS.fullmatch(text) is not None
    rows = CustomerRepository(session, user).find(
        text=text,
        number="C" + number_match.group(1) if number_match else None,
        match_mobile=phone_like and has_permission(user.role, Permission.PERSONAL_DATA_VIEW),
        limit=limit,
    )
    if phone_like:
        _record_personal_search(session, text, [customer.id for customer, _ in rows])
    return [
        CustomerPickRead(
            id=customer.id,
            customer_number=customer.external_id,
            name=customer.name,
            label=customer_label(customer.name, customer.external_id),
            branch_name=branch_name,
            mobile_phone=mask("mobile_phone", customer.mobile_phone),
        )
        for customer, branch_name in rows
    ]


def customer_labels(
    session: Session, *, user: StaffUser, customer_ids: list[int]
) -> dict[int, str]:
    """``王芳 (C000014388)`` for each of ``customer_ids`` the viewer may see, for reports that
    list customers; one the viewer may not see is left out."""
    rows = CustomerRepository(session, user).names(sorted(set(customer_ids)))
    return {customer_id: customer_label(name, number) for customer_id, name, number in rows}


def picked_customer(session: Session, *, user: StaffUser, customer_id: int | None) -> str:
    """The label of the customer a form was given, to show it again when the form comes back
    refused; empty for none, or for a customer the viewer may not see."""
    if customer_id is None:
        return ""
    customer = CustomerRepository(session, user).get(customer_id)
    return customer_label(customer.name, customer.external_id) if customer else ""


def get_customer_360(
    session: Session, *, user: StaffUser, customer_id: int, locale: str | None = None
) -> Customer360Read:
    """Everything about one customer the viewer may see; outside the viewer's scope: NotFound."""
    repository = CustomerRepository(session, user)
    found = repository.get_with_names(customer_id)
    if found is None:
        raise NotFound(f"no customer {customer_id}")
    customer, branch_name, manager_name = found
    sees_personal_data = has_permission(user.role, Permission.PERSONAL_DATA_VIEW)
    profile = CustomerProfileRead.model_validate(
        {
            **{
                key: getattr(customer, key)
                for key in CustomerProfileRead.model_fields
                if hasattr(customer, key)
            },
            "other_banks_assets": _optional_yuan(customer.other_banks_assets_cents),
            "registered_capital": _optional_yuan(customer.registered_capital_cents),
        }
    )
    if sees_personal_data:
        _record_personal_read(session, customer, AuditAction.READ_PERSONAL, reason=None)
    else:
        profile = profile.model_copy(
            update={
                field: mask(field, getattr(profile, field)) for field in CUSTOMER_CONTACT_FIELDS
            }
        )
    accounts = [
        AccountRead(
            id=account.id,
            external_id=account.external_id,
            product_name_zh=product.name_zh,
            product_name_en=product.name_en,
            category=product.category,
            product_risk=product.product_risk,
            status=account.status,
            currency=account.currency,
            opened_on=account.opened_on,
            closed_on=account.closed_on,
            balance=from_cents(account.balance_cents),
        )
        for account, product in repository.accounts(customer_id)
    ]
    holdings = [
        HoldingRead(
            id=holding.id,
            external_id=holding.external_id,
            product_name_zh=product.name_zh,
            product_name_en=product.name_en,
            category=product.category,
            product_risk=product.product_risk,
            amount=from_cents(holding.amount_cents),
            started_on=holding.started_on,
            ended_on=holding.ended_on,
        )
        for holding, product in repository.holdings(customer_id)
    ]
    transactions = [
        TransactionRead(
            id=transaction.id,
            external_id=transaction.external_id,
            account_external_id=account_external_id,
            booked_at=transaction.booked_at,
            amount=from_cents(transaction.amount_cents),
            direction=transaction.direction,
            channel=transaction.channel,
            kind=transaction.kind,
            description=transaction.description,
        )
        for transaction, account_external_id in repository.recent_transactions(
            customer_id, limit=RECENT_TRANSACTIONS
        )
    ]
    deposit_cents = repository.deposit_balances([customer_id]).get(customer_id, 0)
    return Customer360Read(
        profile=profile,
        personal_data_masked=not sees_personal_data,
        branch_name=branch_name,
        manager_id=customer.manager_id,
        manager_name=manager_name,
        deposit_balance=from_cents(deposit_cents),
        accounts=accounts,
        holdings=holdings,
        recent_transactions=transactions,
        monthly_flows=_monthly_flows(repository, customer_id, transactions),
        interactions=[
            InteractionRead(
                id=interaction.id,
                kind=interaction.kind,
                occurred_at=interaction.occurred_at,
                subject=interaction.subject,
                outcome=interaction.outcome,
                staff_name=staff_name,
            )
            for interaction, staff_name in repository.interactions(
                customer_id, limit=RECENT_INTERACTIONS
            )
        ],
        open_tasks=[
            TaskRead(
                id=task.id,
                kind=task.kind,
                title=tasks_service.title_in(task.title, task.title_params, locale),
                status=task.status,
                priority=task.priority,
                due_on=task.due_on,
                assignee_name=assignee_name,
            )
            for task, assignee_name in repository.open_tasks(customer_id)
        ],
        assignments=[
            AssignmentRead(
                manager_id=assignment.manager_id,
                manager_name=name,
                started_on=assignment.started_on,
                ended_on=assignment.ended_on,
                reason=assignment.reason,
            )
            for assignment, name in repository.assignments(customer_id)
        ],
        notes=[
            NoteRead(id=note.id, body=note.body, author_name=author, created_at=note.created_at)
            for note, author in repository.notes(customer_id)
        ],
    )


def reveal_personal_data(
    session: Session, *, user: StaffUser, customer_id: int, reason: str
) -> PersonalDataRead:
    """One customer's contact data unmasked for a role that sees it masked; the reason is
    recorded with the read."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("say why the personal data is needed", field="reason")
    customer = CustomerRepository(session, user).get(customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}")
    _record_personal_read(session, customer, AuditAction.REVEAL, reason=reason)
    return PersonalDataRead.model_validate(
        {field: getattr(customer, field) for field in PersonalDataRead.model_fields}
    )


def _record_personal_read(
    session: Session, customer: Customer, action: AuditAction, *, reason: str | None
) -> None:
    audit_recorder.record(
        session,
        action=action,
        entity="customers",
        entity_id=customer.id,
        customer_id=customer.id,
        reason=reason,
        after={"fields": list(CUSTOMER_CONTACT_FIELDS)},
    )


def _record_personal_search(session: Session, text: str, shown: list[int]) -> None:
    audit_recorder.record(
        session,
        action=AuditAction.READ_PERSONAL,
        entity="customers",
        after={
            "searched": "mobile_phone",
            "term": fingerprint(text, get_settings().secret_key.encode()),
            "shown": shown,
        },
    )


def _optional_yuan(cents: int | None) -> Decimal | None:
    return None if cents is None else from_cents(cents)


def _monthly_flows(
    repository: CustomerRepository, customer_id: int, recent: list[TransactionRead]
) -> list[MonthlyFlowRead]:
    """In- and outflow per calendar month over the year before the latest transaction."""
    if not recent:
        return []
    latest = recent[0].booked_at
    if latest.tzinfo is None:
        latest = latest.replace(tzinfo=UTC)
    start = (latest - timedelta(days=366)).replace(day=1, hour=0, minute=0, second=0)
    inflow: dict[str, int] = defaultdict(int)
    outflow: dict[str, int] = defaultdict(int)
    for booked_at, amount_cents, direction in repository.transactions_since(customer_id, start):
        month = booked_at.strftime("%Y-%m")
        if direction is Direction.CREDIT:
            inflow[month] += amount_cents
        else:
            outflow[month] += amount_cents
    months = _month_labels(start, latest)
    return [
        MonthlyFlowRead(
            month=month, inflow=from_cents(inflow[month]), outflow=from_cents(outflow[month])
        )
        for month in months
    ]


def _month_labels(start: datetime, end: datetime) -> list[str]:
    labels = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels
