"""The quadrant list's count, sorting and Excel export: the export is the viewer's list with
the page's run, quadrant, filters and order, in the reader's language, amounts and days as
numbers and dates, no formula from the records, and an audit entry for every download."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from datetime import date, datetime
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bankcrm.audit.models import AuditEntry
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AuditAction
from bankcrm.core.workbook import YUAN_FORMAT
from bankcrm.customers.models import Customer
from bankcrm.staff import repository as staff_repository
from tests.api.test_segments import segment
from tests.small_bank import SmallBank
from tests.web.test_pages import HTML, log_in

AS_OF = date(2025, 12, 31)
FORMULA_NAME = "@SUM(1+1)*cmd|' /C calc'!A0"
HEADINGS = [
    "Customer number",
    "Name",
    "Customer type",
    "Branch",
    "Account manager",
    "Quadrant",
    "Value tier",
    "RFM",
    "Lifecycle stage",
    "Loyalty index",
    "Business share",
    "Business volume",
    "As of",
]
QUADRANTS = {"loyal customer", "problem customer 1", "problem customer 2", "ordinary customer"}


@pytest.fixture
def segmented(small_bank: SmallBank, app_settings: str) -> SmallBank:
    """The small bank segmented as of the year's end, one customer named like a formula."""
    engine = make_engine(app_settings)
    with Session(engine) as session:
        session.execute(
            update(Customer).where(Customer.id == small_bank.book_a[4]).values(name=FORMULA_NAME)
        )
        session.commit()
    engine.dispose()
    segment(app_settings, AS_OF)
    return small_bank


def _rows(content: bytes) -> tuple[Any, list[tuple[Any, ...]]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return sheet, list(sheet.iter_rows(values_only=True))


def test_an_account_manager_exports_only_their_book_and_it_is_audited(
    client: TestClient, segmented: SmallBank, app_settings: str
) -> None:
    log_in(client, segmented.manager_a)
    client.get("/lang/en?next=/segments/customers")
    page = client.get("/segments/customers", headers=HTML)
    assert page.status_code == 200
    assert 'data-testid="quadrant-total">30 customers' in page.text
    link = re.search(
        r'href="(/segments/customers/export\.xlsx\?[^"]*)" data-testid="quadrant-export"',
        page.text,
    )
    assert link is not None
    href = unescape(link.group(1))
    assert "as_of=2025-12-31" in href and "sort=-volume" in href
    answer = client.get(href)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="segment-all-20251231.xlsx"' in answer.headers["content-disposition"]
    sheet, rows = _rows(answer.content)
    assert sheet.title == "All quadrants"
    assert list(rows[0]) == HEADINGS
    body = rows[1:]
    assert len(body) == 30  # manager A's book, nobody else's
    assert not any(str(row[1]).startswith("李") for row in body)
    assert {row[5] for row in body} <= QUADRANTS
    assert {row[6] for row in body} <= {"A", "B", "C"}
    assert all(row[4] for row in body)  # the account manager by full name
    volumes = [row[11] for row in body]
    assert volumes == sorted(volumes, reverse=True)  # the page's order: largest first

    formula = next(cell for cell in sheet["B"] if cell.value == FORMULA_NAME)
    assert formula.data_type == "s" and formula.quotePrefix
    first = next(sheet.iter_rows(min_row=2, max_row=2))
    assert isinstance(first[11].value, int | float) and first[11].number_format == YUAN_FORMAT
    assert isinstance(first[10].value, float) and first[10].number_format == "0.0000%"
    assert isinstance(first[12].value, datetime) and first[12].value.date() == AS_OF
    assert first[12].number_format == "yyyy-mm-dd"

    engine = make_engine(app_settings)
    with Session(engine) as session:
        manager = staff_repository.get_by_username(session, segmented.manager_a)
        assert manager is not None
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "customer_segments", AuditEntry.action == AuditAction.EXPORT
            )
        ).one()
        assert entry.actor_id == manager.id
        after = json.loads(entry.after_json or "{}")
        assert sorted(after["customers"]) == sorted(segmented.book_a)
        assert after["as_of"] == "2025-12-31" and after["sort"] == "-volume"
    engine.dispose()


def test_the_quadrant_list_sorts_and_its_export_follows_the_page(
    client: TestClient, segmented: SmallBank
) -> None:
    log_in(client, segmented.analyst)
    client.get("/lang/en?next=/segments/customers")
    page = client.get("/segments/customers?sort=name", headers=HTML)
    assert 'data-testid="quadrant-total">36 customers' in page.text
    for key in ("number", "name", "type", "quadrant", "tier", "lifecycle", "loyalty", "volume"):
        assert f'data-testid="sort-{key}"' in page.text
    assert 'aria-sort="ascending"' in page.text

    _, everyone = _rows(client.get("/segments/customers/export.xlsx").content)
    codes = {
        "loyal customer": "loyal",
        "problem customer 1": "problem_1",
        "problem customer 2": "problem_2",
        "ordinary customer": "ordinary",
    }
    name = Counter(row[5] for row in everyone[1:] if row[2] == "individual").most_common(1)[0][0]
    query = f"quadrant={codes[name]}&customer_type=individual&sort=-loyalty"
    shown = client.get(f"/segments/customers?{query}", headers=HTML)
    assert shown.status_code == 200
    link = re.search(r'href="(/segments/customers/export\.xlsx\?[^"]*)"', shown.text)
    assert link is not None
    sheet, rows = _rows(client.get(unescape(link.group(1))).content)
    assert sheet.title == name
    body = rows[1:]
    assert (
        body and {row[5] for row in body} == {name} and {row[2] for row in body} == {"individual"}
    )
    loyalty = [row[9] for row in body]
    assert loyalty == sorted(loyalty, reverse=True)
    total = re.search(r'data-testid="quadrant-total">(\d+) customers', shown.text)
    assert total is not None and int(total.group(1)) == len(body)

    # a column that is not offered, or a garbled one, is ignored: the default order
    for odd in ("rfm", "-customer_id", "volume;drop", "--volume"):
        answer = client.get(f"/segments/customers/export.xlsx?sort={odd}")
        assert answer.status_code == 200
        volumes = [row[11] for row in _rows(answer.content)[1][1:]]
        assert volumes == sorted(volumes, reverse=True)
