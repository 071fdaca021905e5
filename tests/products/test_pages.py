"""The catalogue pages: the list of every product and the edit form, for products:manage
only; a refused form comes back as typed, with the reason."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import ProductCategory, ProductRisk
from bankcrm.products.models import Product
from tests.conftest import SQLITE_ONLY
from tests.products.conftest import stored_product
from tests.small_bank import SmallBank, login
from tests.web.test_pages import HTML, csrf_of, log_in

HOSTILE_NAME = '<script>alert("x")</script>基金'


def _plant(database_url: str, **values: object) -> int:
    engine = make_engine(database_url)
    with Session(engine) as session:
        fund: dict[str, object] = {
            "external_id": "F-EQ-001",
            "name_zh": HOSTILE_NAME,
            "name_en": "Equity-led mixed fund",
            "category": ProductCategory.FUND,
            "product_risk": ProductRisk.R3,
            "term_months": 36,
            "min_amount_cents": 1_000_00,
            "annual_rate_bp": 650,
            "fab_benefit_zh": "分享经济增长",
        }
        product = Product(**(fund | values))
        session.add(product)
        session.commit()
        product_id = product.id
    engine.dispose()
    return product_id


def _form(html: str) -> dict[str, str]:
    """The edit form's fields as the page fills them in (and a browser would send them)."""
    fields = dict(re.findall(r'<input [^>]*name="(\w+)" value="([^"]*)"', html))
    fields |= dict(re.findall(r'<textarea [^>]*name="(\w+)"[^>]*>([^<]*)</textarea>', html))
    fields = {name: unescape(value) for name, value in fields.items()}
    selected = re.search(r'<option value="(R\d)" selected>', html)
    assert selected
    fields["risk_level"] = selected.group(1)
    if re.search(r'name="is_active" value="1" checked', html) is None:
        fields.pop("is_active", None)
    return fields


