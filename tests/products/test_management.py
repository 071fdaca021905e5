"""The catalogue team changes a product through the API: as the version it read, audited
column by column, and only with products:manage."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.audit.models import AuditEntry
from bankcrm.core.db import make_engine
from bankcrm.core.enums import AuditAction, ProductCategory, ProductRisk
from bankcrm.core.exceptions import Conflict
from bankcrm.products import service
from bankcrm.products.models import Product
from bankcrm.products.schemas import ProductUpdate
from tests.conftest import SQLITE_ONLY
from tests.products.conftest import stored_product
from tests.small_bank import SmallBank, login

API = "/api/v1/products"


def _plant_fund(database_url: str) -> int:
    """A fund at R3, as it comes into the catalogue: version 1."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        fund = Product(
            external_id="F-EQ-001",
            name_zh="偏股混合基金A",
            name_en="Equity-led mixed fund",
            category=ProductCategory.FUND,
            product_risk=ProductRisk.R3,
            term_months=36,
            min_amount_cents=1_000_00,
            annual_rate_bp=650,
            fab_feature_zh="偏股混合型基金",
            fab_feature_en="An equity-led mixed fund",
        )
        session.add(fund)
        session.commit()
        fund_id = fund.id
    engine.dispose()
    return fund_id


def _product_updates(database_url: str, product_id: int) -> list[AuditEntry]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        entries = list(
            session.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.entity == "products",
                    AuditEntry.entity_id == str(product_id),
                    AuditEntry.action == AuditAction.UPDATE,
                )
                .order_by(AuditEntry.seq)
            )
        )
        session.expunge_all()
    engine.dispose()
    return entries


