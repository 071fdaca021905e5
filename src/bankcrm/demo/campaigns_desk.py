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
from bankcrm.campaigns.planning import service as planning_service
from bankcrm.campaigns.planning.schemas import (
    ActionCreate,
    BudgetInputsBase,
    BudgetLineCreate,
    CampaignLinkCreate,
    CompetitorCreate,
    PestCreate,
    PlanCreate,
    PlanDecision,
    PlanUpdate,
    SectionUpdate,
)
from bankcrm.campaigns.service import CampaignDraft
from bankcrm.campaigns.targeting import SegmentCriteria
from bankcrm.core.clock import bank_day_start, utcnow
from bankcrm.core.config import CampaignSettings
from bankcrm.core.enums import (
    BudgetMethod,
    CampaignChannel,
    CampaignGroup,
    CampaignObjective,
    CampaignStatus,
    CustomerStatus,
    CustomerType,
    LifecycleStage,
    PestFactor,
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
    revenue: int
    """Yuan of revenue a converted customer brings in the year: the margin on a renewed
    deposit, the fee on a fund or wealth subscription."""


PAST = (
    PastCampaign(
        "定期存款到期续存提醒",
        CampaignObjective.REMIND,
        CampaignChannel.SMS,
        150,
        0.05,
        0.09,
        None,
        750,
    ),
    PastCampaign(
        "新发基金电子邮件推介",
        CampaignObjective.INFORM,
        CampaignChannel.EMAIL,
        100,
        0.03,
        0.03,
        None,
        240,
    ),
    PastCampaign(
        "理财产品电话营销",
        CampaignObjective.PERSUADE,
        CampaignChannel.PHONE,
        60,
        0.06,
        0.08,
        0.02,
        800,
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
    past_ids: list[int] = []
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
        past_ids.append(row.id)
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
    _plan_the_year(session, analyst=analyst, approver=approver, today=today, campaign_ids=past_ids)


PLAN_TEXT: dict[str, dict[str, str]] = {
    "summary": {
        "summary": "稳存量、拓增量：以到期续存和理财转化为主线，全年新增个人客户与存款双增长。"
    },
    "situation": {
        "market": "辖内居民储蓄率高，存款利率下行，客户对稳健理财需求上升。",
        "competition": "国有大行网点密集，城商行以高利率揽储。",
        "product": "定期存款、净值型理财、基金代销。",
        "distribution": "网点、手机银行、客户经理电话与上门服务。",
        "macro": "利率市场化继续推进，个人信息保护法要求营销须经客户授权。",
    },
    "opportunities": {
        "strengths": "客户经理队伍稳定，老客户忠诚度高。",
        "weaknesses": "线上渠道活跃度低。",
        "opportunities": "大额存单到期潮带来续存与理财转化机会。",
        "threats": "他行高息揽储分流存款。",
    },
    "objectives": {"objectives": "年末新增个人客户 1,200 户，新增存款 5 亿元。"},
    "strategy": {
        "target_market": "到期客户、成长期客户、流失预警客户。",
        "product": "续存加息券与稳健理财组合。",
        "price": "按客户价值分层定价。",
        "place": "网点与手机银行联动。",
        "promotion": "短信提醒、电话回访、网点沙龙。",
        "people": "客户经理按名单跟进，设立活动对照组衡量效果。",
        "process": "名单冻结—联系—回访—评估。",
        "physical_evidence": "网点海报、手机银行专区。",
        "expenses": "短信与电话成本、活动物料。",
    },
    "controls": {
        "measures": "每个活动以对照组计算增量效果、投资回报率与获客成本。",
        "reviews": "每季度复盘一次，结果报分行营销部。",
    },
}


def _plan_the_year(
    session: Session,
    *,
    analyst: StaffUser,
    approver: StaffUser,
    today: date,
    campaign_ids: list[int],
) -> None:
    """The year's marketing plan with the past campaigns linked to it, approved."""
    plan = planning_service.create_plan(
        session,
        user=analyst,
        data=PlanCreate(
            title=f"{today.year} 年个人业务营销计划",
            period_start=date(today.year, 1, 1),
            period_end=date(today.year, 12, 31),
            target_new_customers=1_200,
            target_deposits=Decimal(500_000_000),
            target_on=date(today.year, 12, 31),
        ),
    )
    plan = planning_service.update_plan(
        session,
        user=analyst,
        plan_id=plan.id,
        data=PlanUpdate(
            version=plan.version,
            sections={
                code: SectionUpdate(parts=parts, owner_id=analyst.id, review_on=today)
                for code, parts in PLAN_TEXT.items()
            },
            budget_inputs=BudgetInputsBase(sales=Decimal(40_000_000), sales_percent=Decimal("0.5")),
            budget_method=BudgetMethod.PERCENT_OF_SALES,
        ),
    )

    def version() -> int:
        return planning_service.get_plan(session, user=analyst, plan_id=plan.id).version

    for channel, planned in (
        (CampaignChannel.SMS, 60_000),
        (CampaignChannel.EMAIL, 40_000),
        (CampaignChannel.PHONE, 100_000),
    ):
        planning_service.add_budget_line(
            session,
            user=analyst,
            plan_id=plan.id,
            data=BudgetLineCreate(
                version=version(),
                channel=channel,
                activity="营销活动",
                planned=Decimal(planned),
            ),
        )
    for name, share, spend in (
        ("国有大行 A", Decimal(28), 900_000),
        ("城商行 B", Decimal(9), 400_000),
    ):
        planning_service.add_competitor(
            session,
            user=analyst,
            plan_id=plan.id,
            data=CompetitorCreate(
                version=version(),
                name=name,
                strengths="网点多，品牌认知度高" if share > 10 else "存款利率高",
                weaknesses="服务响应慢" if share > 10 else "产品线单一",
                market_share=share,
                promotion_spend=Decimal(spend),
            ),
        )
    for factor, description in (
        (PestFactor.ECONOMIC, "存款利率下行，居民理财需求上升"),
        (PestFactor.POLITICAL, "个人信息保护法：营销须取得客户授权"),
    ):
        planning_service.add_pest(
            session,
            user=analyst,
            plan_id=plan.id,
            data=PestCreate(
                version=version(), factor=factor, description=description, impact=4, likelihood=4
            ),
        )
    for what, month, cost in (
        ("到期客户短信续存提醒", 7, 60_000),
        ("新发基金电子邮件推介", 8, 40_000),
        ("理财产品电话营销", 10, 100_000),
    ):
        planning_service.add_action(
            session,
            user=analyst,
            plan_id=plan.id,
            data=ActionCreate(
                version=version(),
                what=what,
                owner_id=analyst.id,
                due_on=date(today.year, month, 28),
                cost=Decimal(cost),
            ),
        )
    for campaign_id in campaign_ids:
        planning_service.link_campaign(
            session,
            user=analyst,
            plan_id=plan.id,
            data=CampaignLinkCreate(version=version(), campaign_id=campaign_id),
        )
    planning_service.submit(session, user=analyst, plan_id=plan.id, version=version())
    planning_service.decide(
        session,
        user=approver,
        plan_id=plan.id,
        data=PlanDecision(version=version()),
        approve=True,
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
                "amount_cents": past.revenue * 100 if converted else 0,
                "outcome_recorded_at": contacted_at,
            }
        )
    system.record_outcomes(outcomes)
