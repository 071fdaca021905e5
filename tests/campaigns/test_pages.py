"""The campaign pages on a small bank: who may open which page, a segment counted and saved,
a campaign designed on it, an approval refused with its reason, the contact list that holds
only treated members (formula-looking names as text), a response file taken whole or not at
all, the contact tasks worked, consent recorded, and the evaluation shown."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.campaigns import service
from bankcrm.campaigns.models import CampaignMember
from bankcrm.campaigns.service import CampaignDraft
from bankcrm.campaigns.targeting import SegmentCriteria
from bankcrm.core.clock import bank_today
from bankcrm.core.db import make_engine
from bankcrm.core.enums import CampaignChannel, CampaignGroup, CampaignObjective
from bankcrm.customers.models import Customer
from bankcrm.staff.models import StaffUser
from tests.small_bank import SmallBank
from tests.web.test_pages import csrf_of, log_in

FORMULA_NAME = '=HYPERLINK("http://x","y")'


@dataclass
class Launched:
    campaign_id: int
    treated: list[str]
    control: list[str]
    formula_number: str


def _staff(session: Session, username: str) -> StaffUser:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    assert user is not None
    return user


def _draft(segment_id: int, branch_id: int) -> CampaignDraft:
    today = bank_today()
    return CampaignDraft(
        name="理财到期提醒",
        objective=CampaignObjective.REMIND,
        channel=CampaignChannel.PHONE,
        criteria=SegmentCriteria(branch_ids=(branch_id,)),
        segment_id=segment_id,
        starts_on=today,
        ends_on=today + timedelta(days=30),
        control_share=0.2,
        seed=11,
        budget=Decimal(5000),
        cost_per_contact=Decimal(10),
        fixed_cost=Decimal(100),
    )


@pytest.fixture
def launched(app_settings: str, small_bank: SmallBank) -> Launched:
    """A phone campaign on the main branch, every customer of book A consenting, launched;
    one treated customer then carries a name that reads as a formula."""
    engine = make_engine(app_settings)
    with Session(engine) as session:
        analyst = _staff(session, small_bank.analyst)
        approver = _staff(session, small_bank.branch_manager)
        for customer in small_bank.book_a:
            service.record_consent(
                session,
                user=analyst,
                customer_id=customer,
                channel=CampaignChannel.PHONE,
                granted=True,
                source="account_opening",
            )
        segment = service.save_segment(
            session,
            user=analyst,
            name="本行客户",
            criteria=SegmentCriteria(branch_ids=(small_bank.branch_id,)),
        )
        row = service.create_campaign(
            session, user=analyst, draft=_draft(segment.id, small_bank.branch_id)
        )
        service.approve(session, user=approver, campaign_id=row.id)
        service.launch(session, user=analyst, campaign_id=row.id)
        groups: dict[CampaignGroup, list[str]] = {group: [] for group in CampaignGroup}
        for group, number in session.execute(
            select(CampaignMember.group, Customer.external_id)
            .join(Customer, Customer.id == CampaignMember.customer_id)
            .where(CampaignMember.campaign_id == row.id)
            .order_by(Customer.external_id)
        ):
            groups[group].append(number)
        renamed = session.scalar(
            select(Customer).where(Customer.external_id == groups[CampaignGroup.TREATMENT][0])
        )
        assert renamed is not None
        renamed.name = FORMULA_NAME
        found = Launched(
            row.id,
            groups[CampaignGroup.TREATMENT],
            groups[CampaignGroup.CONTROL],
            renamed.external_id,
        )
        session.commit()
    engine.dispose()
    assert found.treated and found.control
    return found


def _as(client: TestClient, username: str) -> None:
    client.cookies.clear()
    log_in(client, username)


def test_each_page_opens_for_its_roles_only(
    client: TestClient, small_bank: SmallBank, launched: Launched
) -> None:
    campaign = f"/campaigns/{launched.campaign_id}"
    consent = f"/customers/{small_bank.book_a[0]}/consent"
    allowed = {
        small_bank.analyst: ["/campaigns", "/campaigns/segments", "/campaigns/new", campaign],
        small_bank.branch_manager: ["/campaigns", campaign, "/campaigns/tasks", consent],
        small_bank.manager_a: ["/campaigns/tasks", consent],
    }
    refused = {
        small_bank.analyst: ["/campaigns/tasks", consent],
        small_bank.branch_manager: ["/campaigns/segments", "/campaigns/new"],
        small_bank.manager_a: ["/campaigns", campaign, f"{campaign}/contacts.csv"],
        small_bank.admin: ["/campaigns", "/campaigns/tasks"],
    }
    for username, paths in allowed.items():
        _as(client, username)
        for path in paths:
            assert client.get(path).status_code == 200, (username, path)
    for username, paths in refused.items():
        _as(client, username)
        for path in paths:
            assert client.get(path).status_code == 403, (username, path)


def test_a_segment_is_counted_saved_and_a_campaign_designed_on_it(
    client: TestClient, small_bank: SmallBank
) -> None:
    _as(client, small_bank.analyst)
    form = client.get("/campaigns/segments").text
    criteria = {
        "branch_ids": str(small_bank.branch_id),
        "customer_types": "individual",
        "csrf_token": csrf_of(form),
    }
    counted = client.post("/campaigns/segments", data={**criteria, "action": "count"})
    assert counted.status_code == 200
    size = counted.text.split('data-testid="segment-size">')[1].split("</p>")[0]
    assert "29" in size  # book A's 24 individuals and book B's 5
    nameless = client.post("/campaigns/segments", data={**criteria, "action": "save"})
    assert nameless.status_code == 422 and 'data-testid="problem"' in nameless.text
    saved = client.post(
        "/campaigns/segments",
        data={**criteria, "action": "save", "name": "本行个人客户"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    listing = client.get(saved.headers["location"]).text
    assert "本行个人客户" in listing

    new = client.get("/campaigns/new").text
    segment_id = new.split('name="segment_id"')[1].split('value="')[1].split('"')[0]
    today = bank_today()
    created = client.post(
        "/campaigns/new",
        data={
            "name": "新客户理财推荐",
            "objective": "persuade",
            "channel": "sms",
            "segment_id": segment_id,
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=20)).isoformat(),
            "control_share": "20",
            "budget": "12,000",
            "cost_per_contact": "0.5",
            "fixed_cost": "¥800",
            "message": "您好",
            "csrf_token": csrf_of(new),
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    page = client.get(created.headers["location"]).text
    assert "新客户理财推荐" in page and "20.0 %" in page and "12,000.00" in page
    listed = client.get("/campaigns").text
    assert "新客户理财推荐" in listed and "12,000.00" in listed

    backwards = client.post(
        "/campaigns/new",
        data={
            "name": "倒序",
            "objective": "inform",
            "channel": "sms",
            "segment_id": segment_id,
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=1)).isoformat(),
            "csrf_token": csrf_of(new),
        },
    )
    assert backwards.status_code == 422 and 'data-testid="problem"' in backwards.text
    assert 'value="倒序"' in backwards.text


def test_the_designer_s_own_approval_and_a_stale_one_are_refused_on_the_page(
    client: TestClient, app_settings: str, small_bank: SmallBank
) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        designer = _staff(session, small_bank.branch_manager)
        segment = service.save_segment(
            session,
            user=designer,
            name="本行",
            criteria=SegmentCriteria(branch_ids=(small_bank.branch_id,)),
        )
        campaign_id = service.create_campaign(
            session, user=designer, draft=_draft(segment.id, small_bank.branch_id)
        ).id
        session.commit()
    engine.dispose()
    _as(client, small_bank.branch_manager)
    page = client.get(f"/campaigns/{campaign_id}").text
    assert 'data-testid="approve-campaign"' in page
    own = client.post(
        f"/campaigns/{campaign_id}/approve",
        data={"version": "1", "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert own.status_code == 409 and 'data-testid="problem"' in own.text
    assert "someone other than its designer" in own.text
    stale = client.post(
        f"/campaigns/{campaign_id}/approve",
        data={"version": "7", "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.text
    assert 'data-testid="campaign-status"' in stale.text


def test_the_contact_list_holds_only_treated_members_formulas_as_text(
    client: TestClient, small_bank: SmallBank, launched: Launched
) -> None:
    _as(client, small_bank.analyst)
    answer = client.get(f"/campaigns/{launched.campaign_id}/contacts.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text.lstrip("\ufeff"))))
    numbers = [row[0] for row in rows[1:]]
    assert sorted(numbers) == sorted(launched.treated)
    assert not set(numbers) & set(launched.control)
    formula_row = next(row for row in rows if row[0] == launched.formula_number)
    assert formula_row[1] == "'" + FORMULA_NAME
    assert "上海分行营业部" in formula_row[4]  # the segment's branch, by name

    book = client.get(f"/campaigns/{launched.campaign_id}/contacts.xlsx")
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert set(cells) == set(launched.treated)
    name = cells[launched.formula_number]
    assert name.value == FORMULA_NAME and name.data_type == "s" and name.quotePrefix


def _upload(client: TestClient, campaign_id: int, content: str, page: str) -> Any:
    return client.post(
        f"/campaigns/{campaign_id}/responses",
        data={"csrf_token": csrf_of(page)},
        files={"file": ("responses.csv", content.encode(), "text/csv")},
        follow_redirects=False,
    )


def test_a_bad_response_file_is_refused_whole_and_a_good_one_is_evaluated(
    client: TestClient, app_settings: str, small_bank: SmallBank, launched: Launched
) -> None:
    _as(client, small_bank.analyst)
    client.get("/lang/en?next=/")
    page = client.get(f"/campaigns/{launched.campaign_id}").text
    header = "customer_number,contacted,responded,converted,amount\n"
    bad = header + f"{launched.treated[0]},1,1,0,100\n{launched.treated[1]},1,maybe,0,0\n"
    refused = _upload(client, launched.campaign_id, bad, page)
    assert refused.status_code == 422
    text = refused.text
    problem = text.split('data-testid="problem"')[1].split("</div>\n</div>")[0]
    assert "responses.csv" in problem and "3" in problem and "responded" in problem
    engine = make_engine(app_settings)
    with Session(engine) as session:
        recorded = session.scalars(
            select(CampaignMember).where(
                CampaignMember.campaign_id == launched.campaign_id,
                CampaignMember.outcome_recorded_at.is_not(None),
            )
        ).all()
        assert recorded == []
    engine.dispose()

    lines = [header]
    for index, number in enumerate(launched.treated):
        lines.append(f"{number},1,{1 if index % 2 == 0 else 0},{1 if index % 4 == 0 else 0},500\n")
    for number in launched.control:
        lines.append(f"{number},0,0,0,0\n")
    taken = _upload(client, launched.campaign_id, "".join(lines), page)
    assert taken.status_code == 303
    result = client.get(taken.headers["location"]).text
    uplift = result.split('data-testid="uplift">')[1].split("</p>")[0]
    assert re.fullmatch(
        r"Uplift \d+\.\d percentage points \(95% interval -?\d+\.\d to \d+\.\d\), p [=<] 0\.\d{3}",
        uplift,
    ), uplift
    assert 'data-testid="roi"' in result and 'data-testid="incremental-revenue"' in result
    assert 'id="campaign-funnel-data" type="application/json"' in result
    assert '"type": "funnel"' in result


def test_contact_tasks_are_worked_and_consent_recorded(
    client: TestClient, small_bank: SmallBank, launched: Launched
) -> None:
    _as(client, small_bank.manager_a)
    tasks = client.get("/campaigns/tasks").text
    assert f'data-testid="task-{launched.treated[0]}"' in tasks
    assert not any(f'data-testid="task-{number}"' in tasks for number in launched.control)
    done = client.post(
        f"/campaigns/{launched.campaign_id}/outcome",
        data={
            "customer_number": launched.treated[0],
            "contacted": "1",
            "responded": "1",
            "amount": "2,000",
            "csrf_token": csrf_of(tasks),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = client.get(done.headers["location"]).text
    assert f'data-testid="task-{launched.treated[0]}"' not in after
    contacted_control = client.post(
        f"/campaigns/{launched.campaign_id}/outcome",
        data={
            "customer_number": launched.control[0],
            "contacted": "1",
            "csrf_token": csrf_of(tasks),
        },
    )
    assert contacted_control.status_code == 422
    assert 'data-testid="problem"' in contacted_control.text

    customer = small_bank.book_a[3]
    consent = client.get(f"/customers/{customer}/consent").text
    recorded = client.post(
        f"/customers/{customer}/consent",
        data={
            "channel": "sms",
            "granted": "0",
            "source": "电话回访",
            "given_on": bank_today().isoformat(),
            "csrf_token": csrf_of(consent),
        },
        follow_redirects=False,
    )
    assert recorded.status_code == 303
    shown = client.get(recorded.headers["location"]).text
    row = shown.split('data-testid="consent-sms"')[1].split("</tr>")[0]
    assert "电话回访" in row and "text-bg-danger" in row
    future = client.post(
        f"/customers/{customer}/consent",
        data={
            "channel": "sms",
            "granted": "1",
            "source": "app",
            "given_on": (bank_today() + timedelta(days=3)).isoformat(),
            "csrf_token": csrf_of(consent),
        },
    )
    assert future.status_code == 422 and 'data-testid="problem"' in future.text
    assert client.get(f"/customers/{small_bank.other_branch_customer}/consent").status_code == 404


def test_the_customer_360_shows_consent_and_campaigns(
    client: TestClient, small_bank: SmallBank, launched: Launched
) -> None:
    _as(client, small_bank.manager_a)
    page = client.get(f"/customers/{small_bank.book_a[0]}").text
    card = page.split('data-testid="marketing-card"')[1].split('data-testid="customer-sales"')[0]
    assert "text-bg-success" in card.split('data-testid="consents"')[1]
    memberships = card.split('data-testid="memberships"')[1]
    assert "理财到期提醒" in memberships.split("</ul>")[0]
    assert f'href="/customers/{small_bank.book_a[0]}/consent"' in card
    _as(client, small_bank.admin)
    assert (
        'data-testid="marketing-card"' not in client.get(f"/customers/{small_bank.book_a[0]}").text
    )
