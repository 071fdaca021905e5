"""The churn-warning list, a warned customer's 360 and the lifetime-value charts in Chromium."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import TaskStatus
from bankcrm.tasks.models import Task
from tests.commands import BANKCRM, free_port
from tests.factories import PASSWORD
from tests.segmentation import conftest as segmentation_fixtures
from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap
from tests.web.test_clv_churn_pages import AnalysedBank, analyse_bank
from tests.web.test_segments_browser import chart_data_count

pytestmark = pytest.mark.browser

generated_bank = segmentation_fixtures.generated_bank
"""The session's generated 800-customer bank, shared with the segmentation tests."""


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory, generated_bank: Path) -> AnalysedBank:
    return analyse_bank(tmp_path_factory.mktemp("analysed-browser"), generated_bank)


SERVER_START_SECONDS = 300
"""A loaded CI machine can take minutes to import the application: more than
``wait_until_serving``'s minute."""


def wait_for_server(base_url: str, process: subprocess.Popen[Any]) -> None:
    """Return once the server answers its login page; fail when it exits or is not up
    within ``SERVER_START_SECONDS``."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        try:
            httpx.get(f"{base_url}/login", timeout=2)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise AssertionError(f"the server at {base_url} did not start") from None
            time.sleep(0.5)


@pytest.fixture(scope="module")
def served(
    analysed: AnalysedBank, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedDemo]:
    """``bankcrm serve`` on the analysed bank, on a free port."""
    directory = tmp_path_factory.mktemp("served-analysed")
    port = free_port()
    env = {
        **os.environ,
        "BANKCRM_ENVIRONMENT": "development",
        "BANKCRM_DATABASE_URL": analysed.database_url,
    }
    process = subprocess.Popen(
        [BANKCRM, "serve", "--port", str(port)],
        cwd=directory,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    wait_for_server(base_url, process)
    logins = [
        {"username": analysed.analyst, "password": PASSWORD, "role": "marketing_analyst"},
        {"username": analysed.account_manager, "password": PASSWORD, "role": "account_manager"},
    ]
    yield ServedDemo(base_url=base_url, logins=logins, directory=directory)
    process.terminate()
    process.wait(timeout=30)


def test_a_warning_leads_to_the_customer_360_with_value_and_churn_cards(
    page: Any, served: ServedDemo, analysed: AnalysedBank
) -> None:
    log_in(page, served, served.login_for("marketing_analyst"))
    page.goto(f"{served.base_url}/customers")
    page.click("text=流失预警")
    page.wait_for_url(re.compile(r"/churn$"))
    assert page.locator("h1").inner_text() == "流失预警"
    rows = page.get_by_test_id("churn-row")
    assert rows.count() == min(len(analysed.warned), 25)
    assert page.get_by_test_id("churn-diagnosis").first.inner_text() in {
        "事前：客户开发问题",
        "事后：客户关系危机",
    }
    # the method and its check are on the analyst's model page, not on the list
    assert page.get_by_test_id("churn-method-label").count() == 0
    snap(page, "churn")
    page.get_by_test_id("churn-model-link").click()
    page.wait_for_url(re.compile(r"/churn/model\?as_of="))
    assert page.get_by_test_id("churn-method-label").inner_text() == "1 − 活跃概率"
    assert page.get_by_test_id("churn-threshold").inner_text() == "50 %"
    snap(page, "churn-model")
    page.go_back()
    page.wait_for_url(re.compile(r"/churn$"))

    listed = [
        int((link.get_attribute("href") or "").rsplit("/", 1)[-1])
        for link in page.get_by_test_id("churn-customer").all()
    ]
    valued = next(customer for customer in listed if customer in analysed.valued)
    assert valued in analysed.warned
    link = page.locator(f"[data-testid=churn-customer][href='/customers/{valued}']")
    name = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(rf"/customers/{valued}$"))
    assert page.get_by_test_id("customer-name").inner_text() == name
    clv_card = page.get_by_test_id("clv-card")
    assert clv_card.locator(".card-header").inner_text().startswith("客户终身价值")
    assert page.get_by_test_id("clv-value").inner_text().startswith("¥")
    assert "活跃概率" in clv_card.inner_text()
    churn_card = page.get_by_test_id("churn-card")
    assert churn_card.locator(".card-header").inner_text().startswith("流失预警")
    assert page.get_by_test_id("churn-warning-badge").inner_text() == "预警"
    assert page.locator("[data-testid=churn-reasons] li").count() >= 1
    assert page.get_by_test_id("churn-advice").inner_text().startswith(("事前", "事后"))


def test_the_lifetime_value_page_draws_its_charts_in_both_languages(
    page: Any, served: ServedDemo
) -> None:
    log_in(page, served, served.login_for("marketing_analyst"))
    page.goto(f"{served.base_url}/customers")
    page.click("text=客户价值")
    page.wait_for_url(re.compile(r"/clv$"))
    page.wait_for_selector("[data-testid=quadrant-chart] canvas")
    assert page.get_by_test_id("valuable-row").count() == 25
    assert page.get_by_test_id("valuable-clv").first.inner_text().startswith("¥")
    snap(page, "clv")
    page.get_by_test_id("clv-model-link").click()
    page.wait_for_url(re.compile(r"/clv/model\?as_of="))
    for chart in ("bucket-chart", "tracking-chart", "quadrant-chart"):
        page.wait_for_selector(f"[data-testid={chart}] canvas")
    data = page.evaluate("() => JSON.parse(document.getElementById('clv-data').textContent)")
    validation = data["validation"]
    assert chart_data_count(page, "bucket-chart") == 2 * len(validation["buckets"])
    assert chart_data_count(page, "tracking-chart") == 2 * len(validation["units"])
    assert chart_data_count(page, "quadrant-chart") == 4
    holdout = page.evaluate(
        """() => {
            const element = document.querySelector("[data-testid=tracking-chart]");
            const option = echarts.getInstanceByDom(element).getOption();
            return option.series[0].markLine.data[0].xAxis;
        }"""
    )
    assert holdout == str(validation["holdout_unit"])
    assert page.locator("[data-testid=quadrant-value-table] tbody tr").count() == 4
    assert page.get_by_test_id("holdout-error").inner_text().endswith("%")
    snap(page, "clv-model")

    page.click("text=English")
    page.wait_for_selector("h1:has-text('Lifetime-value model')")
    page.wait_for_selector("[data-testid=tracking-chart] canvas")
    assert page.get_by_text("Lifetime value by quadrant").count() == 1
    assert chart_data_count(page, "bucket-chart") == 2 * len(validation["buckets"])


def close_retention_task(analysed: AnalysedBank) -> int:
    """Mark done the retention task the run raised for the account manager's likeliest
    warned customer, so the list offers to raise a new one; that customer."""
    engine = make_engine(analysed.database_url)
    with Session(engine) as session:
        customer_id = next(customer for customer in analysed.warned if customer in analysed.book)
        for task in session.scalars(
            select(Task).where(Task.customer_id == customer_id, Task.kind == "retention")
        ):
            task.status = TaskStatus.DONE
        session.commit()
    engine.dispose()
    return customer_id


def open_retention_tasks(analysed: AnalysedBank, customer_id: int) -> int:
    engine = make_engine(analysed.database_url)
    with Session(engine) as session:
        count = len(
            session.scalars(
                select(Task).where(
                    Task.customer_id == customer_id,
                    Task.kind == "retention",
                    Task.status == TaskStatus.OPEN,
                )
            ).all()
        )
    engine.dispose()
    return count


def test_an_account_manager_creates_a_retention_task_from_the_list(
    page: Any, served: ServedDemo, analysed: AnalysedBank
) -> None:
    customer_id = close_retention_task(analysed)
    log_in(page, served, served.login_for("account_manager"))
    page.goto(f"{served.base_url}/churn?page_size=100")
    row = page.locator(f"#customer-{customer_id}")
    assert row.get_by_test_id("churn-owner").inner_text().strip() != "—"
    assert page.get_by_test_id("churn-auc").count() == 0
    assert page.get_by_test_id("churn-model-link").count() == 0
    button = row.get_by_test_id("churn-create-task")
    assert button.count() == 1
    button.click()
    page.wait_for_url(re.compile(rf"/churn\?.*page_size=100.*#customer-{customer_id}$"))
    row = page.locator(f"#customer-{customer_id}")
    link = row.get_by_test_id("churn-task-link")
    assert link.count() == 1 and row.get_by_test_id("churn-create-task").count() == 0
    assert open_retention_tasks(analysed, customer_id) == 1
    page.reload()
    assert page.locator(f"#customer-{customer_id}").get_by_test_id("churn-create-task").count() == 0
    assert open_retention_tasks(analysed, customer_id) == 1
    link = page.locator(f"#customer-{customer_id}").get_by_test_id("churn-task-link")
    link.click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    assert "流失预警" in page.locator("body").inner_text()
    snap(page, "churn-retention-task")
