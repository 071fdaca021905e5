"""One translation path: exports, coded values and the language switch all go through the
gettext catalog, and the switch keeps the page's query but never leaves the site."""

from __future__ import annotations

import ast
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from jinja2 import Environment
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bankcrm.accounts.models import Transaction
from bankcrm.complaints import export as complaints_export
from bankcrm.complaints.analysis import case_report
from bankcrm.complaints.taxonomy import load_taxonomy
from bankcrm.core.db import make_engine
from bankcrm.customers.models import Customer
from bankcrm.ingest import synth
from bankcrm.ingest import synth_vocabulary as words
from bankcrm.quality.reporting import export as quality_export
from bankcrm.web.i18n import gettext
from bankcrm.web.labels import STORED_WORDS, stored_word
from bankcrm.web.security import safe_next
from tests.complaints.test_analysis import CASES, END, NOW, START
from tests.small_bank import SmallBank
from tests.web.test_pages import log_in

SOURCE = Path(__file__).resolve().parents[2] / "src" / "bankcrm"
EXPORT_MODULES = sorted(SOURCE.rglob("export.py"))
"""Every module that writes a file for people to read."""
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """Every string constant of a module except its docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


@pytest.mark.parametrize(
    "path", EXPORT_MODULES, ids=lambda path: str(path.parent.relative_to(SOURCE))
)
def test_no_export_module_words_its_headings_in_chinese(path: Path) -> None:
    chinese = [(line, text) for line, text in _string_literals(path) if CJK.search(text)]
    assert not chinese, f"{path.name}: headings belong in the catalog, found {chinese}"


TEMPLATES = SOURCE / "web" / "templates"
NAMES_NOT_WORDS = frozenset({"AUC", "CSV", "Excel", "PDF", "RFM", "ETQ", "SERVQUAL", "NPS"})
"""Names of methods and file formats, the same in every language."""
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class _ReadText(HTMLParser):
    """The text a reader sees or hears: element text and the attributes read aloud."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts.extend(value for name, value in attrs if name in READ_ATTRIBUTES and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_no_template_shows_a_word_outside_the_catalog(path: Path) -> None:
    # the template's literal text only: every expression and tag becomes a blank
    literal = "".join(
        value if kind == "data" else " "
        for _, kind, value in Environment(extensions=["jinja2.ext.i18n"]).lex(
            path.read_text(encoding="utf-8")
        )
    )
    reader = _ReadText()
    reader.feed(literal)
    words = [
        found.strip()
        for part in reader.parts
        for found in re.findall(r"[\u4e00-\u9fff]+|[A-Za-z][A-Za-z' ]+[A-Za-z]", part)
        if found.strip() not in NAMES_NOT_WORDS
    ]
    assert not words, f"words outside the catalog: {words}"


def test_export_headings_are_catalog_messages() -> None:
    for module in (quality_export, complaints_export):
        assert all(not CJK.search(message) for message in module.HEADINGS.values())
        english = module.headings_for("en")
        assert all(not CJK.search(text) for text in english.values()), module.__name__
        chinese = module.headings_for("zh_CN")
        for key, message in module.HEADINGS.items():
            assert chinese[key] == gettext("zh_CN", message)
    assert complaints_export.headings_for("zh-CN")["sheet.summary"] == "摘要"
    assert quality_export.headings_for("zh_CN")["customer.loyal"] == "忠诚客户"


def _headings(workbook: object) -> list[str]:
    """The first row of every sheet and the sheet names: where the headings are."""
    names = list(workbook.sheetnames)  # type: ignore[attr-defined]
    cells = [
        str(cell.value)
        for name in names
        for cell in workbook[name][1]  # type: ignore[index]
        if cell.value is not None and not isinstance(cell.value, int | float)
    ]
    return names + cells


