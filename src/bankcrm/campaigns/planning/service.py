"""Marketing plans in the bank: a marketing analyst drafts a plan (the eight sections, its
competitors, PEST factors, 7P review, actions and budget lines), submits it, and a branch
manager who did not write it approves it or returns it with a reason (maker–checker).

Who approves: a branch plan is approved by an approver of that branch; a bank-wide plan
by any holder of ``campaigns:approve`` other than its author. An approved version is frozen:
editing it starts the next version as a draft, and every version stays readable.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.campaigns.models import Campaign
from bankcrm.campaigns.planning import budgets, plans
from bankcrm.campaigns.planning.models import (
    MarketingPlan,
    MarketingPlanAction,
    MarketingPlanBudgetLine,
    MarketingPlanCampaign,
    MarketingPlanChecklistAnswer,
    MarketingPlanCompetitor,
    MarketingPlanPest,
    MarketingPlanSection,
)
from bankcrm.campaigns.planning.repository import (
    ROW_MODELS,
    PlanRepository,
    PlanSpendSystemRepository,
)
from bankcrm.campaigns.planning.schemas import (
    ActionCreate,
    ActionRead,
    BudgetInputsBase,
    BudgetLineCreate,
    BudgetLineRead,
    BudgetMethodRead,
    CampaignLinkCreate,
    CampaignSpendRead,
    ChannelSpendRead,
    ChecklistItemRead,
    ChecklistUpdate,
    CompetitorCreate,
    CompetitorRead,
    PestCreate,
    PestRead,
    PlanCreate,
    PlanDecision,
    PlanRead,
    PlanSummaryRead,
    PlanUpdate,
    PlanVersionRead,
    SectionRead,
    SectionUpdate,
)
from bankcrm.core.clock import utcnow
from bankcrm.core.enums import BudgetMethod, PlanStatus
from bankcrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from bankcrm.core.money import from_cents, to_cents
from bankcrm.scope import sees_branch
from bankcrm.segmentation.models import SegmentRun
from bankcrm.segmentation.repository import RunRepository, SegmentRepository
from bankcrm.staff.models import StaffUser

LIST_LIMIT = 500
EDITABLE = (PlanStatus.DRAFT, PlanStatus.RETURNED)


@lru_cache(maxsize=1)
def checklist() -> plans.Checklist:
    """The 7P review questions in force: those that ship with bankcrm."""
    return plans.shipped_checklist()


# --- reading ----------------------------------------------------------------------------------


def list_plans(session: Session, *, user: StaffUser) -> list[PlanSummaryRead]:
    """The newest version of every plan the viewer may see."""
    repository = PlanRepository(session, user)
    rows = repository.latest_plans(limit=LIST_LIMIT)
    names = repository.staff_names(row.author_id for row in rows)
    branches = repository.branch_names(row.branch_id for row in rows)
    return [_summary(row, names, branches) for row in rows]


def get_plan(session: Session, *, user: StaffUser, plan_id: int, locale: str = "zh-CN") -> PlanRead:
    repository = PlanRepository(session, user)
    return _read(session, repository, _visible_plan(repository, plan_id), locale=locale)


def _visible_plan(repository: PlanRepository, plan_id: int) -> MarketingPlan:
    plan = repository.plan(plan_id)
    if plan is None:
        raise NotFound(f"no marketing plan {plan_id} you may see")
    return plan


def _summary(
    row: MarketingPlan, names: dict[int, str], branches: dict[int, str]
) -> PlanSummaryRead:
    return PlanSummaryRead(
        id=row.id,
        series_id=row.series_id or row.id,
        revision=row.revision,
        title=row.title,
        status=row.status,
        branch_id=row.branch_id,
        branch=branches.get(row.branch_id) if row.branch_id is not None else None,
        period_start=row.period_start,
        period_end=row.period_end,
        author=names.get(row.author_id) if row.author_id is not None else None,
        budget_cents=row.budget_cents,
        version=row.version,
    )


def _inputs(stored: dict[str, Any]) -> budgets.BudgetInputs:
    return budgets.BudgetInputs(
        **{key: Decimal(str(value)) for key, value in stored.items() if value is not None}
    )


def budget_comparison(
    session: Session, plan: MarketingPlan, repository: PlanRepository
) -> dict[BudgetMethod, Decimal | None]:
    actions = repository.rows("actions", plan.id)
    return budgets.compare(
        _inputs(plan.budget_inputs or {}), [from_cents(row.cost_cents) for row in actions]
    )


def _business_volume(session: Session, user: StaffUser, branch_id: int | None) -> int | None:
    run = RunRepository(session).latest()
    if not isinstance(run, SegmentRun):
        return None
    rows = SegmentRepository(session, user).volumes(run.id, branch_id=branch_id)
    return sum(int(row[2]) for row in rows)


def _read(
    session: Session, repository: PlanRepository, plan: MarketingPlan, *, locale: str
) -> PlanRead:
    sections = {row.code: row for row in repository.sections(plan.id)}
    competitors = repository.rows("competitors", plan.id)
    pest = repository.rows("pest", plan.id)
    actions = repository.rows("actions", plan.id)
    lines = repository.rows("budget_lines", plan.id)
    answers = {row.code: row for row in repository.checklist(plan.id)}
    versions = repository.versions(plan.series_id or plan.id)
    names = repository.staff_names(
        [plan.author_id, plan.decided_by_id]
        + [row.owner_id for row in sections.values()]
        + [row.owner_id for row in actions]
    )
    branches = repository.branch_names([plan.branch_id])
    states = plans.completeness(
        {
            code: (row.parts or {}, row.owner_id is not None, row.review_on is not None)
            for code, row in sections.items()
        },
        {"competitors": len(competitors), "actions": len(actions), "budget_lines": len(lines)},
    )
    section_reads = [
        SectionRead(
            code=state.code,
            parts=dict(sections[state.code].parts or {}) if state.code in sections else {},
            owner_id=sections[state.code].owner_id if state.code in sections else None,
            owner=names.get(sections[state.code].owner_id or 0) if state.code in sections else None,
            review_on=sections[state.code].review_on if state.code in sections else None,
            complete=state.complete,
        )
        for state in states
    ]
    questions = checklist()
    checklist_reads = [
        ChecklistItemRead(
            code=question.code,
            p=question.p.value,
            question=question.text.text(locale),
            answer=answers[question.code].answer if question.code in answers else None,
            note=answers[question.code].note if question.code in answers else None,
        )
        for question in questions.questions
    ]
    comparison = budget_comparison(session, plan, repository)
    campaigns, by_channel = _spend(session, repository, plan.id, lines)
    summary = _summary(plan, names, branches)
    return PlanRead(
        **summary.model_dump(),
        author_id=plan.author_id,
        target_new_customers=plan.target_new_customers,
        target_deposits_cents=plan.target_deposits_cents,
        target_on=plan.target_on,
        budget_inputs={key: str(value) for key, value in (plan.budget_inputs or {}).items()},
        budget_method=plan.budget_method,
        submitted_at=plan.submitted_at,
        decided_by=names.get(plan.decided_by_id) if plan.decided_by_id is not None else None,
        decided_at=plan.decided_at,
        return_reason=plan.return_reason,
        sections=section_reads,
        competitors=[
            CompetitorRead(
                id=row.id,
                name=row.name,
                products=row.products,
                prices=row.prices,
                strengths=row.strengths,
                weaknesses=row.weaknesses,
                market_share=row.market_share,
                promotion_spend_cents=row.promotion_spend_cents,
            )
            for row in competitors
        ],
        pest=[
            PestRead(
                id=row.id,
                factor=row.factor,
                description=row.description,
                impact=row.impact,
                likelihood=row.likelihood,
            )
            for row in pest
        ],
        actions=[
            ActionRead(
                id=row.id,
                what=row.what,
                owner_id=row.owner_id,
                owner=names.get(row.owner_id) if row.owner_id is not None else None,
                due_on=row.due_on,
                cost_cents=row.cost_cents,
            )
            for row in actions
        ],
        budget_lines=[
            BudgetLineRead(
                id=row.id,
                channel=row.channel,
                activity=row.activity,
                planned_cents=row.planned_cents,
            )
            for row in lines
        ],
        checklist=checklist_reads,
        budget_methods=[
            BudgetMethodRead(
                method=method, amount_cents=None if amount is None else to_cents(amount)
            )
            for method, amount in comparison.items()
        ],
        business_volume_cents=_business_volume(session, repository.viewer, plan.branch_id),
        campaigns=campaigns,
        spend_by_channel=by_channel,
        planned_total_cents=sum(row.planned_cents for row in lines),
        actual_total_cents=sum(row.actual_cents for row in campaigns),
        versions=[
            PlanVersionRead(
                id=row.id,
                revision=row.revision,
                status=row.status,
                edited_at=row.edited_at,
                decided_at=row.decided_at,
            )
            for row in versions
        ],
        latest=not versions or versions[0].id == plan.id,
    )


def _spend(
    session: Session,
    repository: PlanRepository,
    plan_id: int,
    lines: list[MarketingPlanBudgetLine],
) -> tuple[list[CampaignSpendRead], list[ChannelSpendRead]]:
    """Each linked campaign's actual spend, and planned against actual by channel."""
    linked = repository.linked_campaigns(plan_id)
    contacted = PlanSpendSystemRepository(session).contacted([row.id for row in linked])
    campaigns = [_campaign_spend(row, contacted.get(row.id, 0)) for row in linked]
    planned: dict[Any, int] = defaultdict(int)
    actual: dict[Any, int] = defaultdict(int)
    for line in lines:
        planned[line.channel] += line.planned_cents
    for spend in campaigns:
        actual[spend.channel] += spend.actual_cents
    channels = sorted(
        set(planned) | set(actual), key=lambda channel: (channel is None, str(channel or ""))
    )
    return campaigns, [
        ChannelSpendRead(
            channel=channel,
            planned_cents=planned.get(channel, 0),
            actual_cents=actual.get(channel, 0),
        )
        for channel in channels
    ]


