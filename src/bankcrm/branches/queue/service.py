"""Queue tickets' operations: staff at a branch issue tickets, call the next customer (VIP
and elderly first), start and end the service or mark a no-show at their counter, and
import the queue system's file; the branch's times per counter and staff (:mod:`.times`)
and its service flow against the standard (:mod:`.flow`), with the service blueprint's wait
points measured."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bankcrm.branches.models import Branch
from bankcrm.branches.queue import flow as flows
from bankcrm.branches.queue import importer
from bankcrm.branches.queue import repository as queue_repository
from bankcrm.branches.queue import times as queue_times
from bankcrm.branches.queue.models import QueueTicket
from bankcrm.branches.queue.repository import QueueImportSystemRepository, QueueRepository
from bankcrm.branches.queue.schemas import (
    CallNext,
    FlowRead,
    ImportRead,
    StageRead,
    SummaryRead,
    TicketCreate,
    TicketRead,
    TimesRead,
    WaitPointRead,
    WorkloadRead,
)
from bankcrm.core.clock import as_utc, bank_today, utcnow
from bankcrm.core.config import get_settings
from bankcrm.core.enums import TicketPriority, TicketStatus
from bankcrm.core.exceptions import Conflict, NotFound, ValidationFailed
from bankcrm.quality import service as quality_service
from bankcrm.quality.blueprint import PointKind
from bankcrm.scope import ROLE_SCOPE, Scope
from bankcrm.staff.models import StaffUser

PAGE_SOURCE = "page"
DEFAULT_DAYS = 30
"""The times and the flow cover the last 30 days unless a period is asked for."""
MAX_DAYS = 366
IMPORT_FILE_LIMIT = 20 * 1024 * 1024
"""Bytes of an uploaded export: a year of a busy branch's visits is a few megabytes."""
STORED_LIMIT = 1_000_000
NUMBER_PREFIX = {
    TicketPriority.NORMAL: "A",
    TicketPriority.VIP: "V",
    TicketPriority.ELDERLY: "E",
}
"""The letter a ticket number starts with, so the lobby sees who is called first."""
MOVES = {
    "start": (TicketStatus.CALLED, TicketStatus.SERVING, "started_at"),
    "end": (TicketStatus.SERVING, TicketStatus.DONE, "ended_at"),
    "no_show": (TicketStatus.CALLED, TicketStatus.NO_SHOW, None),
}
"""A counter's moves on a ticket: the status it must be in, the status it goes to and the
moment recorded."""


@lru_cache(maxsize=1)
def service_flow() -> flows.ServiceFlow:
    """The shipped service flow and service types."""
    return flows.load_flow()


def opening_hours() -> queue_times.OpeningHours:
    flow = service_flow()
    return queue_times.OpeningHours(
        opens=flow.opens, closes=flow.closes, zone=ZoneInfo(get_settings().timezone)
    )


def service_type_name(code: str, locale: str) -> str:
    kind = service_flow().service_type(code)
    return code if kind is None else kind.name.text(locale)


# --- branches the caller may work for -------------------------------------------------------


def _branch(session: Session, user: StaffUser, branch_id: int) -> Branch:
    """The branch, when the caller sees its queue; another branch is not found."""
    row = queue_repository.branch(session, branch_id)
    sees_all = ROLE_SCOPE[user.role] is Scope.ALL
    if row is None or not (sees_all or user.branch_id == branch_id):
        raise NotFound(f"no branch {branch_id} whose queue you may see")
    return row


def visible_branches(session: Session, *, user: StaffUser) -> list[Branch]:
    """The branches whose queue the caller sees, by name."""
    if ROLE_SCOPE[user.role] is Scope.ALL:
        return queue_repository.branches(session)
    if user.branch_id is None:
        return []
    return queue_repository.branches(session, [user.branch_id])


def branch_by_external_id(session: Session, external_id: str) -> Branch:
    row = queue_repository.branch_by_external_id(session, external_id)
    if row is None:
        raise NotFound(f"no branch {external_id!r}")
    return row


def period(start: date | None, end: date | None) -> tuple[date, date]:
    """The asked period, both days included; the last 30 days by default."""
    last = end or bank_today()
    first = start or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ValidationFailed("the period ends before it starts", field="end")
    if (last - first).days >= MAX_DAYS:
        raise ValidationFailed(f"a period covers at most {MAX_DAYS} days", field="start")
    return first, last


# --- tickets --------------------------------------------------------------------------------


def list_tickets(
    session: Session,
    *,
    user: StaffUser,
    branch_id: int | None = None,
    day: date | None = None,
    locale: str = "zh-CN",
) -> list[TicketRead]:
    """The tickets of a day (today by default), by arrival."""
    if branch_id is not None:
        _branch(session, user, branch_id)
    rows = QueueRepository(session, user).day_tickets(branch_id=branch_id, day=day or bank_today())
    return _reads(session, rows, locale)


