"""The sales process through the API: a suitable sale goes through, an unsuitable one is
refused with its reasons and leaves no sale, an override waits for a second person, a
subscription can be cancelled while the cooling-off period runs; every decision is audited."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.audit.models import AuditEntry
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AuditAction
from bankcrm.offers.models import Sale
from tests.offers.conftest import BOLD_ANSWERS, CAUTIOUS_ANSWERS, SellingBranch
from tests.small_bank import login
from tests.timing import move_to_bank_day

API = "/api/v1"
DAY = date(2026, 3, 2)


def _assess(
    client: TestClient, headers: dict[str, str], customer: int, answers: dict[str, str]
) -> dict:
    answer = client.post(
        f"{API}/customers/{customer}/assessments", json={"answers": answers}, headers=headers
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def _sales(database_url: str) -> int:
    engine = make_engine(database_url)
    with Session(engine) as session:
        count = int(session.scalar(select(func.count()).select_from(Sale)) or 0)
    engine.dispose()
    return count


def _audit(database_url: str, *, entity: str) -> list[tuple[str, str | None, str | None]]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.reason, AuditEntry.after_json)
            .where(AuditEntry.entity == entity)
            .order_by(AuditEntry.seq)
        ).all()
    engine.dispose()
    return [(str(action), reason, after) for action, reason, after in rows]


def test_a_suitable_sale_is_subscribed_and_can_be_cancelled_while_cooling_off(
    client: TestClient,
    selling_branch: SellingBranch,
    app_settings: str,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    move_to_bank_day(time_machine, DAY)
    seller = login(client, selling_branch.seller)
    customer = selling_branch.customers[0]
    assessed = _assess(client, seller, customer, BOLD_ANSWERS)
    assert (assessed["level"], assessed["goal"], assessed["horizon_months"]) == (
        "C5",
        "growth",
        120,
    )
    assert assessed["valid_until"] == "2027-03-02" and assessed["is_valid"]

    sold = client.post(
        f"{API}/sales",
        json={"customer_id": customer, "product_id": selling_branch.fund_r4, "amount": "50000"},
        headers=seller,
    )
    assert sold.status_code == 201, sold.text
    sale = sold.json()
    assert sale["status"] == "subscribed" and sale["mismatch"] == []
    assert (sale["customer_level"], sale["product_risk"]) == ("C5", "R4")
    assert sale["cancellable"] and sale["cooling_off_until"]

    time_machine.shift(timedelta(hours=23))
    seller = login(client, selling_branch.seller)
    cancelled = client.post(
        f"{API}/sales/{sale['id']}/cancel", json={"reason": "客户改变主意"}, headers=seller
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    actions = [action for action, _, _ in _audit(app_settings, entity="sales")]
    assert actions == [AuditAction.CREATE.value, AuditAction.UPDATE.value]


def test_the_cooling_off_period_ends_and_a_deposit_has_none(
    client: TestClient,
    selling_branch: SellingBranch,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    move_to_bank_day(time_machine, DAY)
    seller = login(client, selling_branch.seller)
    customer = selling_branch.customers[0]
    _assess(client, seller, customer, BOLD_ANSWERS)
    fund = client.post(
        f"{API}/sales",
        json={"customer_id": customer, "product_id": selling_branch.fund_r4, "amount": "1000"},
        headers=seller,
    ).json()
    deposit = client.post(
        f"{API}/sales",
        json={"customer_id": customer, "product_id": selling_branch.deposit, "amount": "1000"},
        headers=seller,
    ).json()
    assert deposit["cooling_off_until"] is None and not deposit["cancellable"]
    time_machine.shift(timedelta(hours=25))
    seller = login(client, selling_branch.seller)
    late = client.post(f"{API}/sales/{fund['id']}/cancel", json={"reason": "晚了"}, headers=seller)
    assert late.status_code == 409
    assert client.get(f"{API}/sales/{fund['id']}", headers=seller).json()["status"] == "subscribed"


def test_an_unsuitable_sale_is_refused_with_its_reasons_and_leaves_no_sale(
    client: TestClient,
    selling_branch: SellingBranch,
    app_settings: str,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    move_to_bank_day(time_machine, DAY)
    seller = login(client, selling_branch.seller)
    customer = selling_branch.customers[1]
    _assess(client, seller, customer, CAUTIOUS_ANSWERS)
    refused = client.post(
        f"{API}/sales",
        json={"customer_id": customer, "product_id": selling_branch.fund_r4, "amount": "50000"},
        headers=seller,
    )
    assert refused.status_code == 409, refused.text
    reasons = {reason["reason"]: reason for reason in refused.json()["reasons"]}
    assert set(reasons) == {"level_above", "goal_mismatch"}
    assert (reasons["level_above"]["product"], reasons["level_above"]["customer"]) == ("R4", "C1")
    assert _sales(app_settings) == 0
    [(action, reason, after)] = _audit(app_settings, entity="sales")
    assert action == AuditAction.SALE_REFUSED.value
    assert reason == "level_above, goal_mismatch" and after and '"amount_cents":5000000' in after

    long_term = client.post(
        f"{API}/sales",
        json={
            "customer_id": customer,
            "product_id": selling_branch.wealth_r3_long,
            "amount": "50000",
        },
        headers=seller,
    )
    assert {reason["reason"] for reason in long_term.json()["reasons"]} == {
        "level_above",
        "horizon_longer",
        "goal_mismatch",
    }
    assert _sales(app_settings) == 0


def test_an_override_waits_for_the_branch_manager_who_approves_it(
    client: TestClient,
    selling_branch: SellingBranch,
    app_settings: str,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    move_to_bank_day(time_machine, DAY)
    seller = login(client, selling_branch.seller)
    customer = selling_branch.customers[1]
    _assess(client, seller, customer, CAUTIOUS_ANSWERS)
    body = {
        "customer_id": customer,
        "product_id": selling_branch.wealth_r2,
        "amount": "20000",
        "override_reason": "客户书面坚持购买，已录音录像",
    }
    unconfirmed = client.post(
        f"{API}/sales", json={**body, "customer_confirmed": False}, headers=seller
    )
    assert unconfirmed.status_code == 409
    pending = client.post(f"{API}/sales", json=body, headers=seller)
    assert pending.status_code == 202, pending.text
    sale = pending.json()
    assert sale["status"] == "pending_approval" and sale["customer_confirmed_mismatch_at"]
    assert {refusal["reason"] for refusal in sale["mismatch"]} == {"level_above", "goal_mismatch"}
    assert not sale["cancellable"]

    assert client.post(f"{API}/sales/{sale['id']}/approve", headers=seller).status_code == 403
    stranger = login(client, selling_branch.other_branch_manager)
    assert client.post(f"{API}/sales/{sale['id']}/approve", headers=stranger).status_code == 404
    checker = login(client, selling_branch.branch_manager)
    queue = client.get(f"{API}/sales", params={"status": "pending_approval"}, headers=checker)
    assert [item["id"] for item in queue.json()["items"]] == [sale["id"]]
    approved = client.post(
        f"{API}/sales/{sale['id']}/approve", json={"note": "已核实客户意愿"}, headers=checker
    )
    assert approved.status_code == 200, approved.text
    decided = approved.json()
    assert (
        decided["status"] == "subscribed" and decided["decided_by"] == selling_branch.branch_manager
    )
    assert decided["cooling_off_until"] and decided["cancellable"]
    again = client.post(f"{API}/sales/{sale['id']}/reject", headers=checker)
    assert again.status_code == 409

    trail = _audit(app_settings, entity="sales")
    assert [action for action, _, _ in trail] == [
        AuditAction.SALE_REFUSED.value,
        AuditAction.CREATE.value,
        AuditAction.UPDATE.value,
    ]
    assert '"pending_approval"' in (trail[1][2] or "") and '"subscribed"' in (trail[2][2] or "")


def test_a_rejected_override_is_kept_as_rejected(
    client: TestClient, selling_branch: SellingBranch, time_machine: time_machine.TimeMachineFixture
) -> None:
    move_to_bank_day(time_machine, DAY)
    seller = login(client, selling_branch.seller)
    customer = selling_branch.customers[2]
    _assess(client, seller, customer, CAUTIOUS_ANSWERS)
    sale = client.post(
        f"{API}/sales",
        json={
            "customer_id": customer,
            "product_id": selling_branch.fund_r5,
            "amount": "5000",
            "override_reason": "客户坚持",
        },
        headers=seller,
    ).json()
    checker = login(client, selling_branch.branch_manager)
    rejected = client.post(
        f"{API}/sales/{sale['id']}/reject", json={"note": "风险过高"}, headers=checker
    )
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_note"] == "风险过高"


def test_without_a_valid_assessment_only_r1_sells_and_no_override_helps(
    client: TestClient,
    selling_branch: SellingBranch,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    move_to_bank_day(time_machine, DAY)
    seller = login(client, selling_branch.seller)
    customer = selling_branch.customers[3]
    deposit = client.post(
        f"{API}/sales",
        json={"customer_id": customer, "product_id": selling_branch.deposit, "amount": "100"},
        headers=seller,
    )
    assert deposit.status_code == 201, deposit.text
    overridden = client.post(
        f"{API}/sales",
        json={
            "customer_id": customer,
            "product_id": selling_branch.wealth_r2,
            "amount": "20000",
            "override_reason": "客户坚持",
        },
        headers=seller,
    )
    assert overridden.status_code == 409
    assert [reason["reason"] for reason in overridden.json()["reasons"]] == ["no_valid_assessment"]

    _assess(client, seller, customer, BOLD_ANSWERS)
    wealth = {"customer_id": customer, "product_id": selling_branch.wealth_r2, "amount": "20000"}
    assert client.post(f"{API}/sales", json=wealth, headers=seller).status_code == 201
    move_to_bank_day(time_machine, DAY + timedelta(days=366))
    seller = login(client, selling_branch.seller)
    expired = client.post(f"{API}/sales", json=wealth, headers=seller)
    assert expired.status_code == 409
    assert [reason["reason"] for reason in expired.json()["reasons"]] == ["no_valid_assessment"]
    history = client.get(f"{API}/customers/{customer}/assessments", headers=seller).json()
    assert [row["is_valid"] for row in history] == [False]


def test_identity_amount_disclosure_and_book_are_checked_before_the_gate(
    client: TestClient,
    selling_branch: SellingBranch,
    app_settings: str,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    move_to_bank_day(time_machine, DAY)
    seller = login(client, selling_branch.seller)
    unverified = client.post(
        f"{API}/sales",
        json={
            "customer_id": selling_branch.unverified_customer,
            "product_id": selling_branch.deposit,
            "amount": "100",
        },
        headers=seller,
    )
    assert unverified.status_code == 409
    assert [reason["reason"] for reason in unverified.json()["reasons"]] == ["kyc_incomplete"]
    customer = selling_branch.customers[0]
    _assess(client, seller, customer, BOLD_ANSWERS)
    wealth = {"customer_id": customer, "product_id": selling_branch.wealth_r2}
    too_little = client.post(f"{API}/sales", json={**wealth, "amount": "9999.99"}, headers=seller)
    assert too_little.status_code == 422 and too_little.json()["field"] == "amount"
    undisclosed = client.post(
        f"{API}/sales",
        json={**wealth, "amount": "10000", "disclosure_confirmed": False},
        headers=seller,
    )
    assert undisclosed.status_code == 422
    assert undisclosed.json()["field"] == "disclosure_confirmed"
    other_book = client.post(
        f"{API}/sales",
        json={
            "customer_id": selling_branch.other_book_customer,
            "product_id": selling_branch.deposit,
            "amount": "100",
        },
        headers=seller,
    )
    assert other_book.status_code == 404
    for bad in ({"amount": "-1"}, {"amount": "1e30"}, {"product_id": 0}, {"amount": "12.345"}):
        answer = client.post(
            f"{API}/sales", json={**wealth, "amount": "10000", **bad}, headers=seller
        )
        assert answer.status_code == 422, bad
    assert _sales(app_settings) == 0


def test_who_may_assess_sell_approve_and_read(
    client: TestClient,
    selling_branch: SellingBranch,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    move_to_bank_day(time_machine, DAY)
    seller = login(client, selling_branch.seller)
    customer = selling_branch.customers[0]
    _assess(client, seller, customer, BOLD_ANSWERS)
    sale = client.post(
        f"{API}/sales",
        json={"customer_id": customer, "product_id": selling_branch.fund_r4, "amount": "1000"},
        headers=seller,
    ).json()
    analyst = login(client, selling_branch.analyst)
    assert client.get(f"{API}/sales", headers=analyst).status_code == 403
    assert (
        client.post(
            f"{API}/customers/{customer}/assessments",
            json={"answers": BOLD_ANSWERS},
            headers=analyst,
        ).status_code
        == 403
    )
    summary = client.get(f"{API}/sales/summary", headers=analyst)
    assert summary.status_code == 200, summary.text
    [row] = summary.json()["rows"]
    assert (row["risk_level"], row["status"], row["sales"]) == ("R4", "subscribed", 1)
    compliance = login(client, selling_branch.compliance)
    assert client.get(f"{API}/sales/{sale['id']}", headers=compliance).status_code == 200
    assert client.post(f"{API}/sales/{sale['id']}/approve", headers=compliance).status_code == 403
    other_seller = login(client, selling_branch.other_seller)
    assert client.get(f"{API}/sales/{sale['id']}", headers=other_seller).status_code == 404
    assert client.get(f"{API}/customers/{customer}/offers", headers=other_seller).status_code == 404
    questionnaire = client.get(f"{API}/risk-questionnaire", headers=analyst).json()
    assert questionnaire["version"] and len(questionnaire["questions"]) == 10
    bad = client.post(
        f"{API}/customers/{customer}/assessments",
        json={"answers": {**BOLD_ANSWERS, "age": "age_200"}},
        headers=seller,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "age"


def test_offers_are_suitable_products_not_held_with_fab_and_objections(
    client: TestClient,
    selling_branch: SellingBranch,
    app_settings: str,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    move_to_bank_day(time_machine, DAY)
    seller = login(client, selling_branch.seller)
    customer = selling_branch.customers[1]
    assert {
        offer["risk_level"]
        for offer in client.get(f"{API}/customers/{customer}/offers", headers=seller).json()
    } == {"R1"}
    _assess(client, seller, customer, CAUTIOUS_ANSWERS)
    client.post(
        f"{API}/sales",
        json={"customer_id": customer, "product_id": selling_branch.deposit, "amount": "100"},
        headers=seller,
    )
    offers = client.get(f"{API}/customers/{customer}/offers", headers=seller).json()
    assert offers == [], "the only R1 product is held now"

    bold = selling_branch.customers[0]
    _assess(client, seller, bold, BOLD_ANSWERS)
    offers = client.get(
        f"{API}/customers/{bold}/offers", headers={**seller, "Cookie": "lang=en"}
    ).json()
    assert {offer["product_id"] for offer in offers} >= {
        selling_branch.fund_r4,
        selling_branch.fund_r5,
    }
    first = offers[0]
    assert set(first) >= {"product_id", "risk_level", "score", "reasons", "fab"}
    assert first["fab"] == {"feature": "Feature", "advantage": "Advantage", "benefit": "Benefit"}
    assert first["objections"] and first["objections"][0]["response"]
    assert [action for action, _, _ in _audit(app_settings, entity="offers")] == [
        AuditAction.OFFERED.value
    ] * 2