def _campaign_spend(campaign: Campaign, contacted: int) -> CampaignSpendRead:
    actual = budgets.campaign_spend(
        fixed_cost=from_cents(campaign.fixed_cost_cents or 0),
        cost_per_contact=from_cents(campaign.cost_per_contact_cents or 0),
        contacted=contacted,
    )
    return CampaignSpendRead(
        campaign_id=campaign.id,
        code=campaign.code,
        name=campaign.name,
        channel=campaign.channel,
        budget_cents=campaign.budget_cents or 0,
        contacted=contacted,
        actual_cents=to_cents(actual),
    )


def staff_choices(session: Session, *, user: StaffUser) -> list[tuple[int, str]]:
    return PlanRepository(session, user).staff_choices()


def branch_choices(session: Session, *, user: StaffUser) -> list[tuple[int, str]]:
    return PlanRepository(session, user).branches()


# --- writing ----------------------------------------------------------------------------------


def _check_period(start: Any, end: Any) -> None:
    if end < start:
        raise ValidationFailed("the plan's period ends before it starts", field="period_end")


def _check_staff(repository: PlanRepository, staff_id: int | None, field: str) -> None:
    if staff_id is not None and not repository.active_staff(staff_id):
        raise ValidationFailed(f"no active staff member {staff_id}", field=field)


