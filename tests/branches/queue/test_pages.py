"""The queue pages through the application: a teller issues, calls, starts and ends a visit
on the ticket page, a refused import names its row and column and saves nothing, and the
report shows the times per counter and staff with the service flow's chart data."""

from __future__ import annotations

import json
import re

import time_machine
from fastapi.testclient import TestClient

from bankcrm.core.clock import bank_today
from bankcrm.web.i18n import gettext
from tests.branches.queue.conftest import QueueBank
from tests.timing import move_to_bank_day
from tests.web.test_pages import csrf_of, log_in


def _post(client: TestClient, url: str, page: str, **form: str) -> str:
    """Send a form of the ticket page and follow it back to the page."""
    answer = client.post(url, data={"csrf_token": csrf_of(page), **form}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/queue?counter=5"
    return client.get(answer.headers["location"]).text


def _ticket_id(page: str, number: str) -> str:
    found = re.search(rf'data-testid="mine-{number}" data-ticket-id="(\d+)"', page)
    assert found, f"{number} is not at the counter"
    return found.group(1)


def test_a_teller_records_a_visit_on_the_ticket_page(
    queue_bank: QueueBank, client: TestClient, time_machine: time_machine.TimeMachineFixture
) -> None:
    move_to_bank_day(time_machine, bank_today(), hour=10)
    log_in(client, queue_bank.teller_username)
    page = client.get("/queue", params={"counter": "5"}).text
    assert 'data-testid="issue-form"' in page and "理财咨询" in page
    page = _post(
        client, "/queue/tickets", page, service_type="wealth", priority="elderly", counter="5"
    )
    assert 'data-testid="waiting-E001"' in page
    time_machine.shift(600)
    page = _post(client, "/queue/call-next", page, counter="5")
    assert 'data-testid="mine-E001"' in page and 'data-testid="waiting-E001"' not in page
    time_machine.shift(60)
    page = _post(client, f"/queue/tickets/{_ticket_id(page, 'E001')}/start", page, counter="5")
    time_machine.shift(450)
    page = _post(client, f"/queue/tickets/{_ticket_id(page, 'E001')}/end", page, counter="5")
    visit = re.search(r'data-testid="visit-E001">(.*?)</tr>', page, re.S)
    assert visit is not None
    assert f'data-testid="visit-status">{gettext("zh_CN", "Done")}<' in visit.group(1)
    assert ">10.0<" in visit.group(1) and ">7.5<" in visit.group(1)

    # nobody is left: calling again is refused on the page, with the page as it is
    refused = client.post("/queue/call-next", data={"csrf_token": csrf_of(page), "counter": "5"})
    assert refused.status_code == 409 and 'data-testid="visit-E001"' in refused.text


def test_a_refused_import_names_the_row_and_column_and_saves_nothing(
    queue_bank: QueueBank, client: TestClient
) -> None:
    log_in(client, queue_bank.teller_username)
    page = client.get("/queue").text
    content = (
        b"senha,servico,dataChegada,dataChamada\n"
        b"A001,cash,2026-12-07 09:00:00,2026-12-07 09:04:00\n"
        b"A002,cash,2026-12-07 09:01:00,2026-12-07 08:59:00\n"
    )
    refused = client.post(
        "/queue/imports",
        data={"csrf_token": csrf_of(page)},
        files={"file": ("day.csv", content, "text/csv")},
    )
    assert refused.status_code == 422
    assert "day.csv" in refused.text and "dataChamada" in refused.text
    assert re.search(r"day\.csv[,，][^<]*3[^<]*dataChamada", refused.text)
    fixed = content.replace(b"08:59", b"09:09")
    imported = client.post(
        "/queue/imports",
        data={"csrf_token": csrf_of(page)},
        files={"file": ("day.csv", fixed, "text/csv")},
    )
    assert imported.status_code == 200
    assert 'data-testid="import-result"' in imported.text


def test_the_report_shows_counters_staff_and_where_the_time_goes(
    queue_bank: QueueBank, client: TestClient
) -> None:
    log_in(client, queue_bank.teller_username)
    page = client.get("/queue").text
    export = (
        "senha,servico,dataChegada,dataChamada,dataInicio,dataFim,local,usuario\n"
        f"A001,cash,2026-12-07 09:00:00,2026-12-07 09:10:00,2026-12-07 09:10:00,"
        f"2026-12-07 09:18:00,1,{queue_bank.teller_username}\n"
        f"A002,cash,2026-12-07 09:05:00,2026-12-07 09:25:00,2026-12-07 09:25:00,"
        f"2026-12-07 09:37:00,1,{queue_bank.teller_username}\n"
    ).encode()
    answer = client.post(
        "/queue/imports",
        data={"csrf_token": csrf_of(page)},
        files={"file": ("day.csv", export, "text/csv")},
    )
    assert answer.status_code == 200, answer.text
    client.post("/logout", data={"csrf_token": csrf_of(answer.text)})

    log_in(client, queue_bank.manager_username)
    report = client.get("/queue/report", params={"start": "2026-12-07", "end": "2026-12-07"})
    assert report.status_code == 200
    text = report.text
    assert text.count('data-testid="counter-row"') == 1
    assert text.count('data-testid="staff-row"') == 1
    # idle from 09:18 to 09:25 at counter 1
    assert 'data-testid="idle">7.0<' in text
    island = re.search(
        r'<script id="service-flow-data" type="application/json">(.*?)</script>', text
    )
    assert island is not None
    chart = json.loads(island.group(1))
    standard, measured = chart["series"]
    assert standard["data"] == [2, 15, 5, 3]
    # waits 10 and 20 (mean 15), services 8 and 12 (mean 10); greeting and follow-up untimed
    assert measured["data"] == [None, 15.0, 10.0, None]
    assert 'data-testid="wait-point-queue_wait"' in text
    other = client.get("/queue/report", params={"branch": queue_bank.other_branch})
    assert other.status_code == 404
