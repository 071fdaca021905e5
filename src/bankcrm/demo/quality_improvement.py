"""The demo bank's promise register (gap 4) and a PDCA board with actions in every stage.

Two promises are broken (the queue and a wealth product's advertised yield), two kept.
The board holds actions raised by complaints (real cases of the generated desk), by gaps
and for other reasons: one closed with its effect shown, one in check, one past its due
date, one whose check found no effect waiting to start a new cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from bankcrm.complaints.models import Complaint
from bankcrm.core.enums import ActionOrigin, ActionStage, Role, TargetDirection
from bankcrm.demo.repository import DemoSystemRepository, staff_in_roles
from bankcrm.quality.improvement import pdca, service
from bankcrm.quality.models import ServicePromise
from bankcrm.staff.models import StaffUser

PROMISES = (
    ("排队等候不超过15分钟", "deposit_account", "min", 15.0, TargetDirection.AT_MOST, 19.5),
    ("理财产品预期年化收益4.5%", "wealth_management", "%", 4.5, TargetDirection.AT_LEAST, 3.1),
    ("ATM可用率不低于99.5%", "deposit_account", "%", 99.5, TargetDirection.AT_LEAST, 99.7),
    ("个人贷款5个工作日内审批", "personal_loan", "天", 5.0, TargetDirection.AT_MOST, 4.2),
)
"""Title, product line, unit, promised value, direction and the value delivered."""


@dataclass(frozen=True)
class DemoAction:
    title: str
    origin: ActionOrigin
    stage: ActionStage
    due_in_days: int
    """Days from the day the demo is built; negative is overdue."""
    metric: str
    higher_is_better: bool
    before: float
    after: float | None = None
    issue: str | None = None
    """For a complaint origin: the issue of the case the action comes from."""
    gap: int | None = None
    dimension: str | None = None
    description: str | None = None
    owner_role: Role = Role.QUALITY_OFFICER


ACTIONS = (
    DemoAction(
        title="高峰时段弹性排班,增开对私窗口",
        origin=ActionOrigin.COMPLAINT,
        issue="waiting_time",
        stage=ActionStage.CLOSED,
        due_in_days=-20,
        metric="高峰时段平均等候时间(分钟)",
        higher_is_better=False,
        before=19.5,
        after=13.8,
        owner_role=Role.BRANCH_MANAGER,
        description="按叫号数据排出高峰时段,弹性排班并增开两个对私窗口;大堂经理分流简单业务到自助设备。",
    ),
    DemoAction(
        title="理财产品宣传材料按历史业绩口径整改",
        origin=ActionOrigin.COMPLAINT,
        issue="not_as_advertised",
        stage=ActionStage.DO,
        due_in_days=14,
        metric="“与宣传不符”投诉(件/月)",
        higher_is_better=False,
        before=6.0,
        gap=4,
        description="下架以预期收益为卖点的海报,统一使用业绩比较基准及风险提示话术。",
    ),
    DemoAction(
        title="响应性提升:首问负责制与超时叫号提醒",
        origin=ActionOrigin.GAP,
        gap=5,
        dimension="responsiveness",
        stage=ActionStage.CHECK,
        due_in_days=10,
        metric="响应性差距 P − E(分)",
        higher_is_better=True,
        before=-1.2,
        after=-0.9,
        description="柜面与大堂落实首问负责制;等候超过15分钟的客户由大堂经理主动致歉并引导。",
    ),
    DemoAction(
        title="管理层季度走访客户,校准对客户期望的判断",
        origin=ActionOrigin.GAP,
        gap=1,
        stage=ActionStage.ACT,
        due_in_days=5,
        metric="顾客期望与管理者预测的平均绝对差(分)",
        higher_is_better=False,
        before=0.42,
        after=0.45,
        description="网点负责人每季度走访20位客户,并与一线员工面对面交流客户反馈。",
    ),
    DemoAction(
        title="大堂经理服务礼仪专项培训",
        origin=ActionOrigin.OTHER,
        stage=ActionStage.DO,
        due_in_days=-7,
        metric="神秘人检查礼仪项合格率",
        higher_is_better=True,
        before=0.72,
        owner_role=Role.BRANCH_MANAGER,
    ),
    DemoAction(
        title="服务态度投诉回访与员工辅导",
        origin=ActionOrigin.COMPLAINT,
        issue="service_attitude",
        stage=ActionStage.PLAN,
        due_in_days=21,
        metric="服务态度投诉(件/月)",
        higher_is_better=False,
        before=4.0,
        gap=3,
    ),
    DemoAction(
        title="补齐移情性题项的服务标准",
        origin=ActionOrigin.GAP,
        gap=2,
        stage=ActionStage.PLAN,
        due_in_days=30,
        metric="有服务标准支撑的题项比例",
        higher_is_better=True,
        before=0.64,
    ),
)


def plant_improvement(session: Session, *, as_of: date, today: date, seed: int) -> None:
    """Register the demo's promises (measured on ``as_of``) and put its actions on the
    board, due around ``today``. ``seed`` picks which of the first matching cases a
    complaint action comes from; nothing else varies."""
    for title, line, unit, promised, direction, delivered in PROMISES:
        session.add(
            ServicePromise(
                title=title,
                product_line=line,
                unit=unit,
                promised=promised,
                direction=direction,
                delivered=delivered,
                measured_on=min(as_of, today),
                active=True,
            )
        )
    officers = staff_in_roles(session, (Role.QUALITY_OFFICER,), by_id=True)
    managers = staff_in_roles(session, (Role.BRANCH_MANAGER,), by_id=True)
    creator = officers[0] if officers else (managers[0] if managers else None)
    if creator is None:
        # a bank without quality staff has nobody to own the actions
        session.flush()
        return
    for number, planned in enumerate(ACTIONS):
        complaint = _complaint(session, planned.issue, seed + number)
        origin = planned.origin
        if origin is ActionOrigin.COMPLAINT and complaint is None:
            origin = ActionOrigin.OTHER
        owner = _owner(planned.owner_role, complaint, officers, managers, creator, number)
        action = service.create_action(
            session,
            user=creator,
            title=planned.title,
            owner_id=owner.id,
            due_on=today + timedelta(days=planned.due_in_days),
            origin=origin,
            description=planned.description,
            branch_id=owner.branch_id if complaint is None else None,
            gap=planned.gap,
            dimension=planned.dimension,
            complaint_id=complaint.id if complaint is not None else None,
            metric=planned.metric,
            metric_before=planned.before,
            higher_is_better=planned.higher_is_better,
        )
        action.stage = planned.stage
        action.metric_after = planned.after
        if planned.after is not None:
            action.effective = pdca.judge(
                planned.before, planned.after, higher_is_better=planned.higher_is_better
            )
        if planned.stage is ActionStage.CLOSED:
            closed_on = today + timedelta(days=planned.due_in_days - 2)
            action.closed_at = datetime.combine(closed_on, time(9), tzinfo=UTC)
    session.flush()


def _complaint(session: Session, issue: str | None, pick: int) -> Complaint | None:
    if issue is None:
        return None
    cases = DemoSystemRepository(session).complaints_with_issue(issue, limit=5)
    return cases[pick % len(cases)] if cases else None


def _owner(
    role: Role,
    complaint: Complaint | None,
    officers: list[StaffUser],
    managers: list[StaffUser],
    creator: StaffUser,
    number: int,
) -> StaffUser:
    """The quality officer (in turn), or the branch manager of the case's branch."""
    if role is Role.BRANCH_MANAGER and managers:
        if complaint is not None:
            for manager in managers:
                if manager.branch_id == complaint.branch_id:
                    return manager
        return managers[number % len(managers)]
    return officers[number % len(officers)] if officers else creator
