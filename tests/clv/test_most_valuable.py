"""/clv for an account manager: "my most valuable customers" with CLV in yuan; the models'
parameters only on the analyst's model page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.clv.models import ClvRun, CustomerValue
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AnalyticsEngine
from tests.small_bank import SmallBank
from tests.web.test_pages import log_in

PARAMS = {
    "bgnbd": {"r": 0.2431, "alpha": 4.4135, "a": 0.7930, "b": 2.4259, "customers": 35},
    "gammagamma": {"p": 6.2498, "q": 3.7448, "gamma": 15.4468},
}


def _valued(app_settings: str, bank: SmallBank) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        run = ClvRun(
            as_of=date(2026, 9, 30),
            engine=AnalyticsEngine.DUCKDB,
            customers=36,
            settings={"horizon_months": 12},
            params=PARAMS,
            validation=None,
            finished_at=datetime(2026, 10, 1, tzinfo=UTC),
        )
        session.add(run)
        session.flush()
        customers = [*bank.book_a[:4], *bank.book_b[:2], bank.other_branch_customer]
        for rank, customer_id in enumerate(customers):
            session.add(
                CustomerValue(
                    run_id=run.id,
                    customer_id=customer_id,
                    frequency=3,
                    recency_weeks=20.0,
                    age_weeks=50.0,
                    average_amount_cents=50_000,
                    p_alive=0.8731,
                    expected_transactions=2.5,
                    expected_amount_cents=50_000,
                    clv_cents=(rank + 1) * 1_234_567_00,
                )
            )
        session.commit()
    engine.dispose()


def test_the_manager_sees_their_most_valuable_customers_in_yuan(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    _valued(app_settings, small_bank)
    log_in(client, small_bank.manager_a)
    client.get("/lang/en?next=/clv")
    page = client.get("/clv")
    assert page.status_code == 200
    assert "Most valuable customers" in page.text
    shown = [int(found) for found in re.findall(r'href="/customers/(\d+)"', page.text)]
    assert shown == list(reversed(small_bank.book_a[:4]))  # highest value first, own book
    values = re.findall(r'data-testid="valuable-clv">([^<]+)<', page.text)
    assert values[0] == "¥4,938,268.00" and values[-1] == "¥1,234,567.00"
    for figure in ("α", "γ", "AUC", "P(alive)", "4.413", "bgnbd-params", "87.3"):
        assert figure not in page.text, figure
    assert 'data-testid="clv-model-link"' not in page.text
    assert client.get("/clv/model", follow_redirects=False).status_code == 403

    client.get("/lang/zh_CN?next=/clv")
    chinese = client.get("/clv")
    assert "¥4,938,268.00" in chinese.text


def test_the_analyst_reaches_the_model_page_from_the_list(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    _valued(app_settings, small_bank)
    log_in(client, small_bank.analyst)
    page = client.get("/clv")
    assert len(re.findall(r'data-testid="valuable-row"', page.text)) == 7
    assert 'href="/clv/model?as_of=2026-09-30"' in page.text
    model = client.get("/clv/model")
    assert model.status_code == 200
    # this valuation has no holdout check; tests/web/test_clv_churn_pages.py reads the
    # parameters and the check of a real run on this page
    assert 'data-testid="no-validation"' in model.text
