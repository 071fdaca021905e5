"""The customer matrix, Lorenz curve and migration heat map in Chromium, in Chinese and English."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser


def api(demo: ServedDemo, login: dict[str, str], path: str) -> Any:
    token = httpx.post(
        f"{demo.base_url}/api/v1/auth/token",
        data={"username": login["username"], "password": login["password"]},
    ).json()["access_token"]
    answer = httpx.get(f"{demo.base_url}{path}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def chart_data_count(page: Any, test_id: str) -> int:
    """Data items drawn by the ECharts instance inside the element."""
    return int(
        page.evaluate(
            """(testId) => {
                const element = document.querySelector(`[data-testid=${testId}]`);
                const option = echarts.getInstanceByDom(element).getOption();
                return option.series.reduce((total, series) => total + series.data.length, 0);
            }""",
            test_id,
        )
    )


def test_the_matrix_page_draws_the_matrix_lorenz_and_migration_in_both_languages(
    page: Any, served_demo: ServedDemo
) -> None:
    analyst = served_demo.login_for("marketing_analyst")
    summary = api(served_demo, analyst, "/api/v1/segments/summary?customer_type=individual")
    log_in(page, served_demo, analyst)
    page.goto(f"{served_demo.base_url}/customers")
    page.click("text=客户矩阵")
    page.wait_for_url(re.compile(r"/segments$"))
    page.wait_for_selector("[data-testid=matrix-chart] canvas")
    page.wait_for_selector("[data-testid=lorenz-chart] canvas")
    page.wait_for_selector("[data-testid=migration-chart] canvas")
    assert page.locator("h1").inner_text() == "客户矩阵"
    counts = [
        int(
            page.get_by_test_id(f"quadrant-{quadrant}")
            .get_by_test_id("quadrant-count")
            .inner_text()
            .replace(",", "")
        )
        for quadrant in ("loyal", "problem_1", "problem_2", "ordinary")
    ]
    assert counts == [summary["quadrants"][key] for key in summary["quadrants"]]
    assert sum(counts) == summary["customers"] > 0
    assert chart_data_count(page, "matrix-chart") > 0
    assert chart_data_count(page, "lorenz-chart") == 101 + 2
    assert chart_data_count(page, "migration-chart") > 0
    assert page.get_by_test_id("gini").inner_text() == f"{summary['gini']:.3f}"
    assert page.get_by_test_id("playbooks").get_by_text("鉴别客户的信用等级。").count() == 1
    snap(page, "segments-zh")

    page.click("text=English")
    page.wait_for_selector("h1:has-text('Customer matrix')")
    page.wait_for_selector("[data-testid=migration-chart] canvas")
    assert page.get_by_text("Value concentration (80/20)").count() == 1
    assert page.get_by_test_id("playbooks").get_by_text("Problem customer 2").count() == 1
    assert chart_data_count(page, "matrix-chart") > 0
    snap(page, "segments-en")


def test_clicking_a_quadrant_lists_its_customers_and_a_point_opens_the_customer(
    page: Any, served_demo: ServedDemo
) -> None:
    analyst = served_demo.login_for("marketing_analyst")
    log_in(page, served_demo, analyst)
    page.goto(f"{served_demo.base_url}/customers")
    page.goto(f"{served_demo.base_url}/segments?customer_type=individual")
    card = page.get_by_test_id("quadrant-loyal")
    expected = card.get_by_test_id("quadrant-count").inner_text()
    card.click()
    page.wait_for_url(re.compile(r"/segments/customers\?quadrant=loyal"))
    assert page.get_by_test_id("quadrant-title").inner_text() == "忠诚客户"
    assert page.get_by_test_id("quadrant-total").inner_text().startswith(f"共 {expected} 位客户")

    page.goto(f"{served_demo.base_url}/segments?customer_type=individual")
    page.wait_for_selector("[data-testid=matrix-chart] canvas")
    target = page.evaluate(
        """() => {
            const element = document.querySelector("[data-testid=matrix-chart]");
            const chart = echarts.getInstanceByDom(element);
            const series = chart.getOption().series.findIndex((s) => s.data.length > 0);
            const point = chart.getOption().series[series].data[0];
            const [x, y] = chart.convertToPixel({ seriesIndex: series }, point.value);
            return { x, y, id: point.id };
        }"""
    )
    box = page.get_by_test_id("matrix-chart").bounding_box()
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    page.wait_for_url(re.compile(rf"/customers/{target['id']}$"))
    page.wait_for_selector("[data-testid=radar-chart] canvas")
    assert page.get_by_test_id("segment-quadrant").inner_text() in {
        "忠诚客户", "问题客户1", "问题客户2", "一般客户"
    }  # fmt: skip
    snap(page, "customer-360-segment-zh")
