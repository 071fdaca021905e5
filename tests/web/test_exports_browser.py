"""The "Export to Excel" links of the customer list and the quadrant list in headless
Chromium, in Chinese: a click downloads a workbook of the rows the page counts, in the order
the page shows.

The assertions are on the page's structure and the workbook's data, not on UI words, whose
translations come later."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.web.conftest import ServedDemo
from tests.web.test_browser import log_in, snap

pytestmark = pytest.mark.browser


def _count(text: str) -> int:
    """The count a list shows (``共 1,234 位客户``), without its thousands separators."""
    found = re.search(r"[0-9][0-9,]*", text)
    assert found, text
    return int(found.group(0).replace(",", ""))


def _download(page: Any, test_id: str) -> list[tuple[Any, ...]]:
    """Click the export link and read the downloaded workbook's rows (headings first)."""
    with page.expect_download() as started:
        page.get_by_test_id(test_id).click()
    download = started.value
    assert download.suggested_filename.endswith(".xlsx")
    # Chromium keeps the download under a name of its own, without the .xlsx openpyxl wants
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    assert sheet is not None
    return [
        row for row in sheet.iter_rows(values_only=True) if any(cell is not None for cell in row)
    ]


def test_an_account_manager_exports_the_sorted_customer_list(
    page: Any, served_demo: ServedDemo
) -> None:
    log_in(page, served_demo, served_demo.login_for("account_manager"))
    page.goto(f"{served_demo.base_url}/customers")
    total = _count(page.get_by_test_id("customer-total").inner_text())
    assert total > 0, "the demo account manager has a book"
    page.get_by_test_id("sort-deposits").click()
    page.wait_for_url(re.compile(r"/customers\?.*sort=-deposits"))
    assert page.locator("th[aria-sort=descending]").count() == 1
    first_shown = page.get_by_test_id("customer-table").locator("tbody tr td").first.inner_text()
    snap(page, "customers-sorted-zh")

    rows = _download(page, "customer-export")
    headings, body = rows[0], rows[1:]
    assert len(headings) == 9 and all(headings)
    assert len(body) == min(total, 10_000)
    assert all(str(row[0]).startswith("C") for row in body)
    assert body[0][0] == first_shown  # the page's order: largest deposits first
    deposits = [row[7] for row in body]
    assert all(isinstance(amount, int | float) for amount in deposits)
    assert deposits == sorted(deposits, reverse=True)


def test_an_analyst_exports_a_quadrants_customers(page: Any, served_demo: ServedDemo) -> None:
    log_in(page, served_demo, served_demo.login_for("marketing_analyst"))
    page.goto(f"{served_demo.base_url}/segments?customer_type=individual")
    page.get_by_test_id("quadrant-loyal").click()
    page.wait_for_url(re.compile(r"/segments/customers\?quadrant=loyal"))
    total = _count(page.get_by_test_id("quadrant-total").inner_text())
    assert total > 0
    snap(page, "quadrant-list-zh")

    rows = _download(page, "quadrant-export")
    headings, body = rows[0], rows[1:]
    assert len(headings) == 13 and all(headings)
    assert len(body) == min(total, 10_000)
    assert len({row[5] for row in body}) == 1  # one quadrant, as the page shows
    first_shown = page.get_by_test_id("quadrant-table").locator("tbody tr td").first.inner_text()
    assert body[0][0] == first_shown
    volumes = [row[11] for row in body]
    assert volumes == sorted(volumes, reverse=True)


def _last_count(text: str) -> int:
    """The count at the end of a list's heading (``截至 2026年9月30日，预警 45 位客户``)."""
    numbers = re.findall(r"[0-9][0-9,]*", text)
    assert numbers, text
    return int(numbers[-1].replace(",", ""))


@pytest.mark.parametrize(
    ("role", "path", "total_id", "export_id"),
    [
        ("account_manager", "/churn", "churn-total", "churn-export"),
        ("account_manager", "/tasks", "task-total", "task-export"),
        ("branch_manager", "/complaints?view=all", "complaint-total", "complaint-export"),
    ],
)
def test_each_work_list_exports_the_rows_it_counts(
    page: Any, served_demo: ServedDemo, role: str, path: str, total_id: str, export_id: str
) -> None:
    log_in(page, served_demo, served_demo.login_for(role))
    page.goto(f"{served_demo.base_url}{path}")
    total = _last_count(page.get_by_test_id(total_id).inner_text())
    assert total > 0, f"the demo {role} has something on {path}"
    rows = _download(page, export_id)
    headings, body = rows[0], rows[1:]
    assert all(headings)
    assert len(body) == min(total, 10_000)
