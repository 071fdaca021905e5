"""The customer list's count, sorting and Excel export: the export is the viewer's list with
the page's search, filters and order, in the reader's language, amounts and days as numbers
and dates, no formula from the records, and an audit entry for every download."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bankcrm.accounts.models import Account
from bankcrm.audit.models import AuditEntry
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AuditAction
from bankcrm.core.workbook import YUAN_FORMAT
from bankcrm.customers import service
from bankcrm.customers.models import Customer
from bankcrm.staff import repository as staff_repository
from tests.small_bank import SmallBank
from tests.web.test_pages import HTML, log_in

FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")'
HEADINGS = [
    "Customer number",
    "Name",
    "Customer type",
    "Branch",
    "Account manager",
    "Risk level",
    "Credit grade",
    "Deposits",
    "Customer since",
]


@pytest.fixture
def bank(small_bank: SmallBank, app_settings: str) -> SmallBank:
    """The small bank with a formula for a name and one customer holding more deposits."""
    engine = make_engine(app_settings)
    with Session(engine) as session:
        session.execute(
            update(Customer).where(Customer.id == small_bank.book_a[3]).values(name=FORMULA_NAME)
        )
        session.execute(
            update(Account)
            .where(Account.customer_id == small_bank.book_a[7])
            .values(balance_cents=98_765_432)
        )
        session.commit()
    engine.dispose()
    return small_bank


def _in_english(client: TestClient, username: str) -> None:
    log_in(client, username)
    client.get("/lang/en?next=/customers")


def _rows(content: bytes) -> tuple[Any, list[tuple[Any, ...]]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return sheet, list(sheet.iter_rows(values_only=True))


def _staff_id(app_settings: str, username: str) -> int:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        user = staff_repository.get_by_username(session, username)
        assert user is not None
        found = user.id
    engine.dispose()
    return found


def test_an_account_manager_exports_their_own_book_in_english(
    client: TestClient, bank: SmallBank, app_settings: str
) -> None:
    _in_english(client, bank.manager_a)
    answer = client.get("/customers/export.xlsx")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert re.search(r'filename="customers-\d{8}\.xlsx"', answer.headers["content-disposition"])
    sheet, rows = _rows(answer.content)
    assert sheet.title == "Customers"
    assert list(rows[0]) == HEADINGS
    body = rows[1:]
    assert len(body) == 30  # manager A's book, nobody else's
    assert all(str(row[0]).startswith("C") for row in body)
    names = [row[1] for row in body]
    assert not any(str(name).startswith("李") for name in names)
    assert FORMULA_NAME in names
    # the list's default order: by name
    book = [str(name) for name in names if str(name).startswith("王")]
    assert book == sorted(book) and len(book) == 29
    assert {row[2] for row in body} == {"individual", "corporate"}
    assert len({row[3] for row in body}) == 1  # the book's branch, by name
    assert str(body[0][3]).startswith("上海分行")
    assert all(row[4] for row in body)  # the account manager by full name

    formula = next(cell for cell in sheet["B"] if cell.value == FORMULA_NAME)
    assert formula.data_type == "s" and formula.quotePrefix
    richest = next(row for row in sheet.iter_rows(min_row=2) if row[7].value == 987654.32)
    assert richest[7].number_format == YUAN_FORMAT
    assert isinstance(richest[8].value, datetime)
    assert richest[8].value.date().isoformat() == "2024-01-15"
    assert richest[8].number_format == "yyyy-mm-dd"

    engine = make_engine(app_settings)
    with Session(engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "customers", AuditEntry.action == AuditAction.EXPORT
            )
        ).one()
        assert entry.actor_id == _staff_id(app_settings, bank.manager_a)
        after = json.loads(entry.after_json or "{}")
        assert sorted(after["customers"]) == sorted(bank.book_a)
        assert after["total"] == 30 and after["sort"] == "name"
    engine.dispose()


def test_the_export_follows_the_pages_filters_and_sort(
    client: TestClient, bank: SmallBank, app_settings: str
) -> None:
    _in_english(client, bank.branch_manager)
    manager_a = _staff_id(app_settings, bank.manager_a)
    query = f"customer_type=corporate&manager_id={manager_a}&sort=-deposits"
    page = client.get(f"/customers?{query}", headers=HTML)
    assert page.status_code == 200
    assert 'data-testid="customer-total">6 customers<' in page.text
    link = re.search(
        r'href="(/customers/export\.xlsx\?[^"]*)" data-testid="customer-export"', page.text
    )
    assert link is not None
    href = unescape(link.group(1))
    assert "customer_type=corporate" in href and f"manager_id={manager_a}" in href
    assert "sort=-deposits" in href
    _, rows = _rows(client.get(href).content)
    body = rows[1:]
    assert len(body) == 6
    assert {row[2] for row in body} == {"corporate"}
    deposits = [Decimal(str(row[7])) for row in body]
    assert deposits == sorted(deposits, reverse=True)

    by_number = _rows(client.get("/customers/export.xlsx?sort=-number").content)[1][1:]
    numbers = [row[0] for row in by_number]
    assert len(numbers) == 35  # the branch manager's branch: both books
    assert numbers == sorted(numbers, reverse=True)


def test_the_list_shows_its_count_and_sorts_by_its_columns(
    client: TestClient, bank: SmallBank
) -> None:
    _in_english(client, bank.analyst)
    page = client.get("/customers", headers=HTML)
    assert 'data-testid="customer-total">36 customers<' in page.text
    for key in ("number", "name", "type", "branch", "manager", "deposits"):
        assert f'data-testid="sort-{key}"' in page.text
    assert 'aria-sort="ascending"' in page.text  # by name, the default
    richest = client.get("/customers?sort=-deposits&page_size=1", headers=HTML)
    assert f'href="/customers/{bank.book_a[7]}"' in richest.text
    assert 'aria-sort="descending"' in richest.text
    # a column that is not offered, or a garbled one, is ignored: the default order
    default = client.get("/customers?page_size=5", headers=HTML).text
    for odd in ("mobile_phone", "-id_number", "name;drop", "--name"):
        answer = client.get(f"/customers?page_size=5&sort={odd}", headers=HTML)
        assert answer.status_code == 200
        assert _linked(answer.text) == _linked(default)
    assert client.get("/customers/export.xlsx?sort=mobile_phone").status_code == 200


def test_a_long_list_says_the_file_holds_only_the_first_rows(
    client: TestClient, bank: SmallBank, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "EXPORT_LIMIT", 4)
    _in_english(client, bank.analyst)
    _, rows = _rows(client.get("/customers/export.xlsx").content)
    assert len([row for row in rows[1:] if row[1]]) == 4
    assert rows[-1][0] == (
        "Only the first 4 of 36 customers are in this file: narrow the filters to export the rest."
    )


def _linked(html: str) -> list[str]:
    return re.findall(r'href="/customers/(\d+)"', html)
