"""The charts as a banker reads them on a 1366 × 768 office screen, in English: every
chart is drawn through static/js/charts.js, legends sit in a row of their own below the
plot, axis labels stay inside the chart, and the customer matrix's log axis reads in per
cent of business."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser

OPTIONS = """(selector) => {
  const option = echarts.getInstanceByDom(document.querySelector(selector)).getOption();
  return {
    legend: option.legend.map((legend) => ({
      top: legend.top, bottom: legend.bottom, type: legend.type
    })),
    grid: option.grid.map((grid) => ({
      containLabel: grid.containLabel, top: grid.top, bottom: grid.bottom
    })),
    yNames: option.yAxis.map((axis) => ({
      name: axis.name, align: axis.nameTextStyle && axis.nameTextStyle.align
    }))
  };
}"""


@pytest.fixture
def office(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 768})
    opened = context.new_page()
    yield opened
    context.close()


def _in_english(page: Any, demo: ServedDemo, role: str) -> None:
    log_in(page, demo, demo.login_for(role))
    page.goto(f"{demo.base_url}/lang/en?next=/")
    assert page.locator("html").get_attribute("lang") == "en"


def _open(page: Any, url: str, *charts: str) -> dict[str, Any]:
    page.goto(url)
    found = {}
    for chart in charts:
        selector = f"[data-testid={chart}]"
        page.wait_for_function(
            "(selector) => { const el = document.querySelector(selector);"
            " return el && echarts.getInstanceByDom(el); }",
            arg=selector,
        )
        found[chart] = page.evaluate(OPTIONS, selector)
    return found


def _legend_below_the_grid(option: dict[str, Any]) -> None:
    """The legend (and its scroll pager) has its own row under the plot and its labels."""
    (legend,) = option["legend"]
    (grid,) = option["grid"]
    assert legend["bottom"] == 0 and legend["top"] in (None, "auto"), legend
    assert legend["type"] == "scroll"
    assert grid["containLabel"] is True
    assert grid["bottom"] >= 28, grid


def test_the_customer_matrix_reads_in_per_cent_with_legends_below(
    office: Any, served_demo: ServedDemo
) -> None:
    _in_english(office, served_demo, "marketing_analyst")
    charts = _open(office, f"{served_demo.base_url}/segments", "matrix-chart", "lorenz-chart")
    for option in charts.values():
        _legend_below_the_grid(option)
    labels = office.evaluate(
        """() => {
          const el = document.querySelector("[data-testid=matrix-chart]");
          const axis = echarts.getInstanceByDom(el).getOption().xAxis[0];
          return [-3, -2, -1].map((value) => axis.axisLabel.formatter(value));
        }"""
    )
    assert labels == ["0.1%", "1%", "10%"]
    snap(office, "charts-segments-en")


def test_complaint_and_satisfaction_charts_keep_legends_and_axis_names_inside(
    office: Any, served_demo: ServedDemo
) -> None:
    _in_english(office, served_demo, "quality_officer")
    charts = _open(
        office,
        f"{served_demo.base_url}/complaints/reports",
        "volume-chart",
        "pareto-chart",
        "timeliness-chart",
    )
    _legend_below_the_grid(charts["volume-chart"])
    _legend_below_the_grid(charts["pareto-chart"])
    # The Pareto's two axis names are aligned into the chart, not centred over its edges.
    assert [axis["align"] for axis in charts["pareto-chart"]["yNames"]] == ["left", "right"]
    assert charts["timeliness-chart"]["grid"][0]["containLabel"] is True
    snap(office, "charts-complaints-en")

    charts = _open(
        office, f"{served_demo.base_url}/quality/satisfaction", "csat-chart", "nps-chart"
    )
    (nps,) = charts["nps-chart"]["yNames"]
    assert nps == {"name": "NPS", "align": "left"}
    assert charts["nps-chart"]["grid"][0]["containLabel"] is True
    snap(office, "charts-satisfaction-en")
