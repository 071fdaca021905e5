"""The improvement board: PDCA actions with their effectiveness, and the service promises."""

from __future__ import annotations

import math
from datetime import date

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bankcrm.branches import service as branches_service
from bankcrm.complaints.taxonomy import Taxonomy, load_taxonomy
from bankcrm.core.clock import bank_today, utcnow
from bankcrm.core.config import get_settings
from bankcrm.core.enums import ActionOrigin, ActionStage, TargetDirection
from bankcrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.quality.gaps import Promise
from bankcrm.quality.improvement import pdca, repository
from bankcrm.quality.improvement.repository import ActionWithNames, ImprovementRepository
from bankcrm.quality.improvement.schemas import ActionRead, PromiseRead
from bankcrm.quality.models import ImprovementAction, ServicePromise
from bankcrm.staff import service as staff_service
from bankcrm.staff.models import StaffUser

GAP_RANGE = range(1, 6)


# --- actions -----------------------------------------------------------------------------


def create_action(
    session: Session,
    *,
    user: StaffUser,
    title: str,
    owner_id: int,
    due_on: date,
    origin: ActionOrigin,
    description: str | None = None,
    branch_id: int | None = None,
    gap: int | None = None,
    dimension: str | None = None,
    inspection_id: int | None = None,
    standard_id: int | None = None,
    complaint_id: int | None = None,
    metric: str | None = None,
    metric_before: float | None = None,
    higher_is_better: bool = True,
) -> ImprovementAction:
    """Put a new action in the plan column; the caller has already checked the permission.

    An action from a complaint or an inspection takes that record's branch when none is
    given.

    Raises
    ------
    ValidationFailed
        An empty title, a gap outside 1–5, an owner who does not exist or is deactivated,
        an origin without the record it names, or a reference to a record that does not
        exist.
    """
    title = title.strip()
    if not title:
        raise ValidationFailed("an action needs a title", field="title")
    if gap is not None and gap not in GAP_RANGE:
        raise ValidationFailed(f"gap {gap} does not exist; gaps are numbered 1 to 5", field="gap")
    owner = _active_owner(session, owner_id)
    if origin is ActionOrigin.GAP and gap is None:
        raise ValidationFailed("an action raised by a gap names the gap (1–5)", field="gap")
    if origin is ActionOrigin.COMPLAINT and complaint_id is None:
        raise ValidationFailed(
            "an action raised by a complaint names the complaint", field="complaint_id"
        )
    if origin is ActionOrigin.INSPECTION and inspection_id is None:
        raise ValidationFailed(
            "an action raised by an inspection names the inspection", field="inspection_id"
        )
    if complaint_id is not None:
        complaint = ImprovementRepository(session, user).complaint(complaint_id)
        if complaint is None:
            raise ValidationFailed(f"no complaint {complaint_id}", field="complaint_id")
        branch_id = branch_id if branch_id is not None else complaint.branch_id
    if inspection_id is not None:
        inspection = ImprovementRepository(session, user).inspection(inspection_id)
        if inspection is None:
            raise ValidationFailed(f"no inspection {inspection_id}", field="inspection_id")
        branch_id = branch_id if branch_id is not None else inspection.branch_id
    if standard_id is not None and not repository.standard_exists(session, standard_id):
        raise ValidationFailed(f"no service standard {standard_id}", field="standard_id")
    if branch_id is not None and branch_id not in {
        b.id for b in branches_service.list_branches(session)
    }:
        raise ValidationFailed(f"no branch {branch_id}", field="branch_id")
    _check_measure(metric_before, "metric_before")
    action = ImprovementAction(
        title=title,
        description=(description or "").strip() or None,
        stage=ActionStage.PLAN,
        owner_id=owner.id,
        branch_id=branch_id,
        due_on=due_on,
        origin=origin,
        gap=gap,
        dimension=(dimension or "").strip() or None,
        inspection_id=inspection_id,
        standard_id=standard_id,
        complaint_id=complaint_id,
        metric=(metric or "").strip() or None,
        metric_before=metric_before,
        higher_is_better=higher_is_better,
        created_by_id=user.id,
    )
    session.add(action)
    session.flush()
    return action


def open_action_for(
    session: Session, *, branch_id: int, standard_id: int
) -> ImprovementAction | None:
    """The branch's unfinished action on a standard, so an inspection does not open a second one."""
    return repository.open_action(session, branch_id=branch_id, standard_id=standard_id)


