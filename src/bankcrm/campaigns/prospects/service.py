"""The prospect pipeline's operations: an account manager keeps their prospects, moves them
through the stages (:mod:`.pipeline`), records objections with the handbook's answers at
hand (:mod:`bankcrm.offers.objections`), plans follow-ups that remind them through tasks,
cultivates growth customers and runs the fee-based business flow; a branch manager sees the
branch's pipelines and its conversion funnel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache

from sqlalchemy.orm import Session

from bankcrm.campaigns.prospects import pipeline
from bankcrm.campaigns.prospects import repository as prospect_repository
from bankcrm.campaigns.prospects.models import (
    Prospect,
    ProspectEvent,
    ProspectFollowUp,
    ProspectObjection,
)
from bankcrm.campaigns.prospects.repository import ProspectRepository
from bankcrm.campaigns.prospects.schemas import (
    BoardColumn,
    FeeAdvance,
    FollowUpComplete,
    FollowUpCreate,
    FollowUpRead,
    FunnelRead,
    FunnelStepRead,
    ObjectionCreate,
    ObjectionRead,
    ProspectCreate,
    ProspectDetail,
    ProspectRead,
    ProspectUpdate,
    StageEventRead,
    StageMove,
    SuggestedResponse,
)
from bankcrm.core.clock import bank_today, utcnow
from bankcrm.core.enums import (
    FeeStage,
    ProductCategory,
    ProspectStage,
    Role,
    TaskPriority,
    TaskStatus,
)
from bankcrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from bankcrm.core.messages import _
from bankcrm.core.money import from_cents, to_cents
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.offers import objections as objection_book
from bankcrm.privacy.fields import mask
from bankcrm.products.models import Product
from bankcrm.scope import sees_branch
from bankcrm.staff import repository as staff_repository
from bankcrm.staff.models import StaffUser
from bankcrm.tasks.models import Task

TASK_SOURCE = "prospect"
TASK_KIND = "prospect_follow_up"


TASK_TITLE = _("Follow up %(name)s")
LIST_LIMIT = 500
DETAIL_LIMIT = 200
PIPELINE_OWNERS = frozenset({Role.ACCOUNT_MANAGER, Role.BRANCH_MANAGER})
"""Roles that keep a pipeline of their own."""


@lru_cache(maxsize=1)
def book() -> objection_book.ObjectionBook:
    """The objections that ship with bankcrm, the ones the offers pages answer from."""
    return objection_book.load_shipped()


# --- reading --------------------------------------------------------------------------------


def list_prospects(
    session: Session,
    *,
    user: StaffUser,
    owner_id: int | None = None,
    stage: ProspectStage | None = None,
) -> list[ProspectRead]:
    """The prospects the viewer sees, of one owner or in one stage when asked."""
    conditions = []
    if owner_id is not None:
        conditions.append(Prospect.owner_id == owner_id)
    if stage is not None:
        conditions.append(Prospect.stage == stage)
    rows = ProspectRepository(session, user).find(conditions=conditions, limit=LIST_LIMIT)
    return _reads(session, user, rows)


def get_prospect(
    session: Session, *, user: StaffUser, prospect_id: int, locale: str = "zh-CN"
) -> ProspectDetail:
    """The prospect with its moves, objections and follow-ups; ``NotFound`` when the viewer
    may not see it."""
    repository = ProspectRepository(session, user)
    row = _prospect(repository, prospect_id)
    history = [
        StageEventRead(
            from_stage=event.from_stage,
            to_stage=event.to_stage,
            from_fee_stage=event.from_fee_stage,
            to_fee_stage=event.to_fee_stage,
            reason=event.reason,
            actor=_full_name(session, event.actor_id),
            at=event.at,
        )
        for event in repository.events(
            conditions=[ProspectEvent.prospect_id == row.id], limit=DETAIL_LIMIT
        )
    ]
    category = _category(session, row.product_id)
    objections = [
        _objection_read(session, objection, category=category, locale=locale)
        for objection in repository.objections(
            conditions=[ProspectObjection.prospect_id == row.id], limit=DETAIL_LIMIT
        )
    ]
    today = bank_today()
    follow_ups = [
        _follow_up_read(follow_up, today)
        for follow_up in repository.follow_ups(
            conditions=[ProspectFollowUp.prospect_id == row.id], limit=DETAIL_LIMIT
        )
    ]
    return ProspectDetail(
        prospect=_reads(session, user, [row])[0],
        history=history,
        objections=objections,
        follow_ups=follow_ups,
    )


def board(session: Session, *, user: StaffUser, owner_id: int) -> list[BoardColumn]:
    """One owner's pipeline as a kanban: a column per stage, open follow-ups soonest first."""
    cards = list_prospects(session, user=user, owner_id=owner_id)
    columns = []
    for stage in (*pipeline.PATH, ProspectStage.LOST):
        in_column = sorted(
            (card for card in cards if card.stage is stage),
            key=lambda card: (card.next_follow_up_on or date.max, card.name),
        )
        columns.append(
            BoardColumn(
                stage=stage,
                cards=in_column,
                amount=sum((card.expected_amount or Decimal(0) for card in in_column), Decimal(0)),
            )
        )
    return columns