def issue_ticket(
    session: Session, *, user: StaffUser, data: TicketCreate, locale: str = "zh-CN"
) -> TicketRead:
    """Draw the next number of the day at the branch for a customer who just arrived."""
    branch = _branch(session, user, data.branch_id)
    if service_flow().service_type(data.service_type) is None:
        codes = ", ".join(kind.code for kind in service_flow().service_types)
        raise ValidationFailed(
            f"{data.service_type!r} is not a service type ({codes})", field="service_type"
        )
    today = bank_today()
    taken = QueueRepository(session, user).numbers(branch_id=branch.id, day=today)
    sequence = len(taken) + 1
    prefix = NUMBER_PREFIX[data.priority]
    while f"{prefix}{sequence:03d}" in taken:
        sequence += 1
    row = QueueTicket(
        branch_id=branch.id,
        issued_on=today,
        number=f"{prefix}{sequence:03d}",
        service_type=data.service_type,
        priority=data.priority,
        status=TicketStatus.WAITING,
        arrived_at=utcnow(),
        source=PAGE_SOURCE,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"ticket {row.number} was issued at the same moment elsewhere; issue it again"
        ) from None
    return _reads(session, [row], locale)[0]


def next_in_line(session: Session, *, user: StaffUser, branch_id: int) -> QueueTicket:
    """The waiting ticket to call next at the branch: VIP and elderly first, then by
    arrival."""
    branch = _branch(session, user, branch_id)
    ticket = QueueRepository(session, user).next_waiting(branch_id=branch.id, day=bank_today())
    if ticket is None:
        raise Conflict("nobody is waiting")
    return ticket


def call_ticket(
    session: Session, *, user: StaffUser, ticket: QueueTicket, counter: str, locale: str = "zh-CN"
) -> TicketRead:
    """Call ``ticket`` to the caller's counter, if it is still waiting: a ticket another
    counter called in the meantime is a conflict (409), never called twice."""
    changed = QueueRepository(session, user).transition(
        conditions=[QueueTicket.id == ticket.id, QueueTicket.status == TicketStatus.WAITING],
        changes={
            "status": TicketStatus.CALLED,
            "called_at": utcnow(),
            "counter": counter,
            "staff_id": user.id,
        },
    )
    if changed == 0:
        raise Conflict(
            f"ticket {ticket.number} was called at another counter first; call the next again"
        )
    session.refresh(ticket)
    return _reads(session, [ticket], locale)[0]


def call_next(
    session: Session, *, user: StaffUser, data: CallNext, locale: str = "zh-CN"
) -> TicketRead:
    """Call the customer next in line to the caller's counter."""
    ticket = next_in_line(session, user=user, branch_id=data.branch_id)
    return call_ticket(session, user=user, ticket=ticket, counter=data.counter, locale=locale)


def move_ticket(
    session: Session, *, user: StaffUser, ticket_id: int, move: str, locale: str = "zh-CN"
) -> TicketRead:
    """Start or end the service of a called ticket, or mark that its customer did not come
    (``start``, ``end``, ``no_show``); the ticket must still be where the caller saw it."""
    if move not in MOVES:
        raise ValidationFailed(f"{move!r} is not start, end or no_show", field="move")
    before, after, moment = MOVES[move]
    repository = QueueRepository(session, user)
    found = repository.find(conditions=[QueueTicket.id == ticket_id], limit=1)
    if not found:
        raise NotFound(f"no ticket {ticket_id} you may see")
    ticket = found[0]
    changes: dict[str, object] = {"status": after, "staff_id": user.id}
    if moment is not None:
        changes[moment] = utcnow()
    changed = repository.transition(
        conditions=[QueueTicket.id == ticket.id, QueueTicket.status == before], changes=changes
    )
    session.refresh(ticket)
    if changed == 0:
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status.value}, not {before.value}; "
            "it was moved elsewhere first"
        )
    return _reads(session, [ticket], locale)[0]


# --- importing ------------------------------------------------------------------------------


def import_tickets(
    session: Session, *, user: StaffUser, branch_id: int, content: bytes, file_name: str
) -> ImportRead:
    """The visits of a queue system's file, all of them or none; a visit already stored
    under its day and number is brought up to date, so importing a file twice changes
    nothing."""
    branch = _branch(session, user, branch_id)
    tickets = _read(session, branch, content, file_name)
    days = {ticket.issued_on for ticket in tickets}
    stored = QueueRepository(session, user).find(
        conditions=[QueueTicket.branch_id == branch.id, QueueTicket.issued_on.in_(days)],
        limit=STORED_LIMIT,
    )
    existing = {(row.issued_on, row.number): row for row in stored}
    return _write(session, branch, tickets, existing, file_name)


