"""Campaigns through the API: an analyst designs, a branch manager approves, the analyst
launches; the account manager records consent and outcomes for their own book only; the
evaluation answers with the uplift and its interval. Stale versions, other people's
customers and malformed bodies are refused with a reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from bankcrm.core.clock import bank_today
from tests.small_bank import SmallBank, login

API = "/api/v1"


def _consent_all(client: TestClient, headers: dict[str, str], customers: list[int]) -> None:
    for customer in customers:
        answer = client.post(
            f"{API}/customers/{customer}/consents",
            json={"channel": "phone", "granted": True, "source": "开户协议"},
            headers=headers,
        )
        assert answer.status_code == 201, answer.text


def _campaign(client: TestClient, analyst: dict[str, str], **extra: Any) -> dict[str, Any]:
    today = bank_today()
    segment = client.post(
        f"{API}/campaigns/segments",
        json={"name": "全部客户", "criteria": {}},
        headers=analyst,
    )
    assert segment.status_code == 201, segment.text
    assert segment.json()["customers"] > 0
    answer = client.post(
        f"{API}/campaigns",
        json={
            "name": "存款回馈",
            "objective": "remind",
            "channel": "phone",
            "segment_id": segment.json()["id"],
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=20)).isoformat(),
            "control_share": 0.2,
            "seed": 1,
            "cost_per_contact": "3.00",
            **extra,
        },
        headers=analyst,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_design_approve_launch_work_and_evaluate(client: TestClient, small_bank: SmallBank) -> None:
    analyst = login(client, small_bank.analyst)
    approver = login(client, small_bank.branch_manager)
    manager = login(client, small_bank.manager_a)
    _consent_all(client, manager, small_bank.book_a)
    campaign = _campaign(client, analyst)
    url = f"{API}/campaigns/{campaign['id']}"
    assert (
        client.post(
            f"{url}/approve", json={"version": campaign["version"]}, headers=analyst
        ).status_code
        == 403
    )
    approved = client.post(
        f"{url}/approve", json={"version": campaign["version"]}, headers=approver
    )
    assert approved.status_code == 200, approved.text
    stale = client.post(f"{url}/launch", json={"version": campaign["version"]}, headers=analyst)
    assert stale.status_code == 409
    launched = client.post(
        f"{url}/launch", json={"version": approved.json()["version"]}, headers=analyst
    )
    assert launched.status_code == 200, launched.text
    body = launched.json()
    assert body["status"] == "running"
    assert body["treatment"] + body["control"] == len(small_bank.book_a)
    assert body["excluded"] == body["members"] - len(small_bank.book_a)

    worked = client.post(
        f"{url}/outcomes",
        json={"customer_id": small_bank.book_a[0], "contacted": True, "responded": True},
        headers=manager,
    )
    assert worked.status_code in (200, 409), worked.text
    elsewhere = client.post(
        f"{url}/outcomes",
        json={"customer_id": small_bank.book_b[0], "contacted": False, "responded": True},
        headers=manager,
    )
    assert elsewhere.status_code == 404
    evaluation = client.get(f"{url}/evaluation", headers=analyst)
    assert evaluation.status_code == 200, evaluation.text
    result = evaluation.json()
    assert result["funnel"]["members"] == body["treatment"]
    response = result["response"]
    assert response["uplift"] == response["treatment"]["rate"] - response["control"]["rate"]
    assert response["interval"] == "newcombe"
    assert client.get(f"{url}/evaluation", headers=manager).status_code == 403


def test_malformed_bodies_are_refused_with_a_reason(
    client: TestClient, small_bank: SmallBank
) -> None:
    analyst = login(client, small_bank.analyst)
    for body in (
        {"name": "x", "objective": "nag", "channel": "sms", "criteria": {}},
        {"name": "x", "objective": "inform", "channel": "sms"},
        {
            "name": "x",
            "objective": "inform",
            "channel": "sms",
            "criteria": {"churn_risk_min": 0.9, "churn_risk_max": 0.1},
            "starts_on": "2026-01-01",
            "ends_on": "2026-02-01",
        },
    ):
        answer = client.post(f"{API}/campaigns", json=body, headers=analyst)
        assert answer.status_code in (400, 422), answer.text
    today = bank_today().isoformat()
    backwards = client.post(
        f"{API}/campaigns",
        json={
            "name": "x",
            "objective": "inform",
            "channel": "sms",
            "criteria": {},
            "starts_on": today,
            "ends_on": "2020-01-01",
        },
        headers=analyst,
    )
    assert backwards.status_code == 422 and "ends before" in backwards.text
    future = client.post(
        f"{API}/customers/{small_bank.book_a[0]}/consents",
        json={"channel": "sms", "granted": True, "source": "app", "given_on": "2999-01-01"},
        headers=login(client, small_bank.manager_a),
    )
    assert future.status_code in (400, 422)


def test_a_bank_wide_holdout_is_drawn_by_head_office(
    client: TestClient, small_bank: SmallBank
) -> None:
    body = {
        "name": "全行保留组",
        "share": 0.2,
        "starts_on": bank_today().isoformat(),
        "ends_on": (bank_today() + timedelta(days=90)).isoformat(),
        "seed": 4,
    }
    drawn = client.post(
        f"{API}/campaigns/holdouts", json=body, headers=login(client, small_bank.analyst)
    )
    assert drawn.status_code == 201, drawn.text
    assert 0 < drawn.json()["customers"] < len(small_bank.book_a) + len(small_bank.book_b) + 1
    listed = client.get(
        f"{API}/campaigns/holdouts", headers=login(client, small_bank.branch_manager)
    )
    assert [row["id"] for row in listed.json()] == [drawn.json()["id"]]
    refused = client.post(
        f"{API}/campaigns/holdouts", json=body, headers=login(client, small_bank.branch_manager)
    )
    assert refused.status_code == 403
    assert (
        client.post(
            f"{API}/campaigns/holdouts",
            json={**body, "share": 1},
            headers=login(client, small_bank.analyst),
        ).status_code
        == 422
    )
