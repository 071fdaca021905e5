"""Marketing plans through the API: an analyst drafts and submits, a branch manager approves
or returns; stale versions, the author approving and bad bodies are refused; editing an
approved plan makes the next version; the actual spend comes from the linked campaigns."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.campaigns.models import Campaign, CampaignMember
from bankcrm.campaigns.planning import service
from bankcrm.campaigns.planning.schemas import CampaignLinkCreate, PlanCreate, PlanDecision
from bankcrm.core.db import make_engine
from bankcrm.core.enums import CampaignChannel, CampaignGroup, CampaignObjective
from bankcrm.core.exceptions import PermissionDenied
from bankcrm.staff.models import StaffUser
from tests.small_bank import SmallBank, login

API = "/api/v1/marketing-plans"
PLAN = {
    "title": "2027年上半年个人存款营销计划",
    "branch_id": None,
    "period_start": "2027-01-01",
    "period_end": "2027-06-30",
    "target_new_customers": 1200,
    "target_deposits": "50000000.00",
    "target_on": "2027-06-30",
}


def _create(client: TestClient, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    answer = client.post(API, json={**PLAN, **changes}, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_draft_submit_approve_and_a_new_version(client: TestClient, small_bank: SmallBank) -> None:
    analyst = login(client, small_bank.analyst)
    plan = _create(client, analyst, branch_id=small_bank.branch_id)
    assert plan["status"] == "draft" and plan["revision"] == 1
    assert plan["sections"][0]["code"] == "summary"
    assert len(plan["checklist"]) >= 7

    changed = client.patch(
        f"{API}/{plan['id']}",
        json={
            "version": plan["version"],
            "sections": {
                "summary": {
                    "parts": {"summary": "以代发工资客户为重点"},
                    "review_on": "2027-03-31",
                },
                "strategy": {"parts": {"promotion": "网点沙龙与短信提醒"}},
            },
            "budget_inputs": {"sales": "20000000", "sales_percent": "1.5"},
            "budget_method": "percent_of_sales",
        },
        headers=analyst,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["budget_cents"] == 30_000_000  # 1.5 % of ¥20,000,000 = ¥300,000
    assert body["sections"][0]["parts"] == {"summary": "以代发工资客户为重点"}
    stale = client.patch(
        f"{API}/{plan['id']}", json={"version": plan["version"], "title": "x"}, headers=analyst
    )
    assert stale.status_code == 409

    submitted = client.post(
        f"{API}/{plan['id']}/submit", json={"version": body["version"]}, headers=analyst
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert (
        client.post(
            f"{API}/{plan['id']}/approve", json={"version": body["version"]}, headers=analyst
        ).status_code
        == 403
    )

    manager = login(client, small_bank.branch_manager)
    version = submitted.json()["version"]
    no_reason = client.post(
        f"{API}/{plan['id']}/return", json={"version": version}, headers=manager
    )
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    approved = client.post(
        f"{API}/{plan['id']}/approve", json={"version": version}, headers=manager
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"]

    revised = client.patch(
        f"{API}/{plan['id']}",
        json={"version": approved.json()["version"], "title": "2027年上半年存款营销计划(修订)"},
        headers=analyst,
    )
    assert revised.status_code == 200, revised.text
    new = revised.json()
    assert new["id"] != plan["id"] and new["revision"] == 2 and new["status"] == "draft"
    assert new["budget_cents"] == 30_000_000
    assert [row["revision"] for row in new["versions"]] == [2, 1]
    old = client.get(f"{API}/{plan['id']}", headers=analyst).json()
    assert old["status"] == "approved" and old["title"] == PLAN["title"] and not old["latest"]
    listed = client.get(API, headers=manager).json()
    assert [row["revision"] for row in listed] == [2]


def test_bad_bodies_are_refused_with_a_reason(client: TestClient, small_bank: SmallBank) -> None:
    analyst = login(client, small_bank.analyst)
    backwards = client.post(API, json={**PLAN, "period_end": "2026-12-31"}, headers=analyst)
    assert backwards.status_code == 422 and backwards.json()["field"] == "period_end"
    assert client.post(API, json={**PLAN, "title": ""}, headers=analyst).status_code == 422
    assert client.post(API, content=b"{not json", headers=analyst).status_code in (400, 422)
    plan = _create(client, analyst)
    unknown = client.patch(
        f"{API}/{plan['id']}",
        json={"version": plan["version"], "sections": {"nonsense": {"parts": {}}}},
        headers=analyst,
    )
    assert unknown.status_code == 422
    missing = client.patch(
        f"{API}/{plan['id']}",
        json={"version": plan["version"], "budget_method": "affordable"},
        headers=analyst,
    )
    assert missing.status_code == 422 and missing.json()["field"] == "budget_method"
    assert client.get(API, headers=login(client, small_bank.manager_a)).status_code == 403


def test_the_author_never_approves(app_settings: str, small_bank: SmallBank) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        manager = session.scalars(
            select(StaffUser).where(StaffUser.username == small_bank.branch_manager)
        ).one()
        plan = service.create_plan(
            session,
            user=manager,
            data=PlanCreate.model_validate({**PLAN, "branch_id": small_bank.branch_id}),
        )
        submitted = service.submit(session, user=manager, plan_id=plan.id, version=plan.version)
        try:
            service.decide(
                session,
                user=manager,
                plan_id=plan.id,
                data=PlanDecision(version=submitted.version),
                approve=True,
            )
        except PermissionDenied as error:
            assert "maker" in error.message
        else:
            raise AssertionError("the author approved their own plan")
    engine.dispose()


def test_actual_spend_comes_from_the_linked_campaigns(
    app_settings: str, small_bank: SmallBank
) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        analyst = session.scalars(
            select(StaffUser).where(StaffUser.username == small_bank.analyst)
        ).one()
        campaign = Campaign(
            code="C-2027-01",
            name="代发工资客户短信",
            objective=CampaignObjective.REMIND,
            channel=CampaignChannel.SMS,
            criteria={},
            starts_on=date(2027, 1, 1),
            ends_on=date(2027, 1, 31),
            control_share=0.1,
            seed=7,
            budget_cents=500_000,
            cost_per_contact_cents=15,
            fixed_cost_cents=100_000,
        )
        session.add(campaign)
        session.flush()
        contacted = datetime(2027, 1, 5, 9, tzinfo=UTC)
        for index, customer_id in enumerate(small_bank.book_a[:12]):
            session.add(
                CampaignMember(
                    campaign_id=campaign.id,
                    customer_id=customer_id,
                    group=CampaignGroup.TREATMENT if index < 10 else CampaignGroup.CONTROL,
                    reasons=[],
                    contacted_at=contacted if index < 10 else None,
                )
            )
        plan = service.create_plan(session, user=analyst, data=PlanCreate.model_validate(PLAN))
        service.link_campaign(
            session,
            user=analyst,
            plan_id=plan.id,
            data=CampaignLinkCreate(version=plan.version, campaign_id=campaign.id),
        )
        read = service.get_plan(session, user=analyst, plan_id=plan.id)
        # ¥1,000 fixed + 10 contacted × ¥0.15 = ¥1,001.50
        assert [(row.contacted, row.actual_cents) for row in read.campaigns] == [(10, 100_150)]
        assert [(row.channel, row.actual_cents) for row in read.spend_by_channel] == [
            (CampaignChannel.SMS, 100_150)
        ]
        assert read.actual_total_cents == 100_150
    engine.dispose()
