"""Queue tickets through the service and the API: who is called next (VIP and elderly
first), the times of a visit, a ticket two counters call at once (the second 409), the
scope of a branch (another branch's ticket is 404), and the all-or-nothing import that a
second run leaves as it was."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bankcrm.branches.queue import service
from bankcrm.branches.queue.models import QueueTicket
from bankcrm.branches.queue.repository import QueueImportSystemRepository
from bankcrm.branches.queue.schemas import CallNext, TicketCreate
from bankcrm.cli.main import app
from bankcrm.core.clock import bank_today
from bankcrm.core.db import make_engine
from bankcrm.core.enums import TicketPriority, TicketStatus
from bankcrm.core.exceptions import Conflict, ImportRejected
from bankcrm.staff.models import StaffUser
from tests import factories
from tests.branches.queue.conftest import QueueBank
from tests.timing import move_to_bank_day

API = "/api/v1/queue"
DAY = date(2026, 12, 7)
"""A Monday."""


def _issue(
    session: Session, user: StaffUser, branch: int, priority: TicketPriority, kind: str = "cash"
) -> str:
    data = TicketCreate(branch_id=branch, service_type=kind, priority=priority)
    return service.issue_ticket(session, user=user, data=data).number


def test_vip_and_elderly_are_called_first_then_by_arrival(
    queue_bank: QueueBank, db: Session, time_machine: time_machine.TimeMachineFixture
) -> None:
    teller = db.get_one(StaffUser, queue_bank.teller)
    issued = []
    for minute, priority in enumerate(
        [TicketPriority.NORMAL, TicketPriority.NORMAL, TicketPriority.ELDERLY, TicketPriority.VIP]
    ):
        move_to_bank_day(time_machine, DAY, hour=10)
        time_machine.shift(timedelta(minutes=minute))
        issued.append(_issue(db, teller, queue_bank.branch, priority))
    assert issued == ["A001", "A002", "E003", "V004"]
    called = [
        service.call_next(
            db, user=teller, data=CallNext(branch_id=queue_bank.branch, counter="1")
        ).number
        for _ in issued
    ]
    assert called == ["E003", "V004", "A001", "A002"]
    with pytest.raises(Conflict, match="nobody is waiting"):
        service.call_next(db, user=teller, data=CallNext(branch_id=queue_bank.branch, counter="1"))


def test_a_visit_is_called_started_and_ended_with_its_times(
    queue_bank: QueueBank, db: Session, time_machine: time_machine.TimeMachineFixture
) -> None:
    teller = db.get_one(StaffUser, queue_bank.teller)
    move_to_bank_day(time_machine, DAY, hour=10)
    _issue(db, teller, queue_bank.branch, TicketPriority.NORMAL, "wealth")
    time_machine.shift(timedelta(minutes=12))
    called = service.call_next(
        db, user=teller, data=CallNext(branch_id=queue_bank.branch, counter="3")
    )
    assert called.status is TicketStatus.CALLED and called.wait_minutes == 12
    assert called.staff_name == teller.full_name and called.counter == "3"
    with pytest.raises(Conflict, match="not serving"):
        service.move_ticket(db, user=teller, ticket_id=called.id, move="end")
    time_machine.shift(timedelta(minutes=1))
    service.move_ticket(db, user=teller, ticket_id=called.id, move="start")
    time_machine.shift(timedelta(minutes=9, seconds=30))
    done = service.move_ticket(db, user=teller, ticket_id=called.id, move="end")
    assert done.status is TicketStatus.DONE
    assert done.service_minutes == 9.5
    assert done.service_type_name == "理财咨询"

    report = service.times(db, user=teller, branch_id=queue_bank.branch, start=DAY, end=DAY)
    assert (report.tickets, report.served, report.no_shows) == (1, 1, 0)
    assert report.wait.mean == 12 and report.service.mean == 9.5
    assert [(load.counter, load.served) for load in report.counters] == [("3", 1)]
    assert report.staff[0].staff_name == teller.full_name
    flow = service.flow_report(db, user=teller, branch_id=queue_bank.branch, start=DAY, end=DAY)
    stages = {stage.code: stage for stage in flow.stages}
    assert stages["consulting"].ticket_minutes == 12
    assert stages["handling"].measured_minutes == 9.5
    assert stages["handling"].over_standard == 4.5
    points = {point.code: point.measured_minutes for point in flow.wait_points}
    assert points == {"queue_wait": 12, "counter_time": 9.5, "phone_wait": None}


def test_a_ticket_two_counters_call_at_once_goes_to_the_first(
    queue_bank: QueueBank, app_settings: str, time_machine: time_machine.TimeMachineFixture
) -> None:
    move_to_bank_day(time_machine, DAY, hour=10)
    engine = make_engine(app_settings)
    with Session(engine) as first, Session(engine) as second:
        teller = first.get_one(StaffUser, queue_bank.teller)
        _issue(first, teller, queue_bank.branch, TicketPriority.NORMAL)
        first.commit()
        other_teller = second.get_one(StaffUser, queue_bank.second_teller)
        # both counters see the same customer next in line ...
        seen_by_second = service.next_in_line(
            second, user=other_teller, branch_id=queue_bank.branch
        )
        second.commit()
        # ... the first counter calls them ...
        service.call_next(
            first, user=teller, data=CallNext(branch_id=queue_bank.branch, counter="1")
        )
        first.commit()
        # ... and the second, a moment later, is told so instead of calling them again
        with pytest.raises(Conflict, match="called at another counter first"):
            service.call_ticket(second, user=other_teller, ticket=seen_by_second, counter="2")
        second.rollback()
        (row,) = QueueImportSystemRepository(second).visits(
            branch_id=queue_bank.branch, since=DAY, until=DAY
        )
        assert (row.counter, row.staff_id) == ("1", queue_bank.teller)
    engine.dispose()


def test_starting_twice_is_a_conflict_and_another_branch_is_not_found(
    queue_bank: QueueBank,
    client: TestClient,
    app_settings: str,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    move_to_bank_day(time_machine, bank_today(), hour=10)
    teller = factories.api_headers(app_settings, queue_bank.teller)
    issued = client.post(
        f"{API}/tickets",
        headers=teller,
        json={"branch_id": queue_bank.branch, "service_type": "card", "priority": "vip"},
    )
    assert issued.status_code == 201, issued.text
    assert issued.json()["number"] == "V001"
    ticket = issued.json()["id"]
    called = client.post(
        f"{API}/tickets/call-next",
        headers=teller,
        json={"branch_id": queue_bank.branch, "counter": "2"},
    )
    assert called.status_code == 200 and called.json()["id"] == ticket
    assert client.post(f"{API}/tickets/{ticket}/start", headers=teller).status_code == 200
    again = client.post(f"{API}/tickets/{ticket}/start", headers=teller)
    assert again.status_code == 409 and "serving" in again.text

    outsider = factories.api_headers(app_settings, queue_bank.other_manager)
    assert client.post(f"{API}/tickets/{ticket}/end", headers=outsider).status_code == 404
    listed = client.get(f"{API}/tickets", headers=outsider, params={"branch_id": queue_bank.branch})
    assert listed.status_code == 404
    own = client.get(f"{API}/tickets", headers=outsider)
    assert own.status_code == 200 and own.json() == []
    refused = client.post(
        f"{API}/tickets",
        headers=outsider,
        json={"branch_id": queue_bank.branch, "service_type": "card", "priority": "normal"},
    )
    assert refused.status_code == 404
    times = client.get(f"{API}/times", headers=outsider, params={"branch_id": queue_bank.branch})
    assert times.status_code == 404
    # the branch's own manager and an analyst read the branch's times
    for reader in (queue_bank.branch_manager, queue_bank.analyst):
        answer = client.get(
            f"{API}/times",
            headers=factories.api_headers(app_settings, reader),
            params={"branch_id": queue_bank.branch},
        )
        assert answer.status_code == 200 and answer.json()["tickets"] == 1
    # an analyst reads but does not work a queue
    analyst = factories.api_headers(app_settings, queue_bank.analyst)
    assert client.post(f"{API}/tickets/{ticket}/end", headers=analyst).status_code == 403


HEADER = "senha,servico,prioridade,status,dataChegada,dataChamada,dataInicio,dataFim,local,usuario"


def _export(username: str) -> str:
    return "\n".join(
        [
            HEADER,
            f"A001,cash,normal,atendimento_encerrado,2026-12-07 09:00:00,2026-12-07 09:10:00,"
            f"2026-12-07 09:10:00,2026-12-07 09:18:00,1,{username}",
            f"A002,转账汇款,,,2026-12-07 09:05:00,2026-12-07 09:25:00,"
            f"2026-12-07 09:25:00,2026-12-07 09:37:00,1,{username}",
            "E003,card,idoso,nao_compareceu,2026-12-07 09:20:00,2026-12-07 09:40:00,,,2,",
            "A004,wealth,normal,emitida,2026-12-07 16:55:00,,,,,",
        ]
    )


def _stored(session: Session, branch: int) -> dict[str, QueueTicket]:
    session.expire_all()
    rows = QueueImportSystemRepository(session).visits(branch_id=branch, since=DAY, until=DAY)
    return {row.number: row for row in rows}


@pytest.mark.parametrize(
    ("bad_line", "row", "column"),
    [
        ("A005,cash,normal,,2026-12-07 10:00:00,2026-12-07 09:59:00,,,,", 6, "dataChamada"),
        ("A005,mortgage,normal,,2026-12-07 10:00:00,,,,,", 6, "servico"),
        ("A005,cash,normal,atendimento_encerrado,2026-12-07 10:00:00,,,,,", 6, "dataChamada"),
        ("A005,cash,normal,,yesterday,,,,,", 6, "dataChegada"),
        ("A005,cash,normal,,2026-12-07 10:00:00,,,,,nobody", 6, "usuario"),
        ("A001,cash,normal,,2026-12-07 10:00:00,,,,,", 6, "senha"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_row_and_column(
    queue_bank: QueueBank, db: Session, bad_line: str, row: int, column: str
) -> None:
    teller = db.get_one(StaffUser, queue_bank.teller)
    content = (_export(queue_bank.teller_username) + "\n" + bad_line).encode()
    with pytest.raises(ImportRejected) as refused:
        service.import_tickets(
            db, user=teller, branch_id=queue_bank.branch, content=content, file_name="day.csv"
        )
    assert (refused.value.row, refused.value.column) == (row, column)
    assert f"day.csv, row {row}, column '{column}'" in refused.value.message
    db.rollback()
    assert _stored(db, queue_bank.branch) == {}


def test_an_import_stores_the_visits_and_a_second_run_changes_nothing(
    queue_bank: QueueBank, client: TestClient, app_settings: str, db: Session
) -> None:
    teller = factories.api_headers(app_settings, queue_bank.teller)
    content = _export(queue_bank.teller_username).encode()

    def upload() -> dict[str, int]:
        answer = client.post(
            f"{API}/imports",
            headers=teller,
            data={"branch_id": str(queue_bank.branch)},
            files={"file": ("2026-12-07.csv", content, "text/csv")},
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    first = upload()
    assert (first["rows"], first["created"], first["updated"]) == (4, 4, 0)
    second = upload()
    assert (second["rows"], second["created"], second["updated"]) == (4, 0, 4)
    stored = _stored(db, queue_bank.branch)
    assert sorted(stored) == ["A001", "A002", "A004", "E003"]
    assert stored["A002"].service_type == "transfer" and stored["A002"].status is TicketStatus.DONE
    assert stored["E003"].priority is TicketPriority.ELDERLY
    assert stored["E003"].status is TicketStatus.NO_SHOW
    assert stored["A004"].status is TicketStatus.WAITING
    assert stored["A001"].issued_on == DAY and stored["A001"].staff_id == queue_bank.teller

    manager = factories.api_headers(app_settings, queue_bank.branch_manager)
    report = client.get(
        f"{API}/times",
        headers=manager,
        params={"branch_id": queue_bank.branch, "start": "2026-12-07", "end": "2026-12-07"},
    ).json()
    # waits 10, 20 and 20 (the no-show was called too); services 8 and 12; counter 1 idle
    # from 09:18 to 09:25
    assert report["wait"]["mean"] == pytest.approx(50 / 3)
    assert report["service"]["mean"] == 10
    counters = {load["counter"]: load for load in report["counters"]}
    assert counters["1"]["idle_minutes"] == 7 and counters["1"]["busy_minutes"] == 20
    assert counters["2"]["served"] == 0

    not_multipart = client.post(f"{API}/imports", headers=teller, json={"branch_id": 1})
    assert not_multipart.status_code == 422
    bad = client.post(
        f"{API}/imports",
        headers=teller,
        data={"branch_id": str(queue_bank.branch)},
        files={"file": ("bad.csv", b"senha,servico\nA1,cash\n", "text/csv")},
    )
    assert bad.status_code == 422 and "dataChegada" in bad.text


def test_the_command_line_imports_and_reports_a_branch(
    queue_bank: QueueBank, app_settings: str, tmp_path: Path
) -> None:
    export = tmp_path / "queue.csv"
    export.write_text(_export(queue_bank.teller_username), encoding="utf-8")
    runner = CliRunner()
    imported = runner.invoke(
        app, ["queue", "import", "--branch", queue_bank.branch_code, str(export)]
    )
    assert imported.exit_code == 0, imported.output
    assert "4 visits, 4 new" in imported.output
    report = runner.invoke(
        app,
        [
            "queue",
            "times",
            "--branch",
            queue_bank.branch_code,
            "--from",
            "2026-12-07",
            "--to",
            "2026-12-07",
            "--json",
        ],
    )
    assert report.exit_code == 0, report.output
    figures = json.loads(report.output)
    assert figures["tickets"] == 4 and figures["no_shows"] == 1
    unknown = runner.invoke(app, ["queue", "import", "--branch", "NOPE", str(export)])
    assert unknown.exit_code == 1 and "no branch 'NOPE'" in unknown.output
