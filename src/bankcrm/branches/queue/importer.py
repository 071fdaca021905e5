"""Reading a queue system's export (NovoSGA's field names, see ``docs/queue-tickets.md``).

Pure: the file's bytes in, checked tickets out, or the first bad row refused with its row
and column named, before anything is written. Times without an offset are read on the
bank's wall clock.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from bankcrm.branches.queue.flow import ServiceFlow
from bankcrm.core.enums import TicketPriority, TicketStatus
from bankcrm.core.exceptions import ImportRejected

NUMBER = "senha"
SERVICE = "servico"
PRIORITY = "prioridade"
STATUS = "status"
ARRIVED = "dataChegada"
CALLED = "dataChamada"
STARTED = "dataInicio"
ENDED = "dataFim"
COUNTER = "local"
STAFF = "usuario"
REQUIRED_COLUMNS = (NUMBER, SERVICE, ARRIVED)
COLUMNS = (NUMBER, SERVICE, PRIORITY, STATUS, ARRIVED, CALLED, STARTED, ENDED, COUNTER, STAFF)
MAX_ROWS = 100_000
"""More visits than a branch has in a year of busy days: a larger file is refused whole."""
NUMBER_LENGTH = 16
COUNTER_LENGTH = 16
STATUSES = {
    "emitida": TicketStatus.WAITING,
    "chamado": TicketStatus.CALLED,
    "atendimento_iniciado": TicketStatus.SERVING,
    "atendimento_encerrado": TicketStatus.DONE,
    "encerrado": TicketStatus.DONE,
    "nao_compareceu": TicketStatus.NO_SHOW,
    **{status.value: status for status in TicketStatus},
}
"""NovoSGA's statuses of a visit, and ours."""
PRIORITIES = {
    "": TicketPriority.NORMAL,
    "0": TicketPriority.NORMAL,
    "idoso": TicketPriority.ELDERLY,
    **{priority.value: priority for priority in TicketPriority},
}
NEEDS = {
    TicketStatus.CALLED: (CALLED,),
    TicketStatus.NO_SHOW: (CALLED,),
    TicketStatus.SERVING: (CALLED, STARTED),
    TicketStatus.DONE: (CALLED, STARTED, ENDED),
}
"""The times a visit in each status must have."""


@dataclass(frozen=True)
class ImportedTicket:
    row: int
    issued_on: date
    number: str
    service_type: str
    priority: TicketPriority
    status: TicketStatus
    arrived_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    counter: str | None
    staff_id: int | None