def import_for_branch(
    session: Session, *, external_id: str, content: bytes, file_name: str
) -> ImportRead:
    """The command line's import, for the whole bank rather than a member of staff."""
    branch = branch_by_external_id(session, external_id)
    tickets = _read(session, branch, content, file_name)
    keys = {(ticket.issued_on, ticket.number) for ticket in tickets}
    existing = QueueImportSystemRepository(session).existing(branch_id=branch.id, keys=keys)
    return _write(session, branch, tickets, existing, file_name)


def _read(
    session: Session, branch: Branch, content: bytes, file_name: str
) -> list[importer.ImportedTicket]:
    return importer.read_tickets(
        content,
        file_name=file_name,
        flow=service_flow(),
        zone=ZoneInfo(get_settings().timezone),
        staff_ids=queue_repository.staff_of_branch(session, branch.id),
    )


def _write(
    session: Session,
    branch: Branch,
    tickets: Sequence[importer.ImportedTicket],
    existing: dict[tuple[date, str], QueueTicket],
    file_name: str,
) -> ImportRead:
    created = updated = 0
    for ticket in tickets:
        row = existing.get((ticket.issued_on, ticket.number))
        if row is None:
            row = QueueTicket(branch_id=branch.id, issued_on=ticket.issued_on, number=ticket.number)
            session.add(row)
            created += 1
        else:
            updated += 1
        row.service_type = ticket.service_type
        row.priority = ticket.priority
        row.status = ticket.status
        row.arrived_at = ticket.arrived_at
        row.called_at = ticket.called_at
        row.started_at = ticket.started_at
        row.ended_at = ticket.ended_at
        row.counter = ticket.counter
        row.staff_id = ticket.staff_id
        row.source = file_name[:64]
    session.flush()
    return ImportRead(
        branch_id=branch.id, file=file_name, rows=len(tickets), created=created, updated=updated
    )


# --- times ----------------------------------------------------------------------------------


