"""The audit trail on a real database: what is recorded, and what tampering looks like."""

from __future__ import annotations

import json
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bankcrm.audit import recorder, service
from bankcrm.audit.models import AuditEntry
from bankcrm.cli.main import app as cli
from bankcrm.core.config import get_settings
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AuditAction, RiskLevel, Role
from bankcrm.customers.models import Customer
from bankcrm.privacy.fields import SECRET_MARK, fingerprint
from tests import factories
from tests.small_bank import SmallBank, login


@pytest.fixture(autouse=True)
def _recorder() -> None:
    recorder.install()


def _entries(session: Session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def _bank(engine: Engine) -> int:
    with Session(engine) as session:
        branch = factories.branch(session)
        manager = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=branch.id)
        customer = factories.customer(
            session, branch_id=branch.id, manager_id=manager.id, name="赵敏"
        )
        session.commit()
        return customer.id


def test_a_change_is_recorded_with_before_and_after_and_personal_values_fingerprinted(
    engine: Engine,
) -> None:
    customer_id = _bank(engine)
    with Session(engine) as session:
        recorder.act_as(session, actor_id=42, label="wang.li")
        customer = session.get(Customer, customer_id)
        assert customer is not None
        customer.risk_level = RiskLevel.C3
        customer.mobile_phone = "13911112222"
        session.commit()
    with Session(engine) as session:
        entries = _entries(session)
        update = entries[-1]
        assert (update.action, update.entity, update.entity_id) == (
            AuditAction.UPDATE,
            "customers",
            str(customer_id),
        )
        assert (update.actor_id, update.actor_label, update.customer_id) == (
            42,
            "wang.li",
            customer_id,
        )
        before, after = json.loads(update.before_json or ""), json.loads(update.after_json or "")
        assert before["risk_level"] is None and after["risk_level"] == "C3"
        key = get_settings().secret_key.encode()
        assert after["mobile_phone"] == fingerprint("13911112222", key)
        creations = [e for e in entries if e.action is AuditAction.CREATE]
        assert {e.entity for e in creations} >= {"branches", "staff_users", "customers"}
        created = next(e for e in creations if e.entity == "customers")
        assert created.entity_id == str(customer_id)
        every_text = " ".join(f"{e.before_json} {e.after_json}" for e in entries)
        assert "赵敏" not in every_text and "13911112222" not in every_text
        staff = next(e for e in creations if e.entity == "staff_users")
        assert json.loads(staff.after_json or "")["password_hash"] == SECRET_MARK
        assert service.verify(session).intact


def test_a_rolled_back_change_leaves_no_entry(engine: Engine) -> None:
    customer_id = _bank(engine)
    with Session(engine) as session:
        before = len(_entries(session))
    with Session(engine) as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        customer.occupation = "教师"
        session.flush()
        session.rollback()
    with Session(engine) as session:
        assert len(_entries(session)) == before


def test_a_read_of_personal_data_is_recorded_in_a_transaction_of_its_own(engine: Engine) -> None:
    customer_id = _bank(engine)
    with Session(engine) as session:
        recorder.act_as(session, actor_id=3, label="auditor")
        recorder.record(
            session,
            action=AuditAction.REVEAL,
            entity="customers",
            entity_id=customer_id,
            customer_id=customer_id,
            reason="客户来电核实身份",
        )
        session.commit()
    with Session(engine) as session:
        reveal = _entries(session)[-1]
        assert (reveal.action, reveal.reason, reveal.actor_label) == (
            AuditAction.REVEAL,
            "客户来电核实身份",
            "auditor",
        )


def test_the_database_refuses_to_change_or_remove_an_entry(engine: Engine) -> None:
    _bank(engine)
    for statement in ("UPDATE audit_entries SET reason = 'x'", "DELETE FROM audit_entries"):
        with engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(statement))


def _lift_append_only(engine: Engine) -> None:
    """What someone with the database owner's rights could do."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_entries_no_update"))


def test_editing_one_row_makes_audit_verify_fail_and_name_it(
    app_settings: str, engine: Engine
) -> None:
    _bank(engine)
    runner = CliRunner()
    intact = runner.invoke(cli, ["audit", "verify", "--json"])
    assert intact.exit_code == 0, intact.output
    report = json.loads(intact.output)
    assert report["intact"] and report["entries_checked"] >= 4
    _lift_append_only(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_entries SET actor_label = 'nobody' WHERE seq = 3"))
    broken = runner.invoke(cli, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "broken at entry 3" in broken.output and "altered" in broken.output


@pytest.mark.postgres
def test_concurrent_writers_extend_one_unbroken_chain(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    customer_id = _bank(engine)
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for round_ in range(10):
                with Session(engine) as session:
                    recorder.act_as(session, actor_id=worker, label=f"worker{worker}")
                    factories.interaction(
                        session,
                        customer=session.get_one(Customer, customer_id),
                        staff_id=None,
                    )
                    if round_ % 2:
                        recorder.record(
                            session,
                            action=AuditAction.READ_PERSONAL,
                            entity="customers",
                            entity_id=customer_id,
                            customer_id=customer_id,
                        )
                    session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with Session(engine) as session:
        result = service.verify(session)
        interactions = session.scalar(
            select(text("count(*)"))
            .select_from(AuditEntry)
            .where(AuditEntry.entity == "interactions")
        )
    engine.dispose()
    assert result.intact, result.problem
    assert interactions == 40


def test_logins_and_failed_logins_are_recorded(small_bank: SmallBank, client: TestClient) -> None:
    wrong = client.post(
        "/api/v1/auth/token", data={"username": small_bank.analyst, "password": "not-it-at-all"}
    )
    assert wrong.status_code == 401
    login(client, small_bank.analyst)
    engine = make_engine(get_settings().database_url)
    with Session(engine) as session:
        logins = [
            (entry.action, entry.actor_label, entry.reason)
            for entry in _entries(session)
            if entry.action in (AuditAction.LOGIN, AuditAction.LOGIN_FAILED)
        ]
    engine.dispose()
    assert logins == [
        (AuditAction.LOGIN_FAILED, small_bank.analyst, "wrong password"),
        (AuditAction.LOGIN, small_bank.analyst, None),
    ]
