"""The incentive pages through the application: a branch manager sets the month's pool, a
stale approval is 409 and the current one freezes it; an account manager reads their own
statement and downloads it, a colleague's is 404; roles without the permission are turned
away."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.small_bank import SmallBank
from tests.staff.incentives.conftest import Desk
from tests.web.test_pages import csrf_of, log_in

MONTH = "2026-11"


def _set_pool(client: TestClient) -> str:
    page = client.get("/incentives", params={"month": MONTH})
    assert page.status_code == 200
    assert 'data-testid="pool-form"' in page.text
    answer = client.post(
        "/incentives/pools",
        data={"month": MONTH, "amount": "100,000", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/incentives?month={MONTH}"
    return client.get(answer.headers["location"]).text


def test_the_branch_manager_sets_and_approves_the_pool(
    client: TestClient, small_bank: SmallBank, desk: Desk
) -> None:
    log_in(client, small_bank.branch_manager)
    page = _set_pool(client)
    assert 'data-testid="nav-incentives"' in page
    assert "¥9,166.67" in page  # unallocated, as in the worked example
    assert "¥37,500.00" in page and "¥23,333.33" in page
    pool = re.search(r'action="/incentives/pools/(\d+)/approve"', page)
    version = re.search(r'name="version" value="(\d+)"', page)
    assert pool is not None and version is not None

    stale = client.post(
        f"/incentives/pools/{pool.group(1)}/approve",
        data={
            "month": MONTH,
            "version": str(int(version.group(1)) + 1),
            "csrf_token": csrf_of(page),
        },
    )
    assert stale.status_code == 409
    assert 'data-testid="problem"' in stale.text

    approved = client.post(
        f"/incentives/pools/{pool.group(1)}/approve",
        data={"month": MONTH, "version": version.group(1), "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    frozen = client.get("/incentives", params={"month": MONTH}).text
    assert 'data-testid="approve-pool"' not in frozen
    assert 'data-testid="compute-pool"' not in frozen


def test_an_account_manager_reads_and_downloads_their_own_statement(
    client: TestClient, small_bank: SmallBank, desk: Desk
) -> None:
    log_in(client, small_bank.branch_manager)
    page = _set_pool(client)
    linked = {
        int(staff): int(statement)
        for staff, statement in re.findall(
            r'<tr data-testid="statement-(\d+)">\s*<td><a href="/incentives/statements/(\d+)"',
            page,
        )
    }
    statement_of_a = linked[desk.people["A"]]
    statement_of_b = linked[desk.people["B"]]

    client.cookies.clear()
    log_in(client, small_bank.manager_a)
    own = client.get("/incentives", params={"month": MONTH})
    assert own.status_code == 200
    assert f'data-testid="statement-{desk.people["A"]}"' in own.text
    assert f'data-testid="statement-{desk.people["B"]}"' not in own.text
    assert 'data-testid="pool-form"' not in own.text
    statement = client.get(f"/incentives/statements/{statement_of_a}")
    assert statement.status_code == 200
    assert 'data-testid="line-cap"' in statement.text and "-¥1,166.67" in statement.text
    download = client.get(f"/incentives/statements/{statement_of_a}/export.xlsx")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet is not None
    assert (
        sheet["B2"].value == statement.text.split('data-testid="statement-name">')[1].split("<")[0]
    )
    assert client.get(f"/incentives/statements/{statement_of_b}").status_code == 404
    assert client.get(f"/incentives/statements/{statement_of_b}/export.xlsx").status_code == 404


def test_roles_without_the_permission_are_turned_away(
    client: TestClient, small_bank: SmallBank
) -> None:
    log_in(client, small_bank.analyst)
    assert client.get("/incentives").status_code == 403
    assert 'data-testid="nav-incentives"' not in client.get("/").text