def add_action(
    session: Session,
    *,
    user: StaffUser,
    title: str,
    due_on: date,
    origin: ActionOrigin,
    owner_id: int | None = None,
    description: str | None = None,
    branch_id: int | None = None,
    gap: int | None = None,
    dimension: str | None = None,
    inspection_id: int | None = None,
    standard_id: int | None = None,
    complaint_id: int | None = None,
    metric: str | None = None,
    metric_before: float | None = None,
    higher_is_better: bool = True,
) -> ActionRead:
    """An action put on the board by a quality officer; its owner is the officer when none
    is named."""
    _require_manage(user)
    action = create_action(
        session,
        user=user,
        title=title,
        owner_id=owner_id if owner_id is not None else user.id,
        due_on=due_on,
        origin=origin,
        description=description,
        branch_id=branch_id,
        gap=gap,
        dimension=dimension,
        inspection_id=inspection_id,
        standard_id=standard_id,
        complaint_id=complaint_id,
        metric=metric,
        metric_before=metric_before,
        higher_is_better=higher_is_better,
    )
    return get_action(session, action_id=action.id)


def get_action(session: Session, *, action_id: int) -> ActionRead:
    found = repository.action_with_names(session, action_id)
    if found is None:
        raise NotFound(f"no improvement action {action_id}")
    return _read(found, bank_today())


def list_actions(
    session: Session,
    *,
    user: StaffUser,
    stage: ActionStage | None = None,
    origin: ActionOrigin | None = None,
    branch_id: int | None = None,
    mine: bool = False,
    overdue: bool = False,
) -> list[ActionRead]:
    """The board's actions, earliest due first; ``overdue`` keeps unfinished actions whose
    due date has passed."""
    day = bank_today()
    conditions: list[ColumnElement[bool]] = []
    if stage is not None:
        conditions.append(ImprovementAction.stage == stage)
    if origin is not None:
        conditions.append(ImprovementAction.origin == origin)
    if branch_id is not None:
        conditions.append(ImprovementAction.branch_id == branch_id)
    if mine:
        conditions.append(ImprovementAction.owner_id == user.id)
    if overdue:
        conditions.append(ImprovementAction.due_on < day)
        conditions.append(ImprovementAction.stage != ActionStage.CLOSED)
    return [
        _read(row, day) for row in repository.actions_with_names(session, conditions=conditions)
    ]


def move_stage(
    session: Session,
    *,
    user: StaffUser,
    action_id: int,
    stage: ActionStage,
    version: int,
    metric_after: float | None = None,
) -> ActionRead:
    """Move an action to its next PDCA stage, as the version the user saw.

    Raises
    ------
    PermissionDenied
        The user neither owns the action nor manages quality.
    Conflict
        The action changed since the user saw it, or the move is not allowed from its stage.
    ValidationFailed
        Moving to check without the metric before and after.
    """
    action = _editable(session, user, action_id, version)
    step = pdca.move(
        action.stage,
        stage,
        metric_before=action.metric_before,
        metric_after=metric_after if stage is ActionStage.CHECK else action.metric_after,
        higher_is_better=action.higher_is_better,
        effective=action.effective,
    )
    action.stage = step.stage
    action.effective = step.effective
    action.metric_after = step.metric_after
    action.closed_at = utcnow() if step.stage is ActionStage.CLOSED else None
    _flush(session, action, version)
    return get_action(session, action_id=action_id)


def update_action(
    session: Session,
    *,
    user: StaffUser,
    action_id: int,
    version: int,
    owner_id: int | None = None,
    due_on: date | None = None,
    description: str | None = None,
    metric: str | None = None,
    metric_before: float | None = None,
    higher_is_better: bool | None = None,
) -> ActionRead:
    """Change the owner, due date, description or, before the check, the metric.

    Handing the action to someone else takes quality:manage; its owner may change the rest.
    """
    action = _editable(session, user, action_id, version)
    if action.stage is ActionStage.CLOSED:
        raise Conflict("the action is closed; a closed action is final")
    changed = False
    if owner_id is not None and owner_id != action.owner_id:
        _require_manage(user)
        action.owner_id = _active_owner(session, owner_id).id
        changed = True
    if due_on is not None and due_on != action.due_on:
        action.due_on = due_on
        changed = True
    if description is not None and (description.strip() or None) != action.description:
        action.description = description.strip() or None
        changed = True
    measuring = (metric, metric_before, higher_is_better)
    if any(value is not None for value in measuring):
        if action.stage not in (ActionStage.PLAN, ActionStage.DO):
            raise Conflict(
                "the metric is fixed once the action is checked; "
                "it can change again in the next cycle's plan"
            )
        _check_measure(metric_before, "metric_before")
        if metric is not None and (metric.strip() or None) != action.metric:
            action.metric = metric.strip() or None
            changed = True
        if metric_before is not None and metric_before != action.metric_before:
            action.metric_before = metric_before
            changed = True
        if higher_is_better is not None and higher_is_better != action.higher_is_better:
            action.higher_is_better = higher_is_better
            changed = True
    if not changed:
        raise ValidationFailed("nothing to change", field="version")
    _flush(session, action, version)
    return get_action(session, action_id=action_id)