def _cents(amount: Decimal | None) -> int | None:
    return None if amount is None else to_cents(amount)


def create_plan(
    session: Session, *, user: StaffUser, data: PlanCreate, locale: str = "zh-CN"
) -> PlanRead:
    """A new plan, as a draft with its eight sections empty."""
    repository = PlanRepository(session, user)
    _check_period(data.period_start, data.period_end)
    if data.branch_id is not None:
        if not repository.branch_names([data.branch_id]):
            raise ValidationFailed(f"no branch {data.branch_id}", field="branch_id")
        if not sees_branch(user, data.branch_id):
            raise PermissionDenied("you may not plan for another branch")
    plan = MarketingPlan(
        revision=1,
        title=data.title,
        branch_id=data.branch_id,
        period_start=data.period_start,
        period_end=data.period_end,
        status=PlanStatus.DRAFT,
        target_new_customers=data.target_new_customers,
        target_deposits_cents=_cents(data.target_deposits),
        target_on=data.target_on,
        budget_inputs={},
        author_id=user.id,
        edited_at=utcnow(),
    )
    session.add(plan)
    session.flush()
    plan.series_id = plan.id
    session.add_all(
        MarketingPlanSection(plan_id=plan.id, code=code, parts={}) for code in plans.SECTION_CODES
    )
    session.flush()
    return _read(session, repository, plan, locale=locale)


