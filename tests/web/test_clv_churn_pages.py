"""The churn-warning and lifetime-value pages and the customer 360's cards, on a generated
bank that has been segmented, valued and scored (and on a bank where nothing has run)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bankcrm.churn import service as churn_service
from bankcrm.churn.models import ChurnRun, ChurnScore
from bankcrm.clv import service as clv_service
from bankcrm.clv.models import CustomerValue
from bankcrm.core.config import Settings
from bankcrm.core.db import make_engine, reset_caches
from bankcrm.core.enums import AnalyticsEngine, Role
from bankcrm.core.migrate import upgrade
from bankcrm.core.pagination import MAX_PAGE_SIZE
from bankcrm.customers.models import Customer
from bankcrm.ingest.service import import_directory
from bankcrm.main import create_app
from bankcrm.segmentation import service as segmentation_service
from bankcrm.staff import service as staff_service
from bankcrm.staff.models import StaffUser
from bankcrm.web.i18n import format_money
from tests.factories import PASSWORD
from tests.segmentation import conftest as segmentation_fixtures
from tests.small_bank import SmallBank
from tests.web.test_pages import log_in

AS_OF = date.fromisoformat(segmentation_fixtures.BANK_AS_OF)
HTML = {"accept": "text/html"}

generated_bank = segmentation_fixtures.generated_bank
"""The session's generated 800-customer bank, shared with the segmentation tests."""


@dataclass(frozen=True)
class AnalysedBank:
    """A generated bank after segmentation, lifetime value and churn warning have run."""

    database_url: str
    analyst: str
    branch_manager: str
    account_manager: str
    account_manager_id: int
    warned: dict[int, int | None]
    """Customers above the warning threshold and their account managers."""
    book: set[int]
    """The account manager's customers."""
    branch_customers: set[int]
    """The customers of the branch manager's branch."""
    valued: set[int]
    """Customers with a lifetime value."""


def analyse_bank(directory: Path, bank: Path) -> AnalysedBank:
    """Import ``bank`` into a new SQLite database in ``directory``, run the three jobs as of
    the bank's day and give a password to an analyst, a branch manager and the account
    manager of the likeliest churner who has one."""
    database_url = f"sqlite:///{directory / 'analysed.db'}"
    upgrade(database_url)
    import_directory(database_url, bank)
    settings = Settings(database_url=database_url)
    engine = make_engine(database_url)
    try:
        for job in (
            segmentation_service.run_segmentation,
            clv_service.run_clv,
            churn_service.run_churn,
        ):
            with Session(engine) as session:
                job(session, settings=settings, as_of=AS_OF, engine=AnalyticsEngine.DUCKDB)
                session.commit()
        with Session(engine) as session:
            run = session.scalars(select(ChurnRun).where(ChurnRun.as_of == AS_OF)).one()
            warned = {
                customer_id: manager_id
                for customer_id, manager_id in session.execute(
                    select(Customer.id, Customer.manager_id)
                    .join(ChurnScore, ChurnScore.customer_id == Customer.id)
                    .where(
                        ChurnScore.run_id == run.id,
                        # the lapsed from the threshold, the still active from the run's bar
                        or_(
                            and_(
                                ChurnScore.active.is_(False),
                                ChurnScore.probability >= run.threshold,
                            ),
                            and_(
                                ChurnScore.active.is_not(False),
                                ChurnScore.probability >= (run.active_threshold or run.threshold),
                            ),
                        ),
                    )
                )
            }
            manager = session.get(
                StaffUser, next(manager for manager in warned.values() if manager is not None)
            )
            assert manager is not None and manager.role is Role.ACCOUNT_MANAGER
            branch_manager = session.scalars(
                select(StaffUser).where(
                    StaffUser.role == Role.BRANCH_MANAGER,
                    StaffUser.branch_id == manager.branch_id,
                )
            ).first()
            analyst = session.scalars(
                select(StaffUser).where(StaffUser.role == Role.MARKETING_ANALYST)
            ).first()
            assert branch_manager is not None and analyst is not None
            for user in (analyst, branch_manager, manager):
                staff_service.set_password(session, username=user.username, password=PASSWORD)
            bank_state = AnalysedBank(
                database_url=database_url,
                analyst=analyst.username,
                branch_manager=branch_manager.username,
                account_manager=manager.username,
                account_manager_id=manager.id,
                warned=warned,
                book=set(
                    session.scalars(select(Customer.id).where(Customer.manager_id == manager.id))
                ),
                branch_customers=set(
                    session.scalars(
                        select(Customer.id).where(Customer.branch_id == branch_manager.branch_id)
                    )
                ),
                valued=set(session.scalars(select(CustomerValue.customer_id))),
            )
            session.commit()
    finally:
        engine.dispose()
    return bank_state


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory, generated_bank: Path) -> AnalysedBank:
    return analyse_bank(tmp_path_factory.mktemp("analysed"), generated_bank)


