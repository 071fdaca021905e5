"""Privacy requests on a generated bank: erasure leaves no personal value and moves no figure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import JSON, Engine, String, Text, func, select
from sqlalchemy.orm import Session

from bankcrm import tables as models
from bankcrm.accounts.models import Account, Transaction
from bankcrm.audit import recorder
from bankcrm.audit import service as audit_service
from bankcrm.core import clock
from bankcrm.core.config import get_settings
from bankcrm.core.db import Base, make_engine, reset_caches
from bankcrm.core.enums import (
    AccountStatus,
    AnalyticsEngine,
    AuditAction,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    Role,
)
from bankcrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from bankcrm.customers.models import Customer
from bankcrm.ingest.service import import_directory
from bankcrm.ingest.synth import GENERATED_AS_OF, generate_bank
from bankcrm.privacy import service
from bankcrm.privacy.retention import deletion_hold
from bankcrm.segmentation import service as segmentation_service
from bankcrm.segmentation.models import CustomerSegment
from bankcrm.staff.models import StaffUser
from tests import factories

BANKCRM = str(Path(sys.executable).with_name("bankcrm"))
IDENTIFYING_FIELDS = (
    "name",
    "id_number",
    "mobile_phone",
    "office_phone",
    "fax",
    "email",
    "primary_address",
    "secondary_address",
    "decision_maker",
)

assert models  # every table is known to Base.metadata


@pytest.fixture(scope="module")
def bank_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bank300")
    generate_bank(directory, customers=300, seed=11)
    return directory


@pytest.fixture
def bank(app_settings: str, bank_files: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The generated bank imported and segmented; deletion needs no five-year wait here."""
    monkeypatch.setenv("BANKCRM_PRIVACY__RETENTION_YEARS", "0")
    reset_caches()
    recorder.install()
    import_directory(app_settings, bank_files)
    engine = make_engine(app_settings)
    with Session(engine) as session:
        segmentation_service.run_segmentation(
            session,
            settings=get_settings(),
            as_of=GENERATED_AS_OF,
            engine=AnalyticsEngine.DUCKDB,
            create_tasks=False,
        )
        session.commit()
    yield engine
    engine.dispose()


def _staff(session: Session, role: Role) -> StaffUser:
    user = session.scalars(select(StaffUser).where(StaffUser.role == role)).first()
    assert user is not None
    return user


def _departed_customer(session: Session) -> Customer:
    """A customer whose every account is closed, with transactions and a full profile."""
    open_accounts = select(Account.customer_id).where(Account.status != AccountStatus.CLOSED)
    statement = (
        select(Customer)
        .join(Account, Account.customer_id == Customer.id)
        .join(Transaction, Transaction.account_id == Account.id)
        .where(Customer.id.not_in(open_accounts), Customer.mobile_phone.is_not(None))
        .order_by(Customer.id)
    )
    customer = session.scalars(statement).first()
    assert customer is not None, "the generated bank has no departed customer"
    return customer


def _segment_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(CustomerSegment.quadrant, func.count()).group_by(CustomerSegment.quadrant)
    )
    return {str(quadrant): int(count) for quadrant, count in rows}


def _transaction_totals(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Transaction.customer_id, func.sum(Transaction.amount_cents)).group_by(
            Transaction.customer_id
        )
    )
    return {int(customer): int(total) for customer, total in rows}


def _text_values_anywhere(session: Session) -> Iterator[tuple[str, str, str]]:
    """(table, column, value) of every text or JSON value stored in any table."""
    for table in Base.metadata.sorted_tables:
        columns = [
            column for column in table.columns if isinstance(column.type, String | Text | JSON)
        ]
        if not columns:
            continue
        for row in session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if value is not None:
                    text = (
                        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    )
                    yield table.name, column.name, text


def _maker_and_checker(session: Session, customer: Customer) -> tuple[StaffUser, StaffUser]:
    maker = session.get(StaffUser, customer.manager_id) if customer.manager_id else None
    maker = maker or _staff(session, Role.ACCOUNT_MANAGER)
    checker = _staff(session, Role.COMPLIANCE_AUDITOR)
    return maker, checker


def test_deletion_leaves_no_personal_value_anywhere_and_moves_no_figure(
    bank: Engine, bank_files: Path, app_settings: str
) -> None:
    with Session(bank) as session:
        customer = _departed_customer(session)
        customer_id = customer.id
        values = {
            field: str(getattr(customer, field))
            for field in IDENTIFYING_FIELDS
            if getattr(customer, field)
        }
        assert {"name", "mobile_phone"} <= set(values)
        segments_before = _segment_counts(session)
        totals_before = _transaction_totals(session)
        maker, checker = _maker_and_checker(session, customer)
        registered = service.create_request(
            session,
            user=maker,
            customer_id=customer_id,
            kind=PrivacyRequestKind.DELETION,
            note=f"{values['name']} 来电要求删除个人信息",
        )
        assert registered.status is PrivacyRequestStatus.RECEIVED
        done = service.approve(
            session, user=checker, request_id=registered.id, version=registered.version
        )
        session.commit()
    assert done.status is PrivacyRequestStatus.COMPLETED

    with Session(bank) as session:
        leaks = [
            (table, column, field)
            for table, column, text in _text_values_anywhere(session)
            for field, value in values.items()
            if value in text
        ]
        assert leaks == []
        erased = session.get_one(Customer, customer_id)
        assert erased.name.startswith("ANON-") and erased.erased_at is not None
        assert _transaction_totals(session) == totals_before
        assert _segment_counts(session) == segments_before
        segmentation_service.run_segmentation(
            session,
            settings=get_settings(),
            as_of=GENERATED_AS_OF,
            engine=AnalyticsEngine.DUCKDB,
            create_tasks=False,
        )
        session.commit()
        assert _segment_counts(session) == segments_before
        assert audit_service.verify(session).intact

    # the core system sends the customer again, in a job of its own: the erased row stays
    subprocess.run(
        [BANKCRM, "import", str(bank_files)],
        env={**os.environ, "BANKCRM_DATABASE_URL": app_settings},
        check=True,
        capture_output=True,
    )
    with Session(bank) as session:
        again = session.get_one(Customer, customer_id)
        assert again.name.startswith("ANON-") and again.mobile_phone is None


