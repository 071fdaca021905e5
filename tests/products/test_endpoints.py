"""The catalogue every member of staff reads: codes, risk levels, terms and amounts as a
banker quotes them, and the FAB talking points in both languages."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from bankcrm.core.db import make_engine
from bankcrm.core.enums import ProductCategory, ProductRisk
from bankcrm.products.models import Product
from tests import factories
from tests.small_bank import SmallBank, login

API = "/api/v1/products"


def _plant_fund(database_url: str) -> int:
    engine = make_engine(database_url)
    with Session(engine) as session:
        fund = factories.product(session, category=ProductCategory.FUND, risk=ProductRisk.R4)
        fund.term_months = 36
        fund.min_amount_cents = 1_000_00
        fund.annual_rate_bp = 650
        fund.fab_feature_zh, fund.fab_feature_en = "偏股混合型基金", "An equity-led mixed fund"
        fund.fab_advantage_zh, fund.fab_advantage_en = "长期业绩稳定", "A steady long record"
        fund.fab_benefit_zh, fund.fab_benefit_en = "分享经济增长", "A share of the growth"
        withdrawn = factories.product(session, category=ProductCategory.WEALTH)
        session.execute(update(Product).where(Product.id == withdrawn.id).values(is_active=False))
        session.commit()
        fund_id = fund.id
    engine.dispose()
    return fund_id


def test_every_role_reads_the_catalogue_with_fab_in_both_languages(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    fund_id = _plant_fund(app_settings)
    for username in (small_bank.manager_a, small_bank.analyst, small_bank.branch_manager):
        headers = login(client, username)
        listed = client.get(API, headers=headers)
        assert listed.status_code == 200, listed.text
        assert {item["category"] for item in listed.json()["items"]} == {"deposit", "fund"}
    one = client.get(f"{API}/{fund_id}", headers=headers).json()
    assert one["risk_level"] == "R4" and one["term_months"] == 36
    assert Decimal(one["minimum_amount"]) == Decimal("1000.00")
    assert Decimal(one["annual_rate"]) == Decimal("6.5")
    assert one["fab"]["benefit"] == {"zh": "分享经济增长", "en": "A share of the growth"}
    assert one["code"].startswith("P") and one["name"]["zh"]


def test_the_catalogue_filters_by_category_and_level_and_hides_withdrawn_products(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    fund_id = _plant_fund(app_settings)
    headers = login(client, small_bank.manager_a)
    funds = client.get(API, params={"category": "fund", "risk_level": "R4"}, headers=headers)
    assert [item["id"] for item in funds.json()["items"]] == [fund_id]
    assert client.get(API, params={"risk_level": "R5"}, headers=headers).json()["total"] == 0
    on_sale = client.get(API, headers=headers).json()["total"]
    every = client.get(API, params={"include_inactive": "true"}, headers=headers).json()
    assert every["total"] == on_sale + 1
    assert client.get(API, params={"risk_level": "R9"}, headers=headers).status_code == 422
    assert client.get(f"{API}/999999", headers=headers).status_code == 404
    assert client.get(API).status_code == 401