@pytest.fixture
def web(analysed: AnalysedBank, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The application on the analysed bank."""
    monkeypatch.setenv("BANKCRM_DATABASE_URL", analysed.database_url)
    monkeypatch.setenv("BANKCRM_ENVIRONMENT", "test")
    reset_caches()
    with TestClient(create_app()) as test_client:
        yield test_client
    reset_caches()


def linked_customers(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'href="/customers/(\d+)" data-testid', html)]


def chart_data(html: str) -> dict[str, object]:
    found = re.search(r'<script id="clv-data" type="application/json">(.*?)</script>', html)
    assert found
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_pages_say_so_before_anything_has_run(client: TestClient, small_bank: SmallBank) -> None:
    log_in(client, small_bank.analyst)
    for path in ("/churn", "/clv"):
        page = client.get(path)
        assert page.status_code == 200
        assert 'data-testid="no-runs"' in page.text
    assert "流失预警尚未运行" in client.get("/churn").text
    customer = client.get(f"/customers/{small_bank.book_a[0]}")
    assert customer.status_code == 200
    assert 'data-testid="clv-card"' not in customer.text
    assert 'data-testid="churn-card"' not in customer.text
    assert 'href="/churn">流失预警</a>' in customer.text
    assert 'href="/clv">客户价值</a>' in customer.text


def test_the_analyst_sees_every_warning_with_method_and_check(
    web: TestClient, analysed: AnalysedBank
) -> None:
    log_in(web, analysed.analyst)
    page = web.get(f"/churn?page_size={MAX_PAGE_SIZE}")
    assert page.status_code == 200
    assert 0 < len(analysed.warned) <= MAX_PAGE_SIZE
    assert set(linked_customers(page.text)) == set(analysed.warned)
    assert f"共 {len(analysed.warned)} 位客户被预警" in page.text
    # the model's figures are on the analyst's model page, linked from the list
    assert 'data-testid="churn-auc"' not in page.text
    assert 'data-testid="churn-model-link"' in page.text
    model = web.get("/churn/model")
    assert model.status_code == 200
    assert "1 − 活跃概率" in model.text  # 800 customers: the P(alive) fallback
    assert 'data-testid="churn-auc"' in model.text
    assert 'name="branch_id"' in page.text and 'name="manager_id"' in page.text
    probabilities = [
        float(value)
        for value in re.findall(r'data-testid="churn-probability">([\d.]+) %', page.text)
    ]
    # the still active (early warnings) first, then the lapsed (win-back) from 50 %
    groups = re.findall(r'data-testid="churn-row" data-group="(\w+)"', page.text)
    assert len(groups) == len(analysed.warned) and groups == sorted(groups)
    assert "active" in groups
    assert all(
        probability >= 50
        for probability, group in zip(probabilities, groups, strict=True)
        if group == "lapsed"
    )
    assert "事前：客户开发问题" in page.text or "事后：客户关系危机" in page.text

    web.get("/lang/en?next=/churn")
    english = web.get("/churn")
    assert "Churn warnings" in english.text and "Top-decile lift" not in english.text
    assert "Top-decile lift" in web.get("/churn/model").text
    assert "acquisition problem" in english.text or "relationship crisis" in english.text


def test_an_account_manager_sees_only_their_own_book(
    web: TestClient, analysed: AnalysedBank
) -> None:
    log_in(web, analysed.account_manager)
    page = web.get(f"/churn?page_size={MAX_PAGE_SIZE}")
    assert page.status_code == 200
    shown = set(linked_customers(page.text))
    own_warnings = {customer for customer in analysed.warned if customer in analysed.book}
    assert shown == own_warnings
    assert shown and shown <= analysed.book
    assert 'name="branch_id"' not in page.text and 'name="manager_id"' not in page.text
    # filters for another book or branch neither widen nor move the view
    other = analysed.account_manager_id + 1
    for query in (f"manager_id={other}", "branch_id=1", "branch_id=2"):
        listed = web.get(f"/churn?{query}&page_size={MAX_PAGE_SIZE}").text
        assert set(linked_customers(listed)) == own_warnings


def test_a_branch_manager_sees_their_branch_and_can_pick_a_manager(
    web: TestClient, analysed: AnalysedBank
) -> None:
    log_in(web, analysed.branch_manager)
    page = web.get(f"/churn?page_size={MAX_PAGE_SIZE}")
    shown = set(linked_customers(page.text))
    assert shown == {
        customer for customer in analysed.warned if customer in analysed.branch_customers
    }
    assert shown
    assert 'name="branch_id"' not in page.text and 'name="manager_id"' in page.text


def test_bad_filters_fall_back_and_bad_pages_are_refused(
    web: TestClient, analysed: AnalysedBank
) -> None:
    log_in(web, analysed.analyst)
    everyone = set(linked_customers(web.get("/churn").text))
    for query in ("as_of=2026-13-01", "as_of=1999-01-01", "branch_id=abc", "manager_id=x"):
        answer = web.get(f"/churn?{query}")
        assert answer.status_code == 200
        assert set(linked_customers(answer.text)) == everyone
    assert web.get("/churn?page=0", headers=HTML).status_code == 422
    assert web.get("/clv?as_of=garbage").status_code == 200
    paged = web.get("/churn?page_size=2")
    assert len(linked_customers(paged.text)) == 2
    assert "page=2" in paged.text


def test_the_lifetime_value_model_page_shows_parameters_checks_and_quadrants(
    web: TestClient, analysed: AnalysedBank
) -> None:
    log_in(web, analysed.analyst)
    assert 'data-testid="clv-model-link"' in web.get("/clv").text
    page = web.get("/clv/model")
    assert page.status_code == 200
    for symbol in ("α", "γ", ">r<", ">a<", ">b<", ">p<", ">q<"):
        assert symbol in page.text
    for test_id in (
        "bucket-mae",
        "tracking-mae",
        "holdout-error",
        "bucket-chart",
        "tracking-chart",
    ):
        assert f'data-testid="{test_id}"' in page.text
    assert page.text.count('<tr><td><a href="/segments/customers?quadrant=') == 4
    assert "忠诚客户" in page.text and "平均活跃概率" in page.text
    data = chart_data(page.text)
    validation = data["validation"]
    assert isinstance(validation, dict)
    assert len(validation["buckets"]) == len(validation["bucket_actual"]) > 1
    assert len(validation["units"]) == len(validation["tracking_expected"]) > 10
    assert validation["holdout_unit"] in validation["units"]
    quadrants = data["quadrants"]
    assert isinstance(quadrants, dict) and len(quadrants["mean_clv"]) == 4
    assert '<script src="/static/js/clv.js"></script>' in page.text
    assert "<script>" not in page.text  # no inline script: data in a JSON block only

    web.get("/lang/en?next=/clv")
    english = web.get("/clv/model")
    assert "Lifetime value by quadrant" in english.text
    assert "Holdout begins" in english.text


def test_the_customer_360_shows_lifetime_value_and_churn_cards(
    web: TestClient, analysed: AnalysedBank
) -> None:
    log_in(web, analysed.analyst)
    customer_id = next(customer for customer in analysed.warned if customer in analysed.valued)
    page = web.get(f"/customers/{customer_id}")
    assert page.status_code == 200
    assert 'data-testid="clv-card"' in page.text and 'data-testid="churn-card"' in page.text
    engine = make_engine(analysed.database_url)
    with Session(engine) as session:
        value = session.scalars(
            select(CustomerValue).where(CustomerValue.customer_id == customer_id)
        ).one()
        clv = format_money(value.clv_cents / 100, "zh_CN")
    engine.dispose()
    assert f'data-testid="clv-value">{clv}<' in page.text
    assert "活跃概率" in page.text and "未来12个月预计交易次数" in page.text
    assert 'data-testid="churn-warning-badge"' in page.text
    assert 'data-testid="churn-reasons"' in page.text
    assert 'data-testid="churn-advice"' in page.text

    quiet = next(customer for customer in analysed.valued if customer not in analysed.warned)
    calm = web.get(f"/customers/{quiet}")
    assert 'data-testid="clv-card"' in calm.text
    assert 'data-testid="churn-warning-badge"' not in calm.text