def pipeline_owners(session: Session, *, user: StaffUser) -> list[StaffUser]:
    """Whose pipeline the viewer may open: their own, and a branch manager's managers'."""
    owners = [user] if user.role in PIPELINE_OWNERS else []
    if user.role is Role.BRANCH_MANAGER and user.branch_id is not None:
        owners += staff_repository.list_account_managers(session, branch_id=user.branch_id)
    return owners


def funnel(session: Session, *, user: StaffUser, branch_id: int | None) -> FunnelRead:
    """Prospects per stage reached and the conversion from stage to stage, of one branch
    (or all the viewer sees)."""
    if branch_id is not None and not sees_branch(user, branch_id):
        raise NotFound(f"no branch {branch_id} you may see")
    counts = ProspectRepository(session, user).stage_counts(branch_id=branch_id)
    reached = [stage for _, stage, count in counts for _ in range(count)]
    return FunnelRead(
        branch_id=branch_id,
        prospects=len(reached),
        lost=sum(count for stage, _, count in counts if stage is ProspectStage.LOST),
        steps=[
            FunnelStepRead(stage=step.stage, reached=step.reached, rate=step.rate)
            for step in pipeline.funnel(reached)
        ],
    )


def customer_choices(session: Session, *, user: StaffUser, text: str) -> list[tuple[int, str]]:
    """(id, name and number) of the viewer's customers matching ``text``, to link one."""
    if not text.strip():
        return []
    rows = ProspectRepository(session, user).customers_matching(text=text, limit=20)
    return [(row.id, f"{row.name} · {row.external_id}") for row in rows]


def products(session: Session, *, locale: str) -> list[tuple[int, str]]:
    """(id, name) of the catalogue's products a prospect may be interested in."""
    return [
        (row.id, row.name_en if locale.startswith("en") else row.name_zh)
        for row in prospect_repository.products(session)
    ]


# --- changing -------------------------------------------------------------------------------


def create_prospect(session: Session, *, user: StaffUser, data: ProspectCreate) -> ProspectRead:
    """Open a prospect in the ``identify`` stage in its owner's pipeline (the creator's,
    unless a branch manager gives one of their account managers)."""
    owner = _owner(session, user, data.owner_id)
    if owner.branch_id is None:
        raise ValidationFailed(f"{owner.full_name} belongs to no branch", field="owner_id")
    repository = ProspectRepository(session, user)
    if data.customer_id is not None and repository.customer(customer_id=data.customer_id) is None:
        raise ValidationFailed(f"no customer {data.customer_id} in your book", field="customer_id")
    product = _product(session, data.product_id)
    row = Prospect(
        name=data.name,
        kind=data.kind,
        phone=data.phone or None,
        source=data.source,
        source_detail=data.source_detail or None,
        customer_id=data.customer_id,
        owner_id=owner.id,
        branch_id=owner.branch_id,
        product_id=data.product_id,
        expected_amount_cents=_cents(data.expected_amount),
        stage=ProspectStage.IDENTIFY,
        reached_stage=ProspectStage.IDENTIFY,
        growth_potential=data.growth_potential,
        cultivation=[],
        fee_stage=_first_fee_stage(product),
        created_by_id=user.id,
    )
    session.add(row)
    session.flush()
    _record(session, row, user, to_stage=ProspectStage.IDENTIFY)
    session.flush()
    return _reads(session, user, [row])[0]


