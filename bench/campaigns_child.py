"""Child process for the campaigns benchmark; each mode prints one JSON object last.

``build PATH CUSTOMERS``: a migrated SQLite store at ``PATH`` holding ``CUSTOMERS`` active
individuals over ``BRANCHES`` branches and ``MANAGERS`` account managers, SMS and phone
consent granted by ``CONSENT_SHARE`` of them, a marketing analyst who designs and an approver.
``launch PATH CHANNEL``: a campaign on ``CHANNEL`` aimed at every individual, approved, then
``launch`` and its commit timed: the freeze of the segment with its control group.
``baseline PATH``: the same segment read as the launch reads it, then one member row per
customer inserted with the driver's ``executemany`` and committed: no exclusion, no draw.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.audit import recorder as audit_recorder
from bankcrm.campaigns import service as campaigns_service
from bankcrm.campaigns.models import CampaignMember
from bankcrm.campaigns.repository import CampaignSystemRepository
from bankcrm.campaigns.service import CampaignDraft
from bankcrm.campaigns.targeting import SegmentCriteria
from bankcrm.core.clock import bank_today
from bankcrm.core.config import CampaignSettings
from bankcrm.core.db import make_engine
from bankcrm.core.enums import (
    CampaignChannel,
    CampaignGroup,
    CampaignObjective,
    CustomerType,
    Role,
)
from bankcrm.core.migrate import upgrade
from bankcrm.staff import service as staff_service
from bankcrm.staff.models import StaffUser

BRANCHES = 50
MANAGERS = 500
CONSENT_SHARE = 0.85
CONSENT_CHANNELS = (CampaignChannel.SMS, CampaignChannel.PHONE)
CONTROL_SHARE = 0.1
SEED = 11
CHUNK = 100_000
PASSWORD = "bench-campaigns-9"
ANALYST = "bench_analyst"
APPROVER = "bench_approver"
CRITERIA = SegmentCriteria(customer_types=(CustomerType.INDIVIDUAL,))


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _chunks(rows: list[tuple[Any, ...]]) -> Any:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def build(path: Path, customers: int) -> dict[str, object]:
    """The store; rows go in through the driver in large chunks, as few columns as the
    schema requires, since building is not what is measured."""
    upgrade(_url(path))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    rng = np.random.default_rng(SEED)
    branch_of = rng.integers(1, BRANCHES + 1, customers)
    manager_in_branch = rng.integers(0, MANAGERS // BRANCHES, customers)
    consented = np.flatnonzero(rng.random(customers) < CONSENT_SHARE) + 1
    connection = sqlite3.connect(path)
    with connection:
        connection.executemany(
            "INSERT INTO branches (id, external_id, name, counters, created_at, updated_at) "
            "VALUES (?, ?, ?, 4, ?, ?)",
            [(b, f"BR{b:03d}", f"分行{b:03d}", stamp, stamp) for b in range(1, BRANCHES + 1)],
        )
        connection.executemany(
            "INSERT INTO staff_users (id, external_id, username, full_name, role, branch_id, "
            "is_active, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, 'account_manager', ?, 1, ?, ?)",
            [
                (
                    m,
                    f"AM{m:04d}",
                    f"am_{m:04d}",
                    f"客户经理{m:04d}",
                    (m - 1) % BRANCHES + 1,
                    stamp,
                    stamp,
                )
                for m in range(1, MANAGERS + 1)
            ],
        )
        # manager ids 1..MANAGERS: manager m works branch (m - 1) % BRANCHES + 1
        managers = branch_of + BRANCHES * manager_in_branch
        customer_rows = [
            (i, f"C{i:09d}", f"客户{i:07d}", f"139{i:08d}", int(b), int(m), stamp, stamp)
            for i, b, m in zip(
                range(1, customers + 1), branch_of.tolist(), managers.tolist(), strict=True
            )
        ]
        for chunk in _chunks(customer_rows):
            connection.executemany(
                "INSERT INTO customers (id, external_id, customer_type, status, name, "
                "mobile_phone, branch_id, manager_id, onboarded_on, version, created_at, "
                "updated_at) VALUES (?, ?, 'individual', 'active', ?, ?, ?, ?, '2024-01-15', "
                "1, ?, ?)",
                chunk,
            )
        del customer_rows
        consent_rows = [
            (int(c), channel.value, stamp) for channel in CONSENT_CHANNELS for c in consented
        ]
        for chunk in _chunks(consent_rows):
            connection.executemany(
                "INSERT INTO marketing_consents (customer_id, channel, granted, source, "
                "given_on, recorded_at) VALUES (?, ?, 1, 'account_opening', '2024-01-15', ?)",
                chunk,
            )
    connection.close()
    engine = make_engine(_url(path))
    with Session(engine) as session:
        for username, role in ((ANALYST, Role.MARKETING_ANALYST), (APPROVER, Role.ADMIN)):
            staff_service.create_user(
                session, username=username, full_name=username, role=role, password=PASSWORD
            )
        session.commit()
    engine.dispose()
    return {"customers": customers, "consents": len(consented)}


def _user(session: Session, username: str) -> StaffUser:
    return session.scalars(select(StaffUser).where(StaffUser.username == username)).one()


def launch(path: Path, channel: CampaignChannel) -> dict[str, object]:
    engine = make_engine(_url(path))
    with Session(engine) as session:
        analyst, approver = _user(session, ANALYST), _user(session, APPROVER)
        audit_recorder.act_as(session, actor_id=analyst.id, label="bench")
        today = bank_today()
        row = campaigns_service.create_campaign(
            session,
            user=analyst,
            draft=CampaignDraft(
                name="理财到期续作",
                objective=CampaignObjective.REMIND,
                channel=channel,
                criteria=CRITERIA,
                starts_on=today,
                ends_on=today + timedelta(days=30),
                control_share=CONTROL_SHARE,
                seed=SEED,
                cost_per_contact=Decimal("0.05"),
                message="您好，您的理财即将到期。",
            ),
        )
        campaigns_service.approve(session, user=approver, campaign_id=row.id)
        session.commit()
        started = time.perf_counter()
        launched = campaigns_service.launch(
            session, user=analyst, campaign_id=row.id, settings=CampaignSettings()
        )
        session.commit()
        seconds = time.perf_counter() - started
        stored = dict(
            session.execute(
                select(CampaignMember.group, func.count())
                .where(CampaignMember.campaign_id == row.id)
                .group_by(CampaignMember.group)
            ).all()
        )
    engine.dispose()
    return {
        "seconds": seconds,
        "members": launched.members,
        "treatment": launched.treatment,
        "control": launched.control,
        "excluded": launched.excluded,
        "tasks": launched.tasks,
        "stored": {group.value: count for group, count in stored.items()},
    }


def baseline(path: Path) -> dict[str, object]:
    engine = make_engine(_url(path))
    with Session(engine) as session:
        analyst = _user(session, ANALYST)
        audit_recorder.act_as(session, actor_id=analyst.id, label="bench")
        today = bank_today()
        row = campaigns_service.create_campaign(
            session,
            user=analyst,
            draft=CampaignDraft(
                name="基线",
                objective=CampaignObjective.REMIND,
                channel=CampaignChannel.SMS,
                criteria=CRITERIA,
                starts_on=today,
                ends_on=today + timedelta(days=30),
            ),
        )
        session.commit()
        started = time.perf_counter()
        customers = CampaignSystemRepository(session).segment(
            CRITERIA, segment_run_id=None, churn_run_id=None, today=today
        )
        reasons = json.dumps(CRITERIA.reasons())
        treatment = CampaignGroup.TREATMENT.value
        cursor = session.connection().connection.cursor()
        cursor.executemany(
            'INSERT INTO campaign_members (campaign_id, customer_id, "group", branch_id, '
            "manager_id, reasons, responded, converted, amount_cents) "
            "VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0)",
            [(row.id, c[0], treatment, c[1], c[2], reasons) for c in customers],
        )
        session.commit()
        seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "members": len(customers)}


def main() -> None:
    mode, path, *args = sys.argv[1:]
    if mode == "build":
        result = build(Path(path), int(args[0]))
    elif mode == "launch":
        result = launch(Path(path), CampaignChannel(args[0]))
    elif mode == "baseline":
        result = baseline(Path(path))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