def read_tickets(
    content: bytes,
    *,
    file_name: str,
    flow: ServiceFlow,
    zone: tzinfo,
    staff_ids: Mapping[str, int],
) -> list[ImportedTicket]:
    """Every visit of the file, checked; ``staff_ids`` maps the usernames of the branch's
    staff to their ids. Rows are numbered as a spreadsheet shows them (the header is row
    1)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(
            "the file is not UTF-8 text", file=file_name, row=None, column=None
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    for required in REQUIRED_COLUMNS:
        if required not in header:
            raise ImportRejected(
                f"the file has no column {required!r}", file=file_name, row=1, column=required
            )
    services = _service_codes(flow)
    tickets: list[ImportedTicket] = []
    seen: dict[tuple[date, str], int] = {}
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            raise ImportRejected(
                f"the file has more than {MAX_ROWS:,} visits; split it by month",
                file=file_name,
                row=line,
                column=None,
            )
        record = {key.strip(): (value or "").strip() for key, value in raw.items() if key}
        ticket = _ticket(record, line, file_name, services, zone, staff_ids)
        key = (ticket.issued_on, ticket.number)
        if key in seen:
            raise ImportRejected(
                f"ticket {ticket.number} of {ticket.issued_on} is already on row {seen[key]}",
                file=file_name,
                row=line,
                column=NUMBER,
            )
        seen[key] = line
        tickets.append(ticket)
    if not tickets:
        raise ImportRejected("the file has no visits", file=file_name, row=None, column=None)
    return tickets


def _service_codes(flow: ServiceFlow) -> dict[str, str]:
    """A service type by its code and by its labels, case-insensitive."""
    codes: dict[str, str] = {}
    for kind in flow.service_types:
        codes[kind.code.lower()] = kind.code
        for label in kind.name.translations.values():
            codes[label.lower()] = kind.code
    return codes


def _ticket(
    record: dict[str, str],
    line: int,
    file_name: str,
    services: Mapping[str, str],
    zone: tzinfo,
    staff_ids: Mapping[str, int],
) -> ImportedTicket:
    def refuse(column: str | None, problem: str) -> ImportRejected:
        return ImportRejected(problem, file=file_name, row=line, column=column)

    number = record.get(NUMBER, "")
    if not number:
        raise refuse(NUMBER, "the ticket number is missing")
    if len(number) > NUMBER_LENGTH:
        raise refuse(NUMBER, f"a ticket number has at most {NUMBER_LENGTH} characters")
    service = services.get(record.get(SERVICE, "").lower())
    if service is None:
        raise refuse(SERVICE, f"{record.get(SERVICE, '')!r} is not a service type of the flow")
    priority = PRIORITIES.get(record.get(PRIORITY, "").lower())
    if priority is None:
        raise refuse(PRIORITY, f"{record.get(PRIORITY)!r} is not normal, vip or elderly")
    moments = {column: _moment(record, column, zone, refuse) for column in (ARRIVED, CALLED)}
    moments |= {column: _moment(record, column, zone, refuse) for column in (STARTED, ENDED)}
    arrived = moments[ARRIVED]
    if arrived is None:
        raise refuse(ARRIVED, "the arrival time is missing")
    order = (ARRIVED, CALLED, STARTED, ENDED)
    latest = (ARRIVED, arrived)
    for column in order[1:]:
        moment = moments[column]
        if moment is None:
            continue
        if moment < latest[1]:
            raise refuse(column, f"it is earlier than {latest[0]}")
        latest = (column, moment)
    written = record.get(STATUS, "").lower()
    if written:
        status = STATUSES.get(written)
        if status is None:
            raise refuse(STATUS, f"{record.get(STATUS)!r} is not a status of a visit")
    else:
        status = _status_of(moments)
    for column in NEEDS.get(status, ()):
        if moments[column] is None:
            raise refuse(column, f"a visit that is {status.value} needs this time")
    counter = record.get(COUNTER) or None
    if counter is not None and len(counter) > COUNTER_LENGTH:
        raise refuse(COUNTER, f"a counter has at most {COUNTER_LENGTH} characters")
    username = record.get(STAFF) or None
    staff_id = None
    if username is not None:
        staff_id = staff_ids.get(username)
        if staff_id is None:
            raise refuse(STAFF, f"{username!r} is no member of the branch's staff")
    return ImportedTicket(
        row=line,
        issued_on=arrived.astimezone(zone).date(),
        number=number,
        service_type=service,
        priority=priority,
        status=status,
        arrived_at=arrived,
        called_at=moments[CALLED],
        started_at=moments[STARTED],
        ended_at=moments[ENDED],
        counter=counter,
        staff_id=staff_id,
    )


def _status_of(moments: Mapping[str, datetime | None]) -> TicketStatus:
    """The status a visit's latest time implies, when the file gives none."""
    if moments[ENDED] is not None:
        return TicketStatus.DONE
    if moments[STARTED] is not None:
        return TicketStatus.SERVING
    if moments[CALLED] is not None:
        return TicketStatus.CALLED
    return TicketStatus.WAITING


def _moment(
    record: dict[str, str],
    column: str,
    zone: tzinfo,
    refuse: Callable[[str | None, str], ImportRejected],
) -> datetime | None:
    text = record.get(column, "")
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise refuse(column, f"{text!r} is not a time (YYYY-MM-DD HH:MM:SS)") from None
    # stored in UTC, as every stored time is (SQLite keeps no offset)
    return (moment.replace(tzinfo=zone) if moment.tzinfo is None else moment).astimezone(UTC)
