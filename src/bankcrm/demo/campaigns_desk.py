"""The demo's marketing desk: every customer's marketing consent per channel, three past
campaigns with control groups and planted effects — one that worked, one that did nothing,
one that put off the customers already drifting away — and a live campaign whose contact
tasks wait for the account managers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from bankcrm.campaigns import service as campaigns_service
from bankcrm.campaigns.models import Campaign, CampaignMember, MarketingConsent
from bankcrm.campaigns.service import CampaignDraft
from bankcrm.campaigns.targeting import SegmentCriteria
from bankcrm.core.clock import bank_day_start, utcnow
from bankcrm.core.config import CampaignSettings
from bankcrm.core.enums import (
    CampaignChannel,
    CampaignGroup,
    CampaignObjective,
    CampaignStatus,
    CustomerStatus,
    CustomerType,
    LifecycleStage,
    TaskStatus,
)
from bankcrm.customers.models import Customer
from bankcrm.scope import SystemRepository
from bankcrm.segmentation.models import CustomerSegment
from bankcrm.segmentation.repository import RunRepository
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task

CONSENT_SHARE: dict[CampaignChannel, float] = {
    CampaignChannel.BRANCH: 0.95,
    CampaignChannel.PHONE: 0.80,
    CampaignChannel.SMS: 0.85,
    CampaignChannel.APP: 0.70,
    CampaignChannel.EMAIL: 0.45,
    CampaignChannel.WECHAT: 0.60,
}
"""Share of customers who said yes on each channel when they opened their account."""
OPT_OUT_SHARE = 0.04
"""Of those, the share who later said no."""
REACHED = 0.9
"""Share of the treated members a phone or text actually reached."""


@dataclass(frozen=True)
class PastCampaign:
    name: str
    objective: CampaignObjective
    channel: CampaignChannel
    days_ago: int
    control_rate: float
    treatment_rate: float
    declining_treatment_rate: float | None
    """The response of treated customers already in decline, when the campaign put them off."""
    amount: int
    """Yuan a converted customer brings."""


PAST = (
    PastCampaign(
        "定期存款到期续存提醒",
        CampaignObjective.REMIND,
        CampaignChannel.SMS,
        150,
        0.05,
        0.09,
        None,
        50_000,
    ),
    PastCampaign(
        "新发基金电子邮件推介",
        CampaignObjective.INFORM,
        CampaignChannel.EMAIL,
        100,
        0.03,
        0.03,
        None,
        20_000,
    ),
    PastCampaign(
        "理财产品电话营销",
        CampaignObjective.PERSUADE,
        CampaignChannel.PHONE,
        60,
        0.06,
        0.08,
        0.02,
        100_000,
    ),
)


class CampaignsDeskSystemRepository(SystemRepository):
    """The demo acts for the whole bank: every active customer's consent, every member."""

    def active_customers(self) -> list[int]:
        statement = self.customers(Customer.id).where(
            Customer.status == CustomerStatus.ACTIVE, Customer.erased_at.is_(None)
        )
        return list(self.session.scalars(statement.order_by(Customer.id)))

    def add_consents(self, rows: list[dict[str, object]]) -> None:
        for start in range(0, len(rows), 10_000):
            self.session.execute(insert(MarketingConsent), rows[start : start + 10_000])

    def members(self, campaign_id: int) -> list[tuple[int, CampaignGroup]]:
        statement = self.owned(
            CampaignMember, CampaignMember.customer_id, CampaignMember.group
        ).where(CampaignMember.campaign_id == campaign_id)
        return [(int(customer), group) for customer, group in self.session.execute(statement)]

    def declining(self, run_id: int) -> set[int]:
        statement = self.owned(CustomerSegment, CustomerSegment.customer_id).where(
            CustomerSegment.run_id == run_id,
            CustomerSegment.lifecycle_stage == LifecycleStage.DECLINING,
        )
        return set(self.session.scalars(statement))

    def record_outcomes(self, rows: list[dict[str, object]]) -> None:
        if rows:
            self.session.execute(update(CampaignMember), rows)

    def close_contact_tasks(self, code: str, at: datetime) -> None:
        self.session.execute(
            self.owned_update(Task)
            .where(Task.source == campaigns_service.CONTACT_TASK_SOURCE, Task.source_ref == code)
            .values(status=TaskStatus.DONE, completed_at=at)
        )


