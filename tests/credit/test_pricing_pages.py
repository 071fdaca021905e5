"""The loan pricing pages, in English: a quote made on the customer's page shows its
breakdown, one beyond the account manager's authority reaches the branch manager's queue and
is approved there (never by its quoter), and the simulation draws nine grades."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import QuoteStatus
from bankcrm.credit.models import PricingQuote
from tests.credit import test_quotes_api
from tests.credit.test_quotes_api import PricingBranch
from tests.web.test_pages import csrf_of, log_in

# the API tests' bank and client, on the same bank day
client = test_quotes_api.client
pricing_branch = test_quotes_api.pricing_branch


def _log_in(client: TestClient, username: str) -> None:
    """Logged in and reading English."""
    log_in(client, username)
    client.get("/lang/en?next=/")


def _quotes(database_url: str) -> list[PricingQuote]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        rows = list(session.scalars(select(PricingQuote).order_by(PricingQuote.id)))
        session.expunge_all()
    engine.dispose()
    return rows


def _quote(client: TestClient, customer: int, **form: str) -> TestClient:
    page = client.get(f"/customers/{customer}/quote")
    assert page.status_code == 200
    return client.post(
        f"/customers/{customer}/quote",
        data={"amount": "1,000,000", "term_months": "36", **form, "csrf_token": csrf_of(page.text)},
        follow_redirects=True,
    )


def test_a_quote_shows_its_breakdown(
    client: TestClient, pricing_branch: PricingBranch, app_settings: str
) -> None:
    _log_in(client, pricing_branch.manager)
    form = client.get(f"/customers/{pricing_branch.customer}/quote")
    assert form.status_code == 200
    # the grade is preset from the customer's, the loan product offered
    assert '<option value="BBB" selected>' in form.text
    assert f'value="{pricing_branch.loan}"' in form.text

    shown = _quote(client, pricing_branch.customer)
    assert shown.status_code == 200, shown.text
    assert "?shown=" in str(shown.url)
    text = shown.text
    # BBB corporate, ¥1,000,000 over 36 months, no relationship: 3.00 + 0.135 + 0.5718 + 0 + 0.40
    assert 'data-testid="quote-rate">4.11 %<' in text
    assert "¥1,000,000.00" in text
    assert "Base rate (LPR in force since 2025-05-20)" in text
    for figure in ("3.00 %", "0.14", "0.57", "0.40", "2.50 % – 15.00 %", "15.00 % / 12.00 %"):
        assert figure in text, figure
    assert 'data-status="agreed"' in text and "account manager" in text

    [row] = _quotes(app_settings)
    assert (row.status, row.amount_cents, str(row.rate)) == (
        QuoteStatus.AGREED,
        100_000_000,
        "4.1068",
    )


def test_a_bad_amount_comes_back_with_a_reason(
    client: TestClient, pricing_branch: PricingBranch, app_settings: str
) -> None:
    _log_in(client, pricing_branch.manager)
    for amount in ("lots", "0", "-1"):
        answer = _quote(client, pricing_branch.customer, amount=amount)
        assert answer.status_code == 422
        assert 'data-testid="problem"' in answer.text and "amount" in answer.text
    refused = _quote(client, pricing_branch.customer, product="LOAN-NONE")
    assert refused.status_code == 422 and "loan product" in refused.text
    assert _quotes(app_settings) == []
    assert client.get(f"/customers/{pricing_branch.other_book}/quote").status_code == 404


def test_a_quote_beyond_authority_is_approved_in_the_queue(
    client: TestClient, pricing_branch: PricingBranch, app_settings: str
) -> None:
    _log_in(client, pricing_branch.manager)
    shown = _quote(client, pricing_branch.customer, amount="20,000,000")
    assert 'data-status="pending_approval"' in shown.text
    assert "¥20,000,000.00" in shown.text and "branch manager" in shown.text
    [row] = _quotes(app_settings)
    # the account manager has no queue
    assert client.get("/pricing/quotes", follow_redirects=False).status_code in (302, 303, 403)

    _log_in(client, pricing_branch.branch_manager)
    queue = client.get("/pricing/quotes")
    assert queue.status_code == 200
    assert f'data-quote-id="{row.id}"' in queue.text
    stale = client.post(
        f"/pricing/quotes/{row.id}/approve",
        data={"version": "7", "note": "", "csrf_token": csrf_of(queue.text)},
    )
    assert stale.status_code == 409 and 'data-testid="problem"' in stale.text
    approved = client.post(
        f"/pricing/quotes/{row.id}/approve",
        data={"version": "1", "note": "抵押充足", "csrf_token": csrf_of(queue.text)},
        follow_redirects=True,
    )
    assert approved.status_code == 200
    assert f'data-quote-id="{row.id}"' not in approved.text
    [decided] = _quotes(app_settings)
    assert decided.status == QuoteStatus.APPROVED and decided.decision_note == "抵押充足"


def test_the_quoter_cannot_approve_their_own_quote(
    client: TestClient, pricing_branch: PricingBranch, app_settings: str
) -> None:
    _log_in(client, pricing_branch.branch_manager)
    _quote(client, pricing_branch.customer, amount="60,000,000")
    [row] = _quotes(app_settings)
    assert row.status == QuoteStatus.PENDING_APPROVAL
    queue = client.get("/pricing/quotes")
    assert f'formaction="/pricing/quotes/{row.id}/approve"' not in queue.text
    refused = client.post(
        f"/pricing/quotes/{row.id}/approve",
        data={"version": "1", "csrf_token": csrf_of(queue.text)},
    )
    assert refused.status_code == 409 and "maker" in refused.text
    assert _quotes(app_settings)[0].status == QuoteStatus.PENDING_APPROVAL


def test_the_simulation_draws_nine_grades_with_rates_that_never_fall(
    client: TestClient, pricing_branch: PricingBranch
) -> None:
    _log_in(client, pricing_branch.manager)
    page = client.get("/pricing/simulation?amount=1000000&term_months=36")
    assert page.status_code == 200
    found = re.search(
        r'<script id="pricing-data" type="application/json">(.*?)</script>', page.text, re.S
    )
    assert found
    data = json.loads(found.group(1))
    assert data["grades"] == ["AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C"]
    assert len(data["rates"]) == len(data["raroc"]) == 9
    assert all(
        later >= earlier for earlier, later in zip(data["rates"], data["rates"][1:], strict=False)
    )
    assert data["rates"][3] == 4.1068
    for amount in ("¥100,000.00", "¥1,000,000.00", "¥10,000,000.00"):
        assert amount in page.text
    assert "4.11 %" in page.text

    individual = client.get(
        f"/pricing/simulation?amount=500000&term_months=12&product={pricing_branch.loan}"
        "&customer_type=individual"
    )
    assert individual.status_code == 200 and "pricing-data" in individual.text
    bad = client.get("/pricing/simulation?amount=nothing")
    assert bad.status_code == 422 and "pricing-data" not in bad.text
