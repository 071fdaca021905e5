"""Test data: small functions that add one realistic row each and return it."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from bankcrm.accounts.models import Account, Holding, Transaction
from bankcrm.branches.models import Branch
from bankcrm.core.db import make_engine
from bankcrm.core.enums import (
    CustomerType,
    Direction,
    InteractionKind,
    ProductCategory,
    ProductRisk,
    Role,
    SessionKind,
    TransactionChannel,
)
from bankcrm.core.security import create_access_token
from bankcrm.customers.models import Customer, Interaction, ManagerAssignment
from bankcrm.products.models import Product
from bankcrm.staff import service as staff_service
from bankcrm.staff.models import StaffUser
from bankcrm.staff.training.models import StaffCertificate

PASSWORD = "correct-horse-9"
_sequence = itertools.count(1)


def _next() -> int:
    return next(_sequence)


def branch(session: Session, *, name: str = "上海分行营业部") -> Branch:
    number = _next()
    row = Branch(external_id=f"BR{number:03d}", name=f"{name}{number}", city="上海", counters=4)
    session.add(row)
    session.flush()
    return row


def staff(
    session: Session, *, role: Role, branch_id: int | None = None, username: str | None = None
) -> StaffUser:
    number = _next()
    return staff_service.create_user(
        session,
        username=username or f"{role.value}_{number}",
        full_name=f"员工{number}",
        role=role,
        password=PASSWORD,
        branch_id=branch_id,
    )


def customer(
    session: Session,
    *,
    branch_id: int,
    manager_id: int | None,
    name: str | None = None,
    customer_type: CustomerType = CustomerType.INDIVIDUAL,
) -> Customer:
    number = _next()
    row = Customer(
        external_id=f"C{number:08d}",
        customer_type=customer_type,
        name=name or f"客户{number:04d}",
        mobile_phone=f"139{number:08d}",
        branch_id=branch_id,
        manager_id=manager_id,
        onboarded_on=date(2024, 1, 15),
    )
    session.add(row)
    session.flush()
    if manager_id is not None:
        session.add(
            ManagerAssignment(
                external_id=f"MA{number}",
                customer_id=row.id,
                manager_id=manager_id,
                started_on=date(2024, 1, 15),
            )
        )
    return row


def product(
    session: Session,
    *,
    category: ProductCategory = ProductCategory.DEPOSIT,
    risk: ProductRisk = ProductRisk.R1,
) -> Product:
    number = _next()
    row = Product(
        external_id=f"P{number:03d}",
        name_zh=f"三年定期存款{number}",
        name_en=f"Three-year time deposit {number}",
        category=category,
        product_risk=risk,
    )
    session.add(row)
    session.flush()
    return row


def account(
    session: Session, *, customer: Customer, product_id: int, balance_cents: int = 1_234_56
) -> Account:
    number = _next()
    row = Account(
        external_id=f"A{number:010d}",
        customer_id=customer.id,
        product_id=product_id,
        branch_id=customer.branch_id,
        opened_on=date(2024, 2, 1),
        balance_cents=balance_cents,
    )
    session.add(row)
    session.flush()
    return row


def holding(session: Session, *, customer: Customer, product_id: int, amount_cents: int) -> Holding:
    row = Holding(
        external_id=f"H{_next()}",
        customer_id=customer.id,
        product_id=product_id,
        amount_cents=amount_cents,
        started_on=date(2024, 3, 1),
    )
    session.add(row)
    session.flush()
    return row


def transaction(
    session: Session,
    *,
    account: Account,
    amount_cents: int,
    booked_at: datetime | None = None,
    direction: Direction = Direction.CREDIT,
) -> Transaction:
    row = Transaction(
        external_id=f"T{_next()}",
        account_id=account.id,
        customer_id=account.customer_id,
        booked_at=booked_at or datetime(2025, 6, 30, 9, 30, tzinfo=UTC),
        amount_cents=amount_cents,
        direction=direction,
        channel=TransactionChannel.MOBILE,
        kind="transfer",
        customer_initiated=True,
    )
    session.add(row)
    session.flush()
    return row


def interaction(session: Session, *, customer: Customer, staff_id: int | None) -> Interaction:
    row = Interaction(
        external_id=f"I{_next()}",
        customer_id=customer.id,
        staff_id=staff_id,
        kind=InteractionKind.VISIT,
        occurred_at=datetime(2025, 7, 1, 10, 0, tzinfo=UTC),
        subject="季度回访",
        outcome="客户满意",
    )
    session.add(row)
    session.flush()
    return row


def bearer(session: Session, user_id: int) -> dict[str, str]:
    """Headers with a bearer token as the login gives one (a live server-side session),
    without paying for a password hash; the caller commits."""
    key = _open_session(session, user_id, SessionKind.API)
    return {"Authorization": f"Bearer {create_access_token(user_id, key)}"}


def api_headers(database_url: str, user_id: int) -> dict[str, str]:
    """``bearer`` in a transaction of its own."""
    key = login_key(database_url, user_id, SessionKind.API)
    return {"Authorization": f"Bearer {create_access_token(user_id, key)}"}


def login_key(database_url: str, user_id: int, kind: SessionKind = SessionKind.PAGE) -> str:
    """The key of a new live session of ``user_id``, committed."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        key = _open_session(session, user_id, kind)
        session.commit()
    engine.dispose()
    return key


def _open_session(session: Session, user_id: int, kind: SessionKind) -> str:
    user = session.get(StaffUser, user_id)
    assert user is not None
    return staff_service.open_session(session, user=user, kind=kind)


def certificate(
    session: Session,
    *,
    holder: StaffUser,
    qualification: str = "wealth_sales",
    issued_on: date = date(2000, 1, 1),
    expires_on: date | None = None,
) -> StaffCertificate:
    """A certificate of ``qualification`` for ``holder``: by default the wealth-sales one a
    seller of R3 and riskier products needs, valid from long ago and never expiring."""
    row = StaffCertificate(
        staff_id=holder.id,
        branch_id=holder.branch_id,
        qualification=qualification,
        issued_on=issued_on,
        expires_on=expires_on,
    )
    session.add(row)
    session.flush()
    return row