def test_the_maker_cannot_approve_and_a_stale_decision_is_refused(bank: Engine) -> None:
    with Session(bank) as session:
        customer = _departed_customer(session)
        _, checker = _maker_and_checker(session, customer)
        request = service.create_request(
            session,
            user=checker,
            customer_id=customer.id,
            kind=PrivacyRequestKind.CORRECTION,
            corrections={"mobile_phone": "13800001111", "birth_date": "1980-02-29"},
        )
        with pytest.raises(PermissionDenied, match="maker"):
            service.approve(session, user=checker, request_id=request.id, version=request.version)
        branch_manager = session.scalars(
            select(StaffUser).where(
                StaffUser.role == Role.BRANCH_MANAGER, StaffUser.branch_id == customer.branch_id
            )
        ).first()
        assert branch_manager is not None
        with pytest.raises(Conflict, match="changed by someone else"):
            service.approve(
                session, user=branch_manager, request_id=request.id, version=request.version + 1
            )
        recorder.act_as(session, actor_id=branch_manager.id, label=branch_manager.username)
        done = service.approve(
            session, user=branch_manager, request_id=request.id, version=request.version
        )
        assert done.status is PrivacyRequestStatus.COMPLETED
        assert done.decided_by == branch_manager.username
        assert customer.mobile_phone == "13800001111"
        assert customer.birth_date == date(1980, 2, 29)
        with pytest.raises(Conflict, match="already completed"):
            service.approve(
                session, user=branch_manager, request_id=request.id, version=done.version
            )
        session.commit()
        trail = audit_service.search(session, customer_id=customer.id, action=AuditAction.UPDATE)
        correction = next(entry for entry in trail.items if entry.entity == "customers")
        assert correction.actor_label == branch_manager.username
        changed = json.loads(correction.after_json or "")
        assert changed["mobile_phone"].startswith("hmac:")
        assert "13800001111" not in (correction.after_json or "")


def test_a_deletion_the_law_does_not_allow_yet_is_held_with_the_reason(bank: Engine) -> None:
    with Session(bank) as session:
        open_account = session.scalars(
            select(Account).where(Account.status == AccountStatus.OPEN)
        ).first()
        assert open_account is not None
        customer = session.get_one(Customer, open_account.customer_id)
        maker, _ = _maker_and_checker(session, customer)
        held = service.create_request(
            session, user=maker, customer_id=customer.id, kind=PrivacyRequestKind.DELETION
        )
        assert held.status is PrivacyRequestStatus.HELD
        assert held.outcome is not None and "open account" in held.outcome
        assert customer.erased_at is None and not customer.name.startswith("ANON-")


def test_retention_rules() -> None:
    today = date(2026, 11, 25)
    assert (
        deletion_hold(
            legal_hold=None, open_accounts=0, last_closed_on=None, today=today, retention_years=5
        )
        is None
    )
    assert "legal hold" in (
        deletion_hold(
            legal_hold="诉讼保全",
            open_accounts=0,
            last_closed_on=None,
            today=today,
            retention_years=5,
        )
        or ""
    )
    kept = deletion_hold(
        legal_hold=None,
        open_accounts=0,
        last_closed_on=date(2024, 2, 29),
        today=today,
        retention_years=5,
    )
    assert kept is not None and "2029-02-28" in kept
    assert (
        deletion_hold(
            legal_hold=None,
            open_accounts=0,
            last_closed_on=date(2021, 11, 24),
            today=today,
            retention_years=5,
        )
        is None
    )


def test_requests_are_scoped_and_checked(app_settings: str) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        branch = factories.branch(session)
        mine = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=branch.id)
        other = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=branch.id)
        customer = factories.customer(session, branch_id=branch.id, manager_id=mine.id)
        with pytest.raises(NotFound):
            service.create_request(
                session, user=other, customer_id=customer.id, kind=PrivacyRequestKind.ACCESS
            )
        with pytest.raises(ValidationFailed, match="not a correctable"):
            service.create_request(
                session,
                user=mine,
                customer_id=customer.id,
                kind=PrivacyRequestKind.CORRECTION,
                corrections={"risk_level": "C5"},
            )
        with pytest.raises(ValidationFailed, match="needs a reason"):
            service.create_request(
                session, user=mine, customer_id=customer.id, kind=PrivacyRequestKind.ACCESS
            )
        access = service.create_request(
            session,
            user=mine,
            customer_id=customer.id,
            kind=PrivacyRequestKind.ACCESS,
            reason="客户本人书面申请,已核验身份",
        )
        assert (access.due_on - clock.bank_today()).days == 15
        content, media_type, name = service.export_customer_data(
            session, user=mine, request_id=access.id, file_format="json"
        )
        exported = json.loads(content)
        assert media_type == "application/json" and name.endswith(".json")
        assert exported["customer"]["mobile_phone"] == customer.mobile_phone
        assert service.get_request(session, user=mine, request_id=access.id).status is (
            PrivacyRequestStatus.COMPLETED
        )
        with pytest.raises(NotFound):
            service.get_request(session, user=other, request_id=access.id)
    engine.dispose()