def update_prospect(
    session: Session, *, user: StaffUser, prospect_id: int, data: ProspectUpdate
) -> ProspectRead:
    """Change the fields given, on the version the caller saw."""
    row = _current(session, user, prospect_id, data.version)
    given = data.model_fields_set
    if "name" in given:
        if not data.name:
            raise ValidationFailed("a prospect needs a name", field="name")
        row.name = data.name
    for field in ("phone", "source_detail", "decision_maker", "needs"):
        if field in given:
            setattr(row, field, getattr(data, field) or None)
    if "product_id" in given:
        product = _product(session, data.product_id)
        row.product_id = data.product_id
        if row.fee_stage is None:
            row.fee_stage = _first_fee_stage(product)
    if "expected_amount" in given:
        row.expected_amount_cents = _cents(data.expected_amount)
    if "budget" in given:
        row.budget_cents = _cents(data.budget)
    if "growth_potential" in given and data.growth_potential is not None:
        row.growth_potential = data.growth_potential
    if "cultivation" in given:
        if data.cultivation and not row.growth_potential:
            raise ValidationFailed(
                "only a prospect marked as a growth customer is cultivated", field="cultivation"
            )
        row.cultivation = sorted({step.value for step in data.cultivation or []})
    session.flush()
    return _reads(session, user, [row])[0]


def move_stage(
    session: Session, *, user: StaffUser, prospect_id: int, data: StageMove
) -> ProspectRead:
    """Move the prospect to another stage, as the pipeline's rules allow."""
    row = _current(session, user, prospect_id, data.version)
    before = row.stage
    after = pipeline.move(
        before,
        data.stage,
        analysed=bool(row.decision_maker and row.needs),
        reason=data.reason,
    )
    row.stage = after
    row.reached_stage = pipeline.furthest(row.reached_stage, after)
    row.lost_reason = data.reason if after is ProspectStage.LOST else None
    _record(session, row, user, from_stage=before, to_stage=after, reason=data.reason)
    session.flush()
    return _reads(session, user, [row])[0]


def advance_fee_flow(
    session: Session, *, user: StaffUser, prospect_id: int, data: FeeAdvance
) -> ProspectRead:
    """Take the fee-based business flow one step on; the fee is quoted at the quotation."""
    row = _current(session, user, prospect_id, data.version)
    if row.fee_stage is None:
        raise ValidationFailed(
            "the prospect's product is not a fee-based service", field="product_id"
        )
    if data.fee_quoted is not None:
        if row.fee_stage is not FeeStage.QUOTATION:
            raise ValidationFailed("a fee is quoted at the quotation step", field="fee_quoted")
        row.fee_quoted_cents = to_cents(data.fee_quoted)
    before = row.fee_stage
    row.fee_stage = pipeline.fee_advance(before, fee_quoted_cents=row.fee_quoted_cents)
    _record(session, row, user, from_fee_stage=before, to_fee_stage=row.fee_stage)
    session.flush()
    return _reads(session, user, [row])[0]


def add_objection(
    session: Session,
    *,
    user: StaffUser,
    prospect_id: int,
    data: ObjectionCreate,
    locale: str = "zh-CN",
) -> ObjectionRead:
    row = _prospect(ProspectRepository(session, user), prospect_id)
    objection = ProspectObjection(
        prospect_id=row.id,
        kind=data.kind,
        said=data.said,
        answer=data.answer or None,
        resolved=data.resolved,
        recorded_by_id=user.id,
        recorded_at=utcnow(),
    )
    session.add(objection)
    session.flush()
    category = _category(session, row.product_id)
    return _objection_read(session, objection, category=category, locale=locale)