def test_the_complaint_workbook_in_english_and_in_chinese() -> None:
    taxonomy = load_taxonomy()
    report = case_report(CASES, start=START, end=END, now=NOW, taxonomy=taxonomy)
    english = load_workbook(
        io.BytesIO(complaints_export.report_workbook(report, taxonomy=taxonomy, locale="en"))
    )
    headings = _headings(english)
    assert "Summary" in headings and "Root cause" in headings
    assert not [text for text in headings if CJK.search(text)]

    chinese = load_workbook(
        io.BytesIO(complaints_export.report_workbook(report, taxonomy=taxonomy, locale="zh_CN"))
    )
    assert chinese.sheetnames[0] == "摘要"
    assert chinese["投诉根因"]["A1"].value == "投诉根因"
    assert chinese["摘要"]["A1"].value == "投诉案件分析"


def test_coded_values_are_worded_by_the_catalog() -> None:
    assert stored_word("女", "en") == "female"
    assert stored_word("30-60万", "en") == "¥300,000–600,000"
    assert stored_word("周末上午", "en") == "weekend mornings"
    assert stored_word("代发工资", "en") == "salary credit"
    assert stored_word("天", "en") == "days"
    assert stored_word("整改 ETQ-01 微笑服务（东城支行）", "en") == (
        "Corrective action: ETQ-01 微笑服务（东城支行）"
    )
    # Chinese pages show the catalog's words, or the stored Chinese until it has them
    assert stored_word("女", "zh_CN") in (gettext("zh_CN", "female"), "女")
    assert stored_word("女", "zh_CN") != "female"
    assert stored_word("自由填写", "en") == "自由填写"
    assert stored_word(None, "en") is None


def test_every_generated_coded_value_has_its_catalog_message() -> None:
    generated = {
        "男",
        "女",
        *words.INCOME_LEVELS,
        *words.VISIT_TIMES,
        *synth.DESCRIPTIONS.values(),
    }
    assert generated <= STORED_WORDS.keys()


def test_an_english_customer_page_shows_coded_values_in_english(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    customer_id = small_bank.book_a[1]
    engine = make_engine(app_settings)
    with Session(engine) as session:
        session.execute(
            update(Customer)
            .where(Customer.id == customer_id)
            .values(gender="女", income_level="30-60万", best_visit_time="周末上午")
        )
        transaction_id = session.scalars(
            select(Transaction.id).where(Transaction.customer_id == customer_id)
        ).first()
        session.execute(
            update(Transaction)
            .where(Transaction.id == transaction_id)
            .values(description="代发工资")
        )
        session.commit()
    engine.dispose()
    log_in(client, small_bank.manager_a)
    client.get("/lang/en", params={"next": "/customers"})
    page = client.get(f"/customers/{customer_id}")
    assert page.status_code == 200
    assert 'lang="en"' in page.text
    for english in ("female", "¥300,000–600,000", "weekend mornings", "salary credit"):
        assert english in page.text, english
    for chinese in ("女", "30-60万", "周末上午", "代发工资"):
        assert f">{chinese}<" not in page.text, chinese


def test_the_language_switch_keeps_the_query(client: TestClient, small_bank: SmallBank) -> None:
    log_in(client, small_bank.analyst)
    page = client.get("/customers?q=王")
    assert page.status_code == 200
    link = re.search(r'href="(/lang/en\?next=[^"]+)"', page.text)
    assert link, "no language switch on the page"
    assert quote("q=", safe="") in link.group(1)
    switched = client.get(link.group(1).replace("&amp;", "&"), follow_redirects=False)
    assert switched.status_code == 303
    assert switched.headers["location"] == "/customers?q=%E7%8E%8B"
    english = client.get(switched.headers["location"])
    assert 'lang="en"' in english.text

    direct = client.get("/lang/zh_CN", params={"next": "/customers?q=王"}, follow_redirects=False)
    assert direct.headers["location"] == "/customers?q=%E7%8E%8B"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/customers",
        "//evil.example/customers",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_the_language_switch_never_leaves_the_site(
    client: TestClient, small_bank: SmallBank, target: str
) -> None:
    answer = client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/customers"
    assert safe_next(target) == "/customers"


def test_the_language_switch_ignores_another_sites_referer(
    client: TestClient, small_bank: SmallBank
) -> None:
    answer = client.get(
        "/lang/en", headers={"referer": "https://evil.example/x"}, follow_redirects=False
    )
    assert answer.headers["location"] == "/customers"
