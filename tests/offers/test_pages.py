"""The sales desk's pages, in English: the assessment form scores the answers, the 360 shows
what suits, a sale form refuses a mismatch with its reasons and takes an override to the
branch manager's queue, and the calculators quote the figures."""

from __future__ import annotations

import re
from datetime import date

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import SaleStatus
from bankcrm.offers.models import Sale
from tests.offers.conftest import CAUTIOUS_ANSWERS, SellingBranch
from tests.timing import move_to_bank_day
from tests.web.test_pages import csrf_of, log_in

DAY = date(2026, 3, 2)


def _sales(database_url: str) -> list[Sale]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        rows = list(session.scalars(select(Sale).order_by(Sale.id)))
        session.expunge_all()
    engine.dispose()
    return rows


def _log_in(client: TestClient, username: str) -> None:
    """Logged in and reading English."""
    log_in(client, username)
    client.get("/lang/en?next=/")


def _assess(client: TestClient, customer: int, answers: dict[str, str]) -> str:
    form = client.get(f"/customers/{customer}/assessment")
    assert form.status_code == 200
    answer = client.post(
        f"/customers/{customer}/assessment",
        data={**answers, "csrf_token": csrf_of(form.text)},
        follow_redirects=True,
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def test_an_assessment_sets_the_level_and_the_offers_follow_it(
    client: TestClient, selling_branch: SellingBranch, time_machine: time_machine.TimeMachineFixture
) -> None:
    move_to_bank_day(time_machine, DAY)
    customer = selling_branch.customers[0]
    _log_in(client, selling_branch.seller)
    before = client.get(f"/customers/{customer}")
    assert 'data-testid="offers-card"' in before.text
    assert "No risk assessment: only R1 products" in before.text

    page = _assess(client, customer, CAUTIOUS_ANSWERS)
    assert 'data-testid="assessment-saved"' in page
    assert re.search(r'data-testid="assessment-level">C1<', page)
    assert "Valid until 2027-03-02" in page

    card = client.get(f"/customers/{customer}").text
    offered = re.findall(r"/sale\?product_id=(\d+)", card)
    # C1, preservation, 12 months: only the R1 deposit suits
    assert offered == [str(selling_branch.deposit)]


def test_an_unanswered_questionnaire_comes_back_with_the_answers_given(
    client: TestClient, selling_branch: SellingBranch
) -> None:
    customer = selling_branch.customers[0]
    _log_in(client, selling_branch.seller)
    form = client.get(f"/customers/{customer}/assessment")
    partial = dict(list(CAUTIOUS_ANSWERS.items())[:3])
    answer = client.post(
        f"/customers/{customer}/assessment",
        data={**partial, "csrf_token": csrf_of(form.text)},
    )
    assert answer.status_code == 422
    assert "The assessment was not saved" in answer.text
    first, chosen = next(iter(partial.items()))
    assert re.search(rf'value="{chosen}"\s+checked', answer.text)
    assert first in answer.text


def test_a_mismatch_is_refused_then_overridden_and_approved_by_the_branch_manager(
    client: TestClient,
    selling_branch: SellingBranch,
    app_settings: str,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    move_to_bank_day(time_machine, DAY)
    customer = selling_branch.customers[1]
    _log_in(client, selling_branch.seller)
    _assess(client, customer, CAUTIOUS_ANSWERS)
    form = client.get(f"/customers/{customer}/sale?product_id={selling_branch.fund_r4}")
    assert "This product does not suit the customer" in form.text
    assert "risk level R4 is above the customer&#39;s level C1" in form.text
    token = csrf_of(form.text)
    sale = {
        "csrf_token": token,
        "product_id": str(selling_branch.fund_r4),
        "amount": "20,000",
        "disclosure_confirmed": "1",
    }

    refused = client.post(f"/customers/{customer}/sale", data=sale)
    assert refused.status_code == 409
    assert "The product does not suit the customer" in refused.text
    assert 'value="20,000"' in refused.text
    assert _sales(app_settings) == []

    overridden = client.post(
        f"/customers/{customer}/sale",
        data={**sale, "override_reason": "客户坚持购买", "customer_confirmed": "1"},
        follow_redirects=False,
    )
    assert overridden.status_code == 303
    [pending] = _sales(app_settings)
    assert pending.status == SaleStatus.PENDING_APPROVAL
    assert pending.amount_cents == 20_000_00
    seller_view = client.get(overridden.headers["location"]).text
    assert 'data-testid="approve"' not in seller_view  # the seller is not the checker

    _log_in(client, selling_branch.branch_manager)
    queue = client.get("/sales").text
    assert f'href="/sales/{pending.id}"' in queue
    page = client.get(f"/sales/{pending.id}").text
    assert "客户坚持购买" in page
    approved = client.post(
        f"/sales/{pending.id}/approve",
        data={"csrf_token": csrf_of(page), "note": "已核实"},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    [done] = _sales(app_settings)
    assert done.status == SaleStatus.SUBSCRIBED
    assert "已核实" in client.get(f"/sales/{pending.id}").text
    assert f'href="/sales/{pending.id}"' not in client.get("/sales").text


def test_a_sale_needs_the_disclosure_confirmed_and_quotes_the_deposit(
    client: TestClient,
    selling_branch: SellingBranch,
    app_settings: str,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    move_to_bank_day(time_machine, DAY)
    customer = selling_branch.customers[2]
    _log_in(client, selling_branch.seller)
    _assess(client, customer, CAUTIOUS_ANSWERS)
    form = client.get(f"/customers/{customer}/sale?product_id={selling_branch.deposit}")
    data = {
        "csrf_token": csrf_of(form.text),
        "product_id": str(selling_branch.deposit),
        "amount": "100000",
    }
    unconfirmed = client.post(f"/customers/{customer}/sale", data=data)
    assert unconfirmed.status_code == 422
    assert "risk disclosure" in unconfirmed.text
    assert _sales(app_settings) == []

    sold = client.post(
        f"/customers/{customer}/sale",
        data={**data, "disclosure_confirmed": "1"},
        follow_redirects=False,
    )
    assert sold.status_code == 303
    [sale] = _sales(app_settings)
    assert sale.status == SaleStatus.SUBSCRIBED
    assert sale.cooling_off_until is None  # a deposit has no cooling-off period


def test_the_calculators_quote_a_deposit_and_a_loan(
    client: TestClient, selling_branch: SellingBranch
) -> None:
    _log_in(client, selling_branch.seller)
    deposit = client.get(
        "/calculators?kind=deposit&amount=100000&rate=2.75&months=12&months_held=6&demand_rate=0.35"
    ).text
    # 100,000 × 2.75 % for a year; withdrawn after six months at the demand rate
    assert "¥2,750.00" in deposit and "¥102,750.00" in deposit
    assert "¥100,175.00" in deposit
    loan = client.get(
        "/calculators?kind=loan&amount=1000000&rate=4.9&months=360&method=equal_instalment"
    ).text
    # the textbook mortgage: ¥1,000,000 at 4.9 % over 30 years
    assert "¥5,307.27" in loan
    bad = client.get("/calculators?kind=loan&amount=abc&rate=4.9&months=360").text
    assert "The figures cannot be calculated" in bad


def test_only_sellers_see_the_offer_pages(
    client: TestClient, selling_branch: SellingBranch
) -> None:
    customer = selling_branch.customers[0]
    _log_in(client, selling_branch.compliance)
    assert client.get("/offers").status_code == 403
    assert client.get(f"/customers/{customer}/assessment").status_code == 403
    assert client.get("/sales").status_code == 200
    _log_in(client, selling_branch.seller)
    assert client.get(f"/customers/{selling_branch.other_book_customer}/sale").status_code == 404
