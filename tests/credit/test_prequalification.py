"""Loan pre-qualification: every rule of the shipped car loan checklist on its edges, the
bank's record of debts before the customer's word, the papers to bring, refused files."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.localized import REQUIRED_LANGUAGES
from bankcrm.credit.prequalification import (
    Application,
    ChecklistInvalid,
    DebtSource,
    IncomeProof,
    Outcome,
    Prequalification,
    Residence,
    load,
    load_shipped,
    prequalify,
)

SHIPPED = load_shipped()

APPLIED_ON = date(2026, 3, 1)

GOOD = Application(
    birth_date=date(1990, 5, 20),  # 35 on the day of application
    applied_on=APPLIED_ON,
    residence=Residence.LOCAL_HUKOU,
    employment_months=30,
    income_proof=IncomeProof.EMPLOYER_CERTIFICATE,
    monthly_income=Decimal("20000"),
    declared_monthly_debt=Decimal("1000"),
    purchase_price=Decimal("150000"),
    down_payment=Decimal("50000"),
    # At no interest the instalment is the loan over the months: 100,000 / 40 = 2,500.
    annual_rate=Decimal("0"),
    term_months=40,
)
"""An application every rule passes: debt payments (1,000 + 2,500) / 20,000 = 17.5 % of the
income, a third of the price paid down, 35 now and 39 when the loan ends."""


def run(**changes: Any) -> Prequalification:
    return prequalify(SHIPPED, dataclasses.replace(GOOD, **changes))


def outcome_of(result: Prequalification, rule: str) -> Outcome:
    return next(outcome.outcome for outcome in result.rules if outcome.rule == rule)


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bank_checklist.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped checklist --------------------------------------------------------------


def test_shipped_checklist_has_the_rules_in_order_and_every_text_in_both_languages() -> None:
    assert [rule.code for rule in SHIPPED.rules] == [
        "local_residence",
        "age_at_application",
        "age_at_loan_end",
        "employment_tenure",
        "income_proof",
        "debt_to_income",
        "down_payment",
    ]
    texts = [SHIPPED.title, *(document.text for document in SHIPPED.documents)]
    for rule in SHIPPED.rules:
        texts.append(rule.name)
        texts.extend(verdict.reason for _, verdict in rule.bands)
        texts.extend(verdict.reason for verdict in rule.categories.values())
    for text in texts:
        assert set(REQUIRED_LANGUAGES) <= text.translations.keys()


def test_a_good_application_passes_every_rule() -> None:
    result = prequalify(SHIPPED, GOOD)
    assert result.outcome is Outcome.PASS
    assert {outcome.outcome for outcome in result.rules} == {Outcome.PASS}
    assert (result.loan_amount, result.monthly_instalment) == (Decimal("100000"), Decimal("2500"))
    assert result.debt_to_income == Decimal("0.175")
    assert result.checklist_version == "2026.1"
    values = {outcome.rule: outcome.value for outcome in result.rules}
    assert values["age_at_application"] == 35
    assert values["age_at_loan_end"] == 39  # 35 years 9 months and 40 months: 39 years 1 month
    assert values["local_residence"] == "local_hukou"


def test_each_rule_gives_its_reason_in_words() -> None:
    result = run(employment_months=8)
    tenure = next(outcome for outcome in result.rules if outcome.rule == "employment_tenure")
    assert tenure.reason.text("zh") == "现职工作满6个月不满1年，需提供担保人"
    assert tenure.reason.text("en").startswith("Six months to a year")
    assert tenure.value == 8


# --- each rule on its edges ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("residence", "expected"),
    [
        (Residence.LOCAL_HUKOU, Outcome.PASS),
        (Residence.RESIDENCE_PERMIT, Outcome.PASS),
        (Residence.NONE, Outcome.REFER),
    ],
)
def test_local_residence(residence: Residence, expected: Outcome) -> None:
    assert outcome_of(run(residence=residence), "local_residence") is expected


@pytest.mark.parametrize(
    ("birth_date", "expected"),
    [
        (date(2008, 3, 2), Outcome.DECLINE),  # 18 tomorrow
        (date(2008, 3, 1), Outcome.PASS),  # 18 today
        (date(1966, 3, 2), Outcome.PASS),  # 59, 60 tomorrow
        (date(1966, 3, 1), Outcome.REFER),  # 60 today
    ],
)
def test_age_at_application(birth_date: date, expected: Outcome) -> None:
    assert outcome_of(run(birth_date=birth_date), "age_at_application") is expected


@pytest.mark.parametrize(
    ("term_months", "expected"),
    [
        # Born 2 March 1966: on 1 March 2026 one day short of 60, 719 whole months.
        (72, Outcome.PASS),  # 719 + 72 = 791 months: 65 when the loan ends
        (73, Outcome.REFER),  # 792 months: 66
        (120, Outcome.REFER),  # 839 months: 69
        (121, Outcome.DECLINE),  # 840 months: 70
    ],
)
def test_age_at_loan_end(term_months: int, expected: Outcome) -> None:
    result = run(birth_date=date(1966, 3, 2), term_months=term_months)
    assert outcome_of(result, "age_at_loan_end") is expected


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        (0, Outcome.DECLINE),
        (5, Outcome.DECLINE),
        (6, Outcome.REFER),
        (11, Outcome.REFER),
        (12, Outcome.PASS),
    ],
)
def test_employment_tenure(months: int, expected: Outcome) -> None:
    assert outcome_of(run(employment_months=months), "employment_tenure") is expected


@pytest.mark.parametrize(
    ("proof", "expected"),
    [
        (IncomeProof.EMPLOYER_CERTIFICATE, Outcome.PASS),
        (IncomeProof.BUSINESS_LICENCE, Outcome.PASS),
        (IncomeProof.BANK_STATEMENT_ONLY, Outcome.REFER),
        (IncomeProof.NONE, Outcome.DECLINE),
    ],
)
def test_income_proof(proof: IncomeProof, expected: Outcome) -> None:
    assert outcome_of(run(income_proof=proof), "income_proof") is expected


@pytest.mark.parametrize(
    ("declared_debt", "expected"),
    [
        # (debt + 2,500) / 20,000 against the edges 50 % and 70 %.
        ("7499.99", Outcome.PASS),  # 9,999.99 / 20,000 = 49.99995 %
        ("7500", Outcome.REFER),  # 10,000 / 20,000 = 50 %
        ("11499.99", Outcome.REFER),
        ("11500", Outcome.DECLINE),  # 14,000 / 20,000 = 70 %
    ],
)
def test_debt_to_income(declared_debt: str, expected: Outcome) -> None:
    result = run(declared_monthly_debt=Decimal(declared_debt))
    assert outcome_of(result, "debt_to_income") is expected
    assert result.debt_to_income == (Decimal(declared_debt) + 2500) / 20000


@pytest.mark.parametrize(
    ("down_payment", "expected"),
    [
        ("14999.99", Outcome.DECLINE),
        ("15000", Outcome.REFER),  # 15 % of 100,000
        ("19999.99", Outcome.REFER),
        ("20000", Outcome.PASS),  # 20 %
    ],
)
def test_down_payment(down_payment: str, expected: Outcome) -> None:
    result = run(purchase_price=Decimal("100000"), down_payment=Decimal(down_payment))
    assert outcome_of(result, "down_payment") is expected


# --- the whole application ----------------------------------------------------------------


def test_one_referral_refers_the_application() -> None:
    result = run(residence=Residence.NONE)
    assert result.outcome is Outcome.REFER
    assert [outcome.rule for outcome in result.rules if outcome.outcome is not Outcome.PASS] == [
        "local_residence"
    ]


def test_a_decline_outweighs_any_referral() -> None:
    result = run(residence=Residence.NONE, income_proof=IncomeProof.NONE, employment_months=8)
    assert [outcome.outcome for outcome in result.rules].count(Outcome.REFER) == 2
    assert result.outcome is Outcome.DECLINE


def test_the_instalment_is_the_equal_instalment_with_interest() -> None:
    # 12,000 at 1 % a month over 12 months: 12,000 × 0.01 × 1.01¹² / (1.01¹² − 1) = 1,066.19.
    result = run(
        purchase_price=Decimal("15000"),
        down_payment=Decimal("3000"),
        annual_rate=Decimal("0.12"),
        term_months=12,
        declared_monthly_debt=Decimal("0"),
    )
    assert result.monthly_instalment == Decimal("1066.19")
    assert result.debt_to_income == Decimal("1066.19") / 20000


# --- the bank's own record of debts ---------------------------------------------------------


def test_without_a_record_the_declared_debts_count() -> None:
    result = prequalify(SHIPPED, GOOD)
    assert (result.debt_source, result.existing_monthly_debt) == (DebtSource.DECLARED, 1000)


def test_the_banks_record_of_debts_comes_before_the_customers_word() -> None:
    # The customer says 1,000 a month; the credit report shows 9,000:
    # (9,000 + 2,500) / 20,000 = 57.5 %, a referral where the declared figure passed.
    result = run(recorded_monthly_debt=Decimal("9000"))
    assert result.debt_source is DebtSource.BANK_RECORDS
    assert result.existing_monthly_debt == Decimal("9000")
    assert result.debt_to_income == Decimal("0.575")
    assert outcome_of(result, "debt_to_income") is Outcome.REFER


def test_a_lower_record_also_replaces_the_declared_debts() -> None:
    result = run(declared_monthly_debt=Decimal("12000"), recorded_monthly_debt=Decimal("0"))
    assert result.debt_to_income == Decimal("0.125")  # 2,500 / 20,000
    assert outcome_of(result, "debt_to_income") is Outcome.PASS


# --- the papers to bring ----------------------------------------------------------------------


def test_documents_come_once_each_in_the_checklists_order() -> None:
    result = prequalify(SHIPPED, GOOD)
    # The identity card is asked for by two rules, the bank statements by two: each once.
    assert [document.code for document in result.documents] == [
        "id_card",
        "hukou_book",
        "income_certificate",
        "bank_statement",
        "purchase_contract",
        "down_payment_receipt",
    ]
    assert result.documents[0].text.text("zh") == "身份证"


def test_a_band_or_category_adds_its_own_documents() -> None:
    result = run(
        residence=Residence.NONE,
        employment_months=8,
        income_proof=IncomeProof.BUSINESS_LICENCE,
        declared_monthly_debt=Decimal("8000"),
    )
    # A guarantor is asked for by the residence and the tenure rules, and listed once.
    assert [document.code for document in result.documents] == [
        "id_card",
        "guarantor_papers",
        "business_licence",
        "bank_statement",
        "asset_proof",
        "purchase_contract",
        "down_payment_receipt",
    ]


# --- applications that cannot be checked ------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"monthly_income": Decimal("0")}, "monthly_income"),
        ({"declared_monthly_debt": Decimal("-1")}, "declared_monthly_debt"),
        ({"recorded_monthly_debt": Decimal("NaN")}, "recorded_monthly_debt"),
        ({"down_payment": Decimal("150000")}, "down_payment"),
        ({"purchase_price": Decimal("150000.001")}, "purchase_price"),
        ({"employment_months": -1}, "employment_months"),
        ({"birth_date": date(2026, 3, 2)}, "birth_date"),
        ({"term_months": 0}, "term_months"),
        ({"annual_rate": Decimal("2")}, "annual_rate"),
    ],
)
def test_an_impossible_application_is_refused_naming_the_field(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        run(**changes)
    assert raised.value.field == field


# --- a bank's own checklist ------------------------------------------------------------------

SMALL = """
version = "bank.3"
title = { zh = "个人消费贷款预审", en = "Personal loan pre-qualification" }

