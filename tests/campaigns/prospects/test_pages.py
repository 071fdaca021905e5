"""The pipeline pages through the application: the kanban, opening a prospect with a
customer found by search, moving a card (a stale version is 409), the prospect's page with
its forms, the funnel with its chart data, and the roles turned away."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from fastapi.testclient import TestClient

from bankcrm.core.clock import bank_today
from tests.small_bank import SmallBank
from tests.web.test_pages import csrf_of, log_in


def _open_prospect(client: TestClient, name: str, **fields: str) -> int:
    form = client.get("/pipeline/new")
    assert form.status_code == 200
    answer = client.post(
        "/pipeline/new",
        data={
            "name": name,
            "kind": "corporate",
            "source": "walk_in",
            "expected_amount": "250000",
            "csrf_token": csrf_of(form.text),
            **fields,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return int(answer.headers["location"].rsplit("/", 1)[1])


def test_a_card_is_opened_moved_and_a_stale_move_is_409(
    client: TestClient, small_bank: SmallBank
) -> None:
    log_in(client, small_bank.manager_a)
    search = client.get("/pipeline/new", params={"q": "王01"})
    assert 'data-testid="customer-choices"' in search.text and "王01" in search.text
    linked = re.search(r'<option value="(\d+)" >王01', search.text)
    assert linked is not None
    prospect = _open_prospect(client, "庚公司", customer_id=linked.group(1))

    board = client.get("/pipeline")
    assert board.status_code == 200
    assert f'data-testid="card-{prospect}"' in board.text and "¥250,000" in board.text
    token = csrf_of(board.text)
    moved = client.post(
        f"/pipeline/prospects/{prospect}/stage",
        data={"stage": "needs", "version": "1", "back": "board", "csrf_token": token},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    stale = client.post(
        f"/pipeline/prospects/{prospect}/stage",
        data={
            "stage": "identify",
            "version": "1",
            "back": "board",
            "csrf_token": csrf_of(board.text),
        },
    )
    assert stale.status_code == 409
    assert f'data-testid="card-{prospect}"' in stale.text

    page = client.get(f"/pipeline/prospects/{prospect}")
    assert page.status_code == 200
    assert 'data-testid="prospect-stage"' in page.text and "王01" in page.text
    token = csrf_of(page.text)
    planned = client.post(
        f"/pipeline/prospects/{prospect}/follow-ups",
        data={
            "planned_on": str(bank_today() + timedelta(days=3)),
            "channel": "phone",
            "purpose": "约见",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert planned.status_code == 303, planned.text
    objection = client.post(
        f"/pipeline/prospects/{prospect}/objections",
        data={"kind": "misunderstanding", "said": "以为要收年费", "csrf_token": token},
        follow_redirects=False,
    )
    assert objection.status_code == 303, objection.text
    refused = client.post(
        f"/pipeline/prospects/{prospect}/stage",
        data={"stage": "presentation", "version": "2", "csrf_token": token},
    )
    assert refused.status_code == 422
    shown = client.get(f"/pipeline/prospects/{prospect}").text
    assert "约见" in shown and "以为要收年费" in shown
    assert 'data-testid="history"' in shown


def test_the_funnel_shows_its_figures_and_chart_data(
    client: TestClient, small_bank: SmallBank
) -> None:
    log_in(client, small_bank.branch_manager)
    _open_prospect(client, "辛公司")
    page = client.get("/pipeline/funnel")
    assert page.status_code == 200
    island = re.search(
        r'<script id="pipeline-funnel-data" type="application/json">(.*?)</script>', page.text
    )
    assert island is not None
    chart = json.loads(island.group(1))
    assert [item["value"] for item in chart["series"][0]["data"]] == [1, 0, 0, 0, 0]
    assert 'data-testid="funnel-identify"' in page.text


def test_roles_without_the_permission_are_turned_away(
    client: TestClient, small_bank: SmallBank
) -> None:
    log_in(client, small_bank.analyst)
    assert client.get("/pipeline").status_code == 403
    assert client.get("/pipeline/funnel").status_code == 403
    client.cookies.clear()
    log_in(client, small_bank.manager_a)
    assert client.get("/pipeline/funnel").status_code == 403
    assert client.get(f"/pipeline?owner={999}").status_code == 404