def _editable(repository: PlanRepository, plan_id: int, version: int) -> MarketingPlan:
    """The plan, if the editor saw its current version and it may still be changed."""
    plan = _visible_plan(repository, plan_id)
    if plan.version != version:
        raise Conflict(
            f"plan {plan_id} was changed by someone else (now version {plan.version}); reload it"
        )
    if plan.status not in EDITABLE:
        raise Conflict(
            f"plan {plan_id} is {plan.status.value}: only a draft or a returned plan is changed"
        )
    return plan


def _touch(plan: MarketingPlan) -> None:
    """Any change to a plan's rows is a change to the plan: its version moves on."""
    plan.edited_at = utcnow()


def update_plan(
    session: Session, *, user: StaffUser, plan_id: int, data: PlanUpdate, locale: str = "zh-CN"
) -> PlanRead:
    """Change a draft or returned plan; for an approved plan the changes go into its next
    version, a new draft (the approved one stays as it was)."""
    repository = PlanRepository(session, user)
    current = _visible_plan(repository, plan_id)
    if current.status is PlanStatus.APPROVED:
        plan = _revise(session, repository, current, data.version)
    else:
        plan = _editable(repository, plan_id, data.version)
    fields = data.model_fields_set
    if data.title is not None:
        plan.title = data.title
    if data.period_start is not None:
        plan.period_start = data.period_start
    if data.period_end is not None:
        plan.period_end = data.period_end
    _check_period(plan.period_start, plan.period_end)
    if "target_new_customers" in fields:
        plan.target_new_customers = data.target_new_customers
    if "target_deposits" in fields:
        plan.target_deposits_cents = _cents(data.target_deposits)
    if "target_on" in fields:
        plan.target_on = data.target_on
    if data.sections:
        _update_sections(repository, plan, data.sections)
    if data.budget_inputs is not None:
        plan.budget_inputs = _stored_inputs(data.budget_inputs)
    if data.budget_method is not None:
        amount = budget_comparison(session, plan, repository)[data.budget_method]
        if amount is None:
            raise ValidationFailed(
                f"the {data.budget_method.value} method lacks its inputs", field="budget_method"
            )
        plan.budget_method = data.budget_method
        plan.budget_cents = to_cents(amount)
    _touch(plan)
    session.flush()
    return _read(session, repository, plan, locale=locale)


def _stored_inputs(inputs: BudgetInputsBase) -> dict[str, str]:
    # validate together, as the page shows them, before anything is stored
    stored = {key: str(value) for key, value in inputs.model_dump().items() if value is not None}
    budgets.compare(_inputs(stored), [])
    return stored


def _update_sections(
    repository: PlanRepository, plan: MarketingPlan, changes: dict[str, SectionUpdate]
) -> None:
    rows = {row.code: row for row in repository.sections(plan.id)}
    for code, change in changes.items():
        plans.section(code)
        parts = plans.clean_parts(code, change.parts)
        _check_staff(repository, change.owner_id, f"sections.{code}.owner_id")
        row = rows.get(code)
        if row is None:
            row = MarketingPlanSection(plan_id=plan.id, code=code, parts={})
            repository.session.add(row)
        merged = {**(row.parts or {}), **dict.fromkeys(change.parts, "")}
        merged.update(parts)
        row.parts = {name: text for name, text in merged.items() if text}
        if "owner_id" in change.model_fields_set:
            row.owner_id = change.owner_id
        if "review_on" in change.model_fields_set:
            row.review_on = change.review_on


def add_competitor(
    session: Session, *, user: StaffUser, plan_id: int, data: CompetitorCreate
) -> int:
    repository = PlanRepository(session, user)
    plan = _editable(repository, plan_id, data.version)
    row = MarketingPlanCompetitor(
        plan_id=plan.id,
        name=data.name,
        products=data.products or None,
        prices=data.prices or None,
        strengths=data.strengths or None,
        weaknesses=data.weaknesses or None,
        market_share=None if data.market_share is None else float(data.market_share),
        promotion_spend_cents=_cents(data.promotion_spend),
    )
    return _added(session, plan, row)


