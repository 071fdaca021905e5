"""The demo's prospect pipelines: each demo account manager works a dozen prospects spread
over the stages — some won, some lost with their reason — with the objections they met and
the follow-up visits planned, a few of them overdue."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy.orm import Session

from bankcrm.campaigns.prospects import service as prospects_service
from bankcrm.campaigns.prospects.schemas import (
    FollowUpCreate,
    ObjectionCreate,
    ProspectCreate,
    ProspectUpdate,
    StageMove,
)
from bankcrm.core.enums import (
    CustomerType,
    FollowUpChannel,
    ProspectSource,
    ProspectStage,
)
from bankcrm.offers.objections import ObjectionKind
from bankcrm.staff.models import StaffUser

PROSPECTS_PER_MANAGER = 12
FORWARD = (
    ProspectStage.NEEDS,
    ProspectStage.PRESENTATION,
    ProspectStage.NEGOTIATION,
    ProspectStage.DEAL,
)
REACHED_SHARES = (0.25, 0.2, 0.2, 0.15, 0.2)
"""How far the prospects got: identify, needs, presentation, negotiation, deal."""
LOST_SHARE = 0.2
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "杰", "军", "勇", "霞", "明")
COMPANIES = ("宏达机电", "华信物流", "金桥贸易", "新锐科技", "恒通建材", "瑞丰食品")
NEEDS = (
    "子女教育金储备，希望收益稳定",
    "企业结算账户迁移，关注手续费和到账速度",
    "退休养老规划，风险承受能力较低",
    "经营流动资金周转，需要授信额度",
)
LOST_REASONS = ("他行利率更高", "客户暂无资金需求", "决策人不认可产品期限")
OBJECTIONS = (
    (
        ObjectionKind.MISUNDERSTANDING,
        "以为理财产品保本保息",
        "说明净值型产品不承诺保本，按风险等级匹配",
    ),
    (ObjectionKind.DOUBT, "不相信到账时间能当天完成", "现场演示企业网银实时到账并提供回单"),
    (ObjectionKind.SHORTCOMING, "网点离公司太远", "开通上门服务和网银，减少跑网点"),
)


def fill_pipelines(session: Session, *, managers: list[StaffUser], today: date, seed: int) -> int:
    """Prospects for each of ``managers``; how many were opened."""
    rng = np.random.default_rng(seed + 20)
    opened = 0
    for manager in managers:
        for index in range(PROSPECTS_PER_MANAGER):
            _prospect(session, manager, rng, today, index)
            opened += 1
    return opened


def _prospect(
    session: Session, manager: StaffUser, rng: np.random.Generator, today: date, index: int
) -> None:
    company = index % 4 == 3
    name = (
        str(rng.choice(COMPANIES)) + "有限公司"
        if company
        else str(rng.choice(list(SURNAMES))) + str(rng.choice(GIVEN))
    )
    created = prospects_service.create_prospect(
        session,
        user=manager,
        data=ProspectCreate(
            name=name,
            kind=CustomerType.CORPORATE if company else CustomerType.INDIVIDUAL,
            source=ProspectSource(str(rng.choice([s.value for s in ProspectSource]))),
            phone=f"139{int(rng.integers(10_000_000, 99_999_999))}",
            expected_amount=Decimal(int(rng.integers(5, 300)) * 10_000),
            growth_potential=company and bool(rng.random() < 0.5),
        ),
    )
    reached = int(rng.choice(len(REACHED_SHARES), p=REACHED_SHARES))
    prospect = created
    if reached >= 1:
        prospect = prospects_service.update_prospect(
            session,
            user=manager,
            prospect_id=prospect.id,
            data=ProspectUpdate(
                version=prospect.version,
                decision_maker="财务总监" if company else "本人",
                needs=str(rng.choice(NEEDS)),
            ),
        )
    for stage in FORWARD[:reached]:
        prospect = prospects_service.move_stage(
            session,
            user=manager,
            prospect_id=prospect.id,
            data=StageMove(version=prospect.version, stage=stage),
        )
    if reached >= 2:
        kind, said, answer = OBJECTIONS[int(rng.integers(len(OBJECTIONS)))]
        prospects_service.add_objection(
            session,
            user=manager,
            prospect_id=prospect.id,
            data=ObjectionCreate(kind=kind, said=said, answer=answer, resolved=reached >= 3),
        )
    if reached < len(FORWARD) and rng.random() < LOST_SHARE:
        prospects_service.move_stage(
            session,
            user=manager,
            prospect_id=prospect.id,
            data=StageMove(
                version=prospect.version,
                stage=ProspectStage.LOST,
                reason=str(rng.choice(LOST_REASONS)),
            ),
        )
        return
    if reached < len(FORWARD):
        # a few follow-ups fall due before today: the overdue ones a manager should see
        prospects_service.add_follow_up(
            session,
            user=manager,
            prospect_id=prospect.id,
            data=FollowUpCreate(
                planned_on=today + timedelta(days=int(rng.integers(-5, 15))),
                channel=FollowUpChannel(
                    str(rng.choice([FollowUpChannel.PHONE.value, FollowUpChannel.VISIT.value]))
                ),
                purpose="回访了解需求进展，约定下次面谈",
            ),
        )
