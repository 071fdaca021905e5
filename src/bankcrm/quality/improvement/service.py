"""The improvement board: PDCA actions with their effectiveness, and the service promises."""

from __future__ import annotations

from datetime import date
from typing import Any, Required, TypedDict, Unpack

from pydantic import BaseModel
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session, object_mapper
from sqlalchemy.orm.exc import StaleDataError

from bankcrm.branches import service as branches_service
from bankcrm.complaints.service import taxonomy
from bankcrm.core.clock import bank_today, utcnow
from bankcrm.core.enums import ActionOrigin, ActionStage, TargetDirection
from bankcrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from bankcrm.core.permissions import Permission, has_permission
from bankcrm.quality.gaps import GAP_NUMBERS, Promise
from bankcrm.quality.improvement import pdca, repository
from bankcrm.quality.improvement.repository import ActionWithNames, ImprovementRepository
from bankcrm.quality.improvement.schemas import ActionRead, PromiseRead
from bankcrm.quality.models import ImprovementAction, ServicePromise, ServiceStandard
from bankcrm.staff import service as staff_service
from bankcrm.staff.models import StaffUser

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
    given."""
    title = title.strip()
    if not title:
        raise ValidationFailed("an action needs a title", field="title")
    if gap is not None and gap not in GAP_NUMBERS:
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
    rows = ImprovementRepository(session, user)
    if complaint_id is not None:
        complaint = rows.complaint(complaint_id)
        if complaint is None:
            raise ValidationFailed(f"no complaint {complaint_id}", field="complaint_id")
        branch_id = branch_id if branch_id is not None else complaint.branch_id
    if inspection_id is not None:
        inspection = rows.inspection(inspection_id)
        if inspection is None:
            raise ValidationFailed(f"no inspection {inspection_id}", field="inspection_id")
        branch_id = branch_id if branch_id is not None else inspection.branch_id
    if standard_id is not None and session.get(ServiceStandard, standard_id) is None:
        raise ValidationFailed(f"no service standard {standard_id}", field="standard_id")
    if branch_id is not None and branch_id not in {
        b.id for b in branches_service.list_branches(session)
    }:
        raise ValidationFailed(f"no branch {branch_id}", field="branch_id")
    action = ImprovementAction(
        title=title,
        description=_cleaned(description),
        stage=ActionStage.PLAN,
        owner_id=owner.id,
        branch_id=branch_id,
        due_on=due_on,
        origin=origin,
        gap=gap,
        dimension=_cleaned(dimension),
        inspection_id=inspection_id,
        standard_id=standard_id,
        complaint_id=complaint_id,
        metric=_cleaned(metric),
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
    found = repository.open_actions(
        session,
        ImprovementAction.branch_id == branch_id,
        ImprovementAction.standard_id == standard_id,
    )
    return found[0] if found else None


class ActionFields(TypedDict, total=False):
    """What ``add_action`` passes on to ``create_action``."""

    title: Required[str]
    due_on: Required[date]
    origin: Required[ActionOrigin]
    description: str | None
    branch_id: int | None
    gap: int | None
    dimension: str | None
    inspection_id: int | None
    standard_id: int | None
    complaint_id: int | None
    metric: str | None
    metric_before: float | None
    higher_is_better: bool


def add_action(
    session: Session,
    *,
    user: StaffUser,
    owner_id: int | None = None,
    **fields: Unpack[ActionFields],
) -> ActionRead:
    """An action put on the board by a quality officer; its owner is the officer when none
    is named."""
    _require_manage(user)
    owner = owner_id if owner_id is not None else user.id
    action = create_action(session, user=user, owner_id=owner, **fields)
    return get_action(session, action_id=action.id)


def get_action(session: Session, *, action_id: int) -> ActionRead:
    found = repository.actions_with_names(session, conditions=[ImprovementAction.id == action_id])
    if not found:
        raise NotFound(f"no improvement action {action_id}")
    return _read(found[0], bank_today())


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
    chosen = (
        (ImprovementAction.stage, stage),
        (ImprovementAction.origin, origin),
        (ImprovementAction.branch_id, branch_id),
        (ImprovementAction.owner_id, user.id if mine else None),
    )
    conditions: list[ColumnElement[bool]] = [
        column == value for column, value in chosen if value is not None
    ]
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
    """Move an action to its next PDCA stage, as the version the user saw."""
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
    given: dict[str, Any] = {"due_on": due_on, "description": description, "metric": metric}
    given |= {"metric_before": metric_before, "higher_is_better": higher_is_better}
    wanted: dict[str, Any] = {
        name: _cleaned(value) if isinstance(value, str) else value
        for name, value in given.items()
        if value is not None
    }
    if owner_id is not None and owner_id != action.owner_id:
        _require_manage(user)
        wanted["owner_id"] = _active_owner(session, owner_id).id
    measuring = wanted.keys() & {"metric", "metric_before", "higher_is_better"}
    if measuring and action.stage not in (ActionStage.PLAN, ActionStage.DO):
        raise Conflict(
            "the metric is fixed once the action is checked; "
            "it can change again in the next cycle's plan"
        )
    changes = {name: value for name, value in wanted.items() if value != getattr(action, name)}
    if not changes:
        raise ValidationFailed("nothing to change", field="version")
    for name, value in changes.items():
        setattr(action, name, value)
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
    action = session.get(ImprovementAction, action_id)
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


def _cleaned(text: str | None) -> str | None:
    """Typed text without surrounding spaces; none when nothing is left."""
    return (text or "").strip() or None


def _columns(row: ImprovementAction | ServicePromise, model: type[BaseModel]) -> dict[str, Any]:
    """The row's columns that ``model`` shows."""
    columns = object_mapper(row).column_attrs.keys()
    return {name: getattr(row, name) for name in model.model_fields if name in columns}