def may_move(user: StaffUser, action: ActionRead) -> bool:
    """Whether the board offers the user the action's moves and edits: a quality officer,
    or its owner among the staff who work on quality (quality:inspect)."""
    if has_permission(user.role, Permission.QUALITY_MANAGE):
        return True
    return action.owner_id == user.id and has_permission(user.role, Permission.QUALITY_INSPECT)


def owner_choices(session: Session) -> list[StaffUser]:
    """Active staff, by name: whom an action can be handed to."""
    active = [user for user in staff_service.list_users(session) if user.is_active]
    return sorted(active, key=lambda user: user.full_name)


def branch_choices(session: Session) -> list[tuple[int, str]]:
    """Branches by code, with their code and name, for the board's filter and the forms."""
    return [
        (branch.id, f"{branch.external_id} {branch.name}")
        for branch in branches_service.list_branches(session)
    ]


def _editable(session: Session, user: StaffUser, action_id: int, version: int) -> ImprovementAction:
    action = repository.get_action(session, action_id)
    if action is None:
        raise NotFound(f"no improvement action {action_id}")
    if action.owner_id != user.id and not has_permission(user.role, Permission.QUALITY_MANAGE):
        raise PermissionDenied("only the action's owner or a quality officer may change it")
    if action.version != version:
        raise Conflict(
            f"action {action.id} was changed by someone else (now version {action.version}, "
            f"you saw {version}); reload it and try again"
        )
    return action


def _flush(session: Session, action: ImprovementAction, version: int) -> None:
    action_id = action.id
    try:
        session.flush()
    except StaleDataError:
        # another transaction changed the same version first; its change stands
        session.rollback()
        raise Conflict(
            f"action {action_id} was changed by someone else at the same time "
            f"(you saw version {version}); reload it and try again"
        ) from None


def _active_owner(session: Session, owner_id: int) -> StaffUser:
    owner = next((u for u in staff_service.list_users(session) if u.id == owner_id), None)
    if owner is None:
        raise ValidationFailed(f"staff member {owner_id} does not exist", field="owner_id")
    if not owner.is_active:
        raise ValidationFailed(
            f"staff member {owner.username} is deactivated and cannot own an action",
            field="owner_id",
        )
    return owner


def _require_manage(user: StaffUser) -> None:
    if not has_permission(user.role, Permission.QUALITY_MANAGE):
        raise PermissionDenied("only a quality officer may do this")


def _check_measure(value: float | None, field: str) -> None:
    if value is not None and not math.isfinite(value):
        raise ValidationFailed("must be a finite number", field=field)


def _read(row: ActionWithNames, today: date) -> ActionRead:
    action, owner_name, branch_code, branch_name = row
    return ActionRead(
        id=action.id,
        title=action.title,
        description=action.description,
        stage=action.stage,
        owner_id=action.owner_id,
        owner_name=owner_name,
        branch_id=action.branch_id,
        branch_code=branch_code,
        branch_name=branch_name,
        due_on=action.due_on,
        overdue=action.stage is not ActionStage.CLOSED and action.due_on < today,
        origin=action.origin,
        gap=action.gap,
        dimension=action.dimension,
        inspection_id=action.inspection_id,
        standard_id=action.standard_id,
        complaint_id=action.complaint_id,
        metric=action.metric,
        higher_is_better=action.higher_is_better,
        metric_before=action.metric_before,
        metric_after=action.metric_after,
        effective=action.effective,
        next_stages=list(pdca.next_stages(action.stage, effective=action.effective)),
        created_by_id=action.created_by_id,
        created_at=action.created_at,
        closed_at=action.closed_at,
        version=action.version,
    )


# --- promises (gap 4) ---------------------------------------------------------------------