def add_follow_up(
    session: Session, *, user: StaffUser, prospect_id: int, data: FollowUpCreate
) -> FollowUpRead:
    """Plan a contact; a task reminds the prospect's owner on its day."""
    row = _prospect(ProspectRepository(session, user), prospect_id)
    if row.stage in pipeline.FINISHED:
        raise Conflict(f"prospect {row.id} is {row.stage.value}: its pipeline is finished")
    follow_up = ProspectFollowUp(
        prospect_id=row.id,
        planned_on=data.planned_on,
        channel=data.channel,
        purpose=data.purpose,
        created_by_id=user.id,
    )
    session.add(follow_up)
    session.flush()
    # the title is a catalog message: whoever opens the task reads it in their language
    follow_up.task = Task(
        customer_id=row.customer_id,
        assignee_id=row.owner_id,
        created_by_id=user.id,
        kind=TASK_KIND,
        source=TASK_SOURCE,
        source_ref=str(follow_up.id),
        title=TASK_TITLE,
        title_params={"name": row.name},
        description=data.purpose,
        priority=TaskPriority.NORMAL,
        due_on=data.planned_on,
    )
    session.flush()
    return _follow_up_read(follow_up, bank_today())


def complete_follow_up(
    session: Session,
    *,
    user: StaffUser,
    prospect_id: int,
    follow_up_id: int,
    data: FollowUpComplete,
) -> FollowUpRead:
    """Record that the contact took place, and close its task."""
    found = ProspectRepository(session, user).follow_ups(
        conditions=[
            ProspectFollowUp.id == follow_up_id,
            ProspectFollowUp.prospect_id == prospect_id,
        ],
        limit=1,
    )
    if not found:
        raise NotFound(f"no follow-up {follow_up_id} of prospect {prospect_id} you may see")
    follow_up = found[0]
    if follow_up.version != data.version:
        raise Conflict(
            f"follow-up {follow_up_id} was changed by someone else "
            f"(now version {follow_up.version}); reload it"
        )
    if follow_up.done_at is not None:
        raise Conflict(f"follow-up {follow_up_id} is already done")
    now = utcnow()
    follow_up.done_at = now
    follow_up.outcome = data.outcome or None
    task = follow_up.task
    if task is not None and task.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS):
        task.status = TaskStatus.DONE
        task.completed_at = now
    session.flush()
    return _follow_up_read(follow_up, bank_today())


# --- helpers --------------------------------------------------------------------------------


def _prospect(repository: ProspectRepository, prospect_id: int) -> Prospect:
    found = repository.find(conditions=[Prospect.id == prospect_id], limit=1)
    if not found:
        raise NotFound(f"no prospect {prospect_id} you may see")
    return found[0]


def _current(session: Session, user: StaffUser, prospect_id: int, version: int) -> Prospect:
    """The prospect, if it is still the version the caller saw."""
    row = _prospect(ProspectRepository(session, user), prospect_id)
    if row.version != version:
        raise Conflict(
            f"prospect {prospect_id} was changed by someone else (now version {row.version}); "
            "reload it"
        )
    return row


def _owner(session: Session, user: StaffUser, owner_id: int | None) -> StaffUser:
    if owner_id is None or owner_id == user.id:
        if user.role not in PIPELINE_OWNERS:
            raise PermissionDenied("only account and branch managers keep a pipeline")
        return user
    owner = staff_repository.get_by_id(session, owner_id)
    if owner is None or owner.role not in PIPELINE_OWNERS:
        raise ValidationFailed(f"no account manager {owner_id}", field="owner_id")
    if not sees_branch(user, owner.branch_id):
        raise PermissionDenied("you may give prospects only to the managers of your branch")
    return owner


def _product(session: Session, product_id: int | None) -> Product | None:
    if product_id is None:
        return None
    product = prospect_repository.product(session, product_id)
    if product is None:
        raise ValidationFailed(f"no product {product_id} in the catalogue", field="product_id")
    return product


def _first_fee_stage(product: Product | None) -> FeeStage | None:
    if product is None or product.category is not ProductCategory.FEE_SERVICE:
        return None
    return FeeStage.NEGOTIATION


def _category(session: Session, product_id: int | None) -> ProductCategory | None:
    product = prospect_repository.product(session, product_id) if product_id else None
    return product.category if product is not None else None


def _cents(amount: Decimal | None) -> int | None:
    return None if amount is None else to_cents(amount)


def _yuan(cents: int | None) -> Decimal | None:
    return None if cents is None else from_cents(cents)


def _full_name(session: Session, user_id: int | None) -> str | None:
    staff = staff_repository.get_by_id(session, user_id) if user_id is not None else None
    return staff.full_name if staff is not None else None