[[documents]]
code = "id_card"
text = { zh = "身份证", en = "Identity card" }

[[documents]]
code = "payslips"
text = { zh = "工资单", en = "Payslips" }

[[rules]]
code = "income"
measure = "income_proof"
name = { zh = "收入证明", en = "Proof of income" }
documents = ["id_card"]

[[rules.categories]]
value = "employer_certificate"
outcome = "pass"
documents = ["payslips"]
reason = { zh = "有", en = "Yes" }

[[rules.categories]]
value = "business_licence"
outcome = "refer"
reason = { zh = "经营者", en = "Owner" }

[[rules.categories]]
value = "bank_statement_only"
outcome = "refer"
reason = { zh = "仅流水", en = "Statements only" }

[[rules.categories]]
value = "none"
outcome = "decline"
reason = { zh = "无", en = "None" }

[[rules]]
code = "burden"
measure = "debt_to_income"
name = { zh = "负债收入比", en = "Debt to income" }

[[rules.bands]]
below = 0.4
outcome = "pass"
reason = { zh = "低", en = "Low" }

[[rules.bands]]
from = 0.4
outcome = "decline"
reason = { zh = "高", en = "High" }
"""


def test_a_banks_own_checklist_is_loaded_and_used(tmp_path: Path) -> None:
    checklist = load(written(tmp_path, SMALL))
    result = prequalify(checklist, dataclasses.replace(GOOD, declared_monthly_debt=Decimal("5500")))
    # (5,500 + 2,500) / 20,000 = 40 %: on the edge, in the declining band.
    assert (result.checklist_version, result.outcome) == ("bank.3", Outcome.DECLINE)
    assert [outcome.rule for outcome in result.rules] == ["income", "burden"]
    assert [document.code for document in result.documents] == ["id_card", "payslips"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            SMALL.replace('{ zh = "低", en = "Low" }', '{ zh = "低" }'),
            r"rules\[1\] \(burden\)\.bands\[0\]\.reason: the 'en' text is missing",
        ),
        (
            SMALL.replace("from = 0.4", "from = 0.5"),
            r"rules\[1\] \(burden\)\.bands\[1\]\.from: starts at 0\.5, "
            r"but rules\[1\] \(burden\)\.bands\[0\] ends below 0\.4",
        ),
        (
            SMALL.replace('value = "none"', 'value = "bank_statement_only"'),
            r"rules\[0\] \(income\)\.categories\[3\] \(bank_statement_only\): "
            r"'bank_statement_only' is listed twice",
        ),
        (
            SMALL.replace('value = "business_licence"', 'value = "pension"'),
            r"rules\[0\] \(income\)\.categories\[1\] \(pension\)\.value: 'pension' is not one of",
        ),
        (
            SMALL.replace(
                '[[rules.categories]]\nvalue = "none"\noutcome = "decline"\n'
                'reason = { zh = "无", en = "None" }\n',
                "",
            ),
            r"rules\[0\] \(income\)\.categories: no entry for 'none'",
        ),
        (
            SMALL.replace('documents = ["payslips"]', 'documents = ["tax_return"]'),
            r"rules\[0\] \(income\)\.categories\[0\] \(employer_certificate\)\.documents: "
            r"'tax_return' is not a declared document \(id_card, payslips\)",
        ),
        (
            SMALL.replace('documents = ["id_card"]', 'documents = ["id_card", "id_card"]'),
            r"rules\[0\] \(income\)\.documents: names a document twice",
        ),
        (
            SMALL.replace('code = "payslips"', 'code = "id_card"'),
            r"documents\[1\] \(id_card\): document 'id_card' is declared twice",
        ),
        (
            SMALL.replace('code = "burden"', 'code = "income"'),
            r"rules\[1\] \(income\): rule 'income' is listed twice",
        ),
        (
            SMALL.replace('outcome = "refer"', 'outcome = "maybe"', 1),
            r"rules\[0\] \(income\)\.categories\[1\] \(business_licence\)\.outcome: "
            r"'maybe' is not one of pass, refer, decline",
        ),
        (
            SMALL.replace('measure = "debt_to_income"', 'measure = "credit_score"'),
            r"rules\[1\] \(burden\)\.measure: 'credit_score' is not one of",
        ),
        (
            SMALL.replace('measure = "debt_to_income"', 'measure = "residence"'),
            r"rules\[1\] \(burden\): 'categories' is missing",
        ),
        (
            SMALL.replace('measure = "debt_to_income"\n', ""),
            r"rules\[1\] \(burden\): 'measure' is missing",
        ),
        (
            SMALL.replace("below = 0.4", "below = nan"),
            r"rules\[1\] \(burden\)\.bands\[0\]\.below: must be a finite number",
        ),
        (SMALL.replace("[[documents]]", "[[document]]", 1), r"the top level: unknown key"),
        ("title = ", r"not valid TOML"),
    ],
)
def test_a_bad_file_is_refused_naming_the_entry(tmp_path: Path, text: str, message: str) -> None:
    path = written(tmp_path, text)
    with pytest.raises(ChecklistInvalid, match=rf"^{re.escape(str(path))}: {message}"):
        load(path)
