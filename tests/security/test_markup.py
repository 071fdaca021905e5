"""Data is never markup: JSON islands go through Jinja's ``tojson`` and nothing from the
records is printed with ``|safe`` (finding H1: a customer name that ended the chart's
``<script>`` block and redirected the analyst)."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

import bankcrm
from bankcrm.branches.models import Branch
from bankcrm.core.db import make_engine
from bankcrm.customers.models import Customer
from tests.api.test_segments import segment
from tests.small_bank import SmallBank
from tests.web.test_pages import log_in

SOURCE = Path(bankcrm.__file__).resolve().parent
HOSTILE = '莫</script><meta http-equiv="refresh" content="0;url=https://evil.example/">\'"&'
ISLAND = re.compile(r'<script id="([\w-]+)" type="application/json">(.*?)</script>', re.S)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_no_template_prints_anything_unescaped() -> None:
    templates = SOURCE / "web" / "templates"
    unescaped = [
        f"{path.relative_to(templates)}:{number}"
        for path in sorted(templates.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\|\s*safe\b|\{%-?\s*autoescape\s+false", line)
    ]
    assert unescaped == [], "pass data to tojson or let autoescape print it"


def test_a_hostile_name_stays_data_in_the_matrix_chart(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    engine = make_engine(app_settings)
    with Session(engine) as session:
        session.execute(
            update(Customer).where(Customer.id == small_bank.book_a[1]).values(name=HOSTILE)
        )
        session.execute(
            update(Branch).where(Branch.id == small_bank.branch_id).values(name=HOSTILE)
        )
        session.commit()
    engine.dispose()
    segment(app_settings, date(2025, 12, 31))
    log_in(client, small_bank.analyst)

    page = client.get("/segments", headers={"accept": "text/html"})
    assert page.status_code == 200
    tags = _Tags()
    tags.feed(page.text)
    assert not [attrs for tag, attrs in tags.tags if tag == "meta" and "http-equiv" in attrs]
    islands = dict(ISLAND.findall(page.text))
    chart = json.loads(islands["matrix-data"])
    assert HOSTILE in {point["name"] for point in chart["points"]}
    assert "</script" not in islands["matrix-data"]