def _record(
    session: Session,
    row: Prospect,
    user: StaffUser,
    *,
    from_stage: ProspectStage | None = None,
    to_stage: ProspectStage | None = None,
    from_fee_stage: FeeStage | None = None,
    to_fee_stage: FeeStage | None = None,
    reason: str | None = None,
) -> None:
    session.add(
        ProspectEvent(
            prospect_id=row.id,
            from_stage=from_stage,
            to_stage=to_stage,
            from_fee_stage=from_fee_stage,
            to_fee_stage=to_fee_stage,
            reason=reason or None,
            actor_id=user.id,
            at=utcnow(),
        )
    )


def _reads(session: Session, user: StaffUser, rows: Sequence[Prospect]) -> list[ProspectRead]:
    repository = ProspectRepository(session, user)
    ids = [row.id for row in rows]
    next_days = (
        repository.next_follow_ups(conditions=[ProspectFollowUp.prospect_id.in_(ids)])
        if ids
        else {}
    )
    today = bank_today()
    unmasked = has_permission(user.role, Permission.PERSONAL_DATA_VIEW)
    names: dict[int, str | None] = {}
    reads = []
    for row in rows:
        if row.owner_id not in names:
            names[row.owner_id] = _full_name(session, row.owner_id)
        customer = repository.customer(customer_id=row.customer_id) if row.customer_id else None
        product = prospect_repository.product(session, row.product_id) if row.product_id else None
        next_day = next_days.get(row.id)
        reads.append(
            ProspectRead(
                id=row.id,
                version=row.version,
                name=row.name,
                kind=row.kind,
                phone=row.phone if unmasked else _masked(row.phone),
                source=row.source,
                source_detail=row.source_detail,
                customer_id=row.customer_id,
                customer_name=customer.name if customer is not None else None,
                owner_id=row.owner_id,
                owner_name=names[row.owner_id] or "—",
                branch_id=row.branch_id,
                product_id=row.product_id,
                product_name=product.name_zh if product is not None else None,
                fee_based=row.fee_stage is not None,
                expected_amount=_yuan(row.expected_amount_cents),
                stage=row.stage,
                reached_stage=row.reached_stage,
                allowed_moves=pipeline.allowed_moves(row.stage),
                lost_reason=row.lost_reason,
                decision_maker=row.decision_maker,
                needs=row.needs,
                budget=_yuan(row.budget_cents),
                growth_potential=row.growth_potential,
                cultivation=list(row.cultivation or []),
                fee_stage=row.fee_stage,
                fee_quoted=_yuan(row.fee_quoted_cents),
                next_follow_up_on=next_day,
                overdue=next_day is not None and next_day < today,
            )
        )
    return reads


def _masked(phone: str | None) -> str | None:
    masked = mask("phone", phone)
    return None if masked is None else str(masked)


def _objection_read(
    session: Session,
    objection: ProspectObjection,
    *,
    category: ProductCategory | None,
    locale: str,
) -> ObjectionRead:
    shipped = book()
    of_kind = {
        each: [entry for entry in shipped.for_category(each) if entry.kind is objection.kind]
        for each in shipped.by_category
    }
    # The product's own answers first; without a product, or when its category has none of
    # this kind, how other products answer the same kind still shows the strategy.
    entries = of_kind.get(category, []) if category is not None else []
    if not entries:
        entries = [entry for each in of_kind.values() for entry in each]
    suggestions = [
        SuggestedResponse(
            objection=entry.objection.text(locale), response=entry.response.text(locale)
        )
        for entry in entries
    ]
    return ObjectionRead(
        id=objection.id,
        kind=objection.kind,
        said=objection.said,
        answer=objection.answer,
        resolved=objection.resolved,
        recorded_by=_full_name(session, objection.recorded_by_id),
        recorded_at=objection.recorded_at,
        suggestions=suggestions,
    )


def _follow_up_read(follow_up: ProspectFollowUp, today: date) -> FollowUpRead:
    return FollowUpRead(
        id=follow_up.id,
        version=follow_up.version,
        planned_on=follow_up.planned_on,
        channel=follow_up.channel,
        purpose=follow_up.purpose,
        task_id=follow_up.task_id,
        done_at=follow_up.done_at,
        outcome=follow_up.outcome,
        overdue=follow_up.done_at is None and follow_up.planned_on < today,
    )