def add_pest(session: Session, *, user: StaffUser, plan_id: int, data: PestCreate) -> int:
    repository = PlanRepository(session, user)
    plan = _editable(repository, plan_id, data.version)
    row = MarketingPlanPest(
        plan_id=plan.id,
        factor=data.factor,
        description=data.description,
        impact=data.impact,
        likelihood=data.likelihood,
    )
    return _added(session, plan, row)


def add_action(session: Session, *, user: StaffUser, plan_id: int, data: ActionCreate) -> int:
    repository = PlanRepository(session, user)
    plan = _editable(repository, plan_id, data.version)
    _check_staff(repository, data.owner_id, "owner_id")
    row = MarketingPlanAction(
        plan_id=plan.id,
        what=data.what,
        owner_id=data.owner_id,
        due_on=data.due_on,
        cost_cents=to_cents(data.cost),
    )
    return _added(session, plan, row)


def add_budget_line(
    session: Session, *, user: StaffUser, plan_id: int, data: BudgetLineCreate
) -> int:
    repository = PlanRepository(session, user)
    plan = _editable(repository, plan_id, data.version)
    row = MarketingPlanBudgetLine(
        plan_id=plan.id,
        channel=data.channel,
        activity=data.activity,
        planned_cents=to_cents(data.planned),
    )
    return _added(session, plan, row)


def _added(session: Session, plan: MarketingPlan, row: Any) -> int:
    session.add(row)
    _touch(plan)
    session.flush()
    return int(row.id)


def remove_row(
    session: Session, *, user: StaffUser, plan_id: int, version: int, kind: str, row_id: int
) -> None:
    """Take a competitor, PEST factor, action or budget line off a draft plan."""
    if kind not in ROW_MODELS:
        raise NotFound(f"no kind of plan row {kind!r}")
    repository = PlanRepository(session, user)
    plan = _editable(repository, plan_id, version)
    row = repository.row(kind, plan.id, row_id)
    if row is None:
        raise NotFound(f"no {kind} row {row_id} in plan {plan_id}")
    session.delete(row)
    _touch(plan)
    session.flush()


def answer_checklist(
    session: Session, *, user: StaffUser, plan_id: int, data: ChecklistUpdate
) -> None:
    """Record answers to the 7P review; an answer given again replaces the earlier one."""
    repository = PlanRepository(session, user)
    plan = _editable(repository, plan_id, data.version)
    questions = checklist()
    existing = {row.code: row for row in repository.checklist(plan.id)}
    for given in data.answers:
        questions.question(given.code)
        row = existing.get(given.code)
        if row is None:
            row = MarketingPlanChecklistAnswer(plan_id=plan.id, code=given.code)
            session.add(row)
            existing[given.code] = row
        row.answer = given.answer
        row.note = given.note or None
    _touch(plan)
    session.flush()


def link_campaign(
    session: Session, *, user: StaffUser, plan_id: int, data: CampaignLinkCreate
) -> None:
    """Count a campaign's spend as the plan's actual. A campaign carries out one plan version
    at a time; linking it to the same plan twice is refused."""
    repository = PlanRepository(session, user)
    plan = _editable(repository, plan_id, data.version)
    campaign = repository.campaign(data.campaign_id)
    if campaign is None:
        raise ValidationFailed(f"no campaign {data.campaign_id}", field="campaign_id")
    if plan.branch_id is not None and campaign.branch_id not in (None, plan.branch_id):
        raise ValidationFailed(
            "the campaign is another branch's: a branch plan counts its own campaigns",
            field="campaign_id",
        )
    if any(link.campaign_id == campaign.id for link in repository.campaign_links(plan.id)):
        raise Conflict(f"campaign {campaign.code} is already linked to this plan")
    session.add(MarketingPlanCampaign(plan_id=plan.id, campaign_id=campaign.id))
    _touch(plan)
    session.flush()


def unlink_campaign(
    session: Session, *, user: StaffUser, plan_id: int, version: int, campaign_id: int
) -> None:
    repository = PlanRepository(session, user)
    plan = _editable(repository, plan_id, version)
    link = next(
        (row for row in repository.campaign_links(plan.id) if row.campaign_id == campaign_id),
        None,
    )
    if link is None:
        raise NotFound(f"campaign {campaign_id} is not linked to plan {plan_id}")
    session.delete(link)
    _touch(plan)
    session.flush()