def times(
    session: Session,
    *,
    user: StaffUser,
    branch_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> TimesRead:
    """Wait and service times per counter and staff member, with their idle time, over the
    period (of every branch the caller sees when no branch is given)."""
    if branch_id is not None:
        _branch(session, user, branch_id)
    first, last = period(start, end)
    rows = QueueRepository(session, user).visits(branch_id=branch_id, since=first, until=last)
    return _times(session, rows, branch_id, first, last)


def times_for_branch(
    session: Session, *, external_id: str, start: date | None, end: date | None
) -> TimesRead:
    """The command line's report of one branch."""
    branch = branch_by_external_id(session, external_id)
    first, last = period(start, end)
    rows = QueueImportSystemRepository(session).visits(branch_id=branch.id, since=first, until=last)
    return _times(session, rows, branch.id, first, last)


def _times(
    session: Session, rows: Sequence[QueueTicket], branch_id: int | None, first: date, last: date
) -> TimesRead:
    visits = _visits(rows)
    hours = opening_hours()
    counters = queue_times.by_counter(visits, hours)
    staff = queue_times.by_staff(visits, hours)
    # by_counter keys a workload by (branch, counter), by_staff by the staff member's id
    counter_keys = [cast(tuple[int, str], load.key) for load in counters]
    staff_ids = [cast(int, load.key) for load in staff]
    names = queue_repository.staff_names(session, set(staff_ids))
    return TimesRead(
        branch_id=branch_id,
        start=first,
        end=last,
        tickets=len(rows),
        served=sum(1 for row in rows if row.status is TicketStatus.DONE),
        no_shows=sum(1 for row in rows if row.status is TicketStatus.NO_SHOW),
        wait=_summary(queue_times.summarise(map(queue_times.wait_minutes, visits))),
        service=_summary(queue_times.summarise(map(queue_times.service_minutes, visits))),
        counters=[
            _workload(load, branch_id=branch, counter=counter)
            for load, (branch, counter) in zip(counters, counter_keys, strict=True)
        ],
        staff=[
            _workload(load, staff_id=staff_id, staff_name=names.get(staff_id))
            for load, staff_id in zip(staff, staff_ids, strict=True)
        ],
    )


def _visits(rows: Iterable[QueueTicket]) -> list[queue_times.Visit]:
    """Stored times as UTC moments (SQLite hands them back without their offset)."""
    return [
        queue_times.Visit(
            branch_id=row.branch_id,
            counter=row.counter,
            staff_id=row.staff_id,
            arrived_at=as_utc(row.arrived_at),
            called_at=None if row.called_at is None else as_utc(row.called_at),
            started_at=None if row.started_at is None else as_utc(row.started_at),
            ended_at=None if row.ended_at is None else as_utc(row.ended_at),
        )
        for row in rows
    ]


def _summary(summary: queue_times.Summary) -> SummaryRead:
    return SummaryRead(
        count=summary.count,
        mean=summary.mean,
        p50=summary.p50,
        p90=summary.p90,
        longest=summary.longest,
    )


def _workload(
    load: queue_times.Workload,
    *,
    branch_id: int | None = None,
    counter: str | None = None,
    staff_id: int | None = None,
    staff_name: str | None = None,
) -> WorkloadRead:
    return WorkloadRead(
        branch_id=branch_id,
        counter=counter,
        staff_id=staff_id,
        staff_name=staff_name,
        served=load.served,
        wait=_summary(load.wait),
        service=_summary(load.service),
        busy_minutes=load.busy_minutes,
        idle_minutes=load.idle_minutes,
        busy_share=load.busy_share,
    )


# --- the service flow -----------------------------------------------------------------------


def flow_report(
    session: Session,
    *,
    user: StaffUser,
    branch_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    locale: str = "zh-CN",
) -> FlowRead:
    """The four stages' standard minutes against the minutes tickets and inspections
    measured, and the service blueprint's wait points with the times tickets measured."""
    if branch_id is not None:
        _branch(session, user, branch_id)
    first, last = period(start, end)
    repository = QueueRepository(session, user)
    rows = repository.visits(branch_id=branch_id, since=first, until=last)
    observations = repository.inspection_observations(branch_id=branch_id, since=first, until=last)
    return _flow(rows, observations, branch_id, first, last, locale)


def _flow(
    rows: Sequence[QueueTicket],
    observations: Sequence[queue_repository.ObservationRow],
    branch_id: int | None,
    first: date,
    last: date,
    locale: str,
) -> FlowRead:
    visits = _visits(rows)
    waits = [minutes for minutes in map(queue_times.wait_minutes, visits) if minutes is not None]
    services = [
        minutes for minutes in map(queue_times.service_minutes, visits) if minutes is not None
    ]
    figures = flows.measure(
        service_flow(),
        waits=waits,
        services=services,
        observations=[
            flows.Observation(standard=code, unit=unit, observed=observed, passed=passed)
            for code, unit, observed, passed in observations
        ],
    )
    blueprint = quality_service.shipped_blueprint()
    texts = {point.code: point.text.text(locale) for point in blueprint.points}
    points = flows.wait_points(
        [
            flows.WaitPoint(code=point.code, step=point.step)
            for point in blueprint.points
            if point.kind is PointKind.WAIT
        ],
        figures,
    )
    return FlowRead(
        branch_id=branch_id,
        start=first,
        end=last,
        stages=[
            StageRead(
                code=each.stage.code,
                name=each.stage.name.text(locale),
                standard_minutes=each.stage.standard_minutes,
                ticket_measure=each.stage.ticket_measure,
                ticket_minutes=each.ticket_minutes,
                tickets=each.tickets,
                inspection_minutes=each.inspection_minutes,
                timed_observations=each.timed_observations,
                measured_minutes=each.measured_minutes,
                over_standard=each.over_standard,
                checked=each.checked,
                passed=each.passed,
                passed_share=each.passed_share,
            )
            for each in figures
        ],
        wait_points=[
            WaitPointRead(
                code=point.point.code,
                step=point.point.step,
                text=texts[point.point.code],
                measured_minutes=point.measured_minutes,
                standard_minutes=None
                if point.stage is None
                else point.stage.stage.standard_minutes,
            )
            for point in points
        ],
    )


# --- answers --------------------------------------------------------------------------------


def _reads(session: Session, rows: Sequence[QueueTicket], locale: str) -> list[TicketRead]:
    names = queue_repository.staff_names(
        session, {row.staff_id for row in rows if row.staff_id is not None}
    )
    reads = []
    for row, visit in zip(rows, _visits(rows), strict=True):
        reads.append(
            TicketRead(
                id=row.id,
                branch_id=row.branch_id,
                issued_on=row.issued_on,
                number=row.number,
                service_type=row.service_type,
                service_type_name=service_type_name(row.service_type, locale),
                priority=row.priority,
                status=row.status,
                arrived_at=visit.arrived_at,
                called_at=visit.called_at,
                started_at=visit.started_at,
                ended_at=visit.ended_at,
                counter=row.counter,
                staff_id=row.staff_id,
                staff_name=None if row.staff_id is None else names.get(row.staff_id),
                source=row.source,
                wait_minutes=queue_times.wait_minutes(visit),
                service_minutes=queue_times.service_minutes(visit),
            )
        )
    return reads