def test_the_catalogue_team_sees_every_product_and_others_may_not(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    fund_id = _plant(app_settings)
    withdrawn_id = _plant(app_settings, external_id="W-OLD-01", is_active=False)
    answer = client.get("/products", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")

    log_in(client, small_bank.manager_a)
    home = client.get("/customers", headers=HTML)
    assert 'data-testid="nav-products"' not in home.text
    assert client.get("/products", headers=HTML).status_code == 403
    assert client.get(f"/products/{fund_id}", headers=HTML).status_code == 403
    token = csrf_of(home.text)
    refused = client.post(
        f"/products/{fund_id}",
        data={
            "version": "1",
            "name_zh": "改名",
            "name_en": "Renamed",
            "risk_level": "R1",
            "csrf_token": token,
        },
        headers=HTML,
    )
    assert refused.status_code == 403
    assert stored_product(app_settings, fund_id).name_en == "Equity-led mixed fund"

    client.cookies.clear()
    log_in(client, small_bank.admin)
    page = client.get("/products", headers=HTML)
    assert page.status_code == 200
    assert 'data-testid="nav-products"' in page.text
    rows = re.findall(r'data-testid="product-row"', page.text)
    assert len(rows) == 3  # the small bank's deposit, the fund and the withdrawn one
    assert f'href="/products/{withdrawn_id}"' in page.text
    # data is never markup
    assert HOSTILE_NAME not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;基金" in page.text
    assert "¥1,000.00" in page.text and "6.5%" in page.text


@SQLITE_ONLY
def test_an_admin_edits_a_product_in_both_languages(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    fund_id = _plant(app_settings)
    log_in(client, small_bank.admin)
    page = client.get(f"/products/{fund_id}", headers=HTML)
    assert page.status_code == 200
    form = _form(page.text)
    assert form["version"] == "1" and form["risk_level"] == "R3"
    assert form["term_months"] == "36" and form["minimum_amount"] == "1000.00"
    assert form["annual_rate"] == "6.5" and form["fab_benefit_zh"] == "分享经济增长"
    assert "is_active" in form
    edited = {
        **form,
        "name_en": "Equity-led mixed fund A",
        "risk_level": "R4",
        "term_months": "",
        "minimum_amount": "50,000",
        "annual_rate": "7.25",
        "fab_feature_zh": "偏股混合型基金",
        "fab_feature_en": "An equity-led mixed fund",
        "fab_benefit_zh": "",
    }
    edited.pop("is_active")
    saved = client.post(f"/products/{fund_id}", data=edited, headers=HTML, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/products/{fund_id}?saved=true"
    shown = client.get(saved.headers["location"], headers=HTML)
    assert 'data-testid="saved"' in shown.text
    assert _form(shown.text)["version"] == "2"

    stored = stored_product(app_settings, fund_id)
    assert stored.name_zh == HOSTILE_NAME and stored.name_en == "Equity-led mixed fund A"
    assert stored.product_risk is ProductRisk.R4 and stored.term_months is None
    assert (stored.min_amount_cents, stored.annual_rate_bp) == (5_000_000, 725)
    assert stored.fab_feature_en == "An equity-led mixed fund" and stored.fab_benefit_zh is None
    assert stored.is_active is False

    english = client.get("/lang/en?next=/products", follow_redirects=True)
    assert english.status_code == 200
    assert "Withdrawn" in english.text and "Product catalogue" in english.text


@SQLITE_ONLY
def test_a_stale_form_comes_back_as_typed_with_what_is_saved_now(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    fund_id = _plant(app_settings)
    log_in(client, small_bank.admin)
    opened = _form(client.get(f"/products/{fund_id}", headers=HTML).text)
    # someone else saves first, through the API
    api = login(client, small_bank.admin)
    first = client.patch(
        f"/api/v1/products/{fund_id}", headers=api, json={"version": 1, "risk_level": "R2"}
    )
    assert first.status_code == 200, first.text

    late = {**opened, "name_en": "My new name", "minimum_amount": "1000"}
    answer = client.post(f"/products/{fund_id}", data=late, headers=HTML)
    assert answer.status_code == 409
    assert 'data-testid="problem"' in answer.text and "changed by someone else" in answer.text
    again = _form(answer.text)
    assert again["name_en"] == "My new name" and again["risk_level"] == "R3"
    # the form now carries the version it was compared with; an equal amount is no difference
    assert again["version"] == "2"
    assert 'data-testid="saved-now-risk_level"' in answer.text
    assert 'data-testid="saved-now-name_en"' in answer.text
    assert 'data-testid="saved-now-minimum_amount"' not in answer.text
    stored = stored_product(app_settings, fund_id)
    assert (stored.name_en, stored.product_risk, stored.version) == (
        "Equity-led mixed fund",
        ProductRisk.R2,
        2,
    )
    # saving the reviewed form again is a decision taken with the other change in view
    resaved = client.post(f"/products/{fund_id}", data=again, headers=HTML, follow_redirects=False)
    assert resaved.status_code == 303
    assert stored_product(app_settings, fund_id).name_en == "My new name"


@SQLITE_ONLY
def test_invalid_entries_come_back_as_typed_with_the_fields_marked(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    fund_id = _plant(app_settings)
    log_in(client, small_bank.admin)
    opened = _form(client.get(f"/products/{fund_id}", headers=HTML).text)
    cases = [
        ({"minimum_amount": "12.345"}, "minimum_amount", "decimal places"),
        ({"annual_rate": "七"}, "annual_rate", "decimal"),
        ({"term_months": "abc"}, "term_months", "integer"),
        ({"term_months": "601"}, "term_months", "less than or equal to 600"),
        ({"risk_level": "R9"}, "risk_level", "R1"),
        ({"name_zh": " \u200b "}, "name_zh", "must not be blank"),
    ]
    for typed, field, reason in cases:
        answer = client.post(f"/products/{fund_id}", data={**opened, **typed}, headers=HTML)
        assert answer.status_code == 422, (typed, answer.status_code)
        assert reason in answer.text, (typed, answer.text[:2000])
        assert re.search(rf'class="form-\w+ is-invalid"[^>]*id="{field}"', answer.text), typed
        shown = _form(answer.text) if field != "risk_level" else None
        if shown is not None and field != "name_zh":
            assert shown[field] == typed[field], typed
    stored = stored_product(app_settings, fund_id)
    assert (stored.version, stored.product_risk, stored.min_amount_cents) == (
        1,
        ProductRisk.R3,
        1_000_00,
    )
    for odd in ("核实\x00", "长" * 6000, "9" * 25, "0001-01-01"):
        for field in ("name_zh", "fab_feature_en", "term_months", "minimum_amount", "version"):
            answer = client.post(
                f"/products/{fund_id}",
                data={**opened, field: odd},
                headers=HTML,
                follow_redirects=False,
            )
            # refused, or (a name of digits) saved, or stale after that: never a server error
            assert answer.status_code in (303, 409, 422), (field, odd[:8], answer.status_code)