# --- versions and approval --------------------------------------------------------------------


def _revise(
    session: Session, repository: PlanRepository, plan: MarketingPlan, version: int
) -> MarketingPlan:
    if plan.version != version:
        raise Conflict(
            f"plan {plan.id} was changed by someone else (now version {plan.version}); reload it"
        )
    if plan.status is not PlanStatus.APPROVED:
        raise Conflict(f"plan {plan.id} is {plan.status.value}: change it where it is")
    series = plan.series_id or plan.id
    newest = repository.newest_revision(series)
    if newest != plan.revision:
        raise Conflict(
            f"plan {plan.id} already has a newer version ({newest}): edit that one instead"
        )
    copy = MarketingPlan(
        series_id=series,
        revision=plan.revision + 1,
        title=plan.title,
        branch_id=plan.branch_id,
        period_start=plan.period_start,
        period_end=plan.period_end,
        status=PlanStatus.DRAFT,
        target_new_customers=plan.target_new_customers,
        target_deposits_cents=plan.target_deposits_cents,
        target_on=plan.target_on,
        budget_inputs=dict(plan.budget_inputs or {}),
        budget_method=plan.budget_method,
        budget_cents=plan.budget_cents,
        author_id=repository.viewer.id,
        edited_at=utcnow(),
    )
    session.add(copy)
    session.flush()
    for row in repository.children(plan.id):
        values = {
            column.key: getattr(row, column.key)
            for column in row.__table__.columns
            if column.key not in ("id", "plan_id")
        }
        session.add(type(row)(plan_id=copy.id, **values))
    for link in repository.campaign_links(plan.id):
        session.add(MarketingPlanCampaign(plan_id=copy.id, campaign_id=link.campaign_id))
    session.flush()
    return copy


def revise(
    session: Session, *, user: StaffUser, plan_id: int, version: int, locale: str = "zh-CN"
) -> PlanRead:
    """Start the next version of an approved plan as a draft, a copy of it; the author of
    the new version is the editor."""
    repository = PlanRepository(session, user)
    plan = _revise(session, repository, _visible_plan(repository, plan_id), version)
    return _read(session, repository, plan, locale=locale)


def submit(
    session: Session, *, user: StaffUser, plan_id: int, version: int, locale: str = "zh-CN"
) -> PlanRead:
    """Send a draft or returned plan for approval."""
    repository = PlanRepository(session, user)
    plan = _editable(repository, plan_id, version)
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_at = utcnow()
    plan.return_reason = None
    plan.decided_by_id = None
    plan.decided_at = None
    session.flush()
    return _read(session, repository, plan, locale=locale)


def decide(
    session: Session,
    *,
    user: StaffUser,
    plan_id: int,
    data: PlanDecision,
    approve: bool,
    locale: str = "zh-CN",
) -> PlanRead:
    """Approve a submitted plan (freezing this version) or return it with a reason; never
    its author, and for a branch's plan only an approver of that branch."""
    repository = PlanRepository(session, user)
    plan = _visible_plan(repository, plan_id)
    if plan.author_id == user.id:
        raise PermissionDenied(
            "you wrote this plan: a second person must approve it (maker–checker)"
        )
    if plan.branch_id is not None and not sees_branch(user, plan.branch_id):
        raise PermissionDenied("a branch's plan is approved by that branch")
    if plan.version != data.version:
        raise Conflict(
            f"plan {plan_id} was changed by someone else (now version {plan.version}); reload it"
        )
    if plan.status is not PlanStatus.SUBMITTED:
        raise Conflict(f"plan {plan_id} is {plan.status.value}, not waiting for approval")
    reason = (data.reason or "").strip()
    if not approve and not reason:
        raise ValidationFailed("say why the plan goes back", field="reason")
    plan.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    plan.decided_by_id = user.id
    plan.decided_at = utcnow()
    plan.return_reason = None if approve else reason
    session.flush()
    return _read(session, repository, plan, locale=locale)


def may_approve(user: StaffUser, plan: PlanRead) -> bool:
    """Whether the viewer could approve or return the plan now (the pages show the buttons)."""
    return (
        plan.status is PlanStatus.SUBMITTED
        and plan.author_id != user.id
        and (plan.branch_id is None or sees_branch(user, plan.branch_id))
    )