def open_the_marketing_desk(
    session: Session,
    *,
    analyst: StaffUser,
    approver: StaffUser,
    today: date,
    seed: int,
) -> None:
    rng = np.random.default_rng(seed + 19)
    system = CampaignsDeskSystemRepository(session)
    _record_consents(system, rng.spawn(1)[0], today)
    run = RunRepository(session).latest()
    declining = system.declining(run.id) if run is not None else set()
    # past campaigns are far enough apart that the frequency cap of each counts only itself
    past_settings = CampaignSettings(control_share=0.2)
    for index, past in enumerate(PAST):
        starts = today - timedelta(days=past.days_ago)
        row = _launched(
            session,
            analyst=analyst,
            approver=approver,
            draft=CampaignDraft(
                name=past.name,
                objective=past.objective,
                channel=past.channel,
                criteria=SegmentCriteria(customer_types=(CustomerType.INDIVIDUAL,)),
                starts_on=starts,
                ends_on=starts + timedelta(days=30),
                control_share=0.2,
                seed=seed + index,
                budget=Decimal(60_000),
                cost_per_contact=Decimal("0.10")
                if past.channel is not CampaignChannel.PHONE
                else Decimal("8.00"),
                fixed_cost=Decimal(5_000),
                message=past.name,
            ),
            settings=past_settings,
        )
        _plant_outcomes(system, row, past, declining, rng.spawn(1)[0])
        system.close_contact_tasks(row.code, bank_day_start(starts + timedelta(days=3)))
        row.status = CampaignStatus.FINISHED
        row.launched_at = bank_day_start(starts)
        session.flush()
    _launched(
        session,
        analyst=analyst,
        approver=approver,
        draft=CampaignDraft(
            name="年末存款回馈电话回访",
            objective=CampaignObjective.BUILD_PREFERENCE,
            channel=CampaignChannel.PHONE,
            criteria=SegmentCriteria(customer_types=(CustomerType.INDIVIDUAL,)),
            starts_on=today,
            ends_on=today + timedelta(days=30),
            control_share=0.2,
            seed=seed + len(PAST),
            budget=Decimal(80_000),
            cost_per_contact=Decimal("8.00"),
            fixed_cost=Decimal(3_000),
            message="感谢您一年来的信任，年末存款可享专属回馈，欢迎到网点咨询。",
        ),
        settings=CampaignSettings(control_share=0.2),
    )


def _record_consents(
    system: CampaignsDeskSystemRepository, rng: np.random.Generator, today: date
) -> None:
    customers = system.active_customers()
    now = utcnow()
    rows: list[dict[str, object]] = []
    for channel, share in CONSENT_SHARE.items():
        said_yes = rng.random(len(customers)) < share
        withdrew = rng.random(len(customers)) < OPT_OUT_SHARE
        given = rng.integers(200, 1_500, size=len(customers))
        for position, customer in enumerate(customers):
            if not said_yes[position]:
                continue
            answers = [True, False] if withdrew[position] else [True]
            for offset, granted in enumerate(answers):
                rows.append(
                    {
                        "customer_id": customer,
                        "channel": channel,
                        "granted": granted,
                        "source": "开户协议" if granted else "客户来电退订",
                        "given_on": today - timedelta(days=int(given[position]) - 150 * offset),
                        "recorded_by_id": None,
                        "recorded_at": now,
                    }
                )
    system.add_consents(rows)


def _launched(
    session: Session,
    *,
    analyst: StaffUser,
    approver: StaffUser,
    draft: CampaignDraft,
    settings: CampaignSettings,
) -> Campaign:
    row = campaigns_service.create_campaign(session, user=analyst, draft=draft, settings=settings)
    campaigns_service.approve(session, user=approver, campaign_id=row.id)
    campaigns_service.launch(session, user=analyst, campaign_id=row.id, settings=settings)
    return row


def _plant_outcomes(
    system: CampaignsDeskSystemRepository,
    row: Campaign,
    past: PastCampaign,
    declining: set[int],
    rng: np.random.Generator,
) -> None:
    contacted_at = bank_day_start(row.starts_on + timedelta(days=3))
    outcomes: list[dict[str, object]] = []
    for customer, group in system.members(row.id):
        if group is CampaignGroup.EXCLUDED:
            continue
        treated = group is CampaignGroup.TREATMENT
        reached = treated and rng.random() < REACHED
        rate = past.control_rate
        if treated:
            rate = past.treatment_rate
            if past.declining_treatment_rate is not None and customer in declining:
                rate = past.declining_treatment_rate
        responded = bool(rng.random() < rate)
        converted = responded and bool(rng.random() < 0.6)
        outcomes.append(
            {
                "campaign_id": row.id,
                "customer_id": customer,
                "contacted_at": contacted_at if reached else None,
                "responded": responded,
                "converted": converted,
                "amount_cents": past.amount * 100 if converted else 0,
                "outcome_recorded_at": contacted_at,
            }
        )
    system.record_outcomes(outcomes)
