"""The credit card of the customer 360: the newest score, its reasons and the latest quotes,
for the roles that read credit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import CreditGrade, QuoteStatus
from bankcrm.credit.models import CreditScore, PricingQuote
from bankcrm.credit.pricing import Authority
from tests.small_bank import SmallBank
from tests.web.test_pages import log_in


def _plant(database_url: str, customer_id: int) -> None:
    engine = make_engine(database_url)
    with Session(engine) as session:
        session.add_all(
            [
                CreditScore(
                    customer_id=customer_id, scored_on=date(2026, 1, 5), score=640.0,
                    probability_of_default=0.2, grade=CreditGrade.AA, reasons=[],
                    scorecard="old.json",
                ),
                CreditScore(
                    customer_id=customer_id, scored_on=date(2026, 2, 5), score=571.4,
                    probability_of_default=0.0512, grade=CreditGrade.B,
                    reasons=[
                        {"feature": "years_with_bank", "bin": "[-inf, 1)", "points_lost": 23.5}
                    ],
                    scorecard="card.json",
                ),
                PricingQuote(
                    customer_id=customer_id, grade=CreditGrade.B, probability_of_default=0.03,
                    amount_cents=120_000_000, term_months=36, rate=Decimal("5.8125"),
                    floor=Decimal("2.5"), ceiling=Decimal("15"), base=Decimal("3"),
                    spreads={"expected_loss": 1.35}, discount=Decimal("0"), raroc=Decimal("13.2"),
                    authority=Authority.ACCOUNT_MANAGER, rate_table_version="2025-05-20",
                    status=QuoteStatus.AGREED, quoted_at=datetime(2026, 2, 6, 2, tzinfo=UTC),
                ),
            ]
        )  # fmt: skip
        session.commit()
    engine.dispose()


def test_the_360_shows_the_newest_grade_its_reasons_and_the_quotes(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    customer = small_bank.book_a[1]
    _plant(app_settings, customer)
    log_in(client, small_bank.manager_a)
    client.get("/lang/en?next=/")
    page = client.get(f"/customers/{customer}").text
    assert 'data-testid="credit-card"' in page
    assert 'data-testid="credit-grade">B<' in page
    assert ">571<" in page and "5.1 %" in page
    assert "years_with_bank: [-inf, 1) (−23.5)" in page
    assert "¥1,200,000.00" in page and "5.81 %" in page and "agreed" in page
    assert f"/customers/{customer}/quote" in page


def test_roles_without_credit_reading_see_no_credit_card(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    customer = small_bank.book_a[1]
    _plant(app_settings, customer)
    log_in(client, small_bank.analyst)
    assert 'data-testid="credit-card"' not in client.get(f"/customers/{customer}").text