def test_an_admin_changes_a_product_and_the_trail_keeps_before_and_after(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    fund_id = _plant_fund(app_settings)
    admin = login(client, small_bank.admin)
    read = client.get(f"{API}/{fund_id}", headers=admin).json()
    assert read["version"] == 1
    change = {
        "version": read["version"],
        "name": {"en": "Equity-led mixed fund A"},
        "risk_level": "R4",
        "term_months": 24,
        "minimum_amount": "50000.00",
        "annual_rate": "7.25",
        "fab": {"benefit": {"zh": "分享经济增长", "en": "A share of the growth"}},
    }
    answer = client.patch(f"{API}/{fund_id}", headers=admin, json=change)
    assert answer.status_code == 200, answer.text
    changed = answer.json()
    assert changed["version"] == 2
    assert changed["risk_level"] == "R4" and changed["term_months"] == 24
    assert Decimal(changed["minimum_amount"]) == Decimal("50000.00")
    assert Decimal(changed["annual_rate"]) == Decimal("7.25")
    assert changed["name"] == {"zh": read["name"]["zh"], "en": "Equity-led mixed fund A"}
    # what was left out stays as it was
    assert changed["fab"]["feature"] == {"zh": "偏股混合型基金", "en": "An equity-led mixed fund"}
    assert changed["fab"]["benefit"] == {"zh": "分享经济增长", "en": "A share of the growth"}
    assert client.get(f"{API}/{fund_id}", headers=admin).json() == changed

    stored = stored_product(app_settings, fund_id)
    assert (stored.min_amount_cents, stored.annual_rate_bp) == (5_000_000, 725)
    [entry] = _product_updates(app_settings, fund_id)
    assert entry.actor_label == small_bank.admin
    before, after = json.loads(entry.before_json or ""), json.loads(entry.after_json or "")
    assert (before["product_risk"], after["product_risk"]) == ("R3", "R4")
    assert (before["min_amount_cents"], after["min_amount_cents"]) == (1_000_00, 5_000_000)
    assert (before["annual_rate_bp"], after["annual_rate_bp"]) == (650, 725)
    assert "fab_feature_zh" not in after


def test_clearing_a_term_an_amount_and_a_talking_point_and_withdrawing_from_sale(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    fund_id = _plant_fund(app_settings)
    admin = login(client, small_bank.admin)
    change = {
        "version": 1,
        "term_months": None,
        "minimum_amount": None,
        "annual_rate": None,
        "fab": {"feature": {"zh": "", "en": None}},
        "is_active": False,
    }
    answer = client.patch(f"{API}/{fund_id}", headers=admin, json=change)
    assert answer.status_code == 200, answer.text
    changed = answer.json()
    assert changed["term_months"] is None and changed["minimum_amount"] is None
    assert changed["annual_rate"] is None and changed["is_active"] is False
    assert changed["fab"]["feature"] == {"zh": None, "en": None}
    # withdrawn: off the catalogue staff sell from, still in the whole catalogue
    on_sale = client.get(API, headers=admin).json()["items"]
    assert fund_id not in {item["id"] for item in on_sale}
    every = client.get(API, params={"include_inactive": "true"}, headers=admin).json()["items"]
    assert fund_id in {item["id"] for item in every}


def test_only_the_catalogue_team_may_change_a_product(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    fund_id = _plant_fund(app_settings)
    change = {"version": 1, "risk_level": "R5"}
    for username in (small_bank.manager_a, small_bank.branch_manager, small_bank.analyst):
        answer = client.patch(f"{API}/{fund_id}", headers=login(client, username), json=change)
        assert answer.status_code == 403, (username, answer.text)
        assert "products:manage" in answer.json()["detail"]
    assert client.patch(f"{API}/{fund_id}", json=change).status_code == 401
    stored = stored_product(app_settings, fund_id)
    assert (stored.product_risk, stored.version) == (ProductRisk.R3, 1)
    assert _product_updates(app_settings, fund_id) == []


def test_a_change_from_an_older_version_is_a_conflict_and_changes_nothing(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    fund_id = _plant_fund(app_settings)
    admin = login(client, small_bank.admin)
    first = client.patch(f"{API}/{fund_id}", headers=admin, json={"version": 1, "term_months": 12})
    assert first.status_code == 200, first.text
    late = {"version": 1, "risk_level": "R5", "term_months": 60}
    answer = client.patch(f"{API}/{fund_id}", headers=admin, json=late)
    assert answer.status_code == 409, answer.text
    detail = answer.json()["detail"]
    assert "changed by someone else" in detail and "version 2" in detail
    now = client.get(f"{API}/{fund_id}", headers=admin).json()
    assert (now["version"], now["risk_level"], now["term_months"]) == (2, "R3", 12)
    assert len(_product_updates(app_settings, fund_id)) == 1
    missing = client.patch(f"{API}/999999", headers=admin, json={"version": 1, "is_active": True})
    assert missing.status_code == 404


@SQLITE_ONLY
def test_two_editors_saving_the_same_version_at_once_leave_the_first_change(
    small_bank: SmallBank, app_settings: str
) -> None:
    """Both pass the version check; the write of the second finds the version moved on."""
    fund_id = _plant_fund(app_settings)
    engine = make_engine(app_settings)
    with Session(engine) as first, Session(engine) as second:
        assert second.get_one(Product, fund_id).version == 1
        service.update_product(
            first,
            product_id=fund_id,
            changes=ProductUpdate.model_validate({"version": 1, "risk_level": "R2"}),
        )
        first.commit()
        with pytest.raises(Conflict, match="changed by someone else"):
            # the second editor's session still holds version 1
            service.update_product(
                second,
                product_id=fund_id,
                changes=ProductUpdate.model_validate({"version": 1, "risk_level": "R5"}),
            )
    engine.dispose()
    stored = stored_product(app_settings, fund_id)
    assert (stored.product_risk, stored.version) == (ProductRisk.R2, 2)


INVALID_CHANGES: list[tuple[dict[str, Any], str, str]] = [
    ({"risk_level": "R9"}, "risk_level", "R1"),
    ({"risk_level": None}, "risk_level", "cannot be cleared"),
    ({"minimum_amount": "100.001"}, "minimum_amount", "decimal places"),
    ({"minimum_amount": "-1"}, "minimum_amount", "greater than or equal to 0"),
    ({"annual_rate": "abc"}, "annual_rate", "decimal"),
    ({"annual_rate": "3.125"}, "annual_rate", "decimal places"),
    ({"term_months": 0}, "term_months", "greater than or equal to 1"),
    ({"term_months": "12"}, "term_months", "integer"),
    ({"is_active": 0}, "is_active", "boolean"),
    ({"name": {"zh": " \u200b "}}, "name.zh", "must not be blank"),
    ({"name": {"en": None}}, "name.en", "cannot be cleared"),
    ({"fab": {"feature": {"zh": "长" * 2001}}}, "fab.feature.zh", "at most 2000"),
    ({"fab": {"advantage": {"en": "bad\x00"}}}, "fab.advantage.en", "pattern"),
    ({}, "", "at least one field"),
]


@SQLITE_ONLY
def test_an_invalid_change_is_refused_with_the_field_and_changes_nothing(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    fund_id = _plant_fund(app_settings)
    admin = login(client, small_bank.admin)
    for change, field, reason in INVALID_CHANGES:
        answer = client.patch(f"{API}/{fund_id}", headers=admin, json={"version": 1, **change})
        assert answer.status_code == 422, (change, answer.text)
        body = answer.json()
        assert reason in body["detail"], (change, body)
        if field:
            assert body["field"] == field, (change, body)
    without_version = client.patch(f"{API}/{fund_id}", headers=admin, json={"risk_level": "R2"})
    assert without_version.status_code == 422 and without_version.json()["field"] == "version"
    stored = stored_product(app_settings, fund_id)
    assert (stored.product_risk, stored.version) == (ProductRisk.R3, 1)
    assert _product_updates(app_settings, fund_id) == []


@SQLITE_ONLY
def test_a_change_to_what_is_stored_already_writes_nothing(
    client: TestClient, small_bank: SmallBank, app_settings: str
) -> None:
    fund_id = _plant_fund(app_settings)
    admin = login(client, small_bank.admin)
    same = {"version": 1, "risk_level": "R3", "term_months": 36, "minimum_amount": "1000"}
    answer = client.patch(f"{API}/{fund_id}", headers=admin, json=same)
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == 1
    assert _product_updates(app_settings, fund_id) == []