def _read(row: ActionWithNames, today: date) -> ActionRead:
    action, owner_name, branch_code, branch_name = row
    return ActionRead(
        **_columns(action, ActionRead),
        owner_name=owner_name,
        branch_code=branch_code,
        branch_name=branch_name,
        overdue=action.stage is not ActionStage.CLOSED and action.due_on < today,
        next_stages=list(pdca.next_stages(action.stage, effective=action.effective)),
    )


# --- promises (gap 4) ---------------------------------------------------------------------


def list_promises(session: Session, *, active_only: bool = False) -> list[PromiseRead]:
    return [_promise_read(row) for row in repository.promises(session, active_only=active_only)]


def measured_promises(session: Session) -> list[Promise]:
    """Active promises with a delivered value, as the gap-4 evidence takes them."""
    rows = repository.promises(session, active_only=True)
    return [promise for row in rows if (promise := _measured(row)) is not None]


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
        title=title,
        product_line=product_line,
        unit=unit,
        promised=promised,
        direction=direction,
        delivered=delivered,
        measured_on=measured_on,
        active=active,
    )
    _check_promise(promise)
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
    promise = session.get(ServicePromise, promise_id)
    if promise is None:
        raise NotFound(f"no service promise {promise_id}")
    given: dict[str, Any] = {"title": title, "product_line": product_line, "unit": unit}
    given |= {"promised": promised, "direction": direction, "delivered": delivered}
    given |= {"measured_on": measured_on, "active": active}
    for name, value in given.items():
        if value is not None:
            setattr(promise, name, value)
    _check_promise(promise)
    session.flush()
    return _promise_read(promise)


def product_lines(locale: str) -> list[tuple[str, str]]:
    """The complaint taxonomy's product lines, code and name, for a promise's product line."""
    return [(code, label.text(locale)) for code, label in taxonomy().product_lines.items()]


def _check_promise(promise: ServicePromise) -> None:
    promise.title = promise.title.strip()
    if not promise.title:
        raise ValidationFailed("a promise needs a title", field="title")
    promise.product_line = _cleaned(promise.product_line)
    if promise.product_line is not None and promise.product_line not in taxonomy().product_lines:
        raise ValidationFailed(
            f"{promise.product_line!r} is not a product line of the complaint taxonomy",
            field="product_line",
        )
    if promise.delivered is not None and promise.measured_on is None:
        raise ValidationFailed(
            "record the day the delivered value was measured", field="measured_on"
        )
    if promise.measured_on is not None and promise.measured_on > bank_today():
        raise ValidationFailed("a measurement cannot lie in the future", field="measured_on")
    promise.unit = _cleaned(promise.unit)


def _measured(promise: ServicePromise) -> Promise | None:
    if promise.delivered is None:
        return None
    return Promise(
        name=promise.title,
        promised=promise.promised,
        measured=promise.delivered,
        direction=promise.direction,
    )


def _promise_read(promise: ServicePromise) -> PromiseRead:
    measured = _measured(promise)
    return PromiseRead(
        **_columns(promise, PromiseRead), kept=None if measured is None else measured.kept
    )
