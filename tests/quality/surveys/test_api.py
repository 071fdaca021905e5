"""Survey waves through the real application: the API with its 4xx reasons, the staff pages
and the public respondent page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.core import clock
from bankcrm.core.db import make_engine
from bankcrm.core.enums import Role
from bankcrm.quality.models import SurveyInvitation, SurveyResponse
from tests import factories
from tests.small_bank import SmallBank, login
from tests.web.test_pages import csrf_of, log_in

HTML = {"accept": "text/html"}


@pytest.fixture
def officer(app_settings: str, small_bank: SmallBank) -> str:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        user = factories.staff(session, role=Role.QUALITY_OFFICER)
        session.commit()
        name = user.username
    engine.dispose()
    return name


def _today() -> str:
    return clock.bank_today().isoformat()


def _wave(
    client: TestClient, headers: dict[str, str], *, code: str = "SQ-API", kind: str = "servqual"
) -> dict:
    today = clock.bank_today()
    answer = client.post(
        "/api/v1/quality/waves",
        headers=headers,
        json={
            "code": code,
            "title": "客户服务质量调查",
            "kind": kind,
            "opens_on": (today - timedelta(days=1)).isoformat(),
            "closes_on": (today + timedelta(days=20)).isoformat(),
        },
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def _open(client: TestClient, headers: dict[str, str], wave: dict) -> dict:
    current = client.get(f"/api/v1/quality/waves/{wave['id']}", headers=headers).json()
    answer = client.post(
        f"/api/v1/quality/waves/{wave['id']}/status",
        headers=headers,
        json={"status": "open", "version": current["version"]},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _full_form() -> dict[str, str]:
    form = {f"E{n}": "6" for n in range(1, 23)}
    form.update({f"P{n}": "4" for n in range(1, 23)})
    return form


def test_the_wave_api_and_its_refusals(
    client: TestClient, small_bank: SmallBank, officer: str
) -> None:
    manage = login(client, officer)
    reader = login(client, small_bank.branch_manager)
    analyst = login(client, small_bank.analyst)
    manager = login(client, small_bank.manager_a)

    wave = _wave(client, manage)
    assert wave["status"] == "draft" and wave["instrument"] == "servqual_bank"
    body = {
        "code": "SQ-API",
        "title": "x",
        "kind": "servqual",
        "opens_on": _today(),
        "closes_on": _today(),
    }
    assert client.post("/api/v1/quality/waves", headers=manage, json=body).status_code == 409
    assert (
        client.post(
            "/api/v1/quality/waves", headers=analyst, json={**body, "code": "B"}
        ).status_code
        == 403
    )
    backwards = {**body, "code": "C", "opens_on": "2026-05-02", "closes_on": "2026-05-01"}
    assert client.post("/api/v1/quality/waves", headers=manage, json=backwards).status_code == 422
    unknown = {**body, "code": "D", "instrument": "no_such"}
    refused = client.post("/api/v1/quality/waves", headers=manage, json=unknown)
    assert refused.status_code == 422 and refused.json()["field"] == "instrument"
    csat_with_instrument = {**body, "code": "E", "kind": "csat", "instrument": "servqual_bank"}
    assert (
        client.post("/api/v1/quality/waves", headers=manage, json=csat_with_instrument).status_code
        == 422
    )

    assert client.get("/api/v1/quality/waves", headers=manager).status_code == 403
    issue = f"/api/v1/quality/waves/{wave['id']}/invitations"
    assert client.post(issue, headers=reader, json={}).status_code == 403
    assert client.post(issue, headers=manage, json={"quadrants": ["nowhere"]}).status_code == 422
    assert client.post(issue, headers=manage, json={"sample_size": 0}).status_code == 422
    assert (
        client.post("/api/v1/quality/waves/999999/invitations", headers=manage, json={}).status_code
        == 404
    )
    issued = client.post(issue, headers=manage, json={"sample_size": 10, "seed": 3})
    assert issued.status_code == 200, issued.text
    assert issued.json()["eligible"] == 36 and issued.json()["issued"] == 10
    assert all(len(link["token"]) == 32 for link in issued.json()["invitations"])
    rest = client.post(issue, headers=manage, json={"branch_codes": ["NOWHERE"]})
    assert rest.json() == {"eligible": 0, "issued": 0, "invitations": []}

    listed = client.get("/api/v1/quality/waves", headers=reader)
    assert listed.status_code == 200
    assert listed.json()[0]["issued"] == 10 and "token" not in listed.text
    detail = client.get(f"/api/v1/quality/waves/{wave['id']}", headers=reader)
    assert detail.json()["overall"]["issued"] == 10 and "token" not in detail.text

    reminders = f"/api/v1/quality/waves/{wave['id']}/reminders"
    assert client.post(reminders, headers=manage).status_code == 409  # a draft wave
    status = f"/api/v1/quality/waves/{wave['id']}/status"
    stale = client.post(status, headers=manage, json={"status": "open", "version": wave["version"]})
    assert stale.status_code == 409
    opened = _open(client, manage, wave)
    assert opened["status"] == "open"
    assert (
        client.post(
            status, headers=manage, json={"status": "draft", "version": opened["version"]}
        ).status_code
        == 409
    )
    assert client.post(reminders, headers=manage, json={"min_days": 0}).json()["reminded"] == 10
    assert client.post(reminders, headers=manage, json={"min_days": -1}).status_code == 422

    predictions = f"/api/v1/quality/waves/{wave['id']}/predictions"
    full = {"answers": {f"E{n}": 5 for n in range(1, 23)}}
    assert client.post(predictions, headers=analyst, json=full).status_code == 403
    short = client.post(predictions, headers=reader, json={"answers": {"E1": 5}})
    assert short.status_code == 422 and "E2: missing" in short.json()["detail"]
    off = client.post(predictions, headers=reader, json={"answers": {**full["answers"], "E4": 9}})
    assert off.status_code == 422 and "E4: invalid" in off.json()["detail"]
    saved = client.post(predictions, headers=reader, json=full)
    assert saved.status_code == 200 and saved.json()["answers"]["E22"] == 5
    csat = _wave(client, manage, code="CSAT-API", kind="csat")
    assert (
        client.post(
            f"/api/v1/quality/waves/{csat['id']}/predictions", headers=reader, json=full
        ).status_code
        == 422
    )


def test_the_respondent_page_takes_one_answer_per_link(
    client: TestClient, small_bank: SmallBank, officer: str, app_settings: str
) -> None:
    manage = login(client, officer)
    wave = _wave(client, manage)
    issued = client.post(
        f"/api/v1/quality/waves/{wave['id']}/invitations",
        headers=manage,
        json={"sample_size": 2, "seed": 1},
    ).json()
    token = issued["invitations"][0]["token"]
    _open(client, manage, wave)

    respondent = TestClient(client.app)
    page = respondent.get(f"/s/{token}", headers=HTML)
    assert page.status_code == 200
    assert "优秀的银行应当拥有现代化的设备" in page.text
    assert 'name="E1"' in page.text and 'value="7"' in page.text
    assert "王" not in page.text  # no customer data on the page
    csrf = csrf_of(page.text)
    assert respondent.post(f"/s/{token}", data={"E1": "5"}, headers=HTML).status_code == 403

    draft = respondent.post(
        f"/s/{token}/draft", data={"csrf_token": csrf, "E1": "5", "P1": "3"}, headers=HTML
    )
    assert draft.status_code == 200 and 'data-testid="draft-saved"' in draft.text
    again = respondent.get(f"/s/{token}", headers=HTML)
    assert re.search(r'id="E1-5" value="5" autocomplete="off" checked', again.text)

    missing = {**_full_form(), "csrf_token": csrf}
    del missing["P7"]
    refused = respondent.post(f"/s/{token}", data=missing, headers=HTML)
    assert refused.status_code == 422
    assert 'data-testid="survey-problems"' in refused.text
    assert 'border-danger" data-testid="item-7"' in refused.text
    assert 'border-danger" data-testid="item-6"' not in refused.text
    assert 'id="E2-6" value="6" autocomplete="off" checked' in refused.text
    weights = {
        **_full_form(),
        "csrf_token": csrf,
        "W_tangibles": "50",
        "W_reliability": "10",
    }
    assert respondent.post(f"/s/{token}", data=weights, headers=HTML).status_code == 422

    done = respondent.post(f"/s/{token}", data={**_full_form(), "csrf_token": csrf}, headers=HTML)
    assert done.status_code == 200 and 'data-notice="thanks"' in done.text
    twice = respondent.post(f"/s/{token}", data={**_full_form(), "csrf_token": csrf}, headers=HTML)
    assert twice.status_code == 409 and 'data-notice="answered"' in twice.text
    assert (
        respondent.post(f"/s/{token}/draft", data={"csrf_token": csrf}, headers=HTML).status_code
        == 409
    )
    shown = respondent.get(f"/s/{token}", headers=HTML)
    assert shown.status_code == 200 and 'data-notice="answered"' in shown.text
    assert respondent.get("/s/not-a-real-token", headers=HTML).status_code == 404

    english = respondent.get(f"/lang/en?next=/s/{token}", follow_redirects=True, headers=HTML)
    assert english.status_code == 200 and "Already answered" in english.text

    engine = make_engine(app_settings)
    with Session(engine) as session:
        assert session.scalar(select(func.count(SurveyResponse.id))) == 1
        row = session.scalars(select(SurveyInvitation).where(SurveyInvitation.token == token)).one()
        assert row.completed_at is not None and row.opened_at is not None
    engine.dispose()

    current = client.get(f"/api/v1/quality/waves/{wave['id']}", headers=manage).json()
    client.post(
        f"/api/v1/quality/waves/{wave['id']}/status",
        headers=manage,
        json={"status": "closed", "version": current["version"]},
    )
    other = issued["invitations"][1]["token"]
    closed = respondent.get(f"/s/{other}", headers=HTML)
    assert closed.status_code == 410 and 'data-notice="closed"' in closed.text


def test_the_staff_pages(client: TestClient, small_bank: SmallBank, officer: str) -> None:
    log_in(client, officer)
    form = client.get("/quality/waves/new", headers=HTML)
    assert form.status_code == 200
    csrf = csrf_of(form.text)
    created = client.post(
        "/quality/waves/new",
        data={
            "csrf_token": csrf,
            "code": "SQ-PAGE",
            "title": "页面调查",
            "kind": "servqual",
            "instrument": "servqual_bank",
            "opens_on": _today(),
            "closes_on": _today(),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert created.status_code == 303
    detail_url = created.headers["location"].split("?")[0]
    wave_id = int(detail_url.rsplit("/", 1)[1])
    duplicate = client.post(
        "/quality/waves/new",
        data={
            "csrf_token": csrf,
            "code": "SQ-PAGE",
            "title": "x",
            "kind": "servqual",
            "opens_on": _today(),
            "closes_on": _today(),
        },
        headers=HTML,
    )
    assert duplicate.status_code == 409 and 'data-testid="problem"' in duplicate.text

    issued = client.post(
        f"{detail_url}/invitations",
        data={"csrf_token": csrf, "sample_size": "5", "seed": "9", "value_tiers": []},
        headers=HTML,
        follow_redirects=True,
    )
    assert issued.status_code == 200
    assert re.search(r'data-testid="count-issued">5<', issued.text)
    bad = client.post(
        f"{detail_url}/invitations", data={"csrf_token": csrf, "sample_size": "many"}, headers=HTML
    )
    assert bad.status_code == 422

    links = client.get(f"{detail_url}/links.csv")
    assert links.status_code == 200 and links.headers["content-type"].startswith("text/csv")
    lines = links.text.strip().splitlines()
    assert lines[0] == "customer_external_id,link,reminders"
    assert len(lines) == 6 and re.search(r",http://testserver/s/[\w-]{32},0$", lines[1])

    opened = client.post(
        f"{detail_url}/status",
        data={"csrf_token": csrf, "status": "open", "version": "1"},
        headers=HTML,
    )
    assert opened.status_code == 409  # the issue changed the wave since version 1
    version = re.search(r'name="version" value="(\d+)"', opened.text)
    assert version
    now_open = client.post(
        f"{detail_url}/status",
        data={"csrf_token": csrf, "status": "open", "version": version.group(1)},
        headers=HTML,
        follow_redirects=True,
    )
    assert 'data-testid="status-closed"' in now_open.text
    reminded = client.post(
        f"{detail_url}/reminders", data={"csrf_token": csrf}, headers=HTML, follow_redirects=True
    )
    assert reminded.status_code == 200 and 'data-testid="done"' in reminded.text

    prediction = client.get(f"{detail_url}/prediction", headers=HTML)
    assert prediction.status_code == 200 and 'name="E22"' in prediction.text
    partial = client.post(
        f"{detail_url}/prediction", data={"csrf_token": csrf, "E1": "6"}, headers=HTML
    )
    assert (
        partial.status_code == 422
        and 'id="E1-6" value="6" autocomplete="off" checked' in partial.text
    )
    full = {f"E{n}": "5" for n in range(1, 23)}
    saved = client.post(f"{detail_url}/prediction", data={"csrf_token": csrf, **full}, headers=HTML)
    assert saved.status_code == 200 and 'data-testid="prediction-saved"' in saved.text

    listing = client.get("/quality/waves", headers=HTML)
    assert listing.status_code == 200 and "SQ-PAGE" in listing.text
    assert wave_id > 0


def test_readers_see_waves_but_not_links(
    client: TestClient, small_bank: SmallBank, officer: str
) -> None:
    manage = login(client, officer)
    wave = _wave(client, manage)
    log_in(client, small_bank.analyst)
    assert client.get("/quality/waves", headers=HTML).status_code == 200
    detail = client.get(f"/quality/waves/{wave['id']}", headers=HTML)
    assert detail.status_code == 200 and "links.csv" not in detail.text
    assert client.get(f"/quality/waves/{wave['id']}/links.csv", headers=HTML).status_code == 403
    assert client.get(f"/quality/waves/{wave['id']}/prediction", headers=HTML).status_code == 403