def list_promises(session: Session, *, active_only: bool = False) -> list[PromiseRead]:
    return [_promise_read(row) for row in repository.promises(session, active_only=active_only)]


def measured_promises(session: Session) -> list[Promise]:
    """Active promises with a delivered value, as the gap-4 evidence takes them."""
    return [
        Promise(
            name=row.title,
            promised=row.promised,
            measured=row.delivered,
            direction=row.direction,
        )
        for row in repository.promises(session, active_only=True)
        if row.delivered is not None
    ]


def create_promise(
    session: Session,
    *,
    user: StaffUser,
    title: str,
    promised: float,
    direction: TargetDirection = TargetDirection.AT_MOST,
    product_line: str | None = None,
    unit: str | None = None,
    delivered: float | None = None,
    measured_on: date | None = None,
    active: bool = True,
) -> PromiseRead:
    """Register a promise the bank's communication makes (e.g. "wait at most 15 minutes")."""
    _require_manage(user)
    promise = ServicePromise(
        title="",
        promised=promised,
        direction=direction,
        active=active,
    )
    _set_promise(
        promise,
        title=title,
        product_line=product_line,
        unit=unit,
        promised=promised,
        delivered=delivered,
        measured_on=measured_on,
    )
    session.add(promise)
    session.flush()
    return _promise_read(promise)


def update_promise(
    session: Session,
    *,
    user: StaffUser,
    promise_id: int,
    title: str | None = None,
    product_line: str | None = None,
    unit: str | None = None,
    promised: float | None = None,
    direction: TargetDirection | None = None,
    delivered: float | None = None,
    measured_on: date | None = None,
    active: bool | None = None,
) -> PromiseRead:
    """Change a promise; recording what was delivered takes the day it was measured."""
    _require_manage(user)
    promise = repository.get_promise(session, promise_id)
    if promise is None:
        raise NotFound(f"no service promise {promise_id}")
    if direction is not None:
        promise.direction = direction
    if active is not None:
        promise.active = active
    _set_promise(
        promise,
        title=title if title is not None else promise.title,
        product_line=product_line if product_line is not None else promise.product_line,
        unit=unit if unit is not None else promise.unit,
        promised=promised if promised is not None else promise.promised,
        delivered=delivered if delivered is not None else promise.delivered,
        measured_on=measured_on if measured_on is not None else promise.measured_on,
    )
    session.flush()
    return _promise_read(promise)


def product_lines(locale: str) -> list[tuple[str, str]]:
    """The complaint taxonomy's product lines, code and name, for a promise's product line."""
    return [(code, label.text(locale)) for code, label in taxonomy().product_lines.items()]


def taxonomy() -> Taxonomy:
    """The bank's complaint taxonomy, whose product lines promises are filed under."""
    return load_taxonomy(get_settings().complaints.taxonomy)


def _set_promise(
    promise: ServicePromise,
    *,
    title: str,
    product_line: str | None,
    unit: str | None,
    promised: float,
    delivered: float | None,
    measured_on: date | None,
) -> None:
    title = title.strip()
    if not title:
        raise ValidationFailed("a promise needs a title", field="title")
    product_line = (product_line or "").strip() or None
    if product_line is not None and product_line not in taxonomy().product_lines:
        raise ValidationFailed(
            f"{product_line!r} is not a product line of the complaint taxonomy",
            field="product_line",
        )
    _check_measure(promised, "promised")
    _check_measure(delivered, "delivered")
    if delivered is not None and measured_on is None:
        raise ValidationFailed(
            "record the day the delivered value was measured", field="measured_on"
        )
    if measured_on is not None and measured_on > bank_today():
        raise ValidationFailed("a measurement cannot lie in the future", field="measured_on")
    promise.title = title
    promise.product_line = product_line
    promise.unit = (unit or "").strip() or None
    promise.promised = promised
    promise.delivered = delivered
    promise.measured_on = measured_on


def _promise_read(promise: ServicePromise) -> PromiseRead:
    kept = None
    if promise.delivered is not None:
        kept = Promise(
            name=promise.title,
            promised=promise.promised,
            measured=promise.delivered,
            direction=promise.direction,
        ).kept
    return PromiseRead(
        id=promise.id,
        title=promise.title,
        product_line=promise.product_line,
        unit=promise.unit,
        promised=promise.promised,
        direction=promise.direction,
        delivered=promise.delivered,
        measured_on=promise.measured_on,
        kept=kept,
        active=promise.active,
    )
