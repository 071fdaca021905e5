"""Child process: audited or plain writes (``writes N audited|plain DB``), or a chain check
(``verify N DB``) against hashing the same entries in a bare loop."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from bankcrm.audit import recorder, repository, service
from bankcrm.audit.chain import Link
from bankcrm.branches.models import Branch
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AuditAction, InteractionKind, Role
from bankcrm.core.migrate import upgrade
from bankcrm.customers.models import Customer, Interaction, Note
from bankcrm.staff import service as staff_service

APPEND_BATCH = 10_000


def writes(count: int, audited: bool, url: str) -> dict[str, object]:
    """``count`` units of work, each a customer update plus a new interaction and note."""
    upgrade(url)
    if audited:
        recorder.install()
    engine = make_engine(url)
    with Session(engine) as session:
        branch = Branch(external_id="B1", name="上海分行", city="上海", counters=4)
        session.add(branch)
        session.flush()
        manager = staff_service.create_user(
            session,
            username="manager",
            full_name="经理",
            role=Role.ACCOUNT_MANAGER,
            password="bench-password-1",
            branch_id=branch.id,
        )
        customer = Customer(
            external_id="C1",
            customer_type="individual",
            name="王芳",
            mobile_phone="13900000000",
            branch_id=branch.id,
            manager_id=manager.id,
        )
        session.add(customer)
        session.commit()
        customer_id, manager_id = customer.id, manager.id
    started = time.perf_counter()
    for number in range(count):
        with Session(engine) as session:
            recorder.act_as(session, actor_id=manager_id, label="manager")
            customer = session.get_one(Customer, customer_id)
            customer.preferences = f"偏好{number}"
            session.add(
                Interaction(
                    external_id=f"I{number}",
                    customer_id=customer_id,
                    staff_id=manager_id,
                    kind=InteractionKind.CALL,
                    occurred_at=datetime.now(UTC),
                    subject="回访",
                )
            )
            session.add(Note(customer_id=customer_id, author_id=manager_id, body=f"记录{number}"))
            session.commit()
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"units": count, "seconds": seconds}


def verify(count: int, url: str) -> dict[str, object]:
    upgrade(url)
    engine = make_engine(url)
    template = Link(
        seq=0,
        occurred_at=datetime(2026, 11, 25, tzinfo=UTC),
        actor_id=7,
        actor_label="manager",
        action=AuditAction.UPDATE.value,
        entity="customers",
        entity_id="1",
        customer_id=1,
        reason=None,
        before_json='{"preferences":"hmac:0123456789abcdef"}',
        after_json='{"preferences":"hmac:fedcba9876543210"}',
    )
    for start in range(0, count, APPEND_BATCH):
        batch = [
            replace(template, entity_id=str(number))
            for number in range(start, min(count, start + APPEND_BATCH))
        ]
        with engine.begin() as connection:
            repository.append(connection, batch)
    started = time.perf_counter()
    with Session(engine) as session:
        result = service.verify(session)
    seconds = time.perf_counter() - started
    assert result.intact and result.entries_checked == count
    baseline_started = time.perf_counter()
    digest = b""
    encoded = json.dumps([template.actor_label, template.before_json, template.after_json]).encode()
    for _ in range(count):
        digest = hashlib.sha256(digest + encoded).digest()
    baseline = time.perf_counter() - baseline_started
    engine.dispose()
    return {"entries": count, "seconds": seconds, "baseline_seconds": baseline}


def main() -> None:
    mode, *rest = sys.argv[1:]
    if mode == "writes":
        print(json.dumps(writes(int(rest[0]), rest[1] == "audited", rest[2])))
    else:
        print(json.dumps(verify(int(rest[0]), rest[1])))


if __name__ == "__main__":
    main()
